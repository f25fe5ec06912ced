// Simulated PPG analog front end (in the manner of MAX30101 / VC31 parts): samples a
// pre-resampled stream at the configured rate into a bounded FIFO, raises an interrupt
// when the FIFO reaches its watermark, and counts samples lost to overflow when the
// firmware is late draining it.

import { EventQueue } from "../event-queue.js";
import type { AccelSamples, SampleStream } from "./resample.js";

export const SENSOR_FIFO_CAPACITY_SAMPLES = 32;
/** Activity figures the sensor holds: one per span, a full FIFO at the shortest span (2 samples). */
export const ACTIVITY_FIFO_CAPACITY = 16;
const ACTIVITY_MG_MAX = 32767; // the figure is read as a 16-bit integer
export const SENSOR_RATES_HZ: readonly number[] = [25, 50, 100];

const EMPTY: SampleStream = { length: 0, at: () => 0 };
const arrayStream = (a: Int32Array): SampleStream => ({ length: a.length, at: (k) => a[k] });
/** x, y, z interleaved: a sample is there when all three of its entries are. */
const interleavedAccel = (a: Int16Array): AccelSamples => ({ length: Math.floor(a.length / 3), at: (k, axis) => a[3 * k + axis] });

/**
 * Accelerometer samples at a sensor rate: x, y, z in mg, interleaved (3 entries per sample),
 * or read one by one.
 */
export type AccelStreamAt = (rate_hz: number) => Int16Array | AccelSamples;

export class SimPpgSensor {
  private readonly fifo = new Int32Array(SENSOR_FIFO_CAPACITY_SAMPLES);
  // The IMU shares the sensor's sample clock: its FIFO holds the accelerometer sample taken
  // with each PPG sample, in the same slots, and is read alongside.
  private readonly imu_fifo = new Int16Array(SENSOR_FIFO_CAPACITY_SAMPLES * 3);
  private imu_stream: AccelSamples | null = null;
  // The on-chip activity figure, one per span of FIFO samples (as a sensor hub with a synced
  // accelerometer gives one per FIFO frame), in its own small FIFO: the span's length, the
  // samples stored into the current span so far, and the figures not yet read.
  private readonly activity_fifo = new Int16Array(ACTIVITY_FIFO_CAPACITY);
  private activity_head = 0;
  private activity_count = 0;
  private span = 1;
  private span_fill = 0;
  private imu_head = 0;
  private imu_count = 0;
  private fifo_head = 0;
  private fifo_count = 0;
  private overflow = 0;
  private next_sample = 0;
  private rate_hz = 0;
  private watermark = 0;
  private irq_pending = false;
  private generation = 0;
  /** The pending batch's last sample (scheduleNextBatch), and its configuration's handler. */
  private batch_last_index = 0;
  private batch_handler: (at_us: number) => void = () => {};
  private batch_handler_generation = -1;
  /** Called when the watermark is reached (the interrupt line). */
  onInterrupt: (now_us: number) => void = () => {};
  /** The delayed interrupt's queue handler: one for the sensor's life, not one per batch. */
  private readonly interruptAt = (now_us: number): void => this.onInterrupt(now_us);

  constructor(
    private readonly queue: EventQueue,
    /** Samples at each supported rate, read one by one as the sensor takes them. */
    private readonly streamAt: (rate_hz: number) => SampleStream | Int32Array,
    /** Extra latency from the watermark sample to the interrupt handler running. */
    private readonly irq_latency_us = 0,
    /** The recording's accelerometer at each supported rate; null when it has none. */
    private readonly accelAt: AccelStreamAt | null = null,
    /**
     * The IMU's activity figure (mg) at a virtual time (sim/sensor/imu.ts); null on a ring
     * without an IMU: no figures.
     */
    private readonly activityAt: ((t_us: number) => number) | null = null,
  ) {}

  private stream: SampleStream = EMPTY;

  get sample_rate_hz(): number {
    return this.rate_hz;
  }

  get samples_total(): number {
    return this.stream.length;
  }

