// Streaming PPG beat detector: constant work per sample, fixed memory.
//
// Detection runs on a slope-sum function (SSF): the sum of the rising slope over the
// last ~120 ms, which peaks on each systolic upstroke whatever the baseline. A beat
// candidate starts when the SSF crosses an adaptive threshold (half the running level
// of recent beats' SSF peaks, decaying when beats go missing); the systolic peak is
// then the maximum of the lightly smoothed signal until it has clearly fallen, timed
// to a fraction of a sample by parabolic interpolation (or the middle of a clipped
// plateau). Candidates arriving too soon after a beat, with a weak upstroke, are
// taken for the dicrotic wave and dropped.

import { assert } from "../lib/assert.js";
import { div_floor } from "../lib/imath.js";
import { BEAT_SPACING_MS_MIN, SENSOR_FULL_SCALE_COUNTS, sample_rate_supported } from "../config.js";
import { CONTACT_RAW_COUNTS_MIN } from "../config.js";
import {
  AMPLITUDE_BEATS_MIN,
  ARTIFACT_DEV_X,
  HOLD_MS,
  MOTION_HOLD_MS,
  MOTION_MG_MAX,
  SETTLE_MS,
  SIGNAL_ARTIFACT,
  SIGNAL_NO_CONTACT,
  SIGNAL_OK,
} from "./signal-quality.js";

/** In contact while the (inverted) sample is at most this: the raw count at least CONTACT_RAW_COUNTS_MIN. */
const CONTACT_X_MAX = SENSOR_FULL_SCALE_COUNTS - CONTACT_RAW_COUNTS_MIN;

const FAULT_DETECTOR = 30;

const INPUT_ABS_MAX = 8388608; // 2^23: inputs are clamped so every sum below fits in 2^31
const INPUT_ABS_MAX_LESS_1 = INPUT_ABS_MAX - 1;
const HIST_CAPACITY = 128; // samples of smoothed signal kept: 1.28 s at 100 Hz
// A power of two, so `index & HIST_MASK` is the slot of any index below 2^53 (2^32 is a
// multiple of the capacity, so even the 32-bit wrap of & keeps the slot right).
const HIST_MASK = HIST_CAPACITY - 1;
assert((HIST_CAPACITY & HIST_MASK) === 0, FAULT_DETECTOR);
const SLOPE_SPAN_MS = 40; // slope measured over this span
const SSF_WINDOW_MS = 120; // slope-sum window: about the duration of an upstroke
const LEARN_MS = 2000; // initial level learning
const SEARCH_MS_MAX = 400; // longest wait for the systolic peak after the threshold crossing
const TROUGH_BACK_MS = 300; // the pulse foot is searched this far back from the crossing
const LEVEL_DECAY_AFTER_MS = 3000; // without beats, the level decays after this long
const NEVER_MS = 9007199254740991; // a sample time never reached (2^53 - 1 ms)
// A gap of 3 s without a beat (the ring loose, seeing no pulse, or a flat output) says
// the level no longer describes a pulse: the next upstroke starts learning it afresh, as
// after a bad stretch, so neither the decayed level (dicrotic waves taken for beats) nor one
// learned from noise carries over to the pulses that return.
// Until then, an upstroke must reach 1/4 of the last pulses' level to start the learning
// (sensor noise on a loose ring stays below it; a weaker fit's pulses do not), and that
// memory falls 1/16 per second without beats (halves in 11 s), so a ring put back with a
// much weaker coupling is followed too.
const DICROTIC_FRACTION_X100 = 75; // candidates before 0.75 x expected IBI ...
const DICROTIC_SSF_X100 = 60; // ... need an upstroke of at least 0.6 x the level
const SLOPE_MAX = 4194304; // 2^22
const EXPECTED_IBI_MS_DEFAULT = 667;
const LEARN_BEATS = 3; // the first beats ...
const LEARN_SSF_X100 = 50; // ... need an upstroke of at least half the level

export const BEAT_NONE = 0;
export const BEAT_FOUND = 1;

// Configuration derived from the sample rate at boot.
let period_ms = 0;
let slope_span = 0; // samples
let ssf_window = 0; // samples
let search_max = 0; // samples
let trough_back = 0; // samples

// Signal history: raw x. The smoothed p (p = x[n-2] + 2 x[n-1] + x[n], centred on n-1) is
// kept for the last slope_span samples only, in p_prev1..p_prev4 (p_prev1 the latest), which
// the slope reads; the pulse foot's search computes older ones from hist_x.
let hist_x = new Int32Array(HIST_CAPACITY);
const SLOPE_SPAN_MAX = 4; // p_prev1..p_prev4
let p_prev1 = 0;
let p_prev2 = 0;
let p_prev3 = 0;
let p_prev4 = 0;
// Positive slopes are needed for the slope-sum window only (3, 6 and 12 samples at 25, 50
// and 100 Hz): slope_w1 the latest, in locals during a run (detector_run's window line).
const SSF_WINDOW_MAX = 12;
let slope_w1 = 0;
let slope_w2 = 0;
let slope_w3 = 0;
let slope_w4 = 0;
let slope_w5 = 0;
let slope_w6 = 0;
let slope_w7 = 0;
let slope_w8 = 0;
let slope_w9 = 0;
let slope_w10 = 0;
let slope_w11 = 0;
let slope_w12 = 0;
let sample_index = 0; // samples seen since boot
let x_prev1 = 0; // x[n-1] and x[n-2]: the smoothing reads them from here, not from hist_x
let x_prev2 = 0;

