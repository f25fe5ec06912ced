// Replay output in the three forms the CLI offers: a readable table, one JSON document,
// and an NDJSON stream (one record per line, in emission order, then a summary line).

import { printable } from '../io/printable.js';
import type { RecordList, ReplayResult, ReplayView } from '../../sim/replay-types.js';
import { summarize } from './summary.js';
import { STATUS_BOOT, STATUS_FIFO_OVERFLOW, STATUS_SIGNAL } from '../../firmware/output.js';

/** What the ring's signal-state values mean (firmware/dsp/signal-quality.ts). */
const SIGNAL_STATES: Record<number, string> = {
  0: 'good signal: beats reported',
  1: 'artifact or motion: no beats reported',
  2: 'no skin contact: no beats reported',
};

function statusText(code: number, value: number): string {
  if (code === STATUS_SIGNAL) return SIGNAL_STATES[value] ?? `signal state ${value} (unknown)`;
  if (code === STATUS_BOOT) return 'booted';
  if (code === STATUS_FIFO_OVERFLOW) return `sensor FIFO overflow: ${value} samples lost`;
  return `status code ${code} value ${value}`;
}

/** Time spent in each signal state, from the status changes (the ring boots in 'good'). */
function signalTimeMs(result: ReplayView): Map<number, number> {
  const out = new Map<number, number>();
  let state = 0;
  let since_ms = 0;
  for (const st of result.status) {
    if (st.code !== STATUS_SIGNAL) continue;
    out.set(state, (out.get(state) ?? 0) + Math.max(0, st.time_ms - since_ms));
    state = st.value;
    since_ms = st.time_ms;
  }
  out.set(state, (out.get(state) ?? 0) + Math.max(0, result.duration_ms - since_ms));
  return out;
}

/** Why a replay found no beats, from what the ring reported about its signal. */
export function noBeatsReason(result: ReplayView): string {
  const times = signalTimeMs(result);
  const total = Math.max(1, result.duration_ms);
  const pct = (v: number | undefined) => Math.round(((v ?? 0) * 100) / total);
  const parts: string[] = [];
  if ((times.get(2) ?? 0) > 0) parts.push(`no skin contact ${pct(times.get(2))}% of the time`);
  if ((times.get(1) ?? 0) > 0) parts.push(`artifact or motion ${pct(times.get(1))}%`);
  if (parts.length > 0) return `the ring reported ${parts.join(', ')}`;
  return 'the signal stayed "good" but no pulse crossed the detector: the PPG may be out of the sensor\'s range (0..524287, larger = less light) or inverted, or its pulse too small (see ring fixture info: ppg range)';
}

const HR_TABLE_STEP_MS = 30000;

// Records as the three commands that print them (`replay`, `stream`, `history`) name their
// fields alike: the ring's times in ms (`time_ms`; `end_ms` for an HRV window), when the
// ring emitted the record `emitted_ms` (its clock), a beat's number `beat_index`.
type Emitted = { emitted_us: number };
type Fields = Record<string, unknown>;

// The records' output objects are built by copying fields into one object (the NDJSON line's
// starts with its type): the same keys, order and values as the rest/spread forms they
// replace (`{ emitted_us, ...rest } = r; { ...rest, emitted_ms }`), whose generic copies
// made three or four objects per record and were a tenth of a CI session's CPU.

/** o gets r's own fields in order except emitted_us and the skipped ones (null: none). */
function copyFields(o: Fields, r: Emitted, skip_a: string | null, skip_b: string | null, skip_c: string | null): Fields {
  const rec = r as unknown as Fields;
  const keys = Object.keys(rec);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k !== 'emitted_us' && k !== skip_a && k !== skip_b && k !== skip_c) o[k] = rec[k];
  }
  return o;
}
const emittedMs = (r: Emitted): number => Math.floor(r.emitted_us / 1000);

/** A beat's fields, its index as beat_index, then emitted_ms. */
function beatInto(o: Fields, b: ReplayResult['beats'][number]): Fields {
  copyFields(o, b, 'index', 'emitted_ms', null);
  o.beat_index = b.index;
  o.emitted_ms = emittedMs(b);
  return o;
}
/** The record's fields, emitted_ms last (or where the record had one). */
function emittedInto(o: Fields, r: Emitted): Fields {
  copyFields(o, r, null, null, null);
  o.emitted_ms = emittedMs(r);
  return o;
}
/** An HRV window's end_ms and window_s first. */
function hrvInto(o: Fields, w: ReplayResult['hrv'][number]): Fields {
  o.end_ms = w.end_ms;
  o.window_s = w.window_s;
  copyFields(o, w, 'end_ms', 'window_s', null);
  o.emitted_ms = emittedMs(w);
  return o;
}

