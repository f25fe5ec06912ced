// `ring wellness synth|score` and `ring together`: multi-day recordings with a day/night
// cycle and ground truth, the ring's wellness summaries scored against it, and several
// simulated rings against one host with their co-regulation figures.

import fs from 'node:fs';
import type { Command } from 'commander';
import { encodeFixture } from '../../sim/fixture/container.js';
import { loadFixture } from '../../sim/fixture/load.js';
import type { Fixture } from '../../sim/fixture/types.js';
import { daylifeTruth, generateDaylife, DAYLIFE_DAYS_MAX } from '../../sim/synth/daylife.js';
import { replayFixture } from '../../sim/replay.js';
import { wellnessFromRecords, type Wellness } from '../wellness/records.js';
import { scoreWellness, type WellnessScore } from '../wellness/score.js';
import { replayTogether, TOGETHER_SCOPES_NEEDED, type TogetherResult } from '../wellness/together.js';
import { SCOPE_NAMES, scopeNames } from '../client/scopes.js';
import { readTogetherSession, type SessionRing } from './together-session.js';
import { buildReport, ringFromReplay, type ReportRing } from '../wellness/report.js';
import path from 'node:path';
import { UsageError } from './errors.js';
import { parseRateHz, parseSeed } from './options.js';

function readRecording(file: string): Fixture {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`recording not found: ${file}`);
  return loadFixture(file);
}

function parseClock(name: string, text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new UsageError(`${name} must be a clock time HH:MM, got '${text}'`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60;
}

function parseRange(name: string, text: string, lo: number, hi: number, integer: boolean): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
    throw new UsageError(`${name} must be ${integer ? 'an integer' : 'a number'} in ${lo}..${hi}, got '${text}'`);
  }
  return v;
}

/** Any RangeError of the generator is a bad option: one line, exit 2. */
function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

export function wellnessOf(f: Fixture, rate_hz: number, seed: number): Wellness {
  return wellnessFromRecords(replayFixture(f, { rate_hz, seed }).wellness ?? []);
}

const min = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

function formatWellness(w: Wellness, start_utc_ms: number, score: WellnessScore | null): string {
  const lines: string[] = [];
  for (const p of w.periods) {
    lines.push(
      `${p.type} ${min(start_utc_ms + p.onset_ms)}-${min(start_utc_ms + p.wake_ms)} UTC: asleep ${p.asleep_min} min, ` +
      `${p.interruptions} interruptions, lowest HR ${p.lowest_hr_bpm ?? '-'} bpm, RMSSD ${p.rmssd_ms ?? '-'} ms` +
      (p.hrv_window ? ` (${p.hrv_window.windows} windows ${min(start_utc_ms + p.hrv_window.start_ms)}-${min(start_utc_ms + p.hrv_window.end_ms)})` : '') +
      `, recovery ${p.recovery ?? '-'}`,
    );
  }
  for (const s of w.stress) lines.push(`stress ${min(start_utc_ms + s.start_ms)}-${min(start_utc_ms + s.end_ms)} UTC: peak ${s.peak}, mean ${s.mean}`);
  if (score) {
    const f = (x: number | null, d = 1): string => (x === null ? '-' : x.toFixed(d));
    lines.push(
      `score: onset error median ${f(score.onset_error_min_median)} min, wake ${f(score.wake_error_min_median)} min, ` +
      `time asleep ${f(score.asleep_error_min_median)} min, nightly RMSSD max error ${f(score.rmssd_error_ms_max, 2)} ms, ` +
      `stress ${score.stress_detected}/${score.stress_true} detected, ${score.stress_false_alarms} false alarms over ${score.days.toFixed(2)} days`,
    );
  }
  return lines.join('\n') + '\n';
}

function formatTogether(r: TogetherResult): string {
  const f = (x: number | null): string => (x === null ? '-' : x.toFixed(2));
  const lines = r.rings.map(
    (t) => `ring ${t.record}: seed ${t.seed}, drift ${t.drift_ppm} ppm, ` +
      `${t.access.role === 'owner' ? 'read as its owner' : `read through its wearer's grant (${t.access.scopes.join(', ')})`}, ` +
      `clock aligned within ${Math.abs(t.alignment_error_ms)} ms, ` +
      `${t.records_read} records read, ${t.wellness.periods.length} rest/sleep periods, ` +
      (t.stress_shared ? `${t.wellness.stress.length} stress episodes` : 'stress not shared'),
  );
  for (const p of r.pairs) {
    lines.push(`${p.a} + ${p.b}: HR synchrony ${f(p.hr_synchrony)}, HRV synchrony ${f(p.hrv_synchrony)} (${p.windows} windows), rest overlap ${f(p.rest_overlap)}`);
  }
  return lines.join('\n') + '\n';
}

