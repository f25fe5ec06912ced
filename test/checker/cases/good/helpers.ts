// Imported by pipeline.ts: calls across modules join one call graph.
export const SMOOTH_TAPS = new Int32Array(3);
let hist_0 = 0;
let hist_1 = 0;

export function smooth_push(x: number): number {
  const y = (hist_0 + 2 * hist_1 + x) >> 2;
  hist_0 = hist_1;
  hist_1 = x;
  return y;
}

export function taps_init(): void {
  for (let i = 0; i < SMOOTH_TAPS.length; i++) SMOOTH_TAPS[i] = i + 1;
  for (let i = SMOOTH_TAPS.length - 1; i >= 0; i -= 1) SMOOTH_TAPS[i] = SMOOTH_TAPS[i] * 2;
}

/** Deeply nested calls are fine as long as there is no cycle. */
export function a(x: number): number {
  return b(x) + c(x);
}
function b(x: number): number {
  return c(x) * 2;
}
function c(x: number): number {
  return x - 1;
}
