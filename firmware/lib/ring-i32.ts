// Fixed-capacity ring buffer of 32-bit integers. Created once at boot; push overwrites
// the oldest entry when full (callers that must not lose data check `ring_full` first).

import { assert } from "./assert.js";

const FAULT_RING = 10;
export const RING_CAPACITY_MAX = 65536;

export interface RingI32 {
  data: Int32Array;
  capacity: number;
  /** Index of the oldest entry. */
  head: number;
  count: number;
}

export function ring_i32_init(capacity: number): RingI32 {
  assert(capacity >= 1 && capacity <= RING_CAPACITY_MAX, FAULT_RING);
  return { data: new Int32Array(capacity), capacity: capacity, head: 0, count: 0 };
}

export function ring_reset(r: RingI32): void {
  r.head = 0;
  r.count = 0;
}

export function ring_full(r: RingI32): boolean {
  return r.count === r.capacity;
}

/** Append v; when full, the oldest entry is dropped. */
export function ring_push(r: RingI32, v: number): void {
  let tail = r.head + r.count;
  if (tail >= r.capacity) tail = tail - r.capacity;
  r.data[tail] = v;
  if (r.count < r.capacity) {
    r.count = r.count + 1;
  } else {
    r.head = r.head + 1;
    if (r.head === r.capacity) r.head = 0;
  }
}

/** Remove and return the oldest entry; the ring must not be empty. */
export function ring_shift(r: RingI32): number {
  assert(r.count > 0, FAULT_RING);
  const v = r.data[r.head];
  r.head = r.head + 1;
  if (r.head === r.capacity) r.head = 0;
  r.count = r.count - 1;
  return v;
}

/**
 * Storage index of entry i (0 = oldest), so callers can keep parallel arrays of other
 * element types in step with the ring.
 */
export function ring_slot(r: RingI32, i: number): number {
  assert(i >= 0 && i < r.count, FAULT_RING);
  let k = r.head + i;
  if (k >= r.capacity) k = k - r.capacity;
  return k;
}

/** Entry i counted from the oldest (0) to the newest (count-1). */
export function ring_get(r: RingI32, i: number): number {
  return r.data[ring_slot(r, i)];
}

/** Entry i counted back from the newest (0 = newest). */
export function ring_back(r: RingI32, i: number): number {
  return ring_get(r, r.count - 1 - i);
}