// Detector state.
let ssf = 0;
let level_x16 = 0; // running SSF level of accepted beats, x16 (< 2^29.6)
let ssf_learn_max = 0;
let searching = false;
let armed = true; // a threshold crossing may start a search
let search_start = 0; // sample index of the threshold crossing
let search_ssf_max = 0;
let search_foot = 0; // lowest smoothed value before the upstroke
let learn_until_ms = 0; // level learning (at boot and after a bad stretch) runs until then
let relearn_pending = false;
let peak_index = 0; // index (of p's centre) of the running maximum
let peak_value = 0;
let last_beat_ms = -1;
let last_level_decay_ms = 0;
let ibi_expected_ms = 0;
let last_dt_ms = 0;
let beats_accepted = 0;
let pulse_level_x16 = 0; // the level at the last beat past learning, fading while none come

// Beats found wait in a small queue: while the level is being learned (at boot and after
// a bad stretch) they are held, and only those whose upstroke reaches half the learned
// level are released when learning ends, so a dicrotic wave seen before the first
// systolic peak is not reported. Outside learning, beats are released at once.
export const PENDING_CAPACITY = 8; // 2 s of learning holds at most 7.4 beats at 220 bpm
const pending_time_ms = new Int32Array(PENDING_CAPACITY);
const pending_amplitude = new Int32Array(PENDING_CAPACITY);
const pending_ssf = new Int32Array(PENDING_CAPACITY);
let pending_count = 0;
/** Beats released and not yet taken by detector_next_beat (the first ready_count pending entries). */
export let ready_count = 0;

// The beat taken by the last detector_next_beat call.
export let beat_time_ms = 0;
export let beat_amplitude = 0;
export let beat_ssf_ratio_x100 = 0; // this beat's upstroke relative to the level

// Signal quality (dsp/signal-quality.ts), run inside detector_run.
let baseline_x16 = 0; // slow baseline of the input, x16 (|x| <= 2^23 -> |x16| <= 2^27)
let baseline_shift = 0; // EMA shift: time constant 2^shift samples, about 1.3 s at every rate
let amp_ref = 0; // pulse amplitude of recent beats, input units; 0 = unknown
let hold_until_ms = -1;
let beats_seen = 0; // beats since the amplitude was last forgotten
let settled_after_ms = 0; // the baseline is trusted from then on (about 3 time constants)
let flat_since_ms = 0; // since when the sample has not changed
/** The signal state of the last sample: SIGNAL_OK, SIGNAL_ARTIFACT or SIGNAL_NO_CONTACT. */
export let sq_state = SIGNAL_OK;

// The sensor's convention, set by the platform before boot and kept across boots: false
// when samples are the AFE's inverted channel (pulse peaks up), true when they are raw
// photodiode counts (the pulse lowers them; off the skin they fall towards the ambient
// floor). Raw counts are turned into the inverted channel on entry, so every level below
// (contact, baseline, slopes) has one meaning.
let raw_counts = false;

/** The sensor reports raw photodiode counts (true) or its inverted channel (false, the default). */
export function detector_set_raw_counts(raw: boolean): void {
  raw_counts = raw;
}

export function detector_boot(sample_rate_hz: number): void {
  assert(sample_rate_supported(sample_rate_hz), FAULT_DETECTOR);
  period_ms = div_floor(1000, sample_rate_hz);
  slope_span = Math.max(1, div_floor(SLOPE_SPAN_MS, period_ms));
  ssf_window = Math.max(2, div_floor(SSF_WINDOW_MS + div_floor(period_ms, 2), period_ms));
  search_max = div_floor(SEARCH_MS_MAX, period_ms);
  trough_back = div_floor(TROUGH_BACK_MS, period_ms);
  assert(search_max + trough_back + ssf_window + 4 < HIST_CAPACITY, FAULT_DETECTOR);
  // The slope's span and the slope sum's window: 1 and 3, 2 and 6 or 4 and 12 samples
  // (detector_run's delay lines have these three).
  assert(
    (slope_span === 1 && ssf_window === 3) || (slope_span === 2 && ssf_window === 6) ||
      (slope_span === SLOPE_SPAN_MAX && ssf_window === SSF_WINDOW_MAX),
    FAULT_DETECTOR,
  );
  for (let i = 0; i < HIST_CAPACITY; i++) hist_x[i] = 0;
  slope_w1 = 0;
  slope_w2 = 0;
  slope_w3 = 0;
  slope_w4 = 0;
  slope_w5 = 0;
  slope_w6 = 0;
  slope_w7 = 0;
  slope_w8 = 0;
  slope_w9 = 0;
  slope_w10 = 0;
  slope_w11 = 0;
  slope_w12 = 0;
  p_prev1 = 0;
  p_prev2 = 0;
  p_prev3 = 0;
  p_prev4 = 0;
  baseline_shift = sample_rate_hz === 25 ? 5 : sample_rate_hz === 50 ? 6 : 7;
  baseline_x16 = 0;
  amp_ref = 0;
  beats_seen = 0;
  settled_after_ms = 0;
  hold_until_ms = -1;
  flat_since_ms = 0;
  sq_state = SIGNAL_OK;
  sample_index = 0;
  x_prev1 = 0;
  x_prev2 = 0;
  ssf = 0;
  search_foot = 0;
  learn_until_ms = LEARN_MS;
  relearn_pending = false;
  level_x16 = 0;
  ssf_learn_max = 0;
  searching = false;
  armed = true;
  search_start = 0;
  search_ssf_max = 0;
  peak_index = 0;
  peak_value = 0;
  last_beat_ms = -1;
  last_level_decay_ms = 0;
  ibi_expected_ms = 0;
  last_dt_ms = 0;
  beats_accepted = 0;
  pulse_level_x16 = 0;
  pending_count = 0;
  ready_count = 0;
  beat_time_ms = 0;
  beat_amplitude = 0;
  beat_ssf_ratio_x100 = 0;
}

