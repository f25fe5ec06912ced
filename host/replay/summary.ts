// Summary figures of one replay, computed from what the ring emitted.

import type { ReplayView } from '../../sim/replay-types.js';

export interface ReplaySummary {
  beats: number;
  valid_intervals: number;
  hr_bpm_median: number | null;
  hr_bpm_min: number | null;
  hr_bpm_max: number | null;
  hrv_windows: number;
  hrv_windows_published: number;
  fifo_overflows: number;
}

export function summarize(result: ReplayView): ReplaySummary {
  const hr = hrCounts(result);
  return {
    beats: result.beats.length,
    valid_intervals: count(result.beats, (b) => b.ibi_valid),
    hr_bpm_median: hr.n > 0 ? hr.rank(hr.n >> 1) / 10 : null,
    hr_bpm_min: hr.n > 0 ? hr.rank(0) / 10 : null,
    hr_bpm_max: hr.n > 0 ? hr.rank(hr.n - 1) / 10 : null,
    hrv_windows: result.hrv.length,
    hrv_windows_published: count(result.hrv, (w) => w.published),
    fifo_overflows: sum(result.status, (s) => (s.code === 2 ? s.value : 0)),
  };
}

/**
 * The heart rates as counts per value: the ring reports whole tenths of a bpm in a narrow
 * range, so a week of them is a few hundred counts, and the k-th smallest is exact.
 */
function hrCounts(result: ReplayView): { n: number; rank(k: number): number } {
  const counts = new Map<number, number>();
  let n = 0;
  for (const h of result.hr) {
    counts.set(h.hr_bpm_x10, (counts.get(h.hr_bpm_x10) ?? 0) + 1);
    n++;
  }
  const values = Float64Array.from(counts.keys()).sort();
  return {
    n,
    rank(k: number): number {
      let seen = 0;
      for (const v of values) {
        seen += counts.get(v)!;
        if (k < seen) return v;
      }
      throw new RangeError(`rank ${k} of ${n} heart rates`);
    },
  };
}

function count<T>(list: Iterable<T>, pred: (item: T) => boolean): number {
  let n = 0;
  for (const item of list) if (pred(item)) n++;
  return n;
}

function sum<T>(list: Iterable<T>, value: (item: T) => number): number {
  let total = 0;
  for (const item of list) total += value(item);
  return total;
}
