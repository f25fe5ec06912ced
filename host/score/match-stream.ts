// matchBeats (match.ts) as a sweep over beats that arrive in time order: the same clusters,
// solved by the same dynamic program, the same pairs in the same order; only the current
// cluster (a beat or two in practice) is held, so a week of detections is never a list.
// Each pair is handed to a callback as it is found; counts are kept as running totals.

import { MATCH_CLUSTER_CELLS_MAX, solveClusterExact, solveClusterGreedy, type MatchCounts, type MatchOptions, type Work } from './match.js';
import { inSpans, mergeSpans } from './spans.js';

/** The sweep keeps the counts only: each pair goes to the caller as it is found. */
export type StreamedMatch = MatchCounts;

/**
 * A detection as the sweep reads it: its time and emission time. The sweep copies both before
 * it reads the next, so a source may hand out one object, refilled.
 */
export interface StreamedDetection {
  time_ms: number;
  emitted_ms: number;
}

/** A cluster's beats, in buffers that grow to the largest cluster seen and are reused. */
class ClusterBuffers {
  w: Work;
  det_emitted_ms: Float64Array = new Float64Array(16);
  nr = 0;
  nd = 0;

  constructor(tol_ms: number) {
    this.w = { ref: new Float64Array(16), det: new Float64Array(16), tol_ms, ref_to_det: new Int32Array(16), choice: new Uint8Array(64) };
  }

  addRef(t: number): void {
    if (this.nr === this.w.ref.length) {
      this.w.ref = grow(this.w.ref);
      const r2d = new Int32Array(this.w.ref.length);
      r2d.set(this.w.ref_to_det);
      this.w.ref_to_det = r2d;
    }
    this.w.ref_to_det[this.nr] = -1;
    this.w.ref[this.nr++] = t;
  }

  addDet(d: StreamedDetection): void {
    if (this.nd === this.w.det.length) {
      this.w.det = grow(this.w.det);
      this.det_emitted_ms = grow(this.det_emitted_ms);
    }
    this.det_emitted_ms[this.nd] = d.emitted_ms;
    this.w.det[this.nd++] = d.time_ms;
  }
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Matches references (ascending, in memory) against detections read in order from `dets`
 * (ascending: the caller checks), with matchBeats' options. onPair gets each pair in
 * ascending reference order: the reference time, the detection, the detection's emission time.
 */
export function matchBeatsStreamed(
  ref_ms: ArrayLike<number>,
  dets: Iterable<StreamedDetection>,
  opts: MatchOptions,
  onPair: (ref_ms: number, det_ms: number, det_emitted_ms: number) => void,
): StreamedMatch {
  const tol_ms = opts.tol_ms;
  const warmup_ms = opts.warmup_ms ?? Number.NEGATIVE_INFINITY;
  const cells_max = opts.cluster_cells_max ?? MATCH_CLUSTER_CELLS_MAX;
  if (!(tol_ms > 0 && Number.isFinite(tol_ms))) throw new RangeError(`tol_ms must be > 0, got ${tol_ms}`);
  if (Number.isNaN(warmup_ms)) throw new RangeError('warmup_ms must be a number, got NaN');
  const spans = mergeSpans(opts.excluded ?? []);
  const scored = (t: number): boolean => t >= warmup_ms && !inSpans(spans, t);
  const out: StreamedMatch = { tol_ms, tp: 0, fp: 0, fn: 0, ref_ignored: 0, det_ignored: 0 };
  // The next scored reference and detection (undefined once used up), read one ahead.
  let ri = 0;
  const pullRef = (): number | undefined => {
    while (ri < ref_ms.length) {
      const t = ref_ms[ri++]!;
      if (scored(t)) return t;
      out.ref_ignored++;
    }
    return undefined;
  };
  const detIter = dets[Symbol.iterator]();
  const pullDet = (): StreamedDetection | undefined => {
    for (;;) {
      const n = detIter.next();
      if (n.done) return undefined;
      if (scored(n.value.time_ms)) return n.value;
      out.det_ignored++;
    }
  };
  const c = new ClusterBuffers(tol_ms);
  const solve = (): void => {
    if (c.nr > 0 && c.nd > 0) {
      if ((c.nr + 1) * (c.nd + 1) <= cells_max) solveClusterExact(c.w, 0, c.nr, 0, c.nd);
      else solveClusterGreedy(c.w, 0, c.nr, 0, c.nd);
    }
    let pairs = 0;
    for (let r = 0; r < c.nr; r++) {
      const d = c.w.ref_to_det[r]!;
      if (d < 0) continue;
      pairs++;
      onPair(c.w.ref[r]!, c.w.det[d]!, c.det_emitted_ms[d]!);
    }
    out.tp += pairs;
    out.fn += c.nr - pairs;
    out.fp += c.nd - pairs;
    c.nr = 0;
    c.nd = 0;
  };
  let nextRef = pullRef();
  let nextDet = pullDet();
  let lastRef: number | undefined;
  let lastDet: number | undefined;
  // matchBeats' sweep: take the earlier of the two (the reference on a tie); cut the cluster
  // when the nearest opposite-kind pair across the cut is farther than tol.
  while (nextRef !== undefined || nextDet !== undefined) {
    if (nextDet === undefined || (nextRef !== undefined && nextRef <= nextDet.time_ms)) {
      c.addRef(nextRef!);
      lastRef = nextRef;
      nextRef = pullRef();
    } else {
      c.addDet(nextDet);
      lastDet = nextDet.time_ms;
      nextDet = pullDet();
    }
    const openRight = lastRef !== undefined && nextDet !== undefined && nextDet.time_ms - lastRef <= tol_ms;
    const openLeft = lastDet !== undefined && nextRef !== undefined && nextRef - lastDet <= tol_ms;
    if (openRight || openLeft) continue;
    solve();
  }
  return out;
}
