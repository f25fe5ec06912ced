// Firmware-wide limits. Every buffer is sized from these at boot; the relations between
// them are asserted once, when the module loads.

import { assert } from "./lib/assert.js";

export const FW_VERSION_MAJOR = 0;
export const FW_VERSION_MINOR = 1;
export const FW_VERSION_PATCH = 0;

/** Sample rates the PPG front end supports; the period in ms must be an integer. */
export const SAMPLE_RATE_HZ_MIN = 25;
export const SAMPLE_RATE_HZ_MAX = 100;
export function sample_rate_supported(rate_hz: number): boolean {
  return rate_hz === 25 || rate_hz === 50 || rate_hz === 100;
}

/**
 * The PPG front end delivers the inverted photodiode channel (pulses point up) of a
 * 19-bit ADC. Off the skin almost no LED light comes back: the raw count
 * (full scale minus the sample) drops below the proximity floor.
 */
export const SENSOR_FULL_SCALE_COUNTS = 524287;
export const CONTACT_RAW_COUNTS_MIN = 16384;

/**
 * The IMU's activity figure (the detector's motion gate, the wellness activity counts) comes
 * once per span of floor(rate * MOTION_SPAN_MS / 1000) samples (2, 5, 10 at 25, 50, 100 Hz),
 * whatever the interrupt period: the outputs do not depend on how many spans a batch holds.
 */
export const MOTION_SPAN_MS = 100;
/**
 * Sensor FIFO: samples per interrupt, whole spans, aiming at SENSOR_BATCH_MS between
 * interrupts (6, 15, 30 samples: 240, 300, 300 ms). An interrupt's fixed cost (its HAL calls,
 * the detector's run set-up) is spread over the batch; a beat's records leave on average
 * half a batch later.
 */
export const SENSOR_FIFO_CAPACITY = 32;
export const SENSOR_BATCH_MS = 300;
/** Activity figures read per interrupt: a full FIFO at the shortest span (2 samples) holds 16. */
export const ACTIVITY_FIGURES_MAX = 16;
/** Most samples drained per interrupt; the FIFO cannot hold more. */
export const DRAIN_SAMPLES_MAX = SENSOR_FIFO_CAPACITY;

/** Physiological limits on heart rate: 30..220 bpm. */
export const IBI_MS_MIN = 272;
export const IBI_MS_MAX = 2000;
/**
 * Beats closer than this are never both reported (240 bpm). Below the 220 bpm interval
 * floor on purpose: a rhythm averaging 210 bpm has single intervals past 220 bpm, and
 * those beats are real; their intervals are then marked invalid, not the beats dropped.
 */
export const BEAT_SPACING_MS_MIN = 250;

/** HRV windows. At 220 bpm a 5-minute window holds 1100 intervals. */
/** Defaults; the host may choose others: multiples of 30 s, short 30..120 s, long up to 300 s. */
export const HRV_SHORT_WINDOW_MS = 60000;
export const HRV_LONG_WINDOW_MS = 300000;
export const HRV_WINDOW_UNIT_MS = 30000;
export const HRV_SHORT_WINDOW_MS_MAX = 120000;
export const IBI_HISTORY_CAPACITY = 1104; // 300000 ms / IBI_MS_MIN = 1102.9
/** A window publishes HRV only when valid intervals cover this much of it (x1000). */
export const HRV_VALID_PERMILLE_MIN = 800;

assert(SAMPLE_RATE_HZ_MIN * MOTION_SPAN_MS >= 1000 && SENSOR_BATCH_MS % MOTION_SPAN_MS === 0, 1);
assert(Math.floor((SAMPLE_RATE_HZ_MAX * MOTION_SPAN_MS) / 1000) * Math.floor(SENSOR_BATCH_MS / MOTION_SPAN_MS) <= SENSOR_FIFO_CAPACITY, 1);
assert(ACTIVITY_FIGURES_MAX * Math.floor((SAMPLE_RATE_HZ_MIN * MOTION_SPAN_MS) / 1000) >= SENSOR_FIFO_CAPACITY, 1);
assert(Math.floor(HRV_LONG_WINDOW_MS / IBI_MS_MIN) + 1 <= IBI_HISTORY_CAPACITY, 1);
assert(HRV_SHORT_WINDOW_MS <= HRV_LONG_WINDOW_MS, 1);
assert(HRV_SHORT_WINDOW_MS_MAX < HRV_LONG_WINDOW_MS && HRV_SHORT_WINDOW_MS_MAX % HRV_WINDOW_UNIT_MS === 0, 1);
assert(IBI_MS_MIN * 220 >= 60000 - 220, 1);
