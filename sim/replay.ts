// Replay a fixture through the real firmware in virtual time: the simulated sensor
// samples the recording at the rate the firmware configures, interrupts wake the
// firmware, and every record it emits is collected with its virtual emission time.

import * as out from "../firmware/output.js";
import type { Fixture, ReplayFixture } from "./fixture/types.js";
import { EventQueue } from "./event-queue.js";
import { BUILTIN_FIRMWARE } from "./firmware-module.js";
import { Prng } from "./prng.js";
import { RECORD_WELLNESS_FIRST, RECORD_WELLNESS_LAST } from "../protocol/ids.js";
import { SimRingHal, type EmittedRecord } from "./ring-hal.js";
import { ResampledAccel, ResampledStream, resamplePpg, type AccelSamples, type SampleStream } from "./sensor/resample.js";
import { SENSOR_RATES_HZ, SimPpgSensor } from "./sensor/ppg-sensor.js";
import { SimImu } from "./sensor/imu.js";
import type { ReplayOptions, ReplayResult, ReplayView } from "./replay-types.js";
import { arrayReplay } from "./replay-store.js";

export class ReplayError extends Error {}

/**
 * onProgress is called every 2^10 events: about 100 s of a recording (three events per
 * sensor batch: its samples, a one-sample batch, the interrupt; a batch every 240-300 ms).
 */
const PROGRESS_EVERY_MASK = (1 << 10) - 1;

/** Interrupt latency range: the handler runs 20..200 µs after the watermark sample. */
const IRQ_LATENCY_US_MAX = 200;
const IRQ_LATENCY_US_MIN = 20;

export function checkReplayOptions(opts: ReplayOptions): void {
  if (!SENSOR_RATES_HZ.includes(opts.rate_hz)) {
    throw new ReplayError(`unsupported rate ${opts.rate_hz} Hz: the ring samples at ${SENSOR_RATES_HZ.join(", ")} Hz`);
  }
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 0xffffffff) {
    throw new ReplayError(`seed must be an integer in 0..4294967295, got ${opts.seed}`);
  }
}

/** A configuration travels over the protocol's config command: a direct replay has no link to carry it. */
function checkNoConfig(opts: ReplayOptions): void {
  if (opts.config !== undefined) throw new ReplayError('a ring configuration is set over the protocol: a direct replay (--direct) cannot apply it');
}

/** The sensor stream a fixture yields at a rate (the anti-aliased resampling of its PPG). */
export function sensorStream(fixture: Fixture, rate_hz: number): Int32Array {
  return resamplePpg(fixture.ppg, fixture.meta.sample_rate_hz, rate_hz);
}

/** The same samples, computed as the simulated sensor takes them (memory: no copy of the recording). */
export function sensorSampleStream(fixture: ReplayFixture, rate_hz: number): SampleStream {
  return new ResampledStream(fixture.ppg, fixture.meta.sample_rate_hz, rate_hz);
}

/**
 * The accelerometer samples an IMU on the sensor's clock yields at a rate: each axis
 * resampled from the fixture's accelerometer rate (anti-aliased), x, y, z interleaved;
 * null when the fixture has none.
 */
export function accelStream(fixture: Fixture, rate_hz: number): Int16Array | null {
  const a = fixture.accel;
  if (a === undefined) return null;
  const axes = [a.x_mg, a.y_mg, a.z_mg].map((v) => resamplePpg(Int32Array.from(v), a.sample_rate_hz, rate_hz));
  const n = Math.min(axes[0].length, axes[1].length, axes[2].length);
  const out = new Int16Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) out[3 * i + k] = Math.max(-32768, Math.min(32767, axes[k][i]));
  }
  return out;
}

/**
 * The sensor's accelerometer source for a fixture (null without an accelerometer): the same
 * samples as accelStream, computed as the sensor takes them.
 */
export function accelSource(fixture: ReplayFixture): ((rate_hz: number) => AccelSamples) | null {
  const a = fixture.accel;
  if (a === undefined) return null;
  return (rate) => new ResampledAccel(a.x_mg, a.y_mg, a.z_mg, a.sample_rate_hz, rate);
}

export function replayFixture(fixture: ReplayFixture, opts: ReplayOptions): ReplayResult {
  return replayFixtureInto(fixture, opts, arrayReplay()) as ReplayResult;
}

/**
 * replayFixture, with the records pushed into the given lists as the firmware emits them
 * (sim/replay-store.ts keeps them compact); the head fields are set on `into`.
 */
