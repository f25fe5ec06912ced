// Summary figures of one replay, computed from what the ring emitted.

import type { ReplayResult } from '../../sim/replay-types.js';

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

export function summarize(result: ReplayResult): ReplaySummary {
  const hr = result.hr.map((h) => h.hr_bpm_x10 / 10).sort((a, b) => a - b);
  return {
    beats: result.beats.length,
    valid_intervals: result.beats.filter((b) => b.ibi_valid).length,
    hr_bpm_median: hr.length > 0 ? hr[hr.length >> 1] : null,
    hr_bpm_min: hr.length > 0 ? hr[0] : null,
    hr_bpm_max: hr.length > 0 ? hr[hr.length - 1] : null,
    hrv_windows: result.hrv.length,
    hrv_windows_published: result.hrv.filter((w) => w.published).length,
    fifo_overflows: result.status.filter((s) => s.code === 2).reduce((a, s) => a + s.value, 0),
  };
}
