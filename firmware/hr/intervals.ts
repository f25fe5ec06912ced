// Inter-beat intervals: artifact rejection and heart rate. Each beat's interval is
// valid when it lies in the physiological range and within a tolerance of the median
// of recent valid intervals; heart rate is the median of the last few valid intervals,
// with a confidence that falls when intervals are rejected or scattered.

import { assert } from "../lib/assert.js";
import { IBI_MS_MAX, IBI_MS_MIN } from "../config.js";

const FAULT_INTERVALS = 40;
const RECENT_CAPACITY = 5; // valid intervals kept for the median (intervals_median_ms sorts 5)
const QUALITY_SPAN = 8; // intervals over which the valid fraction is measured
const DEVIATION_MAX_X100 = 30; // an interval more than 30% off the median is rejected
const SUCCESSIVE_CHANGE_MAX_X100 = 20; // ... or more than 20% off the previous valid one

let recent = new Int32Array(RECENT_CAPACITY);
let recent_count = 0;
let recent_next = 0;
// intervals_median_ms() until recent changes; -1: not computed. Callers per beat test it
// before calling (main.ts on_beat).
export let median_cached = -1;
// The sum of the recent intervals' distances from the median, computed with it (update_hr).
let spread_cached = 0;
let quality_bits = 0; // last QUALITY_SPAN validity flags, newest in bit 0
let quality_count = 0;
let last_beat_ms = -1;
let rejected_in_row = 0;
let last_valid_ibi_ms = 0; // the previous interval when it was valid, else 0

// Results of the last intervals_on_beat call.
export let ibi_ms = 0;
export let ibi_valid = false;
export let hr_bpm_x10 = 0; // 0 until enough valid intervals
export let hr_confidence = 0;

export function intervals_boot(): void {
  for (let i = 0; i < RECENT_CAPACITY; i++) {
    recent[i] = 0;
  }
  recent_count = 0;
  recent_next = 0;
  median_cached = -1;
  quality_bits = 0;
  quality_count = 0;
  last_beat_ms = -1;
  rejected_in_row = 0;
  last_valid_ibi_ms = 0;
  ibi_ms = 0;
  ibi_valid = false;
  hr_bpm_x10 = 0;
  hr_confidence = 0;
}

/** Median of the recent valid intervals (ms), 0 when none. */
export function intervals_median_ms(): number {
  if (median_cached >= 0) return median_cached; // each beat asks for it more than once
  const count = recent_count;
  if (count === 0) return 0;
  // The intervals in locals (an interpreter's registers, where each typed-array access is
  // a lookup), the absent ones above any interval, sorted by a 9-exchange network for 5.
  const r = recent;
  const none = 0x7fffff;
  let s0 = r[0];
  let s1 = count > 1 ? r[1] : none;
  let s2 = count > 2 ? r[2] : none;
  let s3 = count > 3 ? r[3] : none;
  let s4 = count > 4 ? r[4] : none;
  let t = 0;
  if (s0 > s1) { t = s0; s0 = s1; s1 = t; }
  if (s3 > s4) { t = s3; s3 = s4; s4 = t; }
  if (s2 > s4) { t = s2; s2 = s4; s4 = t; }
  if (s2 > s3) { t = s2; s2 = s3; s3 = t; }
  if (s0 > s3) { t = s0; s0 = s3; s3 = t; }
  if (s0 > s2) { t = s0; s0 = s2; s2 = t; }
  if (s1 > s4) { t = s1; s1 = s4; s4 = t; }
  if (s1 > s3) { t = s1; s1 = s3; s3 = t; }
  if (s1 > s2) { t = s1; s1 = s2; s2 = t; }
  const mid = count >> 1;
  median_cached = mid === 0 ? s0 : mid === 1 ? s1 : s2;
  // Sum of |interval - median| from the sorted values: those above the median less those
  // below it (the median's own terms cancel when as many lie on each side).
  spread_cached = count === 5 ? s3 + s4 - s0 - s1 : count === 4 ? s3 + s2 - s0 - s1 : count >= 2 ? (count === 3 ? s2 : s1) - s0 : 0;
  return median_cached;
}

