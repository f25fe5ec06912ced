// One-to-one matching of detected beat times to reference beat times within ±tol_ms
// (Charlton et al. 2022: a detection is correct if within ±150 ms of a reference beat,
// each reference used once). We return a matching with the most pairs and, among
// those, the least total |error|, so timing figures are not inflated by the matcher.
//
// Why not "nearest unmatched" greedy: with refs 0 and 100 and detections 60 and 160
// (tol 150), nearest-first pairs 60 with 100 and strands 160; the best is 0-60, 100-160.
//
// Method: on a line, crossing pairs can always be uncrossed without losing a pair or
// adding error, so an order-preserving matching is optimal. The beats split into
// independent clusters (no ref-detection pair within tol across a cut); each cluster is
// solved exactly by a small dynamic program. Clusters are a beat or two in practice.

import assert from 'node:assert/strict';
import type { Span } from '../../sim/fixture/types.js';
import { inSpans, mergeSpans, type MergedSpans } from './spans.js';

/** Cluster size (refs x detections) above which the exact DP yields to a greedy. */
export const MATCH_CLUSTER_CELLS_MAX = 1 << 24;

export interface MatchOptions {
  tol_ms: number;
  /** Beats inside these spans (as given, start inclusive, end exclusive) are ignored. */
  excluded?: readonly Span[];
  /** Beats before this time are ignored. Default: none. */
  warmup_ms?: number;
  /** Test hook: cluster size above which the greedy is used. */
  cluster_cells_max?: number;
}

export interface MatchPair {
  ref_ms: number;
  det_ms: number;
  /** det_ms - ref_ms: positive when the detection is late. */
  error_ms: number;
  /** Indices into the arrays given to matchBeats. */
  ref_index: number;
  det_index: number;
}

export interface MatchResult {
  tol_ms: number;
  tp: number;
  fp: number;
  fn: number;
  /** Ascending by reference time. */
  pairs: MatchPair[];
  /** Scored references left unmatched (misses), ascending. */
  fn_ms: number[];
  /** Scored detections left unmatched (false positives), ascending. */
  fp_ms: number[];
  /** Beats left out of scoring by warm-up or exclusion. */
  ref_ignored: number;
  det_ignored: number;
}

export function checkSorted(name: string, times: ArrayLike<number>): void {
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (!Number.isFinite(t)) throw new RangeError(`${name}[${i}] is not a finite time: ${t}`);
    if (i > 0 && t < times[i - 1]!) {
      throw new RangeError(`${name} must be ascending: [${i - 1}]=${times[i - 1]} > [${i}]=${t}`);
    }
  }
}

/** Indices of the times that are scored: at or after warm-up and outside every span. */
function scoredIndices(times: ArrayLike<number>, spans: MergedSpans, warmup_ms: number): Int32Array {
  // Typed, 4 bytes a beat: a day's beats are never an array of boxed indices here.
  const out = new Int32Array(times.length);
  let n = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t >= warmup_ms && !inSpans(spans, t)) out[n++] = i;
  }
  return out.subarray(0, n);
}

/** Working state shared by the cluster solvers: times and who is matched to whom. */
export interface Work {
  ref: Float64Array;
  det: Float64Array;
  tol_ms: number;
  /** For each scored ref, the scored detection it is paired with, or -1. */
  ref_to_det: Int32Array;
  choice: Uint8Array;
}

const SKIP_REF = 0;
const SKIP_DET = 1;
const PAIR = 2;

/**
 * The exact solver's two DP rows (count and error, previous and current), reused from call
 * to call and grown to the widest cluster seen: a session's thousands of small clusters
 * made four typed arrays each, a tenth of a CI session's garbage. Each row is written in
 * full before it is read, and row 0 is cleared, so the result does not depend on them.
 */
interface DpRows {
  count_a: Int32Array;
  err_a: Float64Array;
  count_b: Int32Array;
  err_b: Float64Array;
}
function dpRows(cols: number): DpRows {
  const n = Math.max(16, cols);
  return { count_a: new Int32Array(n), err_a: new Float64Array(n), count_b: new Int32Array(n), err_b: new Float64Array(n) };
}
let rows: DpRows = dpRows(16);

