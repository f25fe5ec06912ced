// A small stage written in the subset: buffers at boot, integer math, bounded loops,
// faults through an assert helper, explicit and explained exceptions.
import { smooth_push, SMOOTH_TAPS } from "./helpers.js";

export const WINDOW_MAX = 64;
export const GAIN_X100 = 125; // 1.25 as a fixed-point integer
const NAME = "stage" + "-" + "a"; // string building at top level runs at boot
const LIMITS = { lo: -1000, hi: 1000 }; // object literal at top level: boot
const SCALE = [1, 2, 4, 8];

let window_x: Int32Array = new Int32Array(0);
let count = 0;
let on_done_cb: (n: number) => number = (n) => n;

export function assert(ok: boolean, code: number): void {
  if (!ok) throw new Error("fault " + code);
}

export function stage_init(size: number): number {
  assert(size > 0 && size <= WINDOW_MAX, 1);
  window_x = new Int32Array(size);
  on_done_cb = function (n: number): number {
    return n + 1;
  };
  if (size > WINDOW_MAX) throw new RangeError("size " + size + " > " + WINDOW_MAX);
  count = 0;
  return NAME.length + SCALE.length;
}

// check-firmware: boot -- called only from stage_boot, before the first sample
function make_scratch(n: number): Int32Array {
  return new Int32Array(n);
}

export function stage_boot(): number {
  const scratch = make_scratch(4);
  scratch.set(window_x.subarray(0, 1));
  return scratch.length;
}

/** Mean of the window, x10, truncated. */
export function stage_push(x: number, Map: number): number {
  const clamped = Math.max(LIMITS.lo, Math.min(LIMITS.hi, x));
  window_x[count % window_x.length] = clamped;
  count = (count + 1) | 0;
  let sum = 0;
  for (let i = 0; i < window_x.length; i++) sum = sum + window_x[i];
  const mean_x10 = Math.floor((sum * 10) / window_x.length);
  const half = (mean_x10 / 2) | 0;
  const third = (mean_x10 / 3) >> 0;
  const quarter = (mean_x10 / 4) >>> 0;
  const scaled = Math.floor((mean_x10 * GAIN_X100) / 100);
  const mix = Math.imul(scaled, 3) ^ (Math.clz32(quarter) << 1);
  let steps = 0;
  let rest = Math.abs(mix);
  while (steps < WINDOW_MAX && rest > 0) {
    steps++;
    rest = rest >> 1;
  }
  let k = 0;
  do {
    k += 1;
  } while (k < SMOOTH_TAPS.length && k < WINDOW_MAX);
  const smooth = smooth_push(mean_x10);
  // check-firmware: allow no-float-literal -- documented fixed example of the allow form
  const ratio = 0.5;
  if (half < 0) return -1;
  return on_done_cb(half + third + steps + k + smooth + Map) + (ratio > 1 ? 1 : 0);
}

export function stage_count(): number {
  switch (count & 3) {
    case 0:
      return 0;
    case 1:
      return count > 10 ? 1 : 2;
    default:
      return typeof count === "number" ? 3 : 4;
  }
}
