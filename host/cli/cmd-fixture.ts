// `ring fixture info|import|synth`: inspect a recording, convert one into the .ringfx
// container, or generate a synthetic ring PPG with known beat times. Data goes to stdout;
// the "wrote ..." summaries of import and synth are progress, so they go to stderr.

import { writeFileAtomic } from '../io/output-file.js';
import { printable } from '../io/printable.js';
import type { Command } from 'commander';
import { encodeFixture } from '../../sim/fixture/container.js';
import { loadFixture, type LoadOptions } from '../../sim/fixture/load.js';
import type { Fixture } from '../../sim/fixture/types.js';
import { cliSynthOptions } from '../../sim/synth/presets.js';
import { generateRingPpg } from '../../sim/synth/ring-ppg.js';
import { UsageError } from './errors.js';
import { INPUT_RATE_HZ_HELP, INVERT_HELP, SCALE_HELP, importLoadOptions, parseInputRateHz, parseScale, parseSeed, SEED_DEFAULT, type ImportCliOptions } from './options.js';

const SYNTH_DURATION_S_DEFAULT = 60;
const SYNTH_DURATION_S_MAX = 86400;
const SYNTH_RATE_HZ_DEFAULT = 100;
const SYNTH_HR_BPM_DEFAULT = 70;
const NOTE_TEXT_CHARS_MAX = 160;

export function registerFixtureCommands(program: Command): void {
  const group = program.command('fixture').description('inspect, import and generate recordings (fixtures)');
  group
    .command('info')
    .description('print what a recording holds: meta, sample and beat counts, duration, rate')
    .argument('<file>', '.ringfx container, dataset .json or .csv')
    .option('--input-rate-hz <hz>', INPUT_RATE_HZ_HELP, parseInputRateHz)
    .option('--rate-hz <hz>', 'older name of --input-rate-hz', parseInputRateHz)
    .option('--scale <k>', SCALE_HELP, parseScale)
    .option('--invert', INVERT_HELP)
    .option('--json', 'print one JSON document')
    .action((file: string, opts: { inputRateHz?: number; rateHz?: number; json?: boolean; scale?: number; invert?: boolean }) => {
      const f = loadFixture(file, loadOptions(opts, undefined));
      const info = fixtureInfo(f, file);
      process.stdout.write(opts.json ? `${JSON.stringify(jsonSafe(info), null, 2)}\n` : infoText(info));
    });
  group
    .command('import')
    .description('convert a dataset .json or a .csv recording into a .ringfx container')
    .argument('<file>', 'dataset .json (../shared/datasets) or .csv (header: ppg and time_s|time_ms, optional beat)')
    .requiredOption('-o, --output <file>', 'container to write (.ringfx)')
    .option('--input-rate-hz <hz>', INPUT_RATE_HZ_HELP, parseInputRateHz)
    .option('--rate-hz <hz>', 'older name of --input-rate-hz', parseInputRateHz)
    .option('--beats <csv>', 'reference beats CSV (time_s, time_ms or sample column)')
    .option('--scale <k>', SCALE_HELP, parseScale)
    .option('--invert', INVERT_HELP)
    .action((file: string, opts: { output: string; inputRateHz?: number; rateHz?: number; beats?: string; scale?: number; invert?: boolean }) => {
      checkOutputName(opts.output);
      writeContainer(opts.output, loadFixture(file, loadOptions(opts, opts.beats)));
    });
  group
    .command('synth')
    .description('generate a synthetic raw ring PPG whose beat times are known exactly')
    .requiredOption('-o, --output <file>', 'container to write (.ringfx)')
    .option('--seed <n>', 'generator seed (same seed, same bytes)', parseSeed, SEED_DEFAULT)
    .option('--duration-s <s>', 'length in seconds', (v) => parseNumber('--duration-s', v, 1, SYNTH_DURATION_S_MAX),
      SYNTH_DURATION_S_DEFAULT)
    .option('--rate-hz <hz>', 'PPG sample rate', (v) => parseNumber('--rate-hz', v, 1, 10000, true), SYNTH_RATE_HZ_DEFAULT)
    .option('--hr-bpm <bpm>', 'mean heart rate of the generated RR series', (v) => parseNumber('--hr-bpm', v, 30, 240),
      SYNTH_HR_BPM_DEFAULT)
    .option('--record <id>', 'record id (default synth-<seed>)')
    .option('--motion', 'add two motion bursts (at 20 % and 55 % of the duration)')
    .option('--no-contact', 'add one no-contact period (at 75 % of the duration)')
    .action((opts: SynthCliOptions) => {
      checkOutputName(opts.output);
      writeContainer(opts.output, synthesize(opts));
    });
}

