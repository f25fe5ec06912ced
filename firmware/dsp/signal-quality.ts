// Signal quality ahead of beat detection: is the ring on the skin, and is the signal a
// pulse or an artifact? Three cheap per-sample tests:
//  - contact: the photodiode sees almost no reflected light off the skin, so the raw
//    count (full scale minus the inverted channel the detector reads) falls below a
//    proximity floor, as AFE proximity modes decide it;
//  - artifact: the signal strays from its 1.3 s baseline by several times the pulse
//    amplitude of recent beats (motion, a contact change, a gain step);
//  - motion: the IMU reports activity well above its resting noise;
//  - flat: the sample has not changed for 1 s (an AFE stuck, or a photodiode pinned
//    at full scale by ambient light): no pulse, and the step when it lets go is none either.
//    (Clinical display waveforms hold a value for a few hundred ms at most: CapnoBase.)
// While either holds (and for HOLD_MS after), the detector reports no beats and then
// relearns its level from the clean signal.

import { assert } from "../lib/assert.js";
import { clamp } from "../lib/imath.js";
import { CONTACT_RAW_COUNTS_MIN, SENSOR_FULL_SCALE_COUNTS, sample_rate_supported } from "../config.js";

const FAULT_SQ = 35;

export const SIGNAL_OK = 0;
export const SIGNAL_ARTIFACT = 1;
export const SIGNAL_NO_CONTACT = 2;

const HOLD_MS = 1000; // a bad stretch is extended this long after it ends
const MOTION_HOLD_MS = 300; // ... or this long when the IMU reported it
const ARTIFACT_DEV_X = 5;
const SETTLE_MS = 4000; // baseline time constant 1.3 s: within 5% of a step after 4 s
const MOTION_ACTIVITY_MG_MAX = 40; // IMU activity above this is motion (rest stays near 10 mg)
const AMPLITUDE_BEATS_MIN = 3; // the artifact test waits for this many beats to know the pulse // deviation from the baseline, in pulse amplitudes, that is an artifact

let baseline_x16 = 0; // slow baseline of the input, x16 (|x| <= 2^23 -> |x16| <= 2^27)
let baseline_shift = 0; // EMA shift: time constant 2^shift samples, about 1.3 s at every rate
let amp_ref = 0; // pulse amplitude of recent beats, input units; 0 = unknown
let hold_until_ms = -1;
let primed = false;
let beats_seen = 0; // beats since the amplitude was last forgotten
let motion_mg = 0; // the IMU's latest activity figure
let settled_after_ms = 0; // the baseline is trusted from then on (about 3 time constants)
let flat_since_ms = 0; // since when the sample has not changed

export let sq_state = SIGNAL_OK;

/** The IMU's activity figure (mg), read once per sensor interrupt. */
export function sq_set_motion(activity_mg: number): void {
  // clamp(activity_mg, 0, 100000), written out: once per sensor interrupt.
  motion_mg = activity_mg < 0 ? 0 : activity_mg > 100000 ? 100000 : activity_mg;
}

export function sq_boot(sample_rate_hz: number): void {
  assert(sample_rate_supported(sample_rate_hz), FAULT_SQ);
  baseline_shift = sample_rate_hz === 25 ? 5 : sample_rate_hz === 50 ? 6 : 7;
  baseline_x16 = 0;
  amp_ref = 0;
  beats_seen = 0;
  motion_mg = 0;
  settled_after_ms = 0;
  hold_until_ms = -1;
  flat_since_ms = 0;
  primed = false;
  sq_state = SIGNAL_OK;
}

/** A beat was accepted with this amplitude (input units): the reference follows it. */
export function sq_on_beat(amplitude: number): void {
  const a = clamp(amplitude, 0, 8388608);
  beats_seen = beats_seen + 1;
  // Rises fast, falls slowly: one weak beat (or a dicrotic wave taken for one) must not
  // make every real pulse look like an artifact.
  if (a > amp_ref) amp_ref = amp_ref + ((a - amp_ref + 1) >> 1);
  else amp_ref = amp_ref - ((amp_ref - a) >> 4);
}

/**
 * After a bad stretch: the baseline absorbed the swings or the contact step, and the
 * pulse amplitude may have changed. Start both afresh from sample x.
 */
export function sq_restart(x: number, now_ms: number): void {
  baseline_x16 = x * 16;
  settled_after_ms = now_ms + SETTLE_MS;
  amp_ref = 0;
  beats_seen = 0;
}

/** Classify one sample (clamped input) at now_ms, `same` when it equals the previous one; returns and stores the state. */
export function sq_push(x: number, now_ms: number, same: boolean): number {
  if (!primed) {
    baseline_x16 = x * 16;
    settled_after_ms = now_ms + SETTLE_MS;
    flat_since_ms = now_ms;
    primed = true;
  }
  // A real PPG (with sensor noise) never holds one value 1 s.
  let flat = false;
  if (same) flat = now_ms - flat_since_ms >= 1000;
  else flat_since_ms = now_ms;
  const base_x16 = baseline_x16 + ((x * 16 - baseline_x16) >> baseline_shift);
  baseline_x16 = base_x16;
  let bad = SIGNAL_OK;
  let hold_ms = HOLD_MS;
  const contact = SENSOR_FULL_SCALE_COUNTS - x >= CONTACT_RAW_COUNTS_MIN;
  const moving = motion_mg > MOTION_ACTIVITY_MG_MAX;
  // Off the skin or moving, the baseline and the pulse amplitude mean nothing: both
  // start afresh from where the signal is when it is good again.
  if (!contact || moving || flat) sq_restart(x, now_ms);
  if (!contact) {
    bad = SIGNAL_NO_CONTACT;
  } else if (flat) {
    bad = SIGNAL_ARTIFACT; // the full hold: the step back from a pinned value is no pulse
  } else if (moving) {
    // The IMU says exactly when motion stops: a short hold covers its 200 ms window.
    bad = SIGNAL_ARTIFACT;
    hold_ms = MOTION_HOLD_MS;
  } else if (beats_seen >= AMPLITUDE_BEATS_MIN && now_ms >= settled_after_ms) {
    let dev = x - (base_x16 >> 4);
    if (dev < 0) dev = -dev;
    if (dev > ARTIFACT_DEV_X * amp_ref) bad = SIGNAL_ARTIFACT;
  }
  if (bad !== SIGNAL_OK) {
    hold_until_ms = Math.max(hold_until_ms, now_ms + hold_ms);
    sq_state = bad;
    return bad;
  }
  if (now_ms >= hold_until_ms) {
    sq_state = SIGNAL_OK;
    return SIGNAL_OK;
  }
  return sq_state;
}
