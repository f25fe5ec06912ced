// Firmware entry points: boot once, then one bounded drain per sensor interrupt.
// Pipeline per sample: beat detector -> intervals/HR -> HRV windows; results leave
// through Hal.emit as integer records (firmware/output.ts).

import { Hal } from "./hal.js";
import { assert } from "./lib/assert.js";
import { clamp, div_floor, div_round } from "./lib/imath.js";
import {
  ACTIVITY_FIGURES_MAX,
  DRAIN_SAMPLES_MAX,
  HRV_LONG_WINDOW_MS,
  HRV_SHORT_WINDOW_MS,
  HRV_SHORT_WINDOW_MS_MAX,
  HRV_WINDOW_UNIT_MS,
  MOTION_SPAN_MS,
  SENSOR_BATCH_MS,
  SENSOR_FIFO_CAPACITY,
  sample_rate_supported,
} from "./config.js";
import * as det from "./dsp/beat-detector.js";
import { MOTION_MG_MAX } from "./dsp/signal-quality.js";
import * as iv from "./hr/intervals.js";
import * as hrv from "./hr/hrv.js";
import * as out from "./output.js";
import { raw_handler, record_handler, tick_handler } from "./ble/hook.js";
// Named imports, not a namespace: a bundled namespace object costs heap the radio-less build does not have.
import { WL_ACTIVE_MG, wl_boot, wl_hrv, wl_motion, wl_tick, wl_tick_due_ms } from "./wellness/hook.js";

export const ERR_BAD_RATE = -1;
export const ERR_SENSOR = -2;
export const ERR_NOT_BOOTED = -3;

const FAULT_MAIN = 60;
const DRAIN_ROUNDS_MAX = 4; // an interrupt drains at most 4 FIFO-fulls
const TICK_NONE = 1 << 30; // no wellness tick due in the block (past any block index)
/** Beats noted per FIFO block for the motion tracker's seed: 32 samples at 25 Hz hold at most 6. */
const SEED_BEATS_MAX = 8;
/** The BLE layer's tick (hook.ts tick_handler) comes before every TICK_SAMPLES-th sample. */
export const TICK_SAMPLES = 25;

export let hal_ref: Hal | null = null; // (ble/entry.ts reads its clock per record)
let period_ms = 0;
// Pipeline time: the detector counts its own samples from the pipeline's boot; the ring's
// time of sample n is time_base_ms + n * period_ms. A pipeline reboot (new sample rate or
// windows) and samples the FIFO lost move the base, so times stay continuous.
let time_base_ms = 0;
let samples_seen = 0; // samples processed since the pipeline booted
// Samples processed since the firmware started, never reset (a pipeline reboot that the
// sensor refuses resets samples_seen without a boot record): the raw PPG stream's count.
let samples_counted = 0;
let beat_count = 0;
let next_short_end_ms = 0;
let next_long_end_ms = 0;
let next_window_end_ms = 0; // the earlier of the two
// Samples seen (samples_seen) once the sample that completes the next window is in:
// ceil((next_window_end_ms - time_base_ms) / period_ms), kept with them.
let window_due_count = 0;
// Samples until the tick, the one it is due before included (1: before the next sample);
// 0 while no tick is attached.
let tick_left = 0;
let hrv_short_ms = HRV_SHORT_WINDOW_MS;
let hrv_long_ms = HRV_LONG_WINDOW_MS;
let sample_rate_hz = 0;
let last_irq_clock_ms = 0; // the clock at the last sensor interrupt
let signal_state_reported = 0;
let run_from = 0; // the block index the detector's current run started at, or its last beat
const fifo_buf = new Int32Array(SENSOR_FIFO_CAPACITY);
// The IMU's activity figures, one per span of span_samples FIFO samples (hal.ts
// motion_activity_read): span k's figure gates span k's samples and counts towards the
// wellness minute span k is in, whatever the interrupt period.
const activity_buf = new Int16Array(ACTIVITY_FIGURES_MAX);
export let span_samples = 1;
let span_left = 0; // samples of the current span not yet processed (0: the next one starts a span)
let span_mg = 0; // the current span's figure
// For the motion tracker (dsp/motion.ts), per FIFO block: where its first whole span starts
// (the rest of a span begun before it comes first), the heart rate before the block's beats,
// and each beat's block index (the index after the sample that released it) with the heart
// rate after it: seed_beats[2 k], seed_beats[2 k + 1].
export let block_span_first = 0;
export let block_hr_bpm_x10 = 0;
export const seed_beats = new Int32Array(2 * SEED_BEATS_MAX);
export let seed_beat_count = 0;
const record = new Int32Array(out.OUT_RECORD_FIELDS_MAX);
/**
 * Called after each drained batch with its PPG samples and the time of the first: the
 * motion heart-rate tracker (dsp/motion.ts) reads the IMU's samples for the batch (returns
 * how many; called only when the HAL said at boot it has an IMU) and
 * reports heart rate while the wearer moves; it is seeded per span with the heart rate after
 * the span's beats (block_span_first, block_hr_bpm_x10, seed_beats). The full firmware
 * (ring.ts) attaches it; the radio-less Duktape bundle carries none of its code or buffers.
 */