export const beatOut = (b: ReplayResult['beats'][number]): object => beatInto({}, b);
export const hrOut = (h: ReplayResult['hr'][number]): object => emittedInto({}, h);
export const hrvOut = (w: ReplayResult['hrv'][number]): object => hrvInto({}, w);
export const statusOut = (st: ReplayResult['status'][number]): object => emittedInto({}, st);

function mapList<T, U>(list: RecordList<T>, f: (item: T) => U): U[] {
  const out: U[] = [];
  for (const item of list) out.push(f(item));
  return out;
}

export function replayDocument(result: ReplayView): object {
  return {
    record: result.record,
    rate_hz: result.rate_hz,
    seed: result.seed,
    duration_ms: result.duration_ms,
    sample_count: result.sample_count,
    summary: summarize(result),
    hr: mapList(result.hr, hrOut),
    hrv: mapList(result.hrv, hrvOut),
    beats: mapList(result.beats, beatOut),
    status: mapList(result.status, statusOut),
  };
}

export function replayJson(result: ReplayView): string {
  return JSON.stringify(replayDocument(result), null, 2) + '\n';
}

/** Output goes out in pieces of about this many characters. */
const CHUNK_CHARS = 1 << 16;

/** Collects text and hands it to `write` in pieces: never the whole output as one string. */
export function chunked(write: (text: string) => void, chunk_chars = CHUNK_CHARS): { add(text: string): void; end(): void } {
  let buf = '';
  return {
    add(text: string): void {
      buf += text;
      if (buf.length >= chunk_chars) {
        write(buf);
        buf = '';
      }
    },
    end(): void {
      if (buf.length > 0) write(buf);
      buf = '';
    },
  };
}

/**
 * replayJson's text, written in pieces: the records are turned into text one at a time, so
 * a long recording's output is never held whole (the same bytes as replayJson).
 */
export function writeReplayJson(result: ReplayView, write: (text: string) => void): void {
  const out = chunked(write);
  const head = { ...replayDocument({ ...result, beats: [], hr: [], hrv: [], status: [] }), summary: summarize(result) } as Record<string, unknown>;
  const arrays: [string, RecordList<unknown>, (r: never) => object][] = [
    ['hr', result.hr, hrOut as (r: never) => object], ['hrv', result.hrv, hrvOut as (r: never) => object],
    ['beats', result.beats, beatOut as (r: never) => object], ['status', result.status, statusOut as (r: never) => object],
  ];
  const keys = Object.keys(head);
  out.add('{\n');
  keys.forEach((key, i) => {
    const comma = i < keys.length - 1 ? ',' : '';
    const list = arrays.find(([k]) => k === key);
    if (list === undefined || list[1].length === 0) {
      out.add(`  ${JSON.stringify(key)}: ${JSON.stringify(head[key], null, 2).replace(/\n/g, '\n  ')}${comma}\n`);
      return;
    }
    out.add(`  ${JSON.stringify(key)}: [\n`);
    const [, items, map] = list;
    let j = 0;
    for (const item of items) {
      out.add(`    ${JSON.stringify(map(item as never), null, 2).replace(/\n/g, '\n    ')}${j < items.length - 1 ? ',' : ''}\n`);
      j++;
    }
    out.add(`  ]${comma}\n`);
  });
  out.add('}\n');
  out.end();
}

/**
 * The records in emission order (ties keep beat, hr, hrv, status order), then the summary
 * line: a merge of the four lists, each already in emission order, one line at a time.
 */
export function* replayNdjsonIter(result: ReplayView): Generator<string> {
  const lists = [result.beats, result.hr, result.hrv, result.status] as RecordList<{ emitted_us: number }>[];
  const types = ['beat', 'hr', 'hrv', 'status'];
  const into = [beatInto, emittedInto, hrvInto, emittedInto] as ((o: Fields, r: never) => Fields)[];
  // The next record of each list (undefined once it is used up): one record per list is read at a time.
  const iters = lists.map((l) => l[Symbol.iterator]());
  const heads = iters.map((it) => it.next().value as { emitted_us: number } | undefined);
  for (;;) {
    let pick = -1;
    for (let k = 0; k < 4; k++) {
      const h = heads[k];
      if (h !== undefined && (pick < 0 || h.emitted_us < heads[pick]!.emitted_us)) pick = k;
    }
    if (pick < 0) break;
    const r = heads[pick]!;
    heads[pick] = iters[pick].next().value as { emitted_us: number } | undefined;
    yield JSON.stringify(into[pick]!({ type: types[pick] }, r as never));
  }
  yield JSON.stringify({
    type: 'summary',
    record: result.record,
    rate_hz: result.rate_hz,
    seed: result.seed,
    duration_ms: result.duration_ms,
    sample_count: result.sample_count,
    ...summarize(result),
  });
}