/**
 * Called by detector_run after a sample that released a beat, in a run that began in a good
 * signal, with the block index after that sample: the pipeline takes the beat there (its
 * interval feeds back through detector_set_expected_ibi) and the run goes on with the next
 * sample, as a new run would (a run's set-up costs more than the call). null: the run returns
 * after the beat instead.
 */
let beat_hook: ((next: number) => void) | null = null;

export function detector_beat_hook_set(hook: ((next: number) => void) | null): void {
  beat_hook = hook;
}

/** The interval the detector expects next (ms), fed back by the interval stage; 0 = unknown. */
export function detector_set_expected_ibi(ibi_ms: number): void {
  ibi_expected_ms = ibi_ms < 0 ? 0 : ibi_ms > 3000 ? 3000 : ibi_ms; // clamp(), written out (per beat)
}

/**
 * Process the samples buf[from..to) in order, activity_mg the IMU's activity figure for
 * them (read once per sensor interrupt); returns the index after the last one processed.
 * It stops early after a sample that released a beat (ready_count > 0: the caller takes
 * it with detector_next_beat, and the interval it yields feeds back through
 * detector_set_expected_ibi before the next sample) or changed sq_state; with a beat hook
 * set, a run that began in a good signal calls it for the beat instead and goes on.
 *
 * One call per FIFO block rather than per sample, with the signal quality tests written
 * in: on an interpreter a call costs more than a sample's arithmetic, and module state is
 * a lookup by name at every use, so the state the sample path reads lives in locals for
 * the run and is written back at its end (before finish_candidate, which reads some of
 * it, and read again after it); the rest is written through as it changes.
 */
