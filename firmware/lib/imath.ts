// Integer helpers for the firmware. Values are JS numbers holding integers: 32-bit
// where a function says `i32`, otherwise exact integers below 2^53 (`i53`), which every
// engine in the subset represents exactly as doubles.

import { assert } from "./assert.js";

export const I32_MAX = 2147483647;
export const I32_MIN = -2147483648;
export const I53_MAX = 9007199254740991;

const FAULT_IMATH = 20;

/** Clamp v to [lo, hi]. */
export function clamp(v: number, lo: number, hi: number): number {
  if (v < lo) return lo;
  if (v > hi) return hi;
  return v;
}

/** Saturating 32-bit add: the result is clamped instead of wrapping. */
export function sat_add_i32(a: number, b: number): number {
  return clamp(a + b, I32_MIN, I32_MAX);
}

/** Saturating 32-bit multiply (exact for |a*b| < 2^53, then clamped). */
export function sat_mul_i32(a: number, b: number): number {
  return clamp(a * b, I32_MIN, I32_MAX);
}

/** Q15 multiply with rounding: (a * b_q15 + 2^14) >> 15, a and b_q15 within ±2^16 (product < 2^32). */
export function mul_q15(a: number, b_q15: number): number {
  return Math.floor((a * b_q15 + 16384) / 32768);
}

/** a / b rounded to nearest (half away from zero), b > 0, |a| < 2^53. */
export function div_round(a: number, b: number): number {
  assert(b > 0, FAULT_IMATH);
  if (a >= 0) return Math.floor((a + Math.floor(b / 2)) / b);
  return -Math.floor((-a + Math.floor(b / 2)) / b);
}

/** floor(a / b) for b > 0. */
export function div_floor(a: number, b: number): number {
  assert(b > 0, FAULT_IMATH);
  return Math.floor(a / b);
}

/**
 * Integer square root: the largest r with r*r <= v, for 0 <= v <= 2^52. Bit-by-bit
 * (restoring) method on exact doubles: 27 fixed iterations, no float sqrt involved.
 */
export function isqrt(v: number): number {
  assert(v >= 0 && v <= 4503599627370496, FAULT_IMATH);
  let rem = v;
  let root = 0;
  let bit = 4503599627370496; // 2^52 = 4^26: the largest power of four in range
  // bit takes the 27 powers of four 2^52 .. 2^0; every quotient below is exact or floored.
  for (let i = 0; i < 27; i++) {
    if (bit <= v) {
      if (rem >= root + bit) {
        rem = rem - (root + bit);
        root = Math.floor(root / 2) + bit;
      } else {
        root = Math.floor(root / 2);
      }
    }
    bit = Math.floor(bit / 4);
  }
  return root;
}