export type MotionHandler = (hal: Hal, ppg: Int32Array, count: number, first_ms: number, period_ms: number) => number;
let motion_attached: MotionHandler | null = null;
// The attached handler when the HAL has an IMU (asked at boot), else null: the tracker has
// nothing to do on a ring without one.
let motion_handler: MotionHandler | null = null;

export function ring_motion_attach(handler: MotionHandler): void {
  motion_attached = handler;
  motion_handler = hal_ref !== null && hal_ref.imu_present() ? handler : null;
}

/** Boot the ring at a sample rate (25, 50 or 100 Hz). Returns 0 or a negative error. */
export function ring_boot(hal: Hal, rate_hz: number): number {
  hal_ref = hal;
  // Each Math routine the firmware uses, called once: JerryScript creates a built-in
  // routine's function object on its first call, which would otherwise happen after boot
  // (Math.abs first runs in the first HRV window).
  time_base_ms = Math.abs(0) + Math.min(0, 0) + Math.max(0, 0) + Math.floor(0);
  samples_seen = 0;
  beat_count = 0;
  const on_boot = wl_boot;
  if (on_boot !== null) on_boot(hal);
  motion_handler = motion_attached !== null && hal.imu_present() ? motion_attached : null;
  det.detector_beat_hook_set(take_run);
  return pipeline_boot(rate_hz, HRV_SHORT_WINDOW_MS, HRV_LONG_WINDOW_MS);
}

/**
 * Restart the sensor pipeline with a new sample rate and HRV window lengths (a
 * configuration change from the host), keeping the ring's time running. Windows are
 * whole multiples of 30 s, the short one 30..120 s, the long one up to 300 s (the
 * interval history holds 300 s at 220 bpm). Returns 0 or a negative error.
 */
export function ring_reboot_pipeline(rate_hz: number, short_s: number, long_s: number): number {
  if (hal_ref === null) return ERR_NOT_BOOTED;
  const hal = hal_ref;
  if (hal === null) return ERR_NOT_BOOTED;
  const short_ms = short_s * 1000;
  const long_ms = long_s * 1000;
  if (short_ms < HRV_WINDOW_UNIT_MS || short_ms > HRV_SHORT_WINDOW_MS_MAX || long_ms <= short_ms || long_ms > HRV_LONG_WINDOW_MS) return ERR_BAD_RATE;
  if (short_ms % HRV_WINDOW_UNIT_MS !== 0 || long_ms % HRV_WINDOW_UNIT_MS !== 0) return ERR_BAD_RATE;
  if (!sample_rate_supported(rate_hz)) return ERR_BAD_RATE;
  // The sensor restarts with an empty FIFO and takes its first sample at the first tick of
  // the new rate after now. Now, in sample time, is the last sample taken before the last
  // interrupt plus the clock time since that interrupt: a short span, so the clock's drift
  // against the sensor's oscillator does not matter (the whole-run drift would).
  const new_period_ms = div_floor(1000, rate_hz);
  const last_sample_ms = time_base_ms + (samples_seen - 1) * period_ms;
  const now_ms = last_sample_ms + Math.max(0, hal.clock_ms() - last_irq_clock_ms);
  time_base_ms = (div_floor(now_ms, new_period_ms) + 1) * new_period_ms;
  samples_seen = 0;
  return pipeline_boot(rate_hz, short_ms, long_ms);
}

