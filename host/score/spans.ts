// Excluded spans (artifacts, warm-up) as a sorted, merged list, with the queries the
// scorers need. Spans are [start_ms, end_ms), as in sim/fixture/types.ts.

import type { Span } from '../../sim/fixture/types.js';

/** Sorted, non-overlapping, non-empty spans. Built only by mergeSpans. */
export type MergedSpans = readonly Span[] & { readonly __merged: true };

/** Sort and merge spans; touching spans join. Rejects non-finite or reversed spans. */
export function mergeSpans(spans: readonly Span[]): MergedSpans {
  for (const s of spans) {
    if (!Number.isFinite(s.start_ms) || !Number.isFinite(s.end_ms) || s.end_ms < s.start_ms) {
      throw new RangeError(`bad span [${s.start_ms}, ${s.end_ms}): need finite start <= end`);
    }
  }
  const sorted = spans.filter((s) => s.end_ms > s.start_ms).sort((a, b) => a.start_ms - b.start_ms);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s.start_ms <= last.end_ms) {
      last.end_ms = Math.max(last.end_ms, s.end_ms);
    } else {
      out.push({ start_ms: s.start_ms, end_ms: s.end_ms });
    }
  }
  return out as unknown as MergedSpans;
}

/** Index of the last span with start_ms <= t, or -1. */
function lastStartingAtOrBefore(spans: MergedSpans, t: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.start_ms <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** True when t lies in some span (start inclusive, end exclusive). */
export function inSpans(spans: MergedSpans, t: number): boolean {
  const i = lastStartingAtOrBefore(spans, t);
  return i >= 0 && t < spans[i]!.end_ms;
}

/** Length in ms of the part of [a, b) covered by spans. */
export function overlapMs(spans: MergedSpans, a: number, b: number): number {
  if (b <= a) return 0;
  let total = 0;
  for (let i = Math.max(0, lastStartingAtOrBefore(spans, a)); i < spans.length; i++) {
    const s = spans[i]!;
    if (s.start_ms >= b) break;
    total += Math.max(0, Math.min(b, s.end_ms) - Math.max(a, s.start_ms));
  }
  return total;
}
