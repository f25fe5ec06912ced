// Score one replayed record against its reference beats, and pool records into one
// aggregate. Pure: fixtures and replay results in, plain objects out.

import type { ReplayFixture as Fixture, Span } from '../../sim/fixture/types.js';
import type { BeatOut, ReplayView } from '../../sim/replay-types.js';
import { SpoolList } from '../../sim/replay-store.js';
import { checkSorted, matchBeats, matchBeatsCompact, type CompactMatch, type MatchResult } from './match.js';
import { matchBeatsStreamed, type StreamedDetection, type StreamedMatch } from './match-stream.js';
import {
  absTimingErrors,
  detectionRatios,
  hrWindows,
  hrWindowErrorsStreamed,
  hrvWindows,
  latencies,
  MATCH_TOL_MS,
  MATCH_TOL_STRICT_MS,
  summarize,
  type HrvWindow,
  type HrWindow,
} from './metrics.js';
import { mergeSpans, overlapMs, type MergedSpans } from './spans.js';
import { mean, median, percentile } from './stats.js';

export class ScoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScoreError';
  }
}

export interface ScoreOptions {
  /** Beats before this time (ms) are not scored, and HR/HRV windows touching it neither. */
  warmup_ms?: number;
}

/** Per-item values kept so aggregate() can pool medians across records. */
export interface PooledValues {
  /** |timing error| of each ±150 ms match. */
  timing_error_ms: number[];
  latency_ms: number[];
  hr_error_bpm: number[];
  rmssd_error_ms: number[];
  sdnn_error_ms: number[];
  /** HRV errors against ECG R-peaks, for recordings that have them. */
  ecg_rmssd_error_ms: number[];
  ecg_sdnn_error_ms: number[];
}

/** The figures a record and an aggregate of records both report. */
export interface ScoreFigures {
  /** Reference beats scored (outside warm-up and excluded spans). */
  ref_beats: number;
  /** Detected beats scored (outside warm-up and excluded spans). */
  detected_beats: number;
  tp: number;
  fp: number;
  fn: number;
  sensitivity: number;
  ppv: number;
  f1: number;
  tp_50ms: number;
  fp_50ms: number;
  fn_50ms: number;
  f1_50ms: number;
  timing_error_ms_median: number | null;
  timing_error_ms_p95: number | null;
  latency_ms_median: number | null;
  latency_ms_p95: number | null;
  hr_mae_bpm: number | null;
  hr_windows: number;
  rmssd_error_ms_median: number | null;
  sdnn_error_ms_median: number | null;
  /** Median |RMSSD error| and |SDNN error| against ECG R-peaks (null without ECG). */
  ecg_rmssd_error_ms_median: number | null;
  ecg_sdnn_error_ms_median: number | null;
  hrv_windows: number;
  /** Seconds of the recording not scored: excluded spans and warm-up, merged. */
  excluded_s: number;
}

export interface RecordScore extends ScoreFigures {
  record: string;
  rate_hz: number;
  ref_beats_excluded: number;
  detected_beats_excluded: number;
  pooled: PooledValues;
}

export interface RecordScoreDetail {
  score: RecordScore;
  /** The ±150 ms match, with misses and false positives (for reports). */
  match: MatchResult;
  match_50ms: MatchResult;
  hr: HrWindow[];
  hrv: HrvWindow[];
}

export interface AggregateScore extends ScoreFigures {
  record_count: number;
  /** The records with the lowest F1 (up to WORST_RECORDS_MAX), worst first. */
  worst: { record: string; f1: number }[];
}

export const WORST_RECORDS_MAX = 3;

function checkInputs(fixture: Fixture, result: ReplayView, warmup_ms: number): string {
  const record = fixture.meta.record;
  if (result.record !== record) {
    throw new ScoreError(`${record}: replay result is for record ${result.record}`);
  }
  if (fixture.ref_beats_us === undefined || fixture.ref_beats_us.length === 0) {
    throw new ScoreError(`${record}: no reference beats to score against`);
  }
  if (!(warmup_ms >= 0 && Number.isFinite(warmup_ms))) {
    throw new ScoreError(`${record}: warmup_ms must be a finite number >= 0, got ${warmup_ms}`);
  }
  return record;
}