interface SynthCliOptions {
  output: string;
  seed: number;
  durationS: number;
  rateHz: number;
  hrBpm: number;
  record?: string;
  motion?: boolean;
  /** commander turns --no-contact into contact === false. */
  contact: boolean;
}

function synthesize(opts: SynthCliOptions): Fixture {
  const o = cliSynthOptions({
    seed: opts.seed,
    duration_s: opts.durationS,
    sample_rate_hz: opts.rateHz,
    hr_bpm: opts.hrBpm,
    motion: Boolean(opts.motion),
    no_contact: opts.contact === false,
    ...(opts.record === undefined ? {} : { record: opts.record }),
  });
  try {
    return generateRingPpg(o);
  } catch (err) {
    // The generator checks its options with RangeError; to the user that is a usage error.
    if (err instanceof RangeError) throw new UsageError(`synth: ${err.message}`);
    throw err;
  }
}

function loadOptions(opts: ImportCliOptions & { rateHz?: number }, beats_path: string | undefined): LoadOptions {
  const o: LoadOptions = importLoadOptions({ ...opts, inputRateHz: opts.inputRateHz ?? opts.rateHz });
  if (beats_path !== undefined) o.beats_path = beats_path;
  return o;
}

function checkOutputName(file: string): void {
  // Guards against overwriting the input CSV/JSON with a typo'd -o.
  if (!file.endsWith('.ringfx')) throw new UsageError(`-o must name a .ringfx file, got '${file}'`);
}

function writeContainer(file: string, f: Fixture): void {
  const bytes = encodeFixture(f);
  writeFileAtomic(file, bytes);
  const beats = f.ref_beats_us?.length ?? 0;
  const samples = `${f.ppg.length} samples at ${f.meta.sample_rate_hz} Hz`;
  process.stderr.write(`wrote ${file}: ${bytes.length} bytes, ${samples}, ${beats} reference beats\n`);
}

function parseNumber(name: string, text: string, lo: number, hi: number, integer = false): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
    throw new UsageError(`${name} must be ${integer ? 'an integer' : 'a number'} in ${lo}..${hi}, got '${text}'`);
  }
  return v;
}

export interface FixtureInfo {
  file: string;
  format_version: number;
  meta: Fixture['meta'];
  sample_count: number;
  duration_s: number;
  ppg_min: number | null;
  ppg_max: number | null;
  accel: { sample_rate_hz: number; sample_count: number } | null;
  ref_kind: string | null;
  ref_beat_count: number;
  /** Span of the reference beats (first to last), s: the length of an RR-only record. */
  ref_span_s: number;
  ref_mean_hr_bpm: number | null;
  ecg_r_peak_count: number;
  artifacts: Fixture['artifacts'];
  artifact_total_s: number;
  events: Fixture['events'];
}

