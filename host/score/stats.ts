// Small float statistics for scoring. Host-side only: the firmware is integer-only,
// the reference we judge it against is computed in float on purpose.

/** Arithmetic mean; null for an empty list. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Percentile by linear interpolation between closest ranks (the "type 7" rule of R and
 * NumPy's default), so p50 of an even-length list is the mean of the middle two.
 * Null for an empty list.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}`);
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const frac = rank - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}

/** Sample standard deviation (n - 1 denominator); null below 2 values. */
export function sampleStd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values)!;
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (values.length - 1));
}

/** Root mean square of the given successive differences; null when there are none. */
export function rootMeanSquare(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let ss = 0;
  for (const v of values) ss += v * v;
  return Math.sqrt(ss / values.length);
}

/** A fraction num/den, defined as 1 when den is 0 (nothing to miss, nothing false). */
export function ratioOrOne(num: number, den: number): number {
  if (num < 0 || den < 0 || num > den) throw new RangeError(`bad ratio ${num}/${den}`);
  return den === 0 ? 1 : num / den;
}