/** Detections in time order (stable), with emission times alongside, both in ms. */
function sortedDetections(result: ReplayView): { det_ms: Float64Array; emitted_ms: Float64Array } {
  // Typed arrays, one pass over the beats: a day's beats are never an array of objects here.
  const n = result.beats.length;
  const time_ms = new Float64Array(n);
  const emitted_us = new Float64Array(n);
  let k = 0;
  for (const b of result.beats) {
    time_ms[k] = b.time_ms;
    emitted_us[k++] = b.emitted_us;
  }
  // The ring emits its beats in time order: then they are used where they are.
  let ordered = true;
  for (let i = 1; i < n && ordered; i++) ordered = time_ms[i - 1]! <= time_ms[i]!;
  if (ordered) {
    for (let i = 0; i < n; i++) emitted_us[i] = emitted_us[i]! / 1000;
    return { det_ms: time_ms, emitted_ms: emitted_us };
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => time_ms[a] - time_ms[b] || a - b);
  return {
    det_ms: Float64Array.from(order, (i) => time_ms[i]),
    emitted_ms: Float64Array.from(order, (i) => emitted_us[i] / 1000),
  };
}

/** The two matchings (±150 ms, ±50 ms), as objects for a report or compact for the figures. */
function scoreMatch<M>(
  fixture: Fixture, result: ReplayView, warmup_ms: number, record: string,
  matcher: (ref_ms: Float64Array, det_ms: Float64Array, opts: { tol_ms: number; excluded: readonly Span[]; warmup_ms?: number }) => M,
) {
  const ref_ms = Float64Array.from(fixture.ref_beats_us!, (us) => us / 1000);
  const { det_ms, emitted_ms } = sortedDetections(result);
  const excluded: Span[] = fixture.artifacts;
  let match: M;
  let match_50ms: M;
  try {
    // No warm-up means no time cut at all (not even of beats stamped before 0).
    const cut = warmup_ms > 0 ? { warmup_ms } : {};
    match = matcher(ref_ms, det_ms, { tol_ms: MATCH_TOL_MS, excluded, ...cut });
    match_50ms = matcher(ref_ms, det_ms, { tol_ms: MATCH_TOL_STRICT_MS, excluded, ...cut });
  } catch (err) {
    throw new ScoreError(`${record}: ${(err as Error).message}`);
  }
  return { ref_ms, det_ms, emitted_ms, match, match_50ms };
}

/** The per-pair values of a compact match: |timing error| and latency, as matchBeats' pairs give them. */
function pairValues(m: CompactMatch, emitted_ms: Float64Array): { timing_error_ms: number[]; latency_ms: number[] } {
  const timing_error_ms: number[] = [];
  const latency_ms: number[] = [];
  for (let k = 0; k < m.tp; k++) {
    timing_error_ms.push(Math.abs(m.pair_det_ms[k]! - m.pair_ref_ms[k]!));
    latency_ms.push(emitted_ms[m.pair_det_index[k]!]! - m.pair_ref_ms[k]!);
  }
  return { timing_error_ms, latency_ms };
}

/** Score one record, keeping the match and window detail for reports. */
export function scoreRecordDetailed(
  fixture: Fixture,
  result: ReplayView,
  opts: ScoreOptions = {},
): RecordScoreDetail {
  const warmup_ms = opts.warmup_ms ?? 0;
  const record = checkInputs(fixture, result, warmup_ms);
  const m = scoreMatch(fixture, result, warmup_ms, record, matchBeats);
  const { match, match_50ms } = m;
  const pairs = {
    timing_error_ms: absTimingErrors(match.pairs),
    latency_ms: latencies(match.pairs, m.emitted_ms),
  };
  let hr: HrWindow[] = [];
  const figures = scoreFigures(fixture, result, warmup_ms, record, m.ref_ms, m, pairs, (spans) => {
    hr = hrWindows(m.ref_ms, m.det_ms, spans, result.duration_ms);
    return hr.map((w) => w.error_bpm);
  });
  return { score: figures.score, match, match_50ms, hr, hrv: figures.hrv };
}

/**
 * A replay's detections in stored order, through one reused object (the sweep copies what it
 * keeps): no garbage per detection. A class at module level, not an object literal with a
 * generator made per call: a generator function made per call gives its generators a new
 * shape each time, and the optimized code that reads them (a CI run scores session after
 * session) was thrown away and compiled again on each new shape.
 */
class Detections implements Iterable<StreamedDetection> {
  constructor(private readonly result: ReplayView) {}

  *[Symbol.iterator](): Iterator<StreamedDetection> {
    const d = { time_ms: 0, emitted_ms: 0 };
    const beats = this.result.beats;
    if (beats instanceof SpoolList) {
      for (const r of (beats as SpoolList<BeatOut>).pairs('time_ms', 'emitted_us')) {
        d.time_ms = r.a;
        d.emitted_ms = r.b / 1000;
        yield d;
      }
      return;
    }
    for (const b of beats) {
      d.time_ms = b.time_ms;
      d.emitted_ms = b.emitted_us / 1000;
      yield d;
    }
  }
}