/** Register a beat at t_ms; sets ibi_ms, ibi_valid, hr_bpm_x10, hr_confidence. */
export function intervals_on_beat(t_ms: number): void {
  if (!(t_ms >= last_beat_ms)) assert(false, FAULT_INTERVALS); // (no call when it holds)
  ibi_ms = 0;
  ibi_valid = false;
  if (last_beat_ms >= 0 && t_ms - last_beat_ms <= IBI_MS_MAX) ibi_ms = t_ms - last_beat_ms;
  last_beat_ms = t_ms;
  if (ibi_ms === 0) return;
  const median = median_cached >= 0 ? median_cached : intervals_median_ms(); // (no call when cached)
  let valid = ibi_ms >= IBI_MS_MIN && ibi_ms <= IBI_MS_MAX;
  if (valid && recent_count >= 3) {
    const d = ibi_ms - median;
    valid = (d < 0 ? -d : d) * 100 <= median * DEVIATION_MAX_X100;
  }
  // Beat to beat, a sinus rhythm changes by less than this; a jump beyond it next to a
  // valid interval is a mistimed beat (one interval too short, the next too long).
  if (valid && last_valid_ibi_ms > 0) {
    const d = ibi_ms - last_valid_ibi_ms;
    valid = (d < 0 ? -d : d) * 100 <= last_valid_ibi_ms * SUCCESSIVE_CHANGE_MAX_X100;
  }
  // After a run of rejections the rhythm itself has changed: start over from this interval.
  if (!valid && rejected_in_row >= 4 && ibi_ms >= IBI_MS_MIN) {
    recent_count = 0;
    recent_next = 0;
    median_cached = -1;
    valid = true;
  }
  ibi_valid = valid;
  last_valid_ibi_ms = valid ? ibi_ms : 0;
  rejected_in_row = valid ? 0 : rejected_in_row + 1;
  quality_bits = ((quality_bits << 1) | (valid ? 1 : 0)) & ((1 << QUALITY_SPAN) - 1);
  if (quality_count < QUALITY_SPAN) quality_count = quality_count + 1;
  if (valid) {
    recent[recent_next] = ibi_ms;
    recent_next = recent_next + 1;
    if (recent_next === RECENT_CAPACITY) recent_next = 0;
    if (recent_count < RECENT_CAPACITY) recent_count = recent_count + 1;
    median_cached = -1;
  }
  // Heart rate and its confidence (written here rather than in a function of their own: a
  // call per beat).
  if (recent_count < 3) {
    hr_bpm_x10 = 0;
    hr_confidence = 0;
    return;
  }
  const hr_median = median_cached >= 0 ? median_cached : intervals_median_ms();
  // div_round(a, b) for a >= 0 < 2^31 and b > 0, written out here (a call and its assert
  // cost more than the division on an interpreter, and this runs for every beat).
  // (Non-negative quotients below 2^31: `| 0` truncates as Math.floor would, without its call.)
  hr_bpm_x10 = ((600000 + (hr_median >> 1)) / hr_median) | 0;
  // Confidence: share of valid intervals among the last few, less the scatter of the recent ones.
  // The valid flags of the last QUALITY_SPAN (8) intervals counted by bit operations.
  let valid_count = quality_bits - ((quality_bits >> 1) & 0x55);
  valid_count = (valid_count & 0x33) + ((valid_count >> 2) & 0x33);
  valid_count = (valid_count + (valid_count >> 4)) & 0x0f;
  const spread = spread_cached; // sum of |interval - median| over the recent ones
  const spread_div = hr_median * recent_count;
  const spread_x100 = ((spread * 100 + (spread_div >> 1)) / spread_div) | 0;
  const quality_div = quality_count > 1 ? quality_count : 1;
  const base = ((valid_count * 100 + (quality_div >> 1)) / quality_div) | 0;
  const confidence = base - 2 * spread_x100;
  hr_confidence = confidence < 0 ? 0 : confidence > 100 ? 100 : confidence;
}
