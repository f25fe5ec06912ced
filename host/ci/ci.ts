// `ring ci` as a library: select the sessions (library, shard), replay them (pool), add
// the goldens that lost their recording, write goldens when asked, and return the result
// document with its summary. The CLI (host/cli/cmd-ci.ts) only parses options and prints.

import fs from 'node:fs';
import path from 'node:path';
import { readGolden, writeGolden } from '../replay/golden.js';
import { runSessions, type JobStats } from './pool.js';
import { type ChangedSession } from './report.js';
import { RESULT_FORMAT, RESULT_VERSION, summarize, type CiResultDoc, type CiSummary, type CiThresholds } from './result.js';
import type { SessionResult } from './run-session.js';
import { CiError } from './errors.js';
import { goldenPath, listGoldenIds, loadLibrary, type SessionSpec } from './sessions.js';
import { assignShards, inShard, type Shard } from './shard.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { probeFixture } from '../../sim/fixture/probe.js';

export interface CiOptions {
  /** A folder of recordings or a manifest. */
  library: string;
  golden_dir?: string;
  rate_hz: number;
  seed: number;
  jobs: number;
  shard: Shard | null;
  direct: boolean;
  firmware_bundle: string | null;
  update_golden: boolean;
  /** Keep what a report of the changed sessions needs. */
  want_report: boolean;
  thresholds: CiThresholds;
  onDone?: (done: number, total: number, id: string) => void;
}

export interface CiOutcome {
  doc: CiResultDoc;
  summary: CiSummary;
  /** Changed sessions with both outputs (only when want_report). */
  changed: ChangedSession[];
  /** Golden files written or removed by --update-golden. */
  goldens_written: number;
  goldens_removed: number;
  /** Each job's sessions and thread CPU (for logs and the bench; not part of the result). */
  jobs: JobStats[];
  /** When the sessions started, in ms since the process did (logs and the bench; null: none ran). */
  pool_at_ms: number | null;
}

function missingResult(id: string, golden_dir: string, opts: CiOptions): SessionResult {
  const golden = goldenPath(golden_dir, id);
  return {
    id, recording: '', golden, rate_hz: opts.rate_hz, seed: opts.seed, status: 'missing', duration_ms: null, lines: null,
    golden_lines: null, first_difference: null, diff: null, error: null, score: null, reproduce: `rm ${golden}`,
  };
}

/** A session's replay cost: samples the ring processes. Read from the recording's head (a
 * few KiB of a container, sim/fixture/probe.ts), so sharding a large library stays cheap;
 * other recordings (dataset JSON, CSV) are loaded. One that does not load costs nothing
 * here; its replay reports the error. */
export function sessionCost(s: Pick<SessionSpec, 'recording' | 'rate_hz'>): number {
  const p = probeFixture(s.recording);
  if (p !== null) return Math.round((p.ppg_samples / p.sample_rate_hz) * s.rate_hz);
  try {
    const f = loadFixture(s.recording);
    return Math.round((f.ppg.length / f.meta.sample_rate_hz) * s.rate_hz);
  } catch {
    return 0;
  }
}

/** The sessions of one shard, balanced by replay cost across the shards (shard.ts). */
function selectShard(sessions: SessionSpec[], shard: Shard | null): SessionSpec[] {
  if (shard === null || shard.count === 1) return sessions;
  const home = assignShards(sessions.map((s) => ({ id: s.id, cost: sessionCost(s) })), shard.count);
  return sessions.filter((s) => home.get(s.id) === shard.index);
}

export async function runCi(opts: CiOptions): Promise<CiOutcome> {
  const lib = loadLibrary(opts.library, { rate_hz: opts.rate_hz, seed: opts.seed, ...(opts.golden_dir ? { golden_dir: opts.golden_dir } : {}) });
  // Checked on the whole library, so every shard refuses alike.
  const configured = lib.sessions.find((s) => s.config !== undefined);
  if (opts.direct && configured !== undefined) {
    throw new CiError(`session ${configured.id} has a config, which the ring takes over the protocol: run without --direct`);
  }
  const selected: SessionSpec[] = selectShard(lib.sessions, opts.shard);
  const known = new Set(lib.sessions.map((s) => s.id));
  const missing = listGoldenIds(lib.golden_dir).filter((id) => !known.has(id) && inShard(id, opts.shard));
  const { outcomes, jobs, started_at_ms } = await runSessions(selected, {
    jobs: opts.jobs,
    firmware_bundle: opts.firmware_bundle,
    run: { direct: opts.direct, keep_lines: opts.update_golden || opts.want_report },
    ...(opts.onDone ? { onDone: opts.onDone } : {}),
  });
  const changed: ChangedSession[] = [];
  if (opts.want_report) {
    for (const o of outcomes) {
      if (o.result.status === 'changed' && o.new_lines !== null) changed.push({ result: o.result, golden_lines: readGolden(o.result.golden), new_lines: o.new_lines });
    }
  }
  let goldens_written = 0;
  let goldens_removed = 0;
  if (opts.update_golden) {
    for (const o of outcomes) {
      if ((o.result.status === 'changed' || o.result.status === 'new') && o.new_lines !== null) {
        fs.mkdirSync(path.dirname(o.result.golden), { recursive: true });
        writeGolden(o.result.golden, o.new_lines);
        goldens_written++;
      }
    }
    for (const id of missing) {
      fs.rmSync(goldenPath(lib.golden_dir, id));
      goldens_removed++;
    }
  }
  const sessions = [...outcomes.map((o) => o.result), ...missing.map((id) => missingResult(id, lib.golden_dir, opts))];
  sessions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const doc: CiResultDoc = {
    format: RESULT_FORMAT,
    version: RESULT_VERSION,
    shard: opts.shard,
    run: {
      mode: opts.direct ? 'direct' : 'protocol',
      firmware: opts.firmware_bundle,
      thresholds: opts.thresholds,
      update_golden: opts.update_golden,
    },
    sessions,
  };
  return { doc, summary: summarize(doc), changed, goldens_written, goldens_removed, jobs, pool_at_ms: started_at_ms };
}
