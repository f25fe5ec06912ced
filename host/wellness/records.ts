// The ring's wellness records (protocol/ids.ts RECORD_SLEEP..RECORD_STRESS_LEVEL) as typed
// objects, from a replay or from history pages (where the host sees them as [seq, kind,
// fields...]). Layouts: firmware/wellness/records.ts.

import { RECORD_SLEEP, RECORD_SLEEP_GAP, RECORD_STRESS, RECORD_STRESS_LEVEL } from '../../protocol/ids.js';
import * as r from '../../firmware/wellness/records.js';

export interface SleepPeriod {
  type: 'sleep' | 'rest';
  onset_ms: number;
  wake_ms: number;
  asleep_min: number;
  interruptions: number;
  lowest_hr_bpm: number | null;
  avg_hr_bpm: number | null;
  rmssd_ms: number | null;
  hrv_window: { start_ms: number; end_ms: number; windows: number } | null;
  /** 0..100 against earlier nights, null before there is a baseline. */
  recovery: number | null;
}

export interface Span {
  start_ms: number;
  end_ms: number;
}

export interface StressEpisode extends Span {
  peak: number;
  mean: number;
  scored_min: number;
}

export interface StressLevel {
  end_ms: number;
  score: number | null;
  scored_min: number;
  hr_bpm: number | null;
  rmssd_ms: number | null;
}

export interface Wellness {
  periods: SleepPeriod[];
  gaps: Span[];
  stress: StressEpisode[];
  levels: StressLevel[];
}

const x10 = (v: number): number | null => (v > 0 ? v / 10 : null);

/** Sorts records of kinds 16..19 into a Wellness; records of other kinds are ignored. */
export function wellnessFromRecords(records: Iterable<{ kind: number; fields: ArrayLike<number> }>): Wellness {
  const w: Wellness = { periods: [], gaps: [], stress: [], levels: [] };
  for (const { kind, fields: f } of records) {
    if (kind === RECORD_SLEEP && f.length >= r.SLEEP_FIELDS) {
      const n = f[r.SLEEP_HRV_WINDOWS];
      w.periods.push({
        type: f[r.SLEEP_TYPE] === r.SLEEP_TYPE_SLEEP ? 'sleep' : 'rest',
        onset_ms: f[r.SLEEP_ONSET_MS],
        wake_ms: f[r.SLEEP_WAKE_MS],
        asleep_min: f[r.SLEEP_ASLEEP_MIN],
        interruptions: f[r.SLEEP_INTERRUPTIONS],
        lowest_hr_bpm: x10(f[r.SLEEP_LOWEST_HR_BPM_X10]),
        avg_hr_bpm: x10(f[r.SLEEP_AVG_HR_BPM_X10]),
        rmssd_ms: x10(f[r.SLEEP_RMSSD_MS_X10]),
        hrv_window: n > 0 ? { start_ms: f[r.SLEEP_HRV_START_MS], end_ms: f[r.SLEEP_HRV_END_MS], windows: n } : null,
        recovery: f[r.SLEEP_RECOVERY] >= 0 ? f[r.SLEEP_RECOVERY] : null,
      });
    } else if (kind === RECORD_SLEEP_GAP && f.length >= r.GAP_FIELDS) {
      w.gaps.push({ start_ms: f[r.GAP_START_MS], end_ms: f[r.GAP_END_MS] });
    } else if (kind === RECORD_STRESS && f.length >= r.STRESS_FIELDS) {
      w.stress.push({
        start_ms: f[r.STRESS_START_MS], end_ms: f[r.STRESS_END_MS], peak: f[r.STRESS_PEAK], mean: f[r.STRESS_MEAN],
        scored_min: f[r.STRESS_SCORED_MIN],
      });
    } else if (kind === RECORD_STRESS_LEVEL && f.length >= r.LEVEL_FIELDS) {
      w.levels.push({
        end_ms: f[r.LEVEL_END_MS], score: f[r.LEVEL_SCORE] >= 0 ? f[r.LEVEL_SCORE] : null, scored_min: f[r.LEVEL_SCORED_MIN],
        hr_bpm: x10(f[r.LEVEL_HR_BPM_X10]), rmssd_ms: x10(f[r.LEVEL_RMSSD_MS_X10]),
      });
    }
  }
  return w;
}

/** The same records with every time moved by offset_ms (ring time to a common clock). */
export function shiftWellness(w: Wellness, offset_ms: number): Wellness {
  const sh = <T extends Span>(x: T): T => ({ ...x, start_ms: x.start_ms + offset_ms, end_ms: x.end_ms + offset_ms });
  return {
    periods: w.periods.map((p) => ({
      ...p, onset_ms: p.onset_ms + offset_ms, wake_ms: p.wake_ms + offset_ms, hrv_window: p.hrv_window ? sh({ ...p.hrv_window }) : null,
    })),
    gaps: w.gaps.map(sh),
    stress: w.stress.map(sh),
    levels: w.levels.map((l) => ({ ...l, end_ms: l.end_ms + offset_ms })),
  };
}
