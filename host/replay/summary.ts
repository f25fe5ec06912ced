// Summary figures of one replay, computed from what the ring emitted.

import type { BeatOut, HrOut, HrvOut, ReplayView, StatusOut } from '../../sim/replay-types.js';

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
  const s = new SummaryCounter();
  for (const b of result.beats) s.beat(b);
  for (const h of result.hr) s.hr(h);
  for (const w of result.hrv) s.hrv(w);
  for (const st of result.status) s.status(st);
  return s.summary();
}

/**
 * The summary kept as records go by, in fixed-size state: counts, a sum, and the heart
 * rates as counts per value (the ring reports whole tenths of a bpm in a narrow range, so a
 * week of them is a few hundred counts, and the k-th smallest is exact).
 */
export class SummaryCounter {
  private beats = 0;
  private valid_intervals = 0;
  private hrv_windows = 0;
  private hrv_windows_published = 0;
  private fifo_overflows = 0;
  private hr_count = 0;
  private readonly hr_bpm_x10_counts = new Map<number, number>();

  beat(b: BeatOut): void {
    this.beats++;
    if (b.ibi_valid) this.valid_intervals++;
  }

  hr(h: HrOut): void {
    this.hr_bpm_x10_counts.set(h.hr_bpm_x10, (this.hr_bpm_x10_counts.get(h.hr_bpm_x10) ?? 0) + 1);
    this.hr_count++;
  }

  hrv(w: HrvOut): void {
    this.hrv_windows++;
    if (w.published) this.hrv_windows_published++;
  }

  status(st: StatusOut): void {
    this.fifo_overflows += st.code === 2 ? st.value : 0;
  }

  summary(): ReplaySummary {
    const n = this.hr_count;
    return {
      beats: this.beats,
      valid_intervals: this.valid_intervals,
      hr_bpm_median: n > 0 ? this.hrRank(n >> 1) / 10 : null,
      hr_bpm_min: n > 0 ? this.hrRank(0) / 10 : null,
      hr_bpm_max: n > 0 ? this.hrRank(n - 1) / 10 : null,
      hrv_windows: this.hrv_windows,
      hrv_windows_published: this.hrv_windows_published,
      fifo_overflows: this.fifo_overflows,
    };
  }

  /** The k-th smallest heart rate (bpm x10). */
  private hrRank(k: number): number {
    const values = Float64Array.from(this.hr_bpm_x10_counts.keys()).sort();
    let seen = 0;
    for (const v of values) {
      seen += this.hr_bpm_x10_counts.get(v)!;
      if (k < seen) return v;
    }
    throw new RangeError(`rank ${k} of ${this.hr_count} heart rates`);
  }
}