  get samples_produced(): number {
    return this.next_sample;
  }

  /**
   * A rate, the FIFO's watermark, and the span of samples each activity figure covers (the
   * watermark when not given).
   */
  configure(rate_hz: number, watermark_samples: number, span_samples: number = watermark_samples): number {
    if (!SENSOR_RATES_HZ.includes(rate_hz)) return -1;
    if (!Number.isInteger(watermark_samples) || watermark_samples < 1 || watermark_samples > SENSOR_FIFO_CAPACITY_SAMPLES) return -2;
    if (!Number.isInteger(span_samples) || span_samples < 1 || span_samples > SENSOR_FIFO_CAPACITY_SAMPLES) return -2;
    this.rate_hz = rate_hz;
    this.watermark = watermark_samples;
    this.span = span_samples;
    this.span_fill = 0;
    this.activity_head = 0;
    this.activity_count = 0;
    const s = this.streamAt(rate_hz);
    this.stream = s instanceof Int32Array ? arrayStream(s) : s;
    const imu = this.accelAt === null ? null : this.accelAt(rate_hz);
    this.imu_stream = imu instanceof Int16Array ? interleavedAccel(imu) : imu;
    this.imu_head = 0;
    this.imu_count = 0;
    // The recording goes on while the ring reconfigures: sampling resumes at the first tick
    // of the new rate after now (at boot, now = 0: the first sample is at 0). Batches
    // scheduled under the old configuration are void.
    this.next_sample = this.queue.now_us === 0 ? 0 : Math.floor((this.queue.now_us * rate_hz) / 1000000) + 1;
    this.generation++;
    this.irq_pending = false;
    this.fifo_head = 0;
    this.fifo_count = 0;
    this.overflow = 0;
    this.scheduleNextBatch(this.queue.now_us);
    return 0;
  }

  private sampleTime_us(index: number): number {
    // Exact for the supported rates: 1e6 / rate is an integer.
    return index * (1000000 / this.rate_hz);
  }

  /** Sample k is taken at k / rate; one event per watermark batch keeps the queue small. */
  private scheduleNextBatch(now_us: number): void {
    if (this.irq_pending || this.next_sample >= this.stream.length) return;
    const remaining = this.stream.length - this.next_sample;
    const need = Math.max(1, this.watermark - this.fifo_count);
    const batch = Math.min(need, remaining);
    const last_index = this.next_sample + batch - 1;
    const t = Math.max(now_us, this.sampleTime_us(last_index));
    this.irq_pending = true;
    this.batch_last_index = last_index;
    this.queue.schedule(t, this.batchHandler());
  }

  /**
   * The queue handler of the current configuration's batches, made once per configuration
   * rather than per batch. Its batch is the one pending: a configuration has at most one
   * (irq_pending), so batch_last_index is that batch's; a batch of an older configuration
   * finds the generation changed and does nothing.
   */
  private batchHandler(): (at_us: number) => void {
    const generation = this.generation;
    if (this.batch_handler_generation !== generation) {
      this.batch_handler_generation = generation;
      this.batch_handler = (at_us) => {
        if (generation === this.generation) this.runBatch(at_us);
      };
    }
    return this.batch_handler;
  }

  private runBatch(at_us: number): void {
    this.produceUpTo(this.batch_last_index);
    this.irq_pending = false;
    const fire_at = at_us + this.irq_latency_us;
    if (this.fifo_count >= this.watermark || this.next_sample >= this.stream.length) {
      // The recording ends: its last span, however short, gets its figure with the last interrupt.
      if (this.next_sample >= this.stream.length && this.span_fill > 0) this.closeSpan(this.batch_last_index);
      if (this.irq_latency_us === 0) this.onInterrupt(at_us);
      else this.queue.schedule(fire_at, this.interruptAt);
    }
    this.scheduleNextBatch(at_us);
  }