export function detector_run(buf: Int32Array, from: number, to: number, activity_mg: number): number {
  const hx = hist_x;
  const span = slope_span;
  const window = ssf_window;
  const warm = span + window;
  const period = period_ms;
  const raw = raw_counts;
  const shift = baseline_shift;
  const moving = activity_mg > MOTION_MG_MAX; // IMU activity above this is motion
  let expected_ms = ibi_expected_ms; // set between runs and by the beat hook
  const state_in = sq_state;
  let st = state_in;
  let n = sample_index;
  let x1 = x_prev1;
  let x2 = x_prev2;
  // p at c - 1 .. c - span (c the sample the smoothing centres on) and the last window's
  // slopes (w1 the latest): only the rate's own are read and written back.
  let q1!: number;
  let q2!: number;
  let q3!: number;
  let q4!: number;
  let w1!: number;
  let w2!: number;
  let w3!: number;
  let w4!: number;
  let w5!: number;
  let w6!: number;
  let w7!: number;
  let w8!: number;
  let w9!: number;
  let w10!: number;
  let w11!: number;
  let w12!: number;
  if (span === 2) {
    q1 = p_prev1;
    q2 = p_prev2;
    w1 = slope_w1;
    w2 = slope_w2;
    w3 = slope_w3;
    w4 = slope_w4;
    w5 = slope_w5;
    w6 = slope_w6;
  } else if (span === 1) {
    q1 = p_prev1;
    w1 = slope_w1;
    w2 = slope_w2;
    w3 = slope_w3;
  } else {
    q1 = p_prev1;
    q2 = p_prev2;
    q3 = p_prev3;
    q4 = p_prev4;
    w1 = slope_w1;
    w2 = slope_w2;
    w3 = slope_w3;
    w4 = slope_w4;
    w5 = slope_w5;
    w6 = slope_w6;
    w7 = slope_w7;
    w8 = slope_w8;
    w9 = slope_w9;
    w10 = slope_w10;
    w11 = slope_w11;
    w12 = slope_w12;
  }
  let s = ssf;
  let base = baseline_x16;
  let flat_since = flat_since_ms;
  let decay_ms = last_level_decay_ms;
  let hold_until = hold_until_ms;
  let settled_after = settled_after_ms;
  let seen = beats_seen;
  let amp = amp_ref;
  let dev = ARTIFACT_DEV_X * amp; // the artifact test's bound: follows amp
  let ndev = -dev; // and its negative
  // The artifact test runs from this time on: the baseline settled, once AMPLITUDE_BEATS_MIN
  // beats have given the amplitude (NEVER_MS before). Follows seen and settled_after.
  let art_after = seen >= AMPLITUDE_BEATS_MIN ? settled_after : NEVER_MS;
  let relearn = relearn_pending;
  let srch = searching;
  let arm = armed;
  let ready = ready_count;
  // Read by every sample; changed by finish_candidate (read again after it) and below
  // (written through).
  let learn_until = learn_until_ms;
  let pend = pending_count;
  let level = level_x16;
  let last_beat = last_beat_ms;
  // A beat is late (the threshold drops) once 1.5 expected intervals have passed since the
  // last one: after this time, -1 while either is unknown. Follows last_beat.
  let late_after = expected_ms > 0 && last_beat >= 0 ? last_beat + ((expected_ms * 3) >> 1) : -1;
  // The level decays from this time on without a beat (LEVEL_DECAY_AFTER_MS after the
  // last one). Follows last_beat.
  let decay_after = last_beat + LEVEL_DECAY_AFTER_MS;
  // The detection threshold, 3/8 of the level, and the late one, 1/4 of it, or the same
  // while lateness is unknown (late_after -1: every time is past it). Follow level and
  // late_after, so a sample picks one with a single test.
  let thr = (level >> 3) * 3;
  let thr_late = late_after >= 0 ? level >> 2 : thr;
  let i = from;
  let stopped = 0; // 1: stopped after sample i (a beat released or the signal state changed)
  // After a sample in a good signal: stop when a beat is ready or the run began in a bad one
  // (the state changed). Follows ready.
  let stop_ok = ready > 0 || state_in !== SIGNAL_OK;
  // Learning, held beats and a fresh start are tested only before this time (NEVER_MS while
  // a fresh start or held beats wait, else learn_until): one test per sample when none is
  // due. Follows relearn, ready, pend and learn_until.
  let slow_until = relearn || ready < pend ? NEVER_MS : learn_until;
  // A sample above this is bad (no contact; while moving, every sample).
  const bad_above = moving ? -INPUT_ABS_MAX - 1 : CONTACT_X_MAX;
  // Each sample's input: the inverted channel, clamped (clamp(), written out; the tests
  // compare with INPUT_ABS_MAX - 1, the same result for integers, a literal in the bundle,
  // where 2^23 itself is a variable: engines/bundle.mjs). Written three times below.
  for (; i < to && n <= warm; i++) {
    // Start-up, the first warm + 1 samples: the histories fill (p from the third sample
    // on), no slope sum yet. A loop of its own, so a later sample pays no test for it.
    let x = raw ? SENSOR_FULL_SCALE_COUNTS - (buf[i] | 0) : buf[i] | 0;
    if (x < -INPUT_ABS_MAX_LESS_1) x = -INPUT_ABS_MAX;
    else if (x > INPUT_ABS_MAX_LESS_1) x = INPUT_ABS_MAX;
    if (n === 0) {
      prime_history(x);
      x1 = x;
      x2 = x;
      w1 = 0;
      w2 = 0;
      w3 = 0;
      w4 = 0;
      w5 = 0;
      w6 = 0;
      w7 = 0;
      w8 = 0;
      w9 = 0;
      w10 = 0;
      w11 = 0;
      w12 = 0;
    }
    hx[n & HIST_MASK] = x;
    if (n >= 2) {
      q4 = q3;
      q3 = q2;
      q2 = q1;
      q1 = x2 + 2 * x1 + x;
    }
    x2 = x1;
    x1 = x;
    n = n + 1;
  }
  if (n === warm + 1 && i < to) {
    // The next sample is the first past start-up (sample_index and this state are reset
    // together, at boot only): signal quality starts from it, its baseline at the sample and
    // its settling and flat times at its time (c = warm), as the sample itself then leaves them.
    let x = raw ? SENSOR_FULL_SCALE_COUNTS - (buf[i] | 0) : buf[i] | 0;
    if (x < -INPUT_ABS_MAX_LESS_1) x = -INPUT_ABS_MAX;
    else if (x > INPUT_ABS_MAX_LESS_1) x = INPUT_ABS_MAX;
    base = x * 16;
    settled_after = warm * period + SETTLE_MS;
    art_after = seen >= AMPLITUDE_BEATS_MIN ? settled_after : NEVER_MS;
    flat_since = warm * period;
  }
  // The time of the sample the smoothing centres on (c = n - 2 after a sample), kept by
  // adding the period.
  let now_ms = (n - 2) * period;
  let d = 0; // the slope (declared here: no per-sample initialisation)
  for (; i < to; i++) {
    let x = raw ? SENSOR_FULL_SCALE_COUNTS - buf[i] : buf[i]; // (an Int32Array: integers)
    if (x < -INPUT_ABS_MAX_LESS_1) x = -INPUT_ABS_MAX;
    else if (x > INPUT_ABS_MAX_LESS_1) x = INPUT_ABS_MAX;
    const prev = x1;
    hx[n & HIST_MASK] = x;
    // Smoothed value centred on c = n - 1 (before n moves on); |p| <= 2^25.
    const p = x2 + 2 * prev + x;
    x2 = prev;
    x1 = x;
    // Positive slope, clamped, and its running sum over the window (<= 12 * 2^22 = 2^25.6),
    // so the level (16 x the sum, < 2^29.6) and twice it stay 32-bit. The slope's p from
    // span samples back comes from the delay line in locals (a typed-array access costs
    // several bytecodes' worth on an interpreter), and so do the window's slopes: one
    // branch per rate (span and window are 2 and 6 samples at 50 Hz, 1 and 3 at 25 Hz, 4
    // and 12 at 100 Hz).
    if (span === 2) {
      d = p - q2;
      q2 = q1;
      q1 = p;
      if (d < 0) d = 0;
      else if (d > SLOPE_MAX) d = SLOPE_MAX;
      s = s + d - w6;
      w6 = w5;
      w5 = w4;
      w4 = w3;
      w3 = w2;
      w2 = w1;
      w1 = d;
    } else if (span === 1) {
      d = p - q1;
      q1 = p;
      if (d < 0) d = 0;
      else if (d > SLOPE_MAX) d = SLOPE_MAX;
      s = s + d - w3;
      w3 = w2;
      w2 = w1;
      w1 = d;
    } else {
      d = p - q4;
      q4 = q3;
      q3 = q2;
      q2 = q1;
      q1 = p;
      if (d < 0) d = 0;
      else if (d > SLOPE_MAX) d = SLOPE_MAX;
      s = s + d - w12;
      w12 = w11;
      w11 = w10;
      w10 = w9;
      w9 = w8;
      w8 = w7;
      w7 = w6;
      w6 = w5;
      w5 = w4;
      w4 = w3;
      w3 = w2;
      w2 = w1;
      w1 = d;
    }
    n = n + 1;
    now_ms = now_ms + period; // c * period

    // Signal quality: contact, motion, flat, artifact (dsp/signal-quality.ts); it started
    // with the first sample past start-up (above the loop).
    // A real PPG (with sensor noise) never holds one value 1 s: flat is x === prev and
    // now_ms - flat_since >= 1000, tested last (rarely reached). flat_since is the time of
    // the last sample that differed from the one before it, kept only where it is read (x ===
    // prev): the previous sample when it differed from its own predecessor (p === 4 x says
    // it did not); the start-up's time, which the first sample may follow, stays.
    if (x === prev && p !== 4 * x && now_ms - period > flat_since) flat_since = now_ms - period;
    base = base + ((x * 16 - base) >> shift);
    if (x > bad_above || (x === prev && now_ms - flat_since >= 1000)) {
      const flat = x === prev && now_ms - flat_since >= 1000;
      // Off the skin, pinned or moving, the baseline and the pulse amplitude mean nothing:
      // both start afresh from where the signal is when it is good again. No contact and a
      // pinned value take the full hold (the step back from a pinned value is no pulse);
      // motion a short one: the IMU says exactly when it stops, the hold covers its 200 ms.
      base = x * 16;
      settled_after = now_ms + SETTLE_MS;
      amp = 0;
      dev = 0;
      ndev = 0;
      seen = 0;
      art_after = NEVER_MS;
      let hold_ms = HOLD_MS;
      if (x > CONTACT_X_MAX) {
        st = SIGNAL_NO_CONTACT;
      } else {
        st = SIGNAL_ARTIFACT;
        if (!flat) hold_ms = MOTION_HOLD_MS;
      }
      if (now_ms + hold_ms > hold_until) hold_until = now_ms + hold_ms;
    } else {
      // In contact and still: an artifact is a sample too far from the baseline for the
      // pulse amplitude, once a few beats have given it.
      // (|x - (base >> 4)| > ARTIFACT_DEV_X * amp, as two comparisons, before the time: in a
      // good signal they are false.) The hold ends the state only when it is not good already.
      const dx = x - (base >> 4);
      if ((dx > dev || dx < ndev) && now_ms >= art_after) {
        if (now_ms + HOLD_MS > hold_until) hold_until = now_ms + HOLD_MS;
        st = SIGNAL_ARTIFACT;
      } else if (st !== SIGNAL_OK && now_ms >= hold_until) {
        st = SIGNAL_OK;
      }
    }
    if (st !== SIGNAL_OK) {
      // No contact or an artifact: no beats now, and a fresh start once it is over.
      srch = false;
      relearn = true;
      slow_until = NEVER_MS;
      if (st !== state_in) {
        stopped = 1;
        break;
      }
      continue;
    }
    if (now_ms < slow_until) {
      if (relearn) {
        // After a bad stretch: learn the level again as at boot, from the first clean seconds.
        relearn = false;
        learn_until = now_ms + LEARN_MS;
        learn_until_ms = learn_until;
        ssf_learn_max = 0;
        beats_accepted = 0;
        last_beat = -1;
        last_beat_ms = -1;
        late_after = -1;
        decay_after = LEVEL_DECAY_AFTER_MS - 1;
        thr_late = thr;
        last_dt_ms = 0;
        base = x * 16;
        settled_after = now_ms + SETTLE_MS;
        amp = 0;
        dev = 0;
        ndev = 0;
        seen = 0;
        art_after = NEVER_MS;
      }
      if (ready < pend && now_ms >= learn_until) {
        // Learning is over: keep the held beats whose upstroke reaches half the learned level.
        let kept = ready;
        for (let k = ready; k < pend; k++) {
          if (pending_ssf[k] * 16 * 100 < level * LEARN_SSF_X100) continue;
          pending_time_ms[kept] = pending_time_ms[k];
          pending_amplitude[kept] = pending_amplitude[k];
          pending_ssf[kept] = pending_ssf[k];
          kept = kept + 1;
        }
        pending_count = kept;
        pend = kept;
        ready_count = kept;
        ready = kept;
        stop_ok = ready > 0 || state_in !== SIGNAL_OK;
      }
      if (now_ms < learn_until) {
        // While learning, the level is the largest upstroke so far, so the first pulse is
        // found on its own upstroke and a dicrotic wave after it falls below the bar.
        if (s > ssf_learn_max) ssf_learn_max = s;
        level = ssf_learn_max * 16;
        if (level < 16) level = 16;
        level_x16 = level;
        thr = (level >> 3) * 3;
        thr_late = late_after >= 0 ? level >> 2 : thr;
        decay_ms = now_ms;
      }
      slow_until = ready < pend ? NEVER_MS : learn_until; // relearn is false here
    }
    // Let the level fall 1/8 per second once neither beats nor artifacts have been seen for
    // a while (the amplitude may have dropped); the detection threshold is 3/8 of the level,
    // or 1/4 after 1.5 expected intervals without a beat.
    // decay_ms is the time of the last good sample before decay_after, or of the last decay,
    // or of the last learning sample: set where it is read (from decay_after on), as the
    // previous sample's time when that was before decay_after (a good sample before it, or
    // learning, which set it already).
    if (now_ms >= decay_after) {
      if (now_ms - period < decay_after && decay_ms < now_ms - period) decay_ms = now_ms - period;
      if (now_ms - decay_ms >= 1000) {
        level = level - (level >> 3);
        if (level < 16) level = 16;
        level_x16 = level;
        thr = (level >> 3) * 3;
        thr_late = late_after >= 0 ? level >> 2 : thr;
        pulse_level_x16 = pulse_level_x16 - (pulse_level_x16 >> 4);
        decay_ms = now_ms;
      }
    }
    if (!srch) {
      // Late (since the last beat * 2 > expected_ms * 3): the lower threshold.
      const threshold_x16 = now_ms > late_after ? thr_late : thr;
      // Re-arm once the slope sum has fallen below half the threshold: one upstroke, one
      // search, whatever the heart rate (a fixed refractory time would start searches late
      // at 200 bpm and walk over the next peak). A sample that re-arms does not cross (s >= 0:
      // below half the threshold is not above it).
      if (!arm) {
        if (s * 32 < threshold_x16) arm = true;
      } else if (s * 16 > threshold_x16) {
        let start = true;
        if (now_ms - (last_beat > learn_until ? last_beat : learn_until) >= 3000) {
          // The first upstroke after a long gap: learn the level from it and what follows.
          if (s * 16 < pulse_level_x16 >> 2) {
            start = false;
          } else {
            learn_until = now_ms + LEARN_MS;
            learn_until_ms = learn_until;
            slow_until = ready < pend ? NEVER_MS : learn_until;
            ssf_learn_max = s;
            level = s * 16 > 16 ? s * 16 : 16;
            level_x16 = level;
            beats_accepted = 0;
            last_beat = -1;
            last_beat_ms = -1;
            late_after = -1;
            decay_after = LEVEL_DECAY_AFTER_MS - 1;
            thr = (level >> 3) * 3;
            thr_late = thr;
            last_dt_ms = 0;
          }
        }
        if (start) {
          const c = n - 2;
          arm = false;
          srch = true;
          search_start = c;
          search_ssf_max = s;
          peak_index = c;
          peak_value = p;
          // The pulse foot: the lowest smoothed value in the TROUGH_BACK_MS before the upstroke,
          // p[k] = x[k - 1] + 2 x[k] + x[k + 1] from the raw history (x[c + 1] is this sample),
          // one read per k walking back.
          let foot = p;
          let first = c - trough_back;
          if (first < 2) first = 2;
          let xa = x; // x[k + 1]
          let xb = prev; // x[k]
          for (let k = c; k >= first; k--) {
            const xc = hx[(k - 1) & HIST_MASK];
            const v = xc + 2 * xb + xa;
            if (v < foot) foot = v;
            xa = xb;
            xb = xc;
          }
          search_foot = foot;
        }
      }
    } else {
      const c = n - 2;
      if (s > search_ssf_max) search_ssf_max = s;
      let peak = peak_value;
      let peak_at = peak_index;
      if (p > peak) {
        peak = p;
        peak_at = c;
        peak_value = p;
        peak_index = c;
      }
      const confirmed = c > peak_at && (peak - p) * 8 > peak - search_foot;
      if (confirmed || c - search_start >= search_max) {
        srch = false;
        // finish_candidate reads and updates the beat count and amplitude (the signal quality part at its end).
        beats_seen = seen;
        amp_ref = amp;
        finish_candidate(c, search_foot);
        seen = beats_seen;
        amp = amp_ref;
        dev = ARTIFACT_DEV_X * amp;
        ndev = -dev;
        art_after = seen >= AMPLITUDE_BEATS_MIN ? settled_after : NEVER_MS;
        ready = ready_count;
        stop_ok = ready > 0 || state_in !== SIGNAL_OK;
        pend = pending_count;
        slow_until = relearn || ready < pend ? NEVER_MS : learn_until;
        level = level_x16;
        last_beat = last_beat_ms;
        late_after = expected_ms > 0 && last_beat >= 0 ? last_beat + ((expected_ms * 3) >> 1) : -1;
        decay_after = last_beat + LEVEL_DECAY_AFTER_MS;
        thr = (level >> 3) * 3;
        thr_late = late_after >= 0 ? level >> 2 : thr;
      }
    }
    if (stop_ok) {
      // (st is SIGNAL_OK here: st !== state_in is state_in !== SIGNAL_OK)
      const hook = beat_hook;
      if (hook === null || state_in !== SIGNAL_OK) {
        stopped = 1;
        break;
      }
      // A beat was released in a good run: the pipeline takes it now. It changes only the
      // released beats and the expected interval (the rest of the state it reads is written
      // through, and sq_state is state_in, which st equals), read again after it.
      hook(i + 1);
      ready = ready_count;
      pend = pending_count;
      slow_until = relearn || ready < pend ? NEVER_MS : learn_until;
      stop_ok = ready > 0;
      expected_ms = ibi_expected_ms;
      late_after = expected_ms > 0 && last_beat >= 0 ? last_beat + ((expected_ms * 3) >> 1) : -1;
      thr_late = late_after >= 0 ? level >> 2 : thr;
    }
  }
  sample_index = n;
  x_prev1 = x1;
  x_prev2 = x2;
  if (span === 2) {
    p_prev1 = q1;
    p_prev2 = q2;
    slope_w1 = w1;
    slope_w2 = w2;
    slope_w3 = w3;
    slope_w4 = w4;
    slope_w5 = w5;
    slope_w6 = w6;
  } else if (span === 1) {
    p_prev1 = q1;
    slope_w1 = w1;
    slope_w2 = w2;
    slope_w3 = w3;
  } else {
    p_prev1 = q1;
    p_prev2 = q2;
    p_prev3 = q3;
    p_prev4 = q4;
    slope_w1 = w1;
    slope_w2 = w2;
    slope_w3 = w3;
    slope_w4 = w4;
    slope_w5 = w5;
    slope_w6 = w6;
    slope_w7 = w7;
    slope_w8 = w8;
    slope_w9 = w9;
    slope_w10 = w10;
    slope_w11 = w11;
    slope_w12 = w12;
  }
  ssf = s;
  baseline_x16 = base;
  flat_since_ms = flat_since;
  last_level_decay_ms = decay_ms;
  hold_until_ms = hold_until;
  settled_after_ms = settled_after;
  beats_seen = seen;
  amp_ref = amp;
  relearn_pending = relearn;
  searching = srch;
  armed = arm;
  sq_state = st;
  return i + stopped;
}

