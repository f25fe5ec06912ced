// Rest and sleep periods, nightly HRV, daytime stress and morning recovery, derived on the
// ring from its own signals (docs/wellness.md says exactly how; these are wellness
// indicators, not diagnoses). Fixed memory, integer math, bounded work per call.
//
// Minute epochs of the pipeline clock. Per minute: the activity count (interrupts whose
// IMU activity figure reached ACT_MG, 10 per second), and the long (5 min) and short (60 s)
// HRV windows that end with the minute. A minute is classified 2 minutes after it ends by
// a Cole-Kripke style weighted sum of the activity of minutes -4..+2 (Cole et al., Sleep
// 15(5), 1992: weights 106, 54, 58, 76, 230, 74, 67 for 1-minute epochs); the sustained
// inactivity and gap rules that turn minutes into periods follow van Hees et al. (PLoS One
// 10(11), 2015; Sci Rep 8, 2018): a period starts with ONSET_RUN_MIN sleep-like minutes,
// short wake-like stretches are interruptions, and it ends when wake-like minutes have
// held for WAKE_CONFIRM_MIN without SLEEP_RESUME_MIN sleep-like minutes in a row.

import { Hal } from "../hal.js";
import { clamp, div_floor, div_round } from "../lib/imath.js";
import { ble_on_record } from "../ble/hook.js";
import { WL_ACTIVE_MG, wl_tick_due_set } from "./hook.js";
import * as r from "./records.js";
import { RECORD_SLEEP, RECORD_SLEEP_GAP, RECORD_STRESS, RECORD_STRESS_LEVEL } from "./records.js";

const MINUTE_MS = 60000;
/** An interrupt whose activity figure reaches this counts as active (rest noise is ~10 mg). */
export const ACT_MG = WL_ACTIVE_MG;
/** Cole-Kripke weights for minutes -4..+2 around the classified minute. */
const CK_W0 = 106;
const CK_W1 = 54;
const CK_W2 = 58;
const CK_W3 = 76;
const CK_W4 = 230;
const CK_W5 = 74;
const CK_W6 = 67;
/** Weighted activity below this: the minute is sleep-like (calibrated on the ring's counts). */
export const CK_SLEEP_MAX = 3000;
export const ONSET_RUN_MIN = 20;
/** Wake-like minutes a run towards onset tolerates (a rollover makes up to 3). */
const ONSET_BLIP_MAX = 3;
export const WAKE_CONFIRM_MIN = 30;
export const SLEEP_RESUME_MIN = 10;
/** Shorter periods are rest, not sleep: no nightly summary in the baseline, no recovery. */
export const SLEEP_PERIOD_MIN = 180;
/** Wake-like minutes needed for an interruption to be reported (a rollover makes up to 3). */
const GAP_MIN = 4;
/** A minute this active is part of an activity bout; stress is not scored for POST_BOUT_MIN after. */
const BOUT_ACTIVE_MIN = 300;
const POST_BOUT_MIN = 15;
export const STRESS_MINUTE_MIN_SCORE = 65;
/** Consecutive scored stress-like minutes that open an episode, and non-stress ones that close it. */
const STRESS_OPEN_MIN = 2;
const STRESS_CLOSE_MIN = 3;
/** Unscored minutes (motion, no HRV) after which an episode or its build-up is dropped. */
const STRESS_UNSCORED_MAX = 8;
const LEVEL_PERIOD_MIN = 15;
export const BASELINE_NIGHTS = 7;
const LAG_MIN = 2; // classification lag (the weights look 2 minutes ahead)
const HIST = 8; // minutes of history: -4 .. +2 around the classified minute, plus one
const CATCHUP_MINUTES_MAX = 4;

let hal_ref: Hal | null = null;
const rec = new Int32Array(12);

// Minute history, indexed by minute number % HIST.
const m_act = new Int32Array(HIST);
const m_long_rmssd = new Int32Array(HIST); // x10, 0 when the window was not published
const m_long_ibi = new Int32Array(HIST); // mean IBI x10
const m_short_rmssd = new Int32Array(HIST);
const m_short_ibi = new Int32Array(HIST);