/**
 * scoreRecordDetailed's score alone, computed as the detections are read: the two matchings
 * sweep them in time order holding one cluster at a time, and the heart-rate windows take
 * them once more; what is kept per beat is the two values whose median and 95th percentile
 * are reported (|timing error| and latency of each ±150 ms pair). Detections out of time
 * order (not the ring's) are sorted whole first, as before.
 */
export function scoreRecord(fixture: Fixture, result: ReplayView, opts: ScoreOptions = {}): RecordScore {
  const warmup_ms = opts.warmup_ms ?? 0;
  const record = checkInputs(fixture, result, warmup_ms);
  const dets = new Detections(result);
  if (!detectionsInOrder(dets)) {
    const m = scoreMatch(fixture, result, warmup_ms, record, matchBeatsCompact);
    return scoreFigures(fixture, result, warmup_ms, record, m.ref_ms, m, pairValues(m.match, m.emitted_ms),
      (spans) => hrWindows(m.ref_ms, m.det_ms, spans, result.duration_ms).map((w) => w.error_bpm)).score;
  }
  const ref_ms = Float64Array.from(fixture.ref_beats_us!, (us) => us / 1000);
  const excluded: Span[] = fixture.artifacts;
  const pairs = { timing_error_ms: [] as number[], latency_ms: [] as number[] };
  let match: StreamedMatch;
  let match_50ms: StreamedMatch;
  try {
    checkSorted('ref_ms', ref_ms);
    const cut = warmup_ms > 0 ? { warmup_ms } : {};
    match = matchBeatsStreamed(ref_ms, dets, { tol_ms: MATCH_TOL_MS, excluded, ...cut }, (ref, det, emitted) => {
      pairs.timing_error_ms.push(Math.abs(det - ref));
      pairs.latency_ms.push(emitted - ref);
    });
    match_50ms = matchBeatsStreamed(ref_ms, dets, { tol_ms: MATCH_TOL_STRICT_MS, excluded, ...cut }, () => undefined);
  } catch (err) {
    throw new ScoreError(`${record}: ${(err as Error).message}`);
  }
  return scoreFigures(fixture, result, warmup_ms, record, ref_ms, { match, match_50ms }, pairs,
    (spans) => hrWindowErrorsStreamed(ref_ms, dets, spans, result.duration_ms)).score;
}

/** The detections' times finite and ascending as they are stored (the ring emits them so). */
function detectionsInOrder(dets: Iterable<StreamedDetection>): boolean {
  let prev = Number.NEGATIVE_INFINITY;
  for (const d of dets) {
    if (!Number.isFinite(d.time_ms) || d.time_ms < prev) return false;
    prev = d.time_ms;
  }
  return true;
}

type Counts = Pick<MatchResult, 'tp' | 'fp' | 'fn' | 'ref_ignored' | 'det_ignored'>;

function scoreFigures(
  fixture: Fixture,
  result: ReplayView,
  warmup_ms: number,
  record: string,
  ref_ms: Float64Array,
  { match, match_50ms }: { match: Counts; match_50ms: Counts },
  pairs: { timing_error_ms: number[]; latency_ms: number[] },
  hrErrors: (spans: MergedSpans) => number[],
): { score: RecordScore; hrv: HrvWindow[] } {
  // Warm-up joins the artifact spans for the window metrics: a window touching it is
  // judged like one touching an artifact.
  const warmup: Span[] = warmup_ms > 0 ? [{ start_ms: 0, end_ms: warmup_ms }] : [];
  const spans = mergeSpans([...fixture.artifacts, ...warmup]);
  const hr_error_bpm = hrErrors(spans);
  const hrv = hrvWindows(ref_ms, result.hrv, spans, ecgReference(fixture, spans));
  const pooled: PooledValues = {
    timing_error_ms: pairs.timing_error_ms,
    latency_ms: pairs.latency_ms,
    hr_error_bpm,
    rmssd_error_ms: hrv.map((w) => w.rmssd_error_ms),
    sdnn_error_ms: hrv.map((w) => w.sdnn_error_ms),
    ecg_rmssd_error_ms: hrv.flatMap((w) => (w.ecg_rmssd_error_ms === null ? [] : [w.ecg_rmssd_error_ms])),
    ecg_sdnn_error_ms: hrv.flatMap((w) => (w.ecg_sdnn_error_ms === null ? [] : [w.ecg_sdnn_error_ms])),
  };
  const ratios = detectionRatios(match.tp, match.fp, match.fn);
  const timing = summarize(pooled.timing_error_ms);
  const latency = summarize(pooled.latency_ms);
  const score: RecordScore = {
    record,
    rate_hz: result.rate_hz,
    ref_beats: match.tp + match.fn,
    detected_beats: match.tp + match.fp,
    ref_beats_excluded: match.ref_ignored,
    detected_beats_excluded: match.det_ignored,
    tp: match.tp,
    fp: match.fp,
    fn: match.fn,
    ...ratios,
    tp_50ms: match_50ms.tp,
    fp_50ms: match_50ms.fp,
    fn_50ms: match_50ms.fn,
    f1_50ms: detectionRatios(match_50ms.tp, match_50ms.fp, match_50ms.fn).f1,
    timing_error_ms_median: timing.median,
    timing_error_ms_p95: timing.p95,
    latency_ms_median: latency.median,
    latency_ms_p95: latency.p95,
    hr_mae_bpm: mean(pooled.hr_error_bpm),
    hr_windows: hr_error_bpm.length,
    rmssd_error_ms_median: median(pooled.rmssd_error_ms),
    sdnn_error_ms_median: median(pooled.sdnn_error_ms),
    ecg_rmssd_error_ms_median: median(pooled.ecg_rmssd_error_ms),
    ecg_sdnn_error_ms_median: median(pooled.ecg_sdnn_error_ms),
    hrv_windows: hrv.length,
    excluded_s: overlapMs(spans, 0, Math.max(0, result.duration_ms)) / 1000,
    pooled,
  };
  return { score, hrv };
}