/** Fill the history with the first sample, so the DC level does not look like an upstroke. */
function prime_history(x: number): void {
  for (let i = 0; i < HIST_CAPACITY; i++) hist_x[i] = x;
}

function finish_candidate(c: number, foot: number): number {
  // The smoothed signal found the peak's neighbourhood; its time comes from the raw
  // samples, whose band-limited shape keeps the peak where it is (smoothing an
  // asymmetric pulse would pull it towards the slower, falling side).
  let m = peak_index;
  if (hist_x[(m - 1) & HIST_MASK] > hist_x[m & HIST_MASK]) m = m - 1;
  else if (m + 1 <= c && hist_x[(m + 1) & HIST_MASK] > hist_x[m & HIST_MASK]) m = m + 1;
  const top = hist_x[m & HIST_MASK];
  // Extent of a flat (clipped) top around the maximum.
  let a = m;
  let b = m;
  for (let i = 0; i < search_max && a - 1 > search_start - trough_back && hist_x[(a - 1) & HIST_MASK] === top; i++) a = a - 1;
  for (let i = 0; i < search_max && b + 1 <= c && hist_x[(b + 1) & HIST_MASK] === top; i++) b = b + 1;
  // The peak time in samples x256 is t_x256; t_ms = floor((t_x256 * period_ms + 128) / 256).
  let t_ms: number;
  if (b > a) {
    t_ms = Math.floor(((a + b) * 128 * period_ms + 128) / 256);
  } else {
    const y0 = hist_x[(m - 1) & HIST_MASK];
    const y2 = m + 1 <= c ? hist_x[(m + 1) & HIST_MASK] : y0;
    const den = y0 - 2 * top + y2; // < 0 at a strict maximum
    let frac_x256 = 0;
    if (den < 0) {
      frac_x256 = Math.floor(((y0 - y2) * 128) / den);
      if (frac_x256 < -128) frac_x256 = -128; // clamp(), written out (per beat)
      else if (frac_x256 > 128) frac_x256 = 128;
    }
    // t_x256 = m * 256 + frac_x256: the whole samples' part is exact, the fraction's
    // (|frac_x256 * period_ms| <= 5120) floors by a shift, without Math.floor's call.
    t_ms = m * period_ms + ((frac_x256 * period_ms + 128) >> 8);
  }
  const ratio_x100 = Math.floor((search_ssf_max * 1600) / (level_x16 > 16 ? level_x16 : 16)); // Math.max(16, level), written out
  // Until the rhythm is known, only strong upstrokes count; a candidate too soon after the
  // last beat is a dicrotic wave unless its upstroke is strong; none comes within
  // BEAT_SPACING_MS_MIN.
  if (beats_accepted < LEARN_BEATS && ratio_x100 < LEARN_SSF_X100) return BEAT_NONE;
  if (last_beat_ms >= 0) {
    const dt = t_ms - last_beat_ms;
    // Before any interval is known, assume 90 bpm: a dicrotic wave 250..450 ms after a
    // peak then still needs a strong upstroke.
    const expected_ms = ibi_expected_ms > 0 ? ibi_expected_ms : last_dt_ms > 0 ? last_dt_ms : EXPECTED_IBI_MS_DEFAULT;
    if (dt < BEAT_SPACING_MS_MIN) return BEAT_NONE;
    if (expected_ms > 0 && dt * 100 < expected_ms * DICROTIC_FRACTION_X100 && ratio_x100 < DICROTIC_SSF_X100) return BEAT_NONE;
  }
  // Level follows accepted beats; one huge upstroke (motion) moves it at most to twice itself.
  // But an upstroke four times the level is the pulse grown (a loose ring seated again;
  // motion never gets here, signal quality holds it back): the level jumps to it, or it
  // would lag for a dozen beats with a threshold low enough to take dicrotic waves for beats.
  if (search_ssf_max * 16 >= level_x16 * 4) {
    level_x16 = search_ssf_max * 16;
  } else {
    const capped_x16 = search_ssf_max * 16 < level_x16 * 2 ? search_ssf_max * 16 : level_x16 * 2;
    level_x16 = level_x16 + ((capped_x16 - level_x16) >> 3);
  }
  if (last_beat_ms >= 0) last_dt_ms = t_ms - last_beat_ms;
  last_beat_ms = t_ms;
  beats_accepted = beats_accepted + 1;
  if (t_ms >= learn_until_ms) {
    // Remembered from beats past learning only: a step learned as the level is not a pulse.
    pulse_level_x16 = level_x16;
  }
  const amplitude = peak_value - foot > 0 ? (peak_value - foot) >> 2 : 0;
  // Signal quality's beat count and reference amplitude (written here: two calls per beat;
  // amplitude >= 0, so its clamp is the upper bound alone). The reference rises fast and
  // falls slowly: one weak beat (or a dicrotic wave taken for one) must not make every real
  // pulse look like an artifact.
  const amp_in = amplitude > 8388608 ? 8388608 : amplitude;
  beats_seen = beats_seen + 1;
  if (amp_in > amp_ref) amp_ref = amp_ref + ((amp_in - amp_ref + 1) >> 1);
  else amp_ref = amp_ref - ((amp_ref - amp_in) >> 4);
  if (pending_count === PENDING_CAPACITY) return BEAT_NONE; // cannot happen at <= 220 bpm
  pending_time_ms[pending_count] = t_ms;
  pending_amplitude[pending_count] = amplitude;
  pending_ssf[pending_count] = search_ssf_max;
  pending_count = pending_count + 1;
  if (t_ms >= learn_until_ms) ready_count = pending_count;
  return ready_count > 0 ? BEAT_FOUND : BEAT_NONE;
}

/** Take the oldest released beat into the beat_* exports; BEAT_NONE when there is none. */
export function detector_next_beat(): number {
  if (ready_count === 0) return BEAT_NONE;
  beat_time_ms = pending_time_ms[0];
  beat_amplitude = pending_amplitude[0];
  beat_ssf_ratio_x100 = Math.floor((pending_ssf[0] * 1600) / (level_x16 > 16 ? level_x16 : 16));
  for (let i = 1; i < pending_count; i++) {
    pending_time_ms[i - 1] = pending_time_ms[i];
    pending_amplitude[i - 1] = pending_amplitude[i];
    pending_ssf[i - 1] = pending_ssf[i];
  }
  pending_count = pending_count - 1;
  ready_count = ready_count - 1;
  return BEAT_FOUND;
}