let minute_no = 0; // the minute being filled
let minutes_closed = 0; // closed since the last reset (classification needs HIST - 1 of them)
let cur_end_ms = MINUTE_MS;

// Periods.
const ST_WAKE = 0;
const ST_SLEEP = 1;
let state = ST_WAKE;
let run_start_ms = 0; // WAKE: start of the sleep-like run; SLEEP: start of the wake-like stretch (pending)
let run_len = 0; // WAKE: sleep-like run length; SLEEP: pending stretch length, 0 = none
let onset_blip = 0; // WAKE: wake-like minutes at the end of the run
let pend_wake_like = 0; // SLEEP: wake-like minutes in the pending stretch
let pend_sleep_streak = 0; // SLEEP: sleep-like minutes in a row at the end of the pending stretch
let pend_last_wake_end_ms = 0;
let onset_ms = 0;
let interruptions = 0;
// Accumulators: [0] the period, [1] the pending stretch (merged on resume, dropped on wake).
const acc_asleep = new Int32Array(2);
const acc_rmssd_sum = new Float64Array(2);
const acc_ibi_sum = new Float64Array(2);
const acc_windows = new Int32Array(2);
const acc_max_ibi = new Int32Array(2);
const acc_first_ms = new Float64Array(2);
const acc_last_ms = new Float64Array(2);

// Baseline of earlier nights (ring of BASELINE_NIGHTS).
const base_rmssd = new Int32Array(BASELINE_NIGHTS);
const base_hr = new Int32Array(BASELINE_NIGHTS);
const base_low_hr = new Int32Array(BASELINE_NIGHTS);
let base_count = 0;
let base_next = 0;

// Stress.
let last_bout_minute = -1000;
let stress_open = false;
let stress_streak = 0; // stress-like scored minutes in a row
let calm_streak = 0; // non-stress scored minutes in a row
let unscored_streak = 0;
let ep_start_ms = 0;
let ep_end_ms = 0;
let ep_peak = 0;
let ep_sum = 0;
let ep_count = 0;
let cand_start_ms = 0;
let cand_peak = 0;
let cand_sum = 0;
let lvl_minutes = 0;
let lvl_scored = 0;
let lvl_sum = 0;
let lvl_hr_sum = 0;
let lvl_rmssd_sum = 0;

// Last computed values (for tests and the bench).
export let wellness_last_score = -1;

export function wellness_boot(hal: Hal): void {
  hal_ref = hal;
  base_count = 0;
  base_next = 0;
  wellness_reset(0);
}

/** Start over at time t_ms (boot, or a gap in the pipeline clock): unfinished periods are dropped. */
function wellness_reset(t_ms: number): void {
  minute_no = div_floor(t_ms, MINUTE_MS);
  cur_end_ms = (minute_no + 1) * MINUTE_MS;
  wl_tick_due_set(cur_end_ms);
  minutes_closed = 0;
  for (let i = 0; i < HIST; i++) clear_minute(i);
  state = ST_WAKE;
  run_len = 0;
  onset_blip = 0;
  pend_wake_like = 0;
  pend_sleep_streak = 0;
  interruptions = 0;
  acc_clear(0);
  acc_clear(1);
  last_bout_minute = -1000;
  stress_open = false;
  stress_streak = 0;
  calm_streak = 0;
  unscored_streak = 0;
  lvl_minutes = 0;
  lvl_scored = 0;
  lvl_sum = 0;
  lvl_hr_sum = 0;
  lvl_rmssd_sum = 0;
}

function clear_minute(i: number): void {
  m_act[i] = 0;
  m_long_rmssd[i] = 0;
  m_long_ibi[i] = 0;
  m_short_rmssd[i] = 0;
  m_short_ibi[i] = 0;
}