export function replayFixtureInto(fixture: ReplayFixture, opts: ReplayOptions, into: ReplayView): ReplayView {
  checkReplayOptions(opts);
  checkNoConfig(opts);
  if (fixture.ppg.length === 0) throw new ReplayError(`${fixture.meta.record}: empty recording (no PPG samples)`);
  const fw = opts.firmware ?? BUILTIN_FIRMWARE;
  const prng = new Prng(opts.seed);
  const irq_latency_us = prng.nextInt(IRQ_LATENCY_US_MIN, IRQ_LATENCY_US_MAX);
  const queue = new EventQueue();
  const imu = fixture.accel ? new SimImu(fixture.accel) : null;
  const sensor = new SimPpgSensor(queue, (rate) => sensorSampleStream(fixture, rate), irq_latency_us, accelSource(fixture), imu === null ? null : (t_us) => imu.activityAt(t_us));
  // Records are decoded as the firmware emits them: the raw ones are not kept.
  const duration_ms = Math.floor((fixture.ppg.length * 1000) / fixture.meta.sample_rate_hz);
  const result = Object.assign(into, { record: fixture.meta.record, rate_hz: opts.rate_hz, seed: opts.seed, duration_ms, sample_count: 0 });
  const hal = new SimRingHal(queue, sensor, false);
  hal.onRecord = (r) => decodeRecordInto(result, r);
  sensor.onInterrupt = () => {
    const n = fw.ring_on_sensor_irq();
    if (n < 0) throw new ReplayError(`firmware interrupt handler failed with ${n}`);
  };
  // The fixture says which way its samples point; the ring's platform code tells the firmware.
  fw.ring_sensor_raw_counts?.(fixture.meta.ppg_convention === 'raw-counts');
  const rc = fw.ring_boot(hal, opts.rate_hz);
  if (rc !== 0) throw new ReplayError(`firmware refused to boot at ${opts.rate_hz} Hz (error ${rc})`);
  // Bound the run: one batch event and one interrupt per sample at most, plus slack.
  const events_max = 4 * sensor.samples_total + 1000;
  let steps = 0;
  while (queue.step()) {
    if (++steps > events_max) throw new ReplayError(`replay did not finish within ${events_max} events (seed ${opts.seed})`);
    if (opts.onProgress !== undefined && (steps & PROGRESS_EVERY_MASK) === 0) opts.onProgress(queue.now_us);
  }
  result.sample_count = sensor.samples_total;
  return result;
}

type ResultHead = Pick<ReplayResult, "record" | "rate_hz" | "seed" | "duration_ms" | "sample_count">;

/** Turn raw firmware records into typed results (the same decoding the protocol client does). */
export function decodeRecords(records: EmittedRecord[], head: ResultHead): ReplayResult {
  const result: ReplayResult = { ...head, beats: [], hr: [], hrv: [], status: [] };
  for (const r of records) decodeRecordInto(result, r);
  return result;
}

/** Decode one raw firmware record and append it to the result's list of its kind. */
export function decodeRecordInto(result: ReplayView, r: EmittedRecord): void {
  {
    const f = r.fields;
    switch (r.kind) {
      case out.OUT_KIND_BEAT:
        result.beats.push({
          time_ms: f[out.BEAT_TIME_MS],
          ibi_ms: f[out.BEAT_IBI_MS],
          ibi_valid: f[out.BEAT_IBI_VALID] === 1,
          sqi: f[out.BEAT_SQI],
          amplitude: f[out.BEAT_AMPLITUDE],
          index: f[out.BEAT_INDEX],
          emitted_us: r.emitted_us,
        });
        break;
      case out.OUT_KIND_HR:
        result.hr.push({ time_ms: f[out.HR_TIME_MS], hr_bpm_x10: f[out.HR_BPM_X10], confidence: f[out.HR_CONFIDENCE], emitted_us: r.emitted_us });
        break;
      case out.OUT_KIND_HRV:
        result.hrv.push({
          window_s: f[out.HRV_WINDOW_S],
          end_ms: f[out.HRV_END_MS],
          beat_count: f[out.HRV_BEAT_COUNT],
          valid_permille: f[out.HRV_VALID_PERMILLE],
          mean_ibi_ms_x10: f[out.HRV_MEAN_IBI_MS_X10],
          sdnn_ms_x10: f[out.HRV_SDNN_MS_X10],
          rmssd_ms_x10: f[out.HRV_RMSSD_MS_X10],
          pnn50_permille: f[out.HRV_PNN50_PERMILLE],
          published: f[out.HRV_PUBLISHED] === 1,
          emitted_us: r.emitted_us,
        });
        break;
      case out.OUT_KIND_STATUS:
        result.status.push({ time_ms: f[out.STATUS_TIME_MS], code: f[out.STATUS_CODE], value: f[out.STATUS_VALUE], emitted_us: r.emitted_us });
        break;
      default:
        if (r.kind >= RECORD_WELLNESS_FIRST && r.kind <= RECORD_WELLNESS_LAST) {
          // Only recordings long enough to hold a rest period or a baseline have these: the
          // key stays absent otherwise, so shorter replays' output is unchanged.
          (result.wellness ??= []).push({ kind: r.kind, fields: Array.from(f), emitted_us: r.emitted_us });
          break;
        }
        throw new ReplayError(`firmware emitted an unknown record kind ${r.kind}`);
    }
  }
}