interface SynthOpts { output: string; seed: number; nights: string; start: string; end: string; hours?: string; restHr: string; sharedSeed?: string; coupling: string }
interface ScoreOpts { rateHz: number; seed: number; json?: boolean }
interface ReportOpts { output: string; rateHz: number; seed: number; json?: boolean }
export interface TogetherOpts { rateHz: number; seed: number; driftPpm?: string; partnerGrant?: string; session?: string; json?: boolean }

/** Rings run at 25 Hz unless told (a night at 25 Hz is what the wellness figures were checked at). */
export const TOGETHER_RATE_HZ_DEFAULT = 25;
const PARTNER_GRANT_DEFAULT = scopeNames(TOGETHER_SCOPES_NEEDED).join(',');

/** --drift-ppm and --partner-grant, on `ring together` and `ring replay --together`. */
export function addTogetherOptions(cmd: Command, prefix = ''): Command {
  return cmd
    .option('--drift-ppm <list>', `${prefix}crystal error per ring, comma-separated (default: drawn from each ring's seed)`)
    .option('--partner-grant <scopes>', `${prefix}what each partner's wearer grants this host: ${Object.keys(SCOPE_NAMES).join(', ')} (comma-separated), or none; ` +
      `the figures need ${PARTNER_GRANT_DEFAULT} (the default)`)
    .option('--session <file>', `${prefix}a JSON file naming the rings instead of recordings: {"rings": [{"recording", "seed"?, "drift_ppm"?, "grant"?}, ...]}`);
}

function parsePartnerGrant(text: string): number {
  if (text.trim() === 'none') return 0;
  let bits = 0;
  for (const name of text.split(',').map((x) => x.trim()).filter(Boolean)) {
    const b = SCOPE_NAMES[name];
    if (b === undefined) throw new UsageError(`--partner-grant takes ${Object.keys(SCOPE_NAMES).join(', ')} (comma-separated) or none, got '${name}'`);
    bits |= b;
  }
  if (bits === 0) throw new UsageError('--partner-grant needs a scope, or none');
  return bits;
}

/** `ring together` and `ring replay --together`: one engine, one output. */
export async function runTogetherCommand(files: string[], o: TogetherOpts): Promise<void> {
  if (o.session !== undefined && files.length > 0) throw new UsageError('give the recordings or --session, not both');
  if (o.session !== undefined && o.driftPpm !== undefined) throw new UsageError('--drift-ppm: the session file gives each ring its drift_ppm');
  const partner = parsePartnerGrant(o.partnerGrant ?? PARTNER_GRANT_DEFAULT);
  const named = o.session !== undefined ? readTogetherSession(o.session) : files.map((recording): SessionRing => ({ recording }));
  if (named.length < 2) throw new UsageError('together needs at least two recordings');
  const drifts = o.driftPpm === undefined ? [] : o.driftPpm.split(',').map((s) => parseRange('--drift-ppm', s, -1000, 1000, true));
  if (drifts.length > 0 && drifts.length !== named.length) throw new UsageError(`--drift-ppm has ${drifts.length} values for ${named.length} recordings`);
  const rings = named.map((r, i) => ({
    fixture: readRecording(r.recording), seed: r.seed ?? o.seed + i, drift_ppm: r.drift_ppm ?? drifts[i],
    grant: i === 0 ? 'owner' as const : r.grant ?? partner,
  }));
  const r = await replayTogether(rings, o.rateHz);
  if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
  else process.stdout.write(formatTogether(r));
}

/** Start of a recording on the common clock (recordings without one start at the simulator's epoch). */
const START_UTC_DEFAULT_MS = 1767225600000;

async function reportRings(files: string[], rate_hz: number, seed: number) {
  const fixtures = files.map(readRecording);
  if (fixtures.length === 1) {
    const f = fixtures[0];
    const start = f.meta.start_time_unix_ms ?? START_UTC_DEFAULT_MS;
    return { rings: [ringFromReplay(replayFixture(f, { rate_hz, seed }), start, daylifeTruth(f))], pairs: [] };
  }
  const r = await replayTogether(fixtures.map((fixture, i) => ({ fixture, seed: seed + i })), rate_hz);
  const rings: ReportRing[] = r.rings.map((t, i) => {
    const truth = daylifeTruth(fixtures[i]);
    const start = fixtures[i].meta.start_time_unix_ms ?? START_UTC_DEFAULT_MS;
    return { record: t.record, hr: t.hr, rmssd: t.rmssd, wellness: t.wellness, truth: truth ? { ...truth, start_utc_ms: start } : undefined };
  });
  return { rings, pairs: r.pairs };
}

