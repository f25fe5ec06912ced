// Scores the ring's wellness summaries against a daylife recording's ground truth
// (sim/synth/daylife.ts): sleep onset/wake and time-asleep errors in minutes, stress-episode
// sensitivity and false alarms per day, and nightly RMSSD against the same windows
// computed from the true beats.

import type { Fixture } from '../../sim/fixture/types.js';
import { daylifeTruth, type DaylifeTruth, type TruthSpan } from '../../sim/synth/daylife.js';
import type { Span, Wellness } from './records.js';

const MIN_MS = 60000;
const HRV_WINDOW_MS = 300000;
const HRV_STEP_MS = 60000;

export interface NightScore {
  true_onset_ms: number;
  true_wake_ms: number;
  /** null when the ring reported no sleep period overlapping this night. */
  onset_error_min: number | null;
  wake_error_min: number | null;
  asleep_error_min: number | null;
  rmssd_ms: number | null;
  rmssd_true_ms: number | null;
  rmssd_error_ms: number | null;
}

export interface WellnessScore {
  nights: NightScore[];
  onset_error_min_median: number | null;
  wake_error_min_median: number | null;
  asleep_error_min_median: number | null;
  rmssd_error_ms_max: number | null;
  stress_true: number;
  stress_detected: number;
  stress_sensitivity: number | null;
  stress_false_alarms: number;
  days: number;
  stress_false_alarms_per_day: number;
}

const overlaps = (a: Span | TruthSpan, b: Span | TruthSpan): boolean => a.start_ms < b.end_ms && b.start_ms < a.end_ms;

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * RMSSD (ms) of the intervals lying entirely inside [start_ms, end_ms), successive
 * differences between adjacent intervals, from beat times in µs; null with < 3 beats.
 */
export function rmssdOfBeats(beats_us: Float64Array, start_ms: number, end_ms: number, from = 0): number | null {
  let prev_t = -1;
  let prev_ibi = -1;
  let sum = 0;
  let n = 0;
  for (let i = from; i < beats_us.length; i++) {
    const t = beats_us[i] / 1000;
    if (t < start_ms) continue;
    if (t >= end_ms) break;
    if (prev_t >= 0) {
      const ibi = t - prev_t;
      if (prev_ibi >= 0) {
        sum += (ibi - prev_ibi) ** 2;
        n++;
      }
      prev_ibi = ibi;
    }
    prev_t = t;
  }
  return n > 0 ? Math.sqrt(sum / n) : null;
}

function firstBeatAtOrAfter(beats_us: Float64Array, t_ms: number): number {
  let lo = 0;
  let hi = beats_us.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (beats_us[mid] / 1000 < t_ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The nightly RMSSD the true beats give over the ring's reported window: the mean RMSSD of
 * the 5-minute windows ending each minute inside it that lie wholly in true sleep (outside
 * the true awakenings), as the ring averages its own 5-minute windows.
 */
export function trueNightlyRmssd(beats_us: Float64Array, window: { start_ms: number; end_ms: number }, asleep: TruthSpan[]): number | null {
  const vals: number[] = [];
  for (let end = window.start_ms + HRV_WINDOW_MS; end <= window.end_ms; end += HRV_STEP_MS) {
    const w = { start_ms: end - HRV_WINDOW_MS, end_ms: end };
    if (!asleep.some((s) => s.start_ms <= w.start_ms && w.end_ms <= s.end_ms)) continue;
    const v = rmssdOfBeats(beats_us, w.start_ms, w.end_ms, Math.max(0, firstBeatAtOrAfter(beats_us, w.start_ms) - 1));
    if (v !== null) vals.push(v);
  }
  return vals.length > 0 ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
}

/** Sleep spans of a true night with its awakenings cut out. */
function asleepSpans(n: DaylifeTruth['sleeps'][number]): TruthSpan[] {
  const out: TruthSpan[] = [];
  let t = n.onset_ms;
  for (const a of n.awake) {
    out.push({ start_ms: t, end_ms: a.start_ms });
    t = a.end_ms;
  }
  out.push({ start_ms: t, end_ms: n.wake_ms });
  return out;
}

export function scoreWellness(fixture: Fixture, w: Wellness): WellnessScore {
  const truth = daylifeTruth(fixture);
  if (truth === null) throw new Error(`${fixture.meta.record}: not a daylife recording (no wellness ground truth)`);
  const beats = fixture.ref_beats_us ?? new Float64Array(0);
  const sleeps = w.periods.filter((p) => p.type === 'sleep');
  const nights: NightScore[] = truth.sleeps.map((t) => {
    const tspan = { start_ms: t.onset_ms, end_ms: t.wake_ms };
    const p = sleeps.find((s) => overlaps({ start_ms: s.onset_ms, end_ms: s.wake_ms }, tspan));
    const rmssd_true = p?.hrv_window ? trueNightlyRmssd(beats, p.hrv_window, asleepSpans(t)) : null;
    const rmssd = p?.rmssd_ms ?? null;
    return {
      true_onset_ms: t.onset_ms,
      true_wake_ms: t.wake_ms,
      onset_error_min: p ? (p.onset_ms - t.onset_ms) / MIN_MS : null,
      wake_error_min: p ? (p.wake_ms - t.wake_ms) / MIN_MS : null,
      asleep_error_min: p ? p.asleep_min - t.asleep_ms / MIN_MS : null,
      rmssd_ms: rmssd,
      rmssd_true_ms: rmssd_true,
      rmssd_error_ms: rmssd !== null && rmssd_true !== null ? rmssd - rmssd_true : null,
    };
  });
  const abs = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null).map(Math.abs);
  const detected = truth.stress.filter((t) => w.stress.some((e) => overlaps(e, t))).length;
  const false_alarms = w.stress.filter((e) => !truth.stress.some((t) => overlaps(e, t))).length;
  const days = (fixture.ppg.length / fixture.meta.sample_rate_hz) / 86400;
  const rmssd_errors = abs(nights.map((n) => n.rmssd_error_ms));
  return {
    nights,
    onset_error_min_median: median(abs(nights.map((n) => n.onset_error_min))),
    wake_error_min_median: median(abs(nights.map((n) => n.wake_error_min))),
    asleep_error_min_median: median(abs(nights.map((n) => n.asleep_error_min))),
    rmssd_error_ms_max: rmssd_errors.length > 0 ? Math.max(...rmssd_errors) : null,
    stress_true: truth.stress.length,
    stress_detected: detected,
    stress_sensitivity: truth.stress.length > 0 ? detected / truth.stress.length : null,
    stress_false_alarms: false_alarms,
    days,
    stress_false_alarms_per_day: false_alarms / days,
  };
}
