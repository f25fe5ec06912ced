// HRV windows over the interval history: mean IBI, SDNN, RMSSD and pNN50 from valid
// intervals only, for a rolling short (60 s) and long (5 min) window. Each window is
// computed when it closes by one bounded pass over the history (at most
// IBI_HISTORY_CAPACITY entries), with exact integer sums:
//   sum of IBIs <= 1200 * 2000 = 2.4e6; sum of squares <= 1200 * 2000^2 = 4.8e9;
//   n * sumsq <= 5.8e12 and * 100 <= 5.8e14 < 2^52, so every quantity is exact.

import { assert } from "../lib/assert.js";
import { div_round, isqrt } from "../lib/imath.js";
import { RingI32, ring_i32_init, ring_reset } from "../lib/ring-i32.js";
import { HRV_VALID_PERMILLE_MIN, IBI_HISTORY_CAPACITY, IBI_MS_MAX } from "../config.js";

const FAULT_HRV = 50;
const NN50_MS = 50;

// History of intervals: end time (the beat time) in a ring, and beside it, slot for slot,
// the interval length, negated when the interval is invalid. |ibi| <= 2000 fits 16 bits,
// which halves the largest buffer of the firmware.
const hist_end_ms: RingI32 = ring_i32_init(IBI_HISTORY_CAPACITY);
const hist_ibi_signed_ms = new Int16Array(IBI_HISTORY_CAPACITY);
// 1 while the history's end times never decrease (the pipeline's beats never go back in
// time): a window's first interval is then found by bisection instead of a pass over the
// whole history.
let hist_sorted = 1;
const BISECT_STEPS_MAX = 32; // more than log2(RING_CAPACITY_MAX)

// Result of the last hrv_compute call.
export let hrv_beat_count = 0;
export let hrv_valid_permille = 0;
export let hrv_mean_ibi_ms_x10 = 0;
export let hrv_sdnn_ms_x10 = 0;
export let hrv_rmssd_ms_x10 = 0;
export let hrv_pnn50_permille = 0;
export let hrv_published = false;

export function hrv_boot(): void {
  ring_reset(hist_end_ms);
  hist_sorted = 1;
  hrv_clear();
}

function hrv_clear(): void {
  hrv_beat_count = 0;
  hrv_valid_permille = 0;
  hrv_mean_ibi_ms_x10 = 0;
  hrv_sdnn_ms_x10 = 0;
  hrv_rmssd_ms_x10 = 0;
  hrv_pnn50_permille = 0;
  hrv_published = false;
}

/** Record an interval that ended at end_ms (ibi_ms > 0). */
export function hrv_add_interval(end_ms: number, ibi_ms: number, valid: boolean): void {
  if (!(ibi_ms > 0 && ibi_ms <= IBI_MS_MAX)) assert(false, FAULT_HRV); // (no call when it holds)
  // ring_push, and the new entry's slot (its tail) for the interval beside it, written out
  // (calls per beat).
  const r = hist_end_ms;
  const cap = r.capacity;
  const count = r.count;
  let tail = r.head + count;
  if (tail >= cap) tail = tail - cap;
  if (count > 0 && end_ms < r.data[tail === 0 ? cap - 1 : tail - 1]) hist_sorted = 0;
  r.data[tail] = end_ms;
  if (count < cap) {
    r.count = count + 1;
  } else {
    r.head = r.head + 1 === cap ? 0 : r.head + 1;
  }
  hist_ibi_signed_ms[tail] = valid ? ibi_ms : -ibi_ms;
}

/** Compute the window [end_ms - window_ms, end_ms) into the hrv_* exports. */
export function hrv_compute(end_ms: number, window_ms: number): void {
  assert(window_ms > 0, FAULT_HRV);
  hrv_clear();
  const start_ms = end_ms - window_ms;
  let n = 0; // valid intervals
  let sum = 0;
  let sumsq = 0;
  let covered_ms = 0;
  let diff_count = 0;
  let diff_sq_sum = 0;
  let nn50 = 0;
  let prev_valid_end = -1; // end of the previous interval when it was valid
  let prev_ibi = 0;
  const r = hist_end_ms;
  const data = r.data;
  const ibis = hist_ibi_signed_ms;
  const cap = r.capacity;
  const head = r.head;
  const count = r.count;
  // Every interval ending before start_ms lies outside the window (and only resets
  // prev_valid_end, -1 already at the first one kept): with sorted end times, the loop starts
  // at the first ending at or after start_ms.
  let first = 0;
  if (hist_sorted !== 0) {
    let hi = count;
    for (let step = 0; step < BISECT_STEPS_MAX && first < hi; step++) {
      const mid = (first + hi) >> 1;
      const k = head + mid >= cap ? head + mid - cap : head + mid;
      if (data[k] < start_ms) first = mid + 1;
      else hi = mid;
    }
  }
  let slot = head + first >= cap ? head + first - cap : head + first; // ring_slot(r, i), kept as i moves
  for (let i = first; i < count; i++) {
    const end = data[slot];
    const signed_ibi = ibis[slot];
    slot = slot + 1 === cap ? 0 : slot + 1;
    const ibi = signed_ibi < 0 ? -signed_ibi : signed_ibi;
    const valid = signed_ibi > 0;
    // An interval belongs to the window when it lies entirely inside it.
    if (end - ibi < start_ms || end > end_ms) {
      prev_valid_end = -1;
      continue;
    }
    hrv_beat_count = hrv_beat_count + 1;
    if (!valid) {
      prev_valid_end = -1;
      continue;
    }
    n = n + 1;
    sum = sum + ibi;
    sumsq = sumsq + ibi * ibi;
    covered_ms = covered_ms + ibi;
    // Successive difference only between adjacent valid intervals (no gap between them).
    if (prev_valid_end >= 0 && prev_valid_end === end - ibi) {
      const d = ibi - prev_ibi;
      diff_count = diff_count + 1;
      diff_sq_sum = diff_sq_sum + d * d;
      if (d > NN50_MS || d < -NN50_MS) nn50 = nn50 + 1;
    }
    prev_valid_end = end;
    prev_ibi = ibi;
  }
  hrv_valid_permille = Math.min(1000, Math.floor((covered_ms * 1000) / window_ms));
  if (hrv_valid_permille < HRV_VALID_PERMILLE_MIN || n < 2 || diff_count < 1) return;
  hrv_published = true;
  hrv_mean_ibi_ms_x10 = div_round(sum * 10, n);
  // Sample variance (n - 1) in ms^2 x100, so the root is in ms x10.
  const var_x100 = Math.floor(((n * sumsq - sum * sum) * 100) / (n * (n - 1)));
  hrv_sdnn_ms_x10 = isqrt(var_x100);
  hrv_rmssd_ms_x10 = isqrt(Math.floor((diff_sq_sum * 100) / diff_count));
  hrv_pnn50_permille = div_round(nn50 * 1000, diff_count);
}