function acc_clear(a: number): void {
  acc_asleep[a] = 0;
  acc_rmssd_sum[a] = 0;
  acc_ibi_sum[a] = 0;
  acc_windows[a] = 0;
  acc_max_ibi[a] = 0;
  acc_first_ms[a] = 0;
  acc_last_ms[a] = 0;
}

/** Moves accumulator `from` into `into` and clears `from`. */
function acc_merge(into: number, from: number): void {
  acc_asleep[into] = acc_asleep[into] + acc_asleep[from];
  acc_rmssd_sum[into] = acc_rmssd_sum[into] + acc_rmssd_sum[from];
  acc_ibi_sum[into] = acc_ibi_sum[into] + acc_ibi_sum[from];
  if (acc_windows[from] > 0) {
    if (acc_windows[into] === 0) acc_first_ms[into] = acc_first_ms[from];
    acc_last_ms[into] = acc_last_ms[from];
  }
  acc_windows[into] = acc_windows[into] + acc_windows[from];
  acc_max_ibi[into] = Math.max(acc_max_ibi[into], acc_max_ibi[from]);
  acc_clear(from);
}

/** Once per sensor interrupt whose IMU activity figure reaches ACT_MG (below it the pipeline does not call). */
export function wellness_on_motion(activity_mg: number): void {
  if (activity_mg >= ACT_MG) {
    const i = minute_no % HIST;
    m_act[i] = m_act[i] + 1;
  }
}

/** Every HRV window the pipeline computes; only those ending with the current minute are kept. */
export function wellness_on_hrv(end_ms: number, is_long: boolean, published: boolean, rmssd_ms_x10: number, mean_ibi_ms_x10: number): void {
  if (end_ms !== cur_end_ms || !published) return;
  const i = minute_no % HIST;
  if (is_long) {
    m_long_rmssd[i] = rmssd_ms_x10;
    m_long_ibi[i] = mean_ibi_ms_x10;
  } else {
    m_short_rmssd[i] = rmssd_ms_x10;
    m_short_ibi[i] = mean_ibi_ms_x10;
  }
}

/** After an interrupt's samples, once t_ms (the last sample's time) reaches wl_tick_due_ms (hook.ts). */
export function wellness_tick(t_ms: number): void {
  if (t_ms < cur_end_ms) return;
  if (t_ms >= cur_end_ms + CATCHUP_MINUTES_MAX * MINUTE_MS) {
    wellness_reset(t_ms); // a gap in the clock: nothing to say about it
    return;
  }
  for (let k = 0; k < CATCHUP_MINUTES_MAX && t_ms >= cur_end_ms; k++) {
    close_minute();
  }
  wl_tick_due_set(cur_end_ms); // the pipeline calls again from there (hook.ts)
}

function close_minute(): void {
  minutes_closed = minutes_closed + 1;
  if (minutes_closed >= HIST - 1) classify(minute_no - LAG_MIN);
  minute_no = minute_no + 1;
  cur_end_ms = cur_end_ms + MINUTE_MS;
  clear_minute(minute_no % HIST);
}

function act(m: number): number {
  return m_act[m % HIST];
}

