// Accuracy metrics built on a match: detection ratios, timing, latency, 8-s heart rate
// and 5-min HRV against the reference beats. Conventions: Charlton et al. 2022 for the
// ratios and 8-s HR windows; HRV per 5-min window as in the firmware's HRV records.

import assert from 'node:assert/strict';
import type { HrvOut } from '../../sim/replay-types.js';
import type { MatchPair, MatchResult } from './match.js';
import { overlapMs, type MergedSpans, inSpans } from './spans.js';
import { median, percentile, ratioOrOne, rootMeanSquare, sampleStd } from './stats.js';

export const MATCH_TOL_MS = 150;
export const MATCH_TOL_STRICT_MS = 50;
export const HR_WINDOW_MS = 8000;
/** Intervals needed on each side (reference and detected) for a window's HR to count. */
export const HR_WINDOW_INTERVALS_MIN = 2;
export const HRV_WINDOW_S = 300;
export const HRV_WINDOW_MS = HRV_WINDOW_S * 1000;
/** A 5-min window more than this fraction excluded is not scored. */
export const HRV_EXCLUDED_FRACTION_MAX = 0.1;
/** Intervals needed for a reference SDNN and at least one successive difference. */
export const HRV_INTERVALS_MIN = 2;
/**
 * HRV is a statistic of normal-to-normal (NN) intervals, so the reference intervals are
 * NN-filtered by the usual rule, the one the ring applies to its own: 272..2000 ms
 * (30..220 bpm), once three are known within 30% of the median of the last five
 * accepted, and within 20% of the previous interval when that one was accepted. A missing or extra annotation then cannot turn into a 1000 ms successive
 * difference that dominates the window.
 */
export const NN_IBI_MS_MIN = 272;
export const NN_IBI_MS_MAX = 2000;
export const NN_DEVIATION_MAX = 0.3;
export const NN_SUCCESSIVE_CHANGE_MAX = 0.2;
const NN_RECENT = 5;

export interface DetectionRatios {
  /** TP / (TP + FN); 1 when there is no reference beat to find. */
  sensitivity: number;
  /** TP / (TP + FP); 1 when nothing was detected. */
  ppv: number;
  /** 2TP / (2TP + FP + FN); 1 with no references and no detections, 0 with none matched. */
  f1: number;
}

