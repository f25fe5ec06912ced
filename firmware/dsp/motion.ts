// Glue between the sensor pipeline and the motion heart-rate tracker: per drained batch,
// read the IMU's samples (taken with the PPG samples, on the sensor's clock), feed the
// tracker, seed it with the beat detector's heart rate while the wearer is still, and
// report its estimate while the wearer moves (where signal quality withholds beats).
// The seed is taken per span of samples (firmware/config.ts MOTION_SPAN_MS), before the
// span's first sample, with the heart rate after the span's beats: the sample from which a
// new seed counts does not move with the interrupt period.

import type { Hal } from "../hal.js";
import { div_floor } from "../lib/imath.js";
import { SENSOR_FIFO_CAPACITY } from "../config.js";
import * as out from "../output.js";
import { ble_on_record } from "../ble/hook.js";
import { block_hr_bpm_x10, block_span_first, seed_beat_count, seed_beats, span_samples } from "../main.js";
import { tracker_boot, tracker_push, tracker_seed, trk_confidence, trk_hr_bpm_x10, trk_moving } from "./hr-tracker.js";

const imu_buf = new Int16Array(SENSOR_FIFO_CAPACITY * 3); // x, y, z per sample, mg
const hr_record = new Int32Array(out.HR_FIELDS);
let booted_period_ms = 0;
let last_first_ms = -1;
let seeded_bpm_x10 = 0;

/**
 * Returns the IMU samples read. A batch the IMU gave fewer samples for than the PPG (a
 * failed read) is left out: its samples would not pair; the tracker goes on with the next.
 */
export function motion_on_samples(hal: Hal, ppg: Int32Array, count: number, first_ms: number, period_ms: number): number {
  const got = hal.imu_read(imu_buf, count);
  if (got < count || got <= 0) return got;
  // A new rate, or ring time starting over (a fresh ring_boot): the tracker starts afresh.
  const restart = period_ms !== booted_period_ms || first_ms < last_first_ms;
  last_first_ms = first_ms;
  if (restart) {
    booted_period_ms = period_ms;
    tracker_boot(div_floor(1000, period_ms), 1);
    seeded_bpm_x10 = 0;
  }
  const span = span_samples;
  const beats = seed_beat_count;
  let b = 0;
  let hr = block_hr_bpm_x10;
  let span_start = 0; // the next span's first block index (the block may begin inside one)
  let span_end = block_span_first > 0 ? block_span_first : span;
  for (let i = 0; i < got; i++) {
    if (i === span_start) {
      // The heart rate after the span's beats (each noted with the block index after the
      // sample that released it).
      for (; b < beats && seed_beats[2 * b] <= span_end; b++) hr = seed_beats[2 * b + 1];
      if (hr > 0 && hr !== seeded_bpm_x10) {
        seeded_bpm_x10 = hr;
        tracker_seed(hr);
      }
      span_start = span_end;
      span_end = span_end + span;
    }
    if (tracker_push(ppg[i], 0, imu_buf[3 * i], imu_buf[3 * i + 1], imu_buf[3 * i + 2]) < 0) continue;
    if (!trk_moving || trk_hr_bpm_x10 === 0) continue;
    hr_record[out.HR_TIME_MS] = first_ms + i * period_ms;
    hr_record[out.HR_BPM_X10] = trk_hr_bpm_x10;
    hr_record[out.HR_CONFIDENCE] = trk_confidence;
    hal.emit(out.OUT_KIND_HR, hr_record, out.HR_FIELDS);
    ble_on_record(out.OUT_KIND_HR, hr_record, out.HR_FIELDS);
  }
  return got;
}