function classify(m: number): void {
  const ck =
    CK_W0 * act(m - 4) + CK_W1 * act(m - 3) + CK_W2 * act(m - 2) + CK_W3 * act(m - 1) +
    CK_W4 * act(m) + CK_W5 * act(m + 1) + CK_W6 * act(m + 2);
  const sleep_like = ck < CK_SLEEP_MAX;
  const start_ms = m * MINUTE_MS;
  if (act(m) >= BOUT_ACTIVE_MIN) last_bout_minute = m;
  if (state === ST_WAKE) {
    if (sleep_like) {
      if (run_len === 0) {
        run_start_ms = start_ms;
        acc_clear(0);
      }
      run_len = run_len + 1;
      // A turn-over inside the run (up to ONSET_BLIP_MAX wake-like minutes) belongs to it.
      acc_asleep[0] = acc_asleep[0] + onset_blip;
      onset_blip = 0;
      accumulate(0, m);
      if (run_len >= ONSET_RUN_MIN) {
        state = ST_SLEEP;
        onset_ms = run_start_ms;
        interruptions = 0;
        run_len = 0;
        pend_wake_like = 0;
        pend_sleep_streak = 0;
        acc_clear(1);
        stress_abandon();
      }
    } else if (run_len > 0) {
      onset_blip = onset_blip + 1;
      if (onset_blip > ONSET_BLIP_MAX) {
        run_len = 0;
        onset_blip = 0;
      }
    }
    if (state === ST_WAKE) stress_minute(m);
    level_minute(m);
    return;
  }
  level_minute(m);
  // Asleep: a wake-like minute opens (or extends) a pending stretch.
  if (run_len === 0) {
    if (sleep_like) {
      accumulate(0, m);
      return;
    }
    run_start_ms = start_ms;
    run_len = 1;
    pend_wake_like = 1;
    pend_sleep_streak = 0;
    pend_last_wake_end_ms = start_ms + MINUTE_MS;
    return;
  }
  run_len = run_len + 1;
  if (sleep_like) {
    pend_sleep_streak = pend_sleep_streak + 1;
    accumulate(1, m);
  } else {
    pend_wake_like = pend_wake_like + 1;
    pend_sleep_streak = 0;
    pend_last_wake_end_ms = start_ms + MINUTE_MS;
  }
  if (pend_sleep_streak >= SLEEP_RESUME_MIN) {
    // Sleep resumed: the stretch was an interruption; its sleep-like minutes count.
    if (pend_wake_like >= GAP_MIN) {
      interruptions = interruptions + 1;
      rec[r.GAP_START_MS] = run_start_ms;
      rec[r.GAP_END_MS] = pend_last_wake_end_ms;
      emit(RECORD_SLEEP_GAP, r.GAP_FIELDS);
    } else {
      // A movement of a minute or three (turning over) is part of sleep.
      acc_asleep[1] = acc_asleep[1] + pend_wake_like;
    }
    acc_merge(0, 1);
    run_len = 0;
    return;
  }
  // Confirmed only on a wake-like minute: a run of sleep-like ones may still resume sleep.
  if (run_len >= WAKE_CONFIRM_MIN && pend_sleep_streak === 0) end_period(run_start_ms);
}

/** Counts minute m as asleep in accumulator a, with its 5-minute HRV window when motion-free. */
function accumulate(a: number, m: number): void {
  acc_asleep[a] = acc_asleep[a] + 1;
  const i = m % HIST;
  const rmssd = m_long_rmssd[i];
  const ibi = m_long_ibi[i];
  if (rmssd <= 0 || ibi <= 0) return;
  // The window covers minutes m-4..m: no motion in any of them.
  for (let k = 0; k < 5; k++) if (act(m - k) > 0) return;
  if (acc_windows[a] === 0) acc_first_ms[a] = (m - 4) * MINUTE_MS;
  acc_last_ms[a] = (m + 1) * MINUTE_MS;
  acc_windows[a] = acc_windows[a] + 1;
  acc_rmssd_sum[a] = acc_rmssd_sum[a] + rmssd;
  acc_ibi_sum[a] = acc_ibi_sum[a] + ibi;
  if (ibi > acc_max_ibi[a]) acc_max_ibi[a] = ibi;
}

function hr_x10_of_ibi_x10(ibi_ms_x10: number): number {
  return ibi_ms_x10 > 0 ? div_round(6000000, ibi_ms_x10) : 0;
}