/** Records merged in emission order (ties keep beat, hr, hrv, status order), then a summary. */
export function replayNdjsonLines(result: ReplayView): string[] {
  return [...replayNdjsonIter(result)];
}

/** replayNdjsonLines, one per line, written in pieces. */
export function writeReplayNdjson(result: ReplayView, write: (text: string) => void): void {
  const out = chunked(write);
  for (const line of replayNdjsonIter(result)) out.add(line + '\n');
  out.end();
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

/**
 * A table whose rows come from `rows()`, called twice: once for the column widths, once to
 * write them. The rows are rebuilt, never held: a week's table takes no more memory than a
 * minute's.
 */
function writeTable(out: { add(text: string): void }, header: string[], rows: () => Iterable<string[]>): void {
  const widths = header.map((h) => h.length);
  for (const r of rows()) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], r[i].length);
  out.add(pad(header, widths) + '\n');
  out.add(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  for (const r of rows()) out.add(pad(r, widths) + '\n');
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
}

const x10 = (v: number): string => (v / 10).toFixed(1);

function* mapIter<T, U>(list: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of list) yield f(item);
}

function* signalChanges(result: ReplayView): Generator<ReplayResult['status'][number]> {
  for (const st of result.status) if (st.code !== STATUS_BOOT) yield st;
}

/** Heart rate every 30 s: the last value the ring reported in each slice. */
function* hrRows(result: ReplayView): Generator<string[]> {
  const hr = result.hr[Symbol.iterator]();
  let next = hr.next();
  for (let t = HR_TABLE_STEP_MS; t <= result.duration_ms + HR_TABLE_STEP_MS - 1; t += HR_TABLE_STEP_MS) {
    let last = null;
    while (!next.done && next.value.time_ms < t) {
      last = next.value;
      next = hr.next();
    }
    yield [clock(Math.min(t, result.duration_ms)), last ? x10(last.hr_bpm_x10) : '-', last ? String(last.confidence) : '-'];
  }
}

export function replayTable(result: ReplayView, opts: { beats: boolean }): string {
  const parts: string[] = [];
  writeReplayTable(result, opts, (text) => void parts.push(text));
  return parts.join('');
}

/** replayTable's text, written in pieces (the same bytes). */
export function writeReplayTable(result: ReplayView, opts: { beats: boolean }, write: (text: string) => void): void {
  const out = chunked(write);
  const s = summarize(result);
  out.add(`record ${printable(result.record)}  rate ${result.rate_hz} Hz  seed ${result.seed}  duration ${(result.duration_ms / 1000).toFixed(1)} s\n`);
  out.add(
    `beats ${s.beats}  valid intervals ${s.valid_intervals}  HR median ${s.hr_bpm_median ?? '-'} bpm (${s.hr_bpm_min ?? '-'}..${s.hr_bpm_max ?? '-'})  ` +
      `HRV windows ${s.hrv_windows_published}/${s.hrv_windows} published  FIFO overflows ${s.fifo_overflows}\n`,
  );
  if (s.beats === 0) out.add(`no beats: ${noBeatsReason(result)}\n`);
  if (!signalChanges(result).next().done) {
    out.add('\n');
    out.add('Signal (what the ring reported)\n');
    writeTable(out, ['time', 'state'], () => mapIter(signalChanges(result), (st) => [clock(st.time_ms), statusText(st.code, st.value)]));
  }
  out.add('\n');
  out.add('Heart rate (last value in each 30 s)\n');
  writeTable(out, ['time', 'HR bpm', 'confidence'], () => hrRows(result));
  out.add('\n');
  out.add('HRV windows\n');
  writeTable(out, ['window', 'length', 'beats', 'valid %', 'mean IBI ms', 'SDNN ms', 'RMSSD ms', 'pNN50 %'], () => mapIter(result.hrv, (w) => [
    `${clock(w.end_ms - w.window_s * 1000)}-${clock(w.end_ms)}`,
    `${w.window_s} s`,
    String(w.beat_count),
    (w.valid_permille / 10).toFixed(1),
    w.published ? x10(w.mean_ibi_ms_x10) : '-',
    w.published ? x10(w.sdnn_ms_x10) : '-',
    w.published ? x10(w.rmssd_ms_x10) : '-',
    w.published ? (w.pnn50_permille / 10).toFixed(1) : '-',
  ]));
  if (opts.beats) {
    out.add('\n');
    out.add('Beats\n');
    writeTable(out, ['#', 'time', 'IBI ms', 'valid', 'SQI', 'amplitude'], () => mapIter(result.beats, (b) => [String(b.index), clock(b.time_ms), String(b.ibi_ms), b.ibi_valid ? 'yes' : 'no', String(b.sqi), String(b.amplitude)]));
  }
  out.end();
}
