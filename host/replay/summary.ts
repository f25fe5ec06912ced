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
  // A typed array: a day's heart rates are 8 bytes each, not an array of boxed numbers.
  const hr = new Float64Array(result.hr.length);
  let n = 0;
  for (const h of result.hr) hr[n++] = h.hr_bpm_x10 / 10;
  hr.sort();
  return {
    beats: result.beats.length,
    valid_intervals: count(result.beats, (b) => b.ibi_valid),
    hr_bpm_median: hr.length > 0 ? hr[hr.length >> 1] : null,
    hr_bpm_min: hr.length > 0 ? hr[0] : null,
    hr_bpm_max: hr.length > 0 ? hr[hr.length - 1] : null,
    hrv_windows: result.hrv.length,
    hrv_windows_published: count(result.hrv, (w) => w.published),
    fifo_overflows: sum(result.status, (s) => (s.code === 2 ? s.value : 0)),
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