function pipeline_boot(rate_hz: number, short_ms: number, long_ms: number): number {
  const hal = hal_ref;
  if (hal === null) return ERR_NOT_BOOTED;
  if (!sample_rate_supported(rate_hz)) return ERR_BAD_RATE;
  // Whole spans per batch, so a batch ends with a span and its figure (the sensor counts
  // spans from here).
  const span = clamp(div_floor(rate_hz * MOTION_SPAN_MS, 1000), 1, SENSOR_FIFO_CAPACITY);
  const watermark = clamp(span * div_floor(SENSOR_BATCH_MS, MOTION_SPAN_MS), 1, SENSOR_FIFO_CAPACITY);
  if (hal.sensor_configure(rate_hz, watermark, span) !== 0) return ERR_SENSOR;
  span_samples = span;
  span_left = 0;
  span_mg = 0;
  sample_rate_hz = rate_hz;
  period_ms = div_floor(1000, rate_hz);
  hrv_short_ms = short_ms;
  hrv_long_ms = long_ms;
  next_short_end_ms = time_base_ms + short_ms;
  next_long_end_ms = time_base_ms + long_ms;
  next_window_end_ms = Math.min(next_short_end_ms, next_long_end_ms);
  window_due_count = window_due();
  signal_state_reported = 0;
  det.detector_boot(rate_hz);
  iv.intervals_boot();
  hrv.hrv_boot();
  emit_status(out.STATUS_BOOT, rate_hz);
  return 0;
}