/**
 * ECG R-peaks as a second HRV reference, outside both the PPG and the ECG artifact spans
 * (the ECG annotator marks its own; inside them R-peaks are missing).
 */
function ecgReference(fixture: Fixture, spans: MergedSpans): { r_peaks_ms: Float64Array; spans: MergedSpans } | undefined {
  if (fixture.ecg_r_peaks_us === undefined || fixture.ecg_r_peaks_us.length < 2) return undefined;
  const notes = fixture.meta.notes as { ecg_artifacts_ms?: [number, number][] } | undefined;
  const ecgSpans: Span[] = (notes?.ecg_artifacts_ms ?? []).map(([start_ms, end_ms]) => ({ start_ms, end_ms }));
  return {
    r_peaks_ms: Float64Array.from(fixture.ecg_r_peaks_us, (us) => us / 1000),
    spans: mergeSpans([...spans, ...ecgSpans]),
  };
}

function sumOf(records: readonly RecordScore[], key: keyof RecordScore): number {
  let total = 0;
  for (const r of records) total += r[key] as number;
  return total;
}

function pool(records: readonly RecordScore[], key: keyof PooledValues): number[] {
  return records.flatMap((r) => r.pooled[key]);
}

/** Totals and metrics from the summed counts; medians over every pooled value. */
export function aggregate(records: readonly RecordScore[]): AggregateScore {
  if (records.length === 0) throw new ScoreError('aggregate: no records to aggregate');
  const tp = sumOf(records, 'tp');
  const fp = sumOf(records, 'fp');
  const fn = sumOf(records, 'fn');
  const tp_50ms = sumOf(records, 'tp_50ms');
  const fp_50ms = sumOf(records, 'fp_50ms');
  const fn_50ms = sumOf(records, 'fn_50ms');
  const timing = pool(records, 'timing_error_ms');
  const latency = pool(records, 'latency_ms');
  const worst = [...records]
    .sort((a, b) => a.f1 - b.f1 || (a.record < b.record ? -1 : a.record > b.record ? 1 : 0))
    .slice(0, WORST_RECORDS_MAX)
    .map((r) => ({ record: r.record, f1: r.f1 }));
  return {
    record_count: records.length,
    ref_beats: sumOf(records, 'ref_beats'),
    detected_beats: sumOf(records, 'detected_beats'),
    tp,
    fp,
    fn,
    ...detectionRatios(tp, fp, fn),
    tp_50ms,
    fp_50ms,
    fn_50ms,
    f1_50ms: detectionRatios(tp_50ms, fp_50ms, fn_50ms).f1,
    timing_error_ms_median: median(timing),
    timing_error_ms_p95: percentile(timing, 95),
    latency_ms_median: median(latency),
    latency_ms_p95: percentile(latency, 95),
    hr_mae_bpm: mean(pool(records, 'hr_error_bpm')),
    hr_windows: sumOf(records, 'hr_windows'),
    rmssd_error_ms_median: median(pool(records, 'rmssd_error_ms')),
    sdnn_error_ms_median: median(pool(records, 'sdnn_error_ms')),
    ecg_rmssd_error_ms_median: median(pool(records, 'ecg_rmssd_error_ms')),
    ecg_sdnn_error_ms_median: median(pool(records, 'ecg_sdnn_error_ms')),
    hrv_windows: sumOf(records, 'hrv_windows'),
    excluded_s: sumOf(records, 'excluded_s'),
    worst,
  };
}