export function registerWellnessCommands(program: Command): void {
  program.command('report')
    .description('self-contained HTML pages per night and per day: rest/sleep band, HR and HRV, stress; several rings on one time axis with their synchrony')
    .argument('<recordings...>', 'one recording, or one per ring (replayed together)')
    .requiredOption('-o, --output <dir>', 'folder for the pages (created)')
    .option('--rate-hz <hz>', 'sample rate the rings run at', parseRateHz, 25)
    .option('--seed <n>', 'simulation seed (of the first ring)', parseSeed, 1)
    .option('--json', 'print one JSON document listing the pages')
    .action(async (files: string[], o: ReportOpts) => {
      const { rings, pairs } = await reportRings(files, o.rateHz, o.seed);
      const pages = usage(() => buildReport(rings, pairs));
      fs.mkdirSync(o.output, { recursive: true });
      for (const p of pages) fs.writeFileSync(path.join(o.output, p.file), p.html);
      const written = pages.map((p) => ({ file: path.join(o.output, p.file), title: p.title }));
      if (o.json) process.stdout.write(JSON.stringify({ pages: written }) + '\n');
      else process.stdout.write(written.map((p) => `${p.file}  ${p.title}`).join('\n') + '\n');
    });
  const w = program.command('wellness').description('rest and sleep periods, nightly HRV, stress and recovery (docs/wellness.md)');
  w.command('synth')
    .description('a multi-day ring recording with a day/night cycle and its ground truth')
    .requiredOption('-o, --output <file>', 'recording to write (.ringfx)')
    .option('--seed <n>', 'seed of the person', parseSeed, 1)
    .option('--nights <n>', `nights (1..${DAYLIFE_DAYS_MAX})`, '2')
    .option('--start <HH:MM>', 'clock time of the first sample', '20:00')
    .option('--end <HH:MM>', 'clock time of the last sample on the last day', '20:00')
    .option('--hours <h>', 'cut the recording short after this many hours')
    .option('--rest-hr <bpm>', 'the person\'s awake resting heart rate', '68')
    .option('--shared-seed <n>', 'seed shared with a partner: bedtimes and a slow heart-rate fluctuation')
    .option('--coupling <0..1>', 'weight of the shared heart-rate fluctuation', '0.9')
    .action((o: SynthOpts) => {
      const nights = parseRange('--nights', o.nights, 1, DAYLIFE_DAYS_MAX, true);
      const shared = o.sharedSeed === undefined ? undefined
        : { seed: parseSeed(o.sharedSeed), coupling: parseRange('--coupling', o.coupling, 0, 1, false) };
      const f = usage(() => generateDaylife({
        seed: o.seed, nights, start_clock_s: parseClock('--start', o.start), end_clock_s: parseClock('--end', o.end),
        rest_hr_bpm: parseRange('--rest-hr', o.restHr, 50, 90, false), shared,
        duration_s: o.hours === undefined ? undefined : Math.round(parseRange('--hours', o.hours, 1, 24 * DAYLIFE_DAYS_MAX, false) * 3600),
      }));
      fs.writeFileSync(o.output, encodeFixture(f));
      const t = daylifeTruth(f)!;
      process.stderr.write(`${o.output}: ${(f.ppg.length / f.meta.sample_rate_hz / 3600).toFixed(1)} h, ${t.sleeps.length} nights, ${t.stress.length} stress episodes, ${t.activity.length} activity bouts\n`);
    });
  w.command('score')
    .description('replay a recording and print the ring\'s wellness summaries (scored when it holds ground truth)')
    .argument('<recording>', 'recording (.ringfx)')
    .option('--rate-hz <hz>', 'sample rate the ring runs at', parseRateHz, 25)
    .option('--seed <n>', 'simulation seed', parseSeed, 1)
    .option('--json', 'print one JSON document')
    .action((file: string, o: ScoreOpts) => {
      const f = readRecording(file);
      const w = wellnessOf(f, o.rateHz, o.seed);
      const score = daylifeTruth(f) ? scoreWellness(f, w) : null;
      if (o.json) process.stdout.write(JSON.stringify({ record: f.meta.record, wellness: w, score }, null, 2) + '\n');
      else process.stdout.write(formatWellness(w, f.meta.start_time_unix_ms ?? 0, score));
    });
  addTogetherOptions(program.command('together')
    .description('several simulated rings (own recording, seed, drift and link) against one host: aligned traces and co-regulation figures; ' +
      'the host owns the first ring and reads the others through their wearers\' grants (alias: ring replay <recordings...> --together)')
    .argument('[recordings...]', 'two or more recordings (.ringfx), one per ring; the first is the host\'s own (or --session)')
    .option('--rate-hz <hz>', 'sample rate the rings run at', parseRateHz, TOGETHER_RATE_HZ_DEFAULT)
    .option('--seed <n>', 'seed of the first ring; the next ones take the following seeds', parseSeed, 1))
    .option('--json', 'print one JSON document')
    .action(async (files: string[], o: TogetherOpts) => runTogetherCommand(files, o));
}
