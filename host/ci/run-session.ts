// One session of a CI run: replay the recording, compare the output with its golden and,
// when the recording has reference beats, score it. Runs in the CLI's process (--jobs 1)
// or in a worker thread; the result is plain data, the same either way.

import fs from 'node:fs';
import { loadFixture } from '../../sim/fixture/load.js';
import type { RingFirmware } from '../../sim/firmware-module.js';
import { replayFixture } from '../../sim/replay.js';
import type { ReplayConfig, ReplayResult } from '../../sim/replay-types.js';
import { replayOverProtocol } from '../client/replay-protocol.js';
import { configArgument } from '../replay/config.js';
import { compareGolden, readGolden } from '../replay/golden.js';
import { replayNdjsonLines } from '../replay/format.js';
import { scoreRecord, type RecordScore } from '../score/score.js';
import { firstDifference, type FirstDifference } from './first-diff.js';
import type { SessionSpec } from './sessions.js';

export type SessionStatus = 'passed' | 'changed' | 'new' | 'missing' | 'errored';

export interface SessionRunOptions {
  /** Read the firmware's output sink instead of the protocol (same bytes, faster). */
  direct: boolean;
  /** Send the new output back (to write goldens or draw reports). */
  keep_lines: boolean;
}

export interface SessionResult {
  id: string;
  recording: string;
  golden: string;
  rate_hz: number;
  seed: number;
  /** The ring configuration the session ran with, when it has one. */
  config?: ReplayConfig;
  status: SessionStatus;
  duration_ms: number | null;
  /** Lines of the new output and of the golden (null when absent). */
  lines: number | null;
  golden_lines: number | null;
  first_difference: FirstDifference | null;
  /** The line diff (host/replay/golden.ts), for changed sessions. */
  diff: string | null;
  error: string | null;
  /** Accuracy against the recording's reference beats, when it has them. */
  score: RecordScore | null;
  /** What to reproduce it with. */
  reproduce: string;
}

export interface SessionOutcome {
  result: SessionResult;
  /** The new output when keep_lines was asked for and the session replayed. */
  new_lines: string[] | null;
}

function reproduce(s: SessionSpec, direct: boolean): string {
  const config = s.config === undefined ? '' : ` ${configArgument(s.config)}`;
  return `ring replay ${s.recording} --rate-hz ${s.rate_hz} --seed ${s.seed}${config}${direct ? ' --direct' : ''} --golden ${s.golden}`;
}

export async function runSession(s: SessionSpec, firmware: RingFirmware | undefined, opts: SessionRunOptions): Promise<SessionOutcome> {
  const result: SessionResult = {
    id: s.id, recording: s.recording, golden: s.golden, rate_hz: s.rate_hz, seed: s.seed, ...(s.config ? { config: s.config } : {}),
    status: 'errored', duration_ms: null, lines: null, golden_lines: null, first_difference: null, diff: null, error: null, score: null, reproduce: reproduce(s, opts.direct),
  };
  let lines: string[];
  let replay: ReplayResult;
  let fixture;
  try {
    fixture = loadFixture(s.recording);
    const ropts = { rate_hz: s.rate_hz, seed: s.seed, ...(firmware ? { firmware } : {}), ...(s.config ? { config: s.config } : {}) };
    replay = opts.direct ? replayFixture(fixture, ropts) : await replayOverProtocol(fixture, ropts);
    lines = replayNdjsonLines(replay);
  } catch (err) {
    result.error = oneLine(err);
    return { result, new_lines: null };
  }
  result.duration_ms = replay.duration_ms;
  result.lines = lines.length;
  if (fixture.ref_beats_us !== undefined && fixture.ref_beats_us.length > 0) {
    try {
      result.score = scoreRecord(fixture, replay);
    } catch (err) {
      result.error = `scoring: ${oneLine(err)}`;
      return { result, new_lines: opts.keep_lines ? lines : null };
    }
  }
  if (!fs.existsSync(s.golden)) {
    result.status = 'new';
  } else {
    let golden: string[];
    try {
      golden = readGolden(s.golden);
    } catch (err) {
      result.error = oneLine(err);
      return { result, new_lines: opts.keep_lines ? lines : null };
    }
    result.golden_lines = golden.length;
    const check = compareGolden(golden, lines);
    result.status = check.ok ? 'passed' : 'changed';
    if (!check.ok) {
      result.first_difference = firstDifference(golden, lines);
      result.diff = check.diff;
    }
  }
  return { result, new_lines: opts.keep_lines ? lines : null };
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ').trim();
}