function end_period(wake_ms: number): void {
  const minutes = div_floor(wake_ms - onset_ms, MINUTE_MS);
  const is_sleep = minutes >= SLEEP_PERIOD_MIN;
  const n = acc_windows[0];
  const rmssd = n > 0 ? div_round(acc_rmssd_sum[0], n) : 0;
  const avg_hr = n > 0 ? hr_x10_of_ibi_x10(div_round(acc_ibi_sum[0], n)) : 0;
  const low_hr = hr_x10_of_ibi_x10(acc_max_ibi[0]);
  rec[r.SLEEP_ONSET_MS] = onset_ms;
  rec[r.SLEEP_WAKE_MS] = wake_ms;
  rec[r.SLEEP_ASLEEP_MIN] = acc_asleep[0];
  rec[r.SLEEP_INTERRUPTIONS] = interruptions;
  rec[r.SLEEP_LOWEST_HR_BPM_X10] = low_hr;
  rec[r.SLEEP_AVG_HR_BPM_X10] = avg_hr;
  rec[r.SLEEP_RMSSD_MS_X10] = rmssd;
  rec[r.SLEEP_HRV_START_MS] = n > 0 ? acc_first_ms[0] : 0;
  rec[r.SLEEP_HRV_END_MS] = n > 0 ? acc_last_ms[0] : 0;
  rec[r.SLEEP_HRV_WINDOWS] = n;
  rec[r.SLEEP_RECOVERY] = is_sleep && n > 0 ? recovery(rmssd, low_hr) : -1;
  rec[r.SLEEP_TYPE] = is_sleep ? r.SLEEP_TYPE_SLEEP : r.SLEEP_TYPE_REST;
  emit(RECORD_SLEEP, r.SLEEP_FIELDS);
  if (is_sleep && n > 0) {
    base_rmssd[base_next] = rmssd;
    base_hr[base_next] = avg_hr;
    base_low_hr[base_next] = low_hr;
    base_next = (base_next + 1) % BASELINE_NIGHTS;
    if (base_count < BASELINE_NIGHTS) base_count = base_count + 1;
  }
  state = ST_WAKE;
  run_len = 0;
  onset_blip = 0;
  acc_clear(0);
  acc_clear(1);
}

function base_mean(a: Int32Array): number {
  let s = 0;
  for (let i = 0; i < BASELINE_NIGHTS; i++) if (i < base_count) s = s + a[i];
  return base_count > 0 ? div_round(s, base_count) : 0;
}

/**
 * Morning recovery, 0..100: 50 when the night matches the baseline of earlier nights;
 * +/-1 per 2 % of nightly RMSSD above/below it, +/-2 per bpm of lowest HR below/above it.
 */
function recovery(rmssd_x10: number, low_hr_x10: number): number {
  if (base_count === 0) return -1;
  const b_rmssd = base_mean(base_rmssd);
  const b_low = base_mean(base_low_hr);
  if (b_rmssd <= 0 || b_low <= 0) return -1;
  const hrv_term = div_round((rmssd_x10 - b_rmssd) * 50, b_rmssd);
  const hr_term = div_round((b_low - low_hr_x10) * 2, 10);
  return clamp(50 + hrv_term + hr_term, 0, 100);
}

/**
 * Stress score of minute m, 0..100, or -1 when it cannot be scored: no baseline yet, the
 * short window did not publish (motion or poor signal stop beats), the minute moved, or an
 * activity bout ended less than POST_BOUT_MIN ago (heart rate still recovering).
 */
function stress_score(m: number): number {
  const i = m % HIST;
  if (base_count === 0 || m_act[i] > 0 || m - last_bout_minute <= POST_BOUT_MIN) return -1;
  const rmssd = m_short_rmssd[i];
  const ibi = m_short_ibi[i];
  if (rmssd <= 0 || ibi <= 0) return -1;
  const b_rmssd = base_mean(base_rmssd);
  const b_hr = base_mean(base_hr);
  if (b_rmssd <= 0 || b_hr <= 0) return -1;
  const hrv_part = clamp(100 - div_round(rmssd * 100, b_rmssd), 0, 100);
  const hr_part = clamp(div_round((hr_x10_of_ibi_x10(ibi) - b_hr) * 3, 10), 0, 100);
  return (hrv_part + hr_part) >> 1;
}