  private produceUpTo(last_index: number): void {
    for (let k = this.next_sample; k <= last_index; k++) {
      if (this.fifo_count === SENSOR_FIFO_CAPACITY_SAMPLES) {
        this.overflow++;
      } else {
        let tail = this.fifo_head + this.fifo_count;
        if (tail >= SENSOR_FIFO_CAPACITY_SAMPLES) tail -= SENSOR_FIFO_CAPACITY_SAMPLES;
        this.fifo[tail] = this.stream.at(k);
        this.fifo_count++;
        this.span_fill++;
        if (this.span_fill === this.span) this.closeSpan(k);
      }
      if (this.imu_stream !== null && this.imu_count < SENSOR_FIFO_CAPACITY_SAMPLES) {
        // Past the accelerometer's end (a shorter channel) the IMU reads still.
        let imu_tail = this.imu_head + this.imu_count;
        if (imu_tail >= SENSOR_FIFO_CAPACITY_SAMPLES) imu_tail -= SENSOR_FIFO_CAPACITY_SAMPLES;
        const has = k < this.imu_stream.length;
        for (let a = 0; a < 3; a++) this.imu_fifo[3 * imu_tail + a] = has ? this.imu_stream.at(k, a) : 0;
        this.imu_count++;
      }
    }
    this.next_sample = last_index + 1;
  }

  /**
   * The span ending with sample k is complete: its activity figure is the IMU's at the time
   * the interrupt for a batch ending with k runs (k's time plus the interrupt latency), so a
   * span's figure does not depend on how many spans a batch holds. Dropped when the figure
   * FIFO is full (the firmware is that late only when the sample FIFO overflows too).
   */
  private closeSpan(k: number): void {
    this.span_fill = 0;
    if (this.activityAt === null || this.activity_count === ACTIVITY_FIFO_CAPACITY) return;
    let tail = this.activity_head + this.activity_count;
    if (tail >= ACTIVITY_FIFO_CAPACITY) tail -= ACTIVITY_FIFO_CAPACITY;
    this.activity_fifo[tail] = Math.min(ACTIVITY_MG_MAX, this.activityAt(this.sampleTime_us(k) + this.irq_latency_us));
    this.activity_count++;
  }

  /** Pop up to max_count activity figures (mg, oldest span first) into dst; 0 without an IMU. */
  readActivity(dst: Int16Array, max_count: number): number {
    const n = Math.max(0, Math.min(Math.trunc(max_count), this.activity_count, dst.length));
    for (let i = 0; i < n; i++) {
      dst[i] = this.activity_fifo[this.activity_head];
      this.activity_head++;
      if (this.activity_head === ACTIVITY_FIFO_CAPACITY) this.activity_head = 0;
    }
    this.activity_count -= n;
    return n;
  }

  read(dst: Int32Array, max_count: number): number {
    const n = Math.min(max_count, this.fifo_count, dst.length);
    for (let i = 0; i < n; i++) {
      dst[i] = this.fifo[this.fifo_head];
      this.fifo_head++;
      if (this.fifo_head === SENSOR_FIFO_CAPACITY_SAMPLES) this.fifo_head = 0;
    }
    this.fifo_count -= n;
    // Draining below the watermark re-arms batching if production was waiting on space.
    this.scheduleNextBatch(this.queue.now_us);
    return n;
  }

  /** Whether the recording has an accelerometer: the simulated ring then has an IMU. */
  get has_imu(): boolean {
    return this.accelAt !== null;
  }

  /** Pop up to max_count accelerometer samples (3 entries each) into dst; 0 without an IMU. */
  readImu(dst: Int16Array, max_count: number): number {
    const n = Math.min(max_count, this.imu_count, Math.floor(dst.length / 3));
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < 3; a++) dst[3 * i + a] = this.imu_fifo[3 * this.imu_head + a];
      this.imu_head++;
      if (this.imu_head === SENSOR_FIFO_CAPACITY_SAMPLES) this.imu_head = 0;
    }
    this.imu_count -= n;
    return n;
  }

  takeOverflowCount(): number {
    const n = this.overflow;
    this.overflow = 0;
    return n;
  }

  get done(): boolean {
    return this.next_sample >= this.stream.length && this.fifo_count === 0;
  }
}
