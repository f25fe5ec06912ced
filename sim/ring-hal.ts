// The simulated ring's HAL: connects the firmware to the simulated sensor (PPG, IMU and
// its activity figures), the virtual clock and an output sink that timestamps every emitted record with virtual time.

import type { Hal } from "../firmware/hal.js";
import { EventQueue } from "./event-queue.js";
import { SimPpgSensor } from "./sensor/ppg-sensor.js";

export interface EmittedRecord {
  kind: number;
  fields: Int32Array;
  emitted_us: number;
}

export class SimRingHal implements Hal {
  readonly records: EmittedRecord[] = [];
  /** Optional listener, e.g. a protocol layer streaming records as they appear. */
  onRecord: ((r: EmittedRecord) => void) | null = null;

  constructor(
    private readonly queue: EventQueue,
    private readonly sensor: SimPpgSensor,
    private readonly keep_records = true,
  ) {}

  sensor_configure(sample_rate_hz: number, watermark_samples: number, span_samples: number): number {
    return this.sensor.configure(sample_rate_hz, watermark_samples, span_samples);
  }

  sensor_read(dst: Int32Array, max_count: number): number {
    return this.sensor.read(dst, max_count);
  }

  sensor_overflow_count(): number {
    return this.sensor.takeOverflowCount();
  }

  motion_activity_read(dst: Int16Array, max_count: number): number {
    return this.sensor.readActivity(dst, max_count);
  }

  imu_read(dst: Int16Array, max_count: number): number {
    return this.sensor.readImu(dst, max_count);
  }

  imu_present(): boolean {
    return this.sensor.has_imu;
  }

  clock_ms(): number {
    return Math.floor(this.queue.now_us / 1000);
  }

  emit(kind: number, record: Int32Array, field_count: number): void {
    // Timed by the ring's own clock (ms), as it reports emission times over the protocol.
    const r: EmittedRecord = { kind, fields: record.slice(0, field_count), emitted_us: this.clock_ms() * 1000 };
    if (this.keep_records) this.records.push(r);
    if (this.onRecord !== null) this.onRecord(r);
  }
}