function stress_minute(m: number): void {
  const score = stress_score(m);
  wellness_last_score = score;
  const start_ms = m * MINUTE_MS;
  if (score < 0) {
    unscored_streak = unscored_streak + 1;
    if (unscored_streak >= STRESS_UNSCORED_MAX) {
      if (stress_open) stress_close();
      stress_streak = 0;
      calm_streak = 0;
    }
    return;
  }
  unscored_streak = 0;
  lvl_scored = lvl_scored + 1;
  lvl_sum = lvl_sum + score;
  lvl_hr_sum = lvl_hr_sum + hr_x10_of_ibi_x10(m_short_ibi[m % HIST]);
  lvl_rmssd_sum = lvl_rmssd_sum + m_short_rmssd[m % HIST];
  if (score >= STRESS_MINUTE_MIN_SCORE) {
    calm_streak = 0;
    if (stress_open) {
      ep_end_ms = start_ms + MINUTE_MS;
      ep_peak = Math.max(ep_peak, score);
      ep_sum = ep_sum + score;
      ep_count = ep_count + 1;
      return;
    }
    if (stress_streak === 0) {
      cand_start_ms = start_ms;
      cand_peak = 0;
      cand_sum = 0;
    }
    stress_streak = stress_streak + 1;
    cand_peak = Math.max(cand_peak, score);
    cand_sum = cand_sum + score;
    if (stress_streak >= STRESS_OPEN_MIN) {
      stress_open = true;
      ep_start_ms = cand_start_ms;
      ep_end_ms = start_ms + MINUTE_MS;
      ep_peak = cand_peak;
      ep_sum = cand_sum;
      ep_count = stress_streak;
    }
    return;
  }
  stress_streak = 0;
  if (!stress_open) return;
  calm_streak = calm_streak + 1;
  if (calm_streak >= STRESS_CLOSE_MIN) stress_close();
}

function stress_close(): void {
  rec[r.STRESS_START_MS] = ep_start_ms;
  rec[r.STRESS_END_MS] = ep_end_ms;
  rec[r.STRESS_PEAK] = ep_peak;
  rec[r.STRESS_MEAN] = ep_count > 0 ? div_round(ep_sum, ep_count) : 0;
  rec[r.STRESS_SCORED_MIN] = ep_count;
  emit(RECORD_STRESS, r.STRESS_FIELDS);
  stress_open = false;
  stress_streak = 0;
  calm_streak = 0;
}

/** Falling asleep ends any open episode (reported) and any build-up. */
function stress_abandon(): void {
  if (stress_open) stress_close();
  stress_streak = 0;
  calm_streak = 0;
  unscored_streak = 0;
}

/** Every LEVEL_PERIOD_MIN classified minutes: the mean score of the scored ones. */
function level_minute(m: number): void {
  lvl_minutes = lvl_minutes + 1;
  if (lvl_minutes < LEVEL_PERIOD_MIN) return;
  rec[r.LEVEL_END_MS] = (m + 1) * MINUTE_MS;
  rec[r.LEVEL_SCORE] = lvl_scored > 0 ? div_round(lvl_sum, lvl_scored) : -1;
  rec[r.LEVEL_SCORED_MIN] = lvl_scored;
  rec[r.LEVEL_HR_BPM_X10] = lvl_scored > 0 ? div_round(lvl_hr_sum, lvl_scored) : 0;
  rec[r.LEVEL_RMSSD_MS_X10] = lvl_scored > 0 ? div_round(lvl_rmssd_sum, lvl_scored) : 0;
  // Only while a baseline exists: before the first night there is no indicator to give.
  if (base_count > 0) emit(RECORD_STRESS_LEVEL, r.LEVEL_FIELDS);
  lvl_minutes = 0;
  lvl_scored = 0;
  lvl_sum = 0;
  lvl_hr_sum = 0;
  lvl_rmssd_sum = 0;
}

function emit(kind: number, field_count: number): void {
  const hal = hal_ref;
  if (hal !== null) hal.emit(kind, rec, field_count);
  ble_on_record(kind, rec, field_count);
}