/** Exact: most pairs, then least total |error|, over refs [r0, r1) x dets [d0, d1). */
export function solveClusterExact(w: Work, r0: number, r1: number, d0: number, d1: number): void {
  const a = r1 - r0;
  const b = d1 - d0;
  const cols = b + 1;
  if (w.choice.length < (a + 1) * cols) w.choice = new Uint8Array((a + 1) * cols);
  if (rows.count_a.length < cols) rows = dpRows(cols);
  let prevCount = rows.count_a;
  let prevErr = rows.err_a;
  let curCount = rows.count_b;
  let curErr = rows.err_b;
  // Row 0: nothing paired yet (the rows are reused, so cleared here).
  prevCount.fill(0, 0, cols);
  prevErr.fill(0, 0, cols);
  for (let i = 1; i <= a; i++) {
    curCount[0] = 0;
    curErr[0] = 0;
    w.choice[i * cols] = SKIP_REF;
    for (let j = 1; j <= b; j++) {
      // Default: leave ref i-1 unmatched; then try leaving det j-1 unmatched; then pair.
      let count = prevCount[j]!;
      let err = prevErr[j]!;
      let pick = SKIP_REF;
      if (curCount[j - 1]! > count || (curCount[j - 1] === count && curErr[j - 1]! < err)) {
        count = curCount[j - 1]!;
        err = curErr[j - 1]!;
        pick = SKIP_DET;
      }
      const e = Math.abs(w.det[d0 + j - 1]! - w.ref[r0 + i - 1]!);
      if (e <= w.tol_ms) {
        const pc = prevCount[j - 1]! + 1;
        const pe = prevErr[j - 1]! + e;
        if (pc > count || (pc === count && pe < err)) {
          count = pc;
          err = pe;
          pick = PAIR;
        }
      }
      curCount[j] = count;
      curErr[j] = err;
      w.choice[i * cols + j] = pick;
    }
    [prevCount, curCount] = [curCount, prevCount];
    [prevErr, curErr] = [curErr, prevErr];
  }
  let i = a;
  let j = b;
  while (i > 0 && j > 0) {
    const pick = w.choice[i * cols + j];
    if (pick === PAIR) {
      w.ref_to_det[r0 + i - 1] = d0 + j - 1;
      i--;
      j--;
    } else if (pick === SKIP_REF) {
      i--;
    } else {
      j--;
    }
  }
}

/**
 * Greedy for huge clusters (a detector firing on noise): each detection in time order
 * takes the earliest live reference within tol. Still the most pairs (references are
 * equal-width intervals, so earliest-ending-first is optimal), but not least error.
 */
export function solveClusterGreedy(w: Work, r0: number, r1: number, d0: number, d1: number): void {
  let r = r0;
  for (let d = d0; d < d1; d++) {
    const t = w.det[d]!;
    while (r < r1 && w.ref[r]! + w.tol_ms < t) r++;
    if (r < r1 && w.ref[r]! - w.tol_ms <= t) {
      w.ref_to_det[r] = d;
      r++;
    }
  }
}

/**
 * Match detections to references. Both lists must be ascending (ties allowed).
 * Each reference and each detection is used at most once.
 */
export function matchBeats(
  ref_ms: ArrayLike<number>,
  det_ms: ArrayLike<number>,
  opts: MatchOptions,
): MatchResult {
  const m = solveMatch(ref_ms, det_ms, opts);
  return collect(m.w, ref_ms, det_ms, m.refIdx, m.detIdx);
}

/**
 * The same matching as matchBeats, its pairs in typed arrays rather than objects (a day's
 * beats are a few MB here, not tens): what the figures need, without the detail a report
 * shows.
 */
/** What a matching counts: matched, false and missed beats, and those left out of it. */
export interface MatchCounts {
  tol_ms: number;
  tp: number;
  fp: number;
  fn: number;
  ref_ignored: number;
  det_ignored: number;
}

export interface CompactMatch extends MatchCounts {
  /** Per pair, ascending by reference time: the reference time and the detection's index. */
  pair_ref_ms: Float64Array;
  pair_det_ms: Float64Array;
  pair_det_index: Int32Array;
}

export function matchBeatsCompact(ref_ms: ArrayLike<number>, det_ms: ArrayLike<number>, opts: MatchOptions): CompactMatch {
  const { w, refIdx, detIdx } = solveMatch(ref_ms, det_ms, opts);
  let tp = 0;
  for (let r = 0; r < w.ref.length; r++) if (w.ref_to_det[r]! >= 0) tp++;
  const pair_ref_ms = new Float64Array(tp);
  const pair_det_ms = new Float64Array(tp);
  const pair_det_index = new Int32Array(tp);
  let k = 0;
  for (let r = 0; r < w.ref.length; r++) {
    const d = w.ref_to_det[r]!;
    if (d < 0) continue;
    pair_ref_ms[k] = w.ref[r]!;
    pair_det_ms[k] = w.det[d]!;
    pair_det_index[k++] = detIdx[d]!;
  }
  return {
    tol_ms: w.tol_ms, tp, fp: w.det.length - tp, fn: w.ref.length - tp,
    ref_ignored: ref_ms.length - refIdx.length, det_ignored: det_ms.length - detIdx.length,
    pair_ref_ms, pair_det_ms, pair_det_index,
  };
}