/** Summary of a fixture: what `info` prints (and what `--json` emits). */
export function fixtureInfo(f: Fixture, file: string): FixtureInfo {
  let ppg_min = Infinity;
  let ppg_max = -Infinity;
  for (let i = 0; i < f.ppg.length; i++) {
    if (f.ppg[i] < ppg_min) ppg_min = f.ppg[i];
    if (f.ppg[i] > ppg_max) ppg_max = f.ppg[i];
  }
  const beats = f.ref_beats_us;
  const beat_count = beats?.length ?? 0;
  const ref_span_s = beat_count > 1 ? (beats![beat_count - 1] - beats![0]) / 1e6 : 0;
  return {
    file,
    format_version: f.format_version,
    meta: f.meta,
    sample_count: f.ppg.length,
    duration_s: f.ppg.length / f.meta.sample_rate_hz,
    ppg_min: f.ppg.length > 0 ? ppg_min : null,
    ppg_max: f.ppg.length > 0 ? ppg_max : null,
    accel: f.accel === undefined ? null : { sample_rate_hz: f.accel.sample_rate_hz, sample_count: f.accel.x_mg.length },
    ref_kind: f.ref_kind ?? null,
    ref_beat_count: beat_count,
    ref_span_s,
    ref_mean_hr_bpm: beat_count > 1 ? round1((60 * (beat_count - 1)) / ref_span_s) : null,
    ecg_r_peak_count: f.ecg_r_peaks_us?.length ?? 0,
    artifacts: f.artifacts,
    artifact_total_s: f.artifacts.reduce((s, a) => s + (a.end_ms - a.start_ms), 0) / 1000,
    events: f.events,
  };
}

function infoText(i: FixtureInfo): string {
  const rows: [string, string][] = [
    ['file', i.file],
    ['record', i.meta.record],
    ['source', i.meta.source],
    ['license', i.meta.license ?? '-'],
    ['rate', `${i.meta.sample_rate_hz} Hz`],
    ['samples', i.sample_count === 0 ? '0 (empty recording: no PPG samples)' : samplesText(i)],
    ['ppg units', i.meta.ppg_units],
    ['ppg range', i.ppg_min === null ? '-' : `${i.ppg_min}..${i.ppg_max}`],
    ['accel', i.accel === null ? '-' : `${i.accel.sample_count} samples at ${i.accel.sample_rate_hz} Hz`],
    ['reference', referenceText(i)],
    ['ecg r-peaks', i.ecg_r_peak_count === 0 ? '-' : String(i.ecg_r_peak_count)],
    ['artifacts', `${i.artifacts.length} spans, ${i.artifact_total_s.toFixed(1)} s excluded from scoring`],
    ['events', i.events.length === 0 ? '-' : i.events.map((e) => `${e.kind}@${(e.time_ms / 1000).toFixed(1)}s`).join(', ')],
  ];
  for (const [key, value] of Object.entries(i.meta.notes ?? {})) rows.push([`note ${key}`, clip(JSON.stringify(jsonSafe(value)) ?? 'undefined')]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${printable(k).padEnd(width)}  ${printable(v)}\n`).join('');
}

function samplesText(i: FixtureInfo): string {
  return `${i.sample_count} (${i.duration_s.toFixed(3)} s)`;
}

function referenceText(i: FixtureInfo): string {
  if (i.ref_beat_count === 0) return '-';
  const over = `over ${i.ref_span_s.toFixed(1)} s, mean ${i.ref_mean_hr_bpm ?? '-'} bpm`;
  return `${i.ref_beat_count} beats (${i.ref_kind ?? 'unknown kind'}) ${over}`;
}

/** Nesting kept when showing metadata; deeper values are summarized. */
const NOTE_DEPTH_MAX = 32;

/**
 * Metadata as JSON can show it: CBOR's 64-bit integers become decimal strings (exact),
 * `undefined` becomes null, shared references are shown once per path and a cycle as
 * "[circular]", typed arrays as arrays, and nesting past NOTE_DEPTH_MAX as "[too deep]".
 */
function jsonSafe(value: unknown, depth = 0, path: Set<object> = new Set()): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  if (path.has(value)) return '[circular]';
  if (depth >= NOTE_DEPTH_MAX) return '[too deep]';
  if (ArrayBuffer.isView(value)) return value instanceof DataView ? `[${value.byteLength} bytes]` : Array.from(value as unknown as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : v));
  path.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((v) => jsonSafe(v, depth + 1, path));
  else if (value instanceof Map) out = Object.fromEntries([...value].map(([k, v]) => [String(k), jsonSafe(v, depth + 1, path)]));
  else out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v, depth + 1, path)]));
  path.delete(value);
  return out;
}

function clip(text: string): string {
  return text.length <= NOTE_TEXT_CHARS_MAX ? text : `${text.slice(0, NOTE_TEXT_CHARS_MAX - 3)}...`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