/** Sensor watermark interrupt: drain the FIFO and run the pipeline. Returns samples processed. */
export function ring_on_sensor_irq(): number {
  const hal = hal_ref;
  if (hal === null) return ERR_NOT_BOOTED;
  const dropped = hal.sensor_overflow_count();
  if (dropped > 0) {
    // Lost samples would shift every later time: account for them in the time base.
    time_base_ms = time_base_ms + dropped * period_ms;
    window_due_count = window_due();
    emit_status(out.STATUS_FIFO_OVERFLOW, dropped);
  }
  const figures = hal.motion_activity_read(activity_buf, ACTIVITY_FIGURES_MAX);
  if (!(figures >= 0 && figures <= ACTIVITY_FIGURES_MAX)) assert(false, FAULT_MAIN); // (no call when it holds)
  let figure = 0; // the next figure to take
  last_irq_clock_ms = hal.clock_ms();
  const span = span_samples;
  let processed = 0;
  for (let round = 0; round < DRAIN_ROUNDS_MAX; round++) {
    const got = hal.sensor_read(fifo_buf, DRAIN_SAMPLES_MAX);
    if (!(got >= 0 && got <= DRAIN_SAMPLES_MAX)) assert(false, FAULT_MAIN); // (no call when it holds)
    const first_ms = time_base_ms + samples_seen * period_ms;
    const buf = fifo_buf;
    // Spans start at block index span_at, span_at + span, ... (the current span's rest first).
    let span_at = span_left;
    const motion = motion_handler;
    if (motion !== null) {
      block_span_first = span_at;
      block_hr_bpm_x10 = iv.hr_bpm_x10;
      seed_beat_count = 0;
    }
    // The wellness minute closes after the span that holds the first sample at or after its
    // end (wl_tick_due_ms), or at the block's end if that span goes on past it.
    const on_tick = wl_tick;
    let tick_at = TICK_NONE;
    if (on_tick !== null) {
      const due_ms = wl_tick_due_ms;
      if (due_ms < first_ms + got * period_ms) {
        // d, the block index of the first sample at or after it (quotients of small non-negatives).
        const d = due_ms <= first_ms ? 0 : ((due_ms - first_ms + period_ms - 1) / period_ms) | 0;
        tick_at = d < span_at ? span_at : span_at + (((d - span_at) / span) | 0) * span + span;
        if (tick_at > got) tick_at = got;
      }
    }
    const on_motion = wl_motion;
    // The motion gate's run: samples [i, gate_end) have the same gate (figure above
    // MOTION_MG_MAX or not), gate_mg one of their figures. The detector's run is split at a
    // span only where the gate changes, so at rest one run still covers the batch.
    let gate_end = 0;
    let gate_mg = 0;
    // The pipeline runs over the block in segments: the detector takes samples until one
    // yields a beat or a signal-state change (handled before the next sample), a segment
    // ends with the sample that completes an HRV window, where the motion gate changes and
    // where the wellness minute closes, and while the raw PPG stream is on each sample is a
    // segment (its hook comes first).
    let i = 0;
    for (let seg = 0; seg < DRAIN_SAMPLES_MAX && i < got; seg++) {
      if (i === gate_end) {
        // A new gate run from here: the current span's rest, or the next span with its figure
        // (the wellness motion hook per span whose figure reaches WL_ACTIVE_MG), then the
        // following spans while the gate holds, up to the block's end or the minute's close.
        let e = span_at;
        if (i < span_at) {
          gate_mg = span_mg;
        } else {
          gate_mg = figure < figures ? activity_buf[figure] : 0;
          figure = figure + 1;
          if (on_motion !== null && gate_mg >= WL_ACTIVE_MG) on_motion(gate_mg);
          span_mg = gate_mg;
          e = e + span;
        }
        const moving = gate_mg > MOTION_MG_MAX;
        if (!moving && figure >= figures) {
          // No figures left (a ring without an IMU reads none): the rest of the block is 0,
          // still, one gate run to a span's end past it. The minute's close does not bound it
          // (no motion hook is due for a span without a figure); the run still ends there.
          if (e < got) e = e + (((got - e + span - 1) / span) | 0) * span;
        }
        for (let k = 0; k < DRAIN_SAMPLES_MAX && e < got && e !== tick_at; k++) {
          const f = figure < figures ? activity_buf[figure] : 0;
          if (f > MOTION_MG_MAX !== moving) break;
          figure = figure + 1;
          if (on_motion !== null && f >= WL_ACTIVE_MG) on_motion(f);
          span_mg = f;
          e = e + span;
        }
        span_at = e;
        gate_end = e;
      }
      const on_raw = raw_handler;
      let end = on_raw !== null ? i + 1 : got;
      if (on_raw !== null) on_raw(buf[i]);
      if (gate_end < end) end = gate_end;
      if (tick_at < end) end = tick_at;
      const due = window_due_count - samples_seen;
      if (due > 0 && i + due < end) end = i + due;
      if (due <= 0) end = i + 1;
      run_from = i;
      const j = det.detector_run(buf, i, end, gate_mg);
      // The samples since the run's last beat: counted, the BLE layer's tick if due before
      // one of them, the beats a stop left released (take_run, as the detector's hook does;
      // written out here: a call per run).
      const ran = j - run_from;
      run_from = j;
      samples_seen = samples_seen + ran;
      samples_counted = samples_counted + ran;
      let left = tick_left;
      if (left > 0) {
        left = left - ran;
        if (left <= 0) {
          const ble_tick = tick_handler;
          if (ble_tick !== null) ble_tick();
          left = left + TICK_SAMPLES;
          if (left <= 0) left = left + TICK_SAMPLES; // a run is at most DRAIN_SAMPLES_MAX < 2 ticks
        }
        tick_left = left;
      }
      for (let k = 0; k < det.PENDING_CAPACITY && det.ready_count > 0; k++) {
        if (det.detector_next_beat() === det.BEAT_FOUND) {
          on_beat();
          if (motion_handler !== null) {
            // The motion tracker's seed: the heart rate after this beat, from this block index on.
            const n = seed_beat_count < SEED_BEATS_MAX ? seed_beat_count : SEED_BEATS_MAX - 1;
            seed_beats[2 * n] = j;
            seed_beats[2 * n + 1] = iv.hr_bpm_x10;
            seed_beat_count = n + 1;
          }
        }
      }
      i = j;
      if (det.sq_state !== signal_state_reported) {
        signal_state_reported = det.sq_state;
        emit_status(out.STATUS_SIGNAL, signal_state_reported);
      }
      // A window [end - length, end) is complete once its last sample is in: publish it then,
      // not at the first sample after it, so a window that ends with the recording is published.
      const t_next_ms = time_base_ms + samples_seen * period_ms;
      if (t_next_ms >= next_window_end_ms) publish_windows(t_next_ms);
      if (i === tick_at && on_tick !== null) {
        on_tick(t_next_ms - period_ms);
        tick_at = TICK_NONE; // the next minute ends past this block
      }
    }
    span_left = span_at - got;
    if (motion !== null) motion(hal, fifo_buf, got, first_ms, period_ms);
    processed = processed + got;
    if (got < DRAIN_SAMPLES_MAX) break;
  }
  return processed;
}