function solveMatch(
  ref_ms: ArrayLike<number>,
  det_ms: ArrayLike<number>,
  opts: MatchOptions,
): { w: Work; refIdx: Int32Array; detIdx: Int32Array } {
  const tol_ms = opts.tol_ms;
  const warmup_ms = opts.warmup_ms ?? Number.NEGATIVE_INFINITY;
  const cells_max = opts.cluster_cells_max ?? MATCH_CLUSTER_CELLS_MAX;
  if (!(tol_ms > 0 && Number.isFinite(tol_ms))) throw new RangeError(`tol_ms must be > 0, got ${tol_ms}`);
  if (Number.isNaN(warmup_ms)) throw new RangeError('warmup_ms must be a number, got NaN');
  checkSorted('ref_ms', ref_ms);
  checkSorted('det_ms', det_ms);
  const spans = mergeSpans(opts.excluded ?? []);
  const refIdx = scoredIndices(ref_ms, spans, warmup_ms);
  const detIdx = scoredIndices(det_ms, spans, warmup_ms);
  const w: Work = {
    ref: Float64Array.from(refIdx, (k) => ref_ms[k]!),
    det: Float64Array.from(detIdx, (k) => det_ms[k]!),
    tol_ms,
    ref_to_det: new Int32Array(refIdx.length).fill(-1),
    choice: new Uint8Array(64),
  };
  const nr = w.ref.length;
  const nd = w.det.length;
  // Sweep both lists in time order; cut a cluster when the nearest opposite-kind pair
  // across the cut (last ref vs next det, last det vs next ref) is farther than tol.
  let i = 0;
  let j = 0;
  let r0 = 0;
  let d0 = 0;
  while (i < nr || j < nd) {
    if (j >= nd || (i < nr && w.ref[i]! <= w.det[j]!)) i++;
    else j++;
    const openRight = i > 0 && j < nd && w.det[j]! - w.ref[i - 1]! <= tol_ms;
    const openLeft = j > 0 && i < nr && w.ref[i]! - w.det[j - 1]! <= tol_ms;
    if (openRight || openLeft) continue;
    const cells = (i - r0 + 1) * (j - d0 + 1);
    if (i > r0 && j > d0) {
      if (cells <= cells_max) solveClusterExact(w, r0, i, d0, j);
      else solveClusterGreedy(w, r0, i, d0, j);
    }
    r0 = i;
    d0 = j;
  }
  assert.equal(r0, nr);
  assert.equal(d0, nd);
  return { w, refIdx, detIdx };
}

function collect(
  w: Work,
  ref_ms: ArrayLike<number>,
  det_ms: ArrayLike<number>,
  refIdx: Int32Array,
  detIdx: Int32Array,
): MatchResult {
  const detMatched = new Uint8Array(w.det.length);
  const pairs: MatchPair[] = [];
  const fn_ms: number[] = [];
  for (let r = 0; r < w.ref.length; r++) {
    const d = w.ref_to_det[r]!;
    if (d < 0) {
      fn_ms.push(w.ref[r]!);
      continue;
    }
    assert.equal(detMatched[d], 0, 'a detection was matched twice');
    assert.ok(Math.abs(w.det[d]! - w.ref[r]!) <= w.tol_ms, 'pair outside tolerance');
    detMatched[d] = 1;
    pairs.push({
      ref_ms: w.ref[r]!,
      det_ms: w.det[d]!,
      error_ms: w.det[d]! - w.ref[r]!,
      ref_index: refIdx[r]!,
      det_index: detIdx[d]!,
    });
  }
  const fp_ms: number[] = [];
  for (let d = 0; d < w.det.length; d++) if (detMatched[d] === 0) fp_ms.push(w.det[d]!);
  const tp = pairs.length;
  assert.equal(tp + fn_ms.length, w.ref.length);
  assert.equal(tp + fp_ms.length, w.det.length);
  return {
    tol_ms: w.tol_ms,
    tp,
    fp: fp_ms.length,
    fn: fn_ms.length,
    pairs,
    fn_ms,
    fp_ms,
    ref_ignored: ref_ms.length - refIdx.length,
    det_ignored: det_ms.length - detIdx.length,
  };
}