export function detectionRatios(tp: number, fp: number, fn: number): DetectionRatios {
  for (const [k, v] of [['tp', tp], ['fp', fp], ['fn', fn]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${k} must be a count, got ${v}`);
  }
  return {
    sensitivity: ratioOrOne(tp, tp + fn),
    ppv: ratioOrOne(tp, tp + fp),
    f1: ratioOrOne(2 * tp, 2 * tp + fp + fn),
  };
}

/** |det - ref| of every pair, in pair order. */
export function absTimingErrors(pairs: readonly MatchPair[]): number[] {
  return pairs.map((p) => Math.abs(p.error_ms));
}

/**
 * Latency of each matched detection: when the ring emitted it minus when the beat
 * happened (reference time), in ms. `emitted_ms` is indexed like the detections given
 * to matchBeats.
 */
export function latencies(pairs: readonly MatchPair[], emitted_ms: ArrayLike<number>): number[] {
  return pairs.map((p) => {
    const e = emitted_ms[p.det_index];
    assert.ok(e !== undefined, `no emission time for detection ${p.det_index}`);
    return e - p.ref_ms;
  });
}

export interface Summary {
  median: number | null;
  p95: number | null;
}

export function summarize(values: readonly number[]): Summary {
  return { median: median(values), p95: percentile(values, 95) };
}

export function matchRatios(m: MatchResult): DetectionRatios {
  return detectionRatios(m.tp, m.fp, m.fn);
}

/** First index with times[i] >= t (times ascending). */
export function lowerBound(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** HR (bpm) from the beats in [a, b): 60000 / mean interval; null below the minimum. */
export function windowHrBpm(times: ArrayLike<number>, a: number, b: number): number | null {
  const first = lowerBound(times, a);
  const end = lowerBound(times, b);
  const intervals = end - first - 1;
  if (intervals < HR_WINDOW_INTERVALS_MIN) return null;
  // The mean of consecutive intervals telescopes to (last - first) / count.
  const spanMs = times[end - 1]! - times[first]!;
  if (!(spanMs > 0)) return null;
  return (60000 * intervals) / spanMs;
}

export interface HrWindow {
  start_ms: number;
  hr_ref_bpm: number;
  hr_det_bpm: number;
  error_bpm: number;
}

/**
 * Consecutive 8-s windows from 0 that fit in the recording. A window touching any
 * excluded span is skipped, and so is one with too few intervals on either side.
 */
export function hrWindows(
  ref_ms: ArrayLike<number>,
  det_ms: ArrayLike<number>,
  spans: MergedSpans,
  duration_ms: number,
): HrWindow[] {
  const out: HrWindow[] = [];
  const count = Math.floor(duration_ms / HR_WINDOW_MS);
  for (let k = 0; k < count; k++) {
    const a = k * HR_WINDOW_MS;
    const b = a + HR_WINDOW_MS;
    if (overlapMs(spans, a, b) > 0) continue;
    const hr_ref_bpm = windowHrBpm(ref_ms, a, b);
    const hr_det_bpm = windowHrBpm(det_ms, a, b);
    if (hr_ref_bpm === null || hr_det_bpm === null) continue;
    out.push({ start_ms: a, hr_ref_bpm, hr_det_bpm, error_bpm: Math.abs(hr_det_bpm - hr_ref_bpm) });
  }
  assert.ok(out.length <= count);
  return out;
}

/**
 * hrWindows' errors (error_bpm, window by window), the detections read once in time order
 * (ascending: the caller checks) rather than held: the same windows, the same figures.
 */
export function hrWindowErrorsStreamed(
  ref_ms: ArrayLike<number>,
  dets: Iterable<{ time_ms: number }>,
  spans: MergedSpans,
  duration_ms: number,
): number[] {
  const out: number[] = [];
  const count = Math.floor(duration_ms / HR_WINDOW_MS);
  const it = dets[Symbol.iterator]();
  let next = it.next();
  for (let k = 0; k < count; k++) {
    const a = k * HR_WINDOW_MS;
    const b = a + HR_WINDOW_MS;
    // The detections in [a, b): the first, the last and how many (windowHrBpm's inputs).
    while (!next.done && next.value.time_ms < a) next = it.next();
    let n = 0;
    let first = 0;
    let last = 0;
    while (!next.done && next.value.time_ms < b) {
      if (n++ === 0) first = next.value.time_ms;
      last = next.value.time_ms;
      next = it.next();
    }
    if (overlapMs(spans, a, b) > 0) continue;
    const hr_ref_bpm = windowHrBpm(ref_ms, a, b);
    if (hr_ref_bpm === null || n - 1 < HR_WINDOW_INTERVALS_MIN) continue;
    const spanMs = last - first;
    if (!(spanMs > 0)) continue;
    const hr_det_bpm = (60000 * (n - 1)) / spanMs;
    out.push(Math.abs(hr_det_bpm - hr_ref_bpm));
  }
  return out;
}

export interface RefHrv {
  sdnn_ms: number;
  rmssd_ms: number;
  interval_count: number;
}

/** Scratch for smallMedian (NN_RECENT values at most). */
const recent_sorted = new Float64Array(NN_RECENT);

/**
 * median() of a few values (at most NN_RECENT), sorted by insertion into a reused buffer:
 * the same value as median() (type 7: the mean of the middle two of an even count), with no
 * typed array made per beat (one per beat of every HRV window was a twentieth of a CI
 * session's garbage).
 */
function smallMedian(values: readonly number[]): number {
  const n = values.length;
  const s = recent_sorted;
  if (n > s.length) return median(values)!;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let j = i;
    for (; j > 0 && s[j - 1]! > v; j--) s[j] = s[j - 1]!;
    s[j] = v;
  }
  const rank = 0.5 * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

/**
 * Reference SDNN and RMSSD (ms, float) from the beats in [a, b). An interval counts only
 * when both of its beats are in the window and outside the spans; a successive difference
 * only when its two intervals share a beat, so no difference bridges an excluded gap.
 */
export function referenceHrv(ref_ms: ArrayLike<number>, spans: MergedSpans, a: number, b: number): RefHrv | null {
  const first = lowerBound(ref_ms, a);
  const end = lowerBound(ref_ms, b);
  const intervals: number[] = [];
  const diffs: number[] = [];
  const recent: number[] = [];
  let prevInterval: number | null = null;
  for (let k = first + 1; k < end; k++) {
    const t0 = ref_ms[k - 1]!;
    const t1 = ref_ms[k]!;
    if (inSpans(spans, t0) || inSpans(spans, t1)) {
      prevInterval = null;
      continue;
    }
    const ibi = t1 - t0;
    let nn = ibi >= NN_IBI_MS_MIN && ibi <= NN_IBI_MS_MAX;
    if (nn && recent.length >= 3) {
      const m = smallMedian(recent);
      nn = Math.abs(ibi - m) <= NN_DEVIATION_MAX * m;
    }
    if (nn && prevInterval !== null) nn = Math.abs(ibi - prevInterval) <= NN_SUCCESSIVE_CHANGE_MAX * prevInterval;
    if (!nn) {
      prevInterval = null;
      continue;
    }
    recent.push(ibi);
    if (recent.length > NN_RECENT) recent.shift();
    intervals.push(ibi);
    if (prevInterval !== null) diffs.push(ibi - prevInterval);
    prevInterval = ibi;
  }
  const sdnn_ms = sampleStd(intervals);
  const rmssd_ms = rootMeanSquare(diffs);
  if (intervals.length < HRV_INTERVALS_MIN || sdnn_ms === null || rmssd_ms === null) return null;
  return { sdnn_ms, rmssd_ms, interval_count: intervals.length };
}

export interface HrvWindow {
  end_ms: number;
  /** The same statistics from ECG R-peaks (the recording's own heart timing), when it has them. */
  ecg_rmssd_ms: number | null;
  ecg_sdnn_ms: number | null;
  ecg_rmssd_error_ms: number | null;
  ecg_sdnn_error_ms: number | null;
  ref_sdnn_ms: number;
  ref_rmssd_ms: number;
  fw_sdnn_ms: number;
  fw_rmssd_ms: number;
  sdnn_error_ms: number;
  rmssd_error_ms: number;
  ref_interval_count: number;
}

/** One entry per published 5-min firmware window that can be scored. */
export function hrvWindows(
  ref_ms: ArrayLike<number>,
  hrv: Iterable<HrvOut>,
  spans: MergedSpans,
  ecg?: { r_peaks_ms: ArrayLike<number>; spans: MergedSpans },
): HrvWindow[] {
  const out: HrvWindow[] = [];
  for (const w of hrv) {
    if (w.window_s !== HRV_WINDOW_S || !w.published) continue;
    const a = w.end_ms - HRV_WINDOW_MS;
    if (overlapMs(spans, a, w.end_ms) > HRV_EXCLUDED_FRACTION_MAX * HRV_WINDOW_MS) continue;
    const ref = referenceHrv(ref_ms, spans, a, w.end_ms);
    if (ref === null) continue;
    const fw_sdnn_ms = w.sdnn_ms_x10 / 10;
    const fw_rmssd_ms = w.rmssd_ms_x10 / 10;
    let ecgRef: RefHrv | null = null;
    if (ecg !== undefined && overlapMs(ecg.spans, a, w.end_ms) <= HRV_EXCLUDED_FRACTION_MAX * HRV_WINDOW_MS) {
      ecgRef = referenceHrv(ecg.r_peaks_ms, ecg.spans, a, w.end_ms);
    }
    out.push({
      end_ms: w.end_ms,
      ecg_rmssd_ms: ecgRef?.rmssd_ms ?? null,
      ecg_sdnn_ms: ecgRef?.sdnn_ms ?? null,
      ecg_rmssd_error_ms: ecgRef ? Math.abs(fw_rmssd_ms - ecgRef.rmssd_ms) : null,
      ecg_sdnn_error_ms: ecgRef ? Math.abs(fw_sdnn_ms - ecgRef.sdnn_ms) : null,
      ref_sdnn_ms: ref.sdnn_ms,
      ref_rmssd_ms: ref.rmssd_ms,
      fw_sdnn_ms,
      fw_rmssd_ms,
      sdnn_error_ms: Math.abs(fw_sdnn_ms - ref.sdnn_ms),
      rmssd_error_ms: Math.abs(fw_rmssd_ms - ref.rmssd_ms),
      ref_interval_count: ref.interval_count,
    });
  }
  return out;
}