/**
 * The run's samples from run_from up to block index next are in: count them, give the BLE
 * layer its tick (the log's flush bound) if it is due before one of them, and take the beats
 * released. Called after each run and, as the detector's beat hook, at a beat inside a good
 * run (the run goes on: no HRV window can complete inside a run, as a run ends with the
 * sample that completes one, and the signal state has not changed, as a change ends it).
 * The tick comes before the run's records: the clock does not move during the interrupt,
 * nothing was logged since the sample it is due at, and a second tick in one run would find
 * nothing more to do.
 */
function take_run(next: number): void {
  const ran = next - run_from;
  run_from = next;
  samples_seen = samples_seen + ran;
  samples_counted = samples_counted + ran;
  let left = tick_left;
  if (left > 0) {
    left = left - ran;
    if (left <= 0) {
      const ble_tick = tick_handler;
      if (ble_tick !== null) ble_tick();
      left = left + TICK_SAMPLES;
      if (left <= 0) left = left + TICK_SAMPLES; // a run is at most DRAIN_SAMPLES_MAX < 2 ticks
    }
    tick_left = left;
  }
  for (let k = 0; k < det.PENDING_CAPACITY && det.ready_count > 0; k++) {
    if (det.detector_next_beat() === det.BEAT_FOUND) {
      on_beat();
      if (motion_handler !== null) {
        // The motion tracker's seed: the heart rate after this beat, from this block index on.
        const n = seed_beat_count < SEED_BEATS_MAX ? seed_beat_count : SEED_BEATS_MAX - 1;
        seed_beats[2 * n] = next;
        seed_beats[2 * n + 1] = iv.hr_bpm_x10;
        seed_beat_count = n + 1;
      }
    }
  }
}

function publish_windows(t_next_ms: number): void {
  if (t_next_ms >= next_short_end_ms) {
    publish_hrv(next_short_end_ms, hrv_short_ms);
    next_short_end_ms = next_short_end_ms + (hrv_short_ms >> 1);
  }
  if (t_next_ms >= next_long_end_ms) {
    publish_hrv(next_long_end_ms, hrv_long_ms);
    next_long_end_ms = next_long_end_ms + div_floor(hrv_long_ms, 5);
  }
  next_window_end_ms = Math.min(next_short_end_ms, next_long_end_ms);
  window_due_count = window_due();
}

function window_due(): number {
  return Math.floor((next_window_end_ms - time_base_ms + period_ms - 1) / period_ms);
}

/** Start the tick (ring_ble_attach): it comes before the TICK_SAMPLES-th sample from now. */
export function ring_tick_start(): void {
  tick_left = TICK_SAMPLES;
}

/**
 * One sample fed to the BLE layer outside the pipeline (stream_on_raw_sample): it counts
 * towards the tick as a pipeline sample does.
 */
export function ring_tick_sample(): void {
  if (tick_left === 0) return;
  if (tick_left > 1) {
    tick_left = tick_left - 1;
    return;
  }
  tick_left = TICK_SAMPLES;
  const on_tick = tick_handler;
  if (on_tick !== null) on_tick();
}

/** Samples the pipeline processed since the firmware started (the stream's raw sample index). */
export function ring_samples_counted(): number {
  return samples_counted;
}

function on_beat(): void {
  const t_ms = time_base_ms + det.beat_time_ms;
  iv.intervals_on_beat(t_ms);
  beat_count = beat_count + 1;
  if (iv.ibi_ms > 0) {
    hrv.hrv_add_interval(t_ms, iv.ibi_ms, iv.ibi_valid);
    const median_ms = iv.median_cached; // intervals_median_ms(), no call when cached (it is, after a beat)
    det.detector_set_expected_ibi(median_ms >= 0 ? median_ms : iv.intervals_median_ms());
  }
  record[out.BEAT_TIME_MS] = t_ms;
  record[out.BEAT_IBI_MS] = iv.ibi_ms;
  record[out.BEAT_IBI_VALID] = iv.ibi_valid ? 1 : 0;
  // Upstrokes near the running level are typical beats; far above (motion) or below
  // (weak, noisy) lower the quality.
  const ratio = det.beat_ssf_ratio_x100;
  // clamp(ratio > 100 ? 100 - div_floor(ratio - 100, 4) : ratio, 0, 100), written out: from
  // 500 on it is 0, below it the shift is exact.
  const sqi = ratio > 100 ? (ratio >= 500 ? 0 : 100 - ((ratio - 100) >> 2)) : ratio;
  record[out.BEAT_SQI] = sqi < 0 ? 0 : sqi > 100 ? 100 : sqi;
  record[out.BEAT_AMPLITUDE] = det.beat_amplitude;
  record[out.BEAT_INDEX] = beat_count;
  // emit() for both records, written out (two calls per beat); the interrupt that calls
  // on_beat has a HAL.
  const hal = hal_ref;
  if (hal === null) {
    assert(false, FAULT_MAIN); // as emit() asserts
    return;
  }
  hal.emit(out.OUT_KIND_BEAT, record, out.BEAT_FIELDS);
  let on_record = record_handler;
  if (on_record !== null) on_record(out.OUT_KIND_BEAT, record, out.BEAT_FIELDS);
  if (iv.hr_bpm_x10 > 0) {
    record[out.HR_TIME_MS] = t_ms;
    record[out.HR_BPM_X10] = iv.hr_bpm_x10;
    record[out.HR_CONFIDENCE] = iv.hr_confidence;
    hal.emit(out.OUT_KIND_HR, record, out.HR_FIELDS);
    on_record = record_handler;
    if (on_record !== null) on_record(out.OUT_KIND_HR, record, out.HR_FIELDS);
  }
}

function publish_hrv(end_ms: number, window_ms: number): void {
  hrv.hrv_compute(end_ms, window_ms);
  record[out.HRV_WINDOW_S] = div_round(window_ms, 1000);
  record[out.HRV_END_MS] = end_ms;
  record[out.HRV_BEAT_COUNT] = hrv.hrv_beat_count;
  record[out.HRV_VALID_PERMILLE] = hrv.hrv_valid_permille;
  record[out.HRV_MEAN_IBI_MS_X10] = hrv.hrv_mean_ibi_ms_x10;
  record[out.HRV_SDNN_MS_X10] = hrv.hrv_sdnn_ms_x10;
  record[out.HRV_RMSSD_MS_X10] = hrv.hrv_rmssd_ms_x10;
  record[out.HRV_PNN50_PERMILLE] = hrv.hrv_pnn50_permille;
  record[out.HRV_PUBLISHED] = hrv.hrv_published ? 1 : 0;
  emit(out.OUT_KIND_HRV, out.HRV_FIELDS);
  const on_hrv = wl_hrv;
  if (on_hrv !== null) on_hrv(end_ms, window_ms === hrv_long_ms, hrv.hrv_published, hrv.hrv_rmssd_ms_x10, hrv.hrv_mean_ibi_ms_x10);
}

function emit_status(code: number, value: number): void {
  record[out.STATUS_TIME_MS] = time_base_ms + samples_seen * period_ms;
  record[out.STATUS_CODE] = code;
  record[out.STATUS_VALUE] = value;
  emit(out.OUT_KIND_STATUS, out.STATUS_FIELDS);
}

function emit(kind: number, field_count: number): void {
  const hal = hal_ref;
  if (!(hal !== null && field_count <= out.OUT_RECORD_FIELDS_MAX)) assert(false, FAULT_MAIN); // (no call when it holds)
  if (hal !== null) hal.emit(kind, record, field_count);
  // History log, streams, Heart Rate Service: ble/hook.ts ble_on_record, written out.
  const on_record = record_handler;
  if (on_record !== null) on_record(kind, record, field_count);
}

/** Sample rate configured at boot. */
export function ring_sample_rate_hz(): number {
  return sample_rate_hz;
}

/** HRV window lengths the pipeline runs with, s. */
export function ring_hrv_short_s(): number {
  return div_floor(hrv_short_ms, 1000);
}

export function ring_hrv_long_s(): number {
  return div_floor(hrv_long_ms, 1000);
}

/** The HAL clock, ms since boot (0 before ring_boot): the BLE layer's time source. */
export function ring_clock_ms(): number {
  const hal = hal_ref;
  return hal === null ? 0 : hal.clock_ms();
}
