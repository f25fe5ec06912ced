// node-drive: run the firmware module under Node with the Duktape host's feeding schedule,
// printing the same record text (sim/record-text.ts), so the two outputs can be compared
// byte for byte.
//
//   node dist/tools/duk/node-drive.js --input stream.i32 --rate 50 [--firmware module.js]
//                                     [--fifo-capacity 32] [--max-samples N]
//
// Schedule (as duk/host.c and sim/sensor/ppg-sensor.ts with no interrupt latency): sample
// k is taken at k * 1e6 / rate us; repeatedly make max(1, watermark - fifo_count) more
// samples available (a full FIFO drops the sample and counts an overflow); the clock
// stands at the last sample made available; when the FIFO holds `watermark` samples, or
// the input is exhausted (the final drain), call ring_on_sensor_irq().
//
// Exit codes as the Duktape host: 0 ok, 2 usage, 5 firmware contract violation, 6 I/O.

import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Hal } from "../../firmware/hal.js";
import { formatRecordLine } from "../../sim/record-text.js";
import { readAccelFile, readStreamFile } from "./stream-file.js";

/** The sensor FIFO of the simulated front end (sim/sensor/ppg-sensor.ts). */
export const FIFO_CAPACITY_DEFAULT = 32;

export interface FirmwareModule {
  ring_boot(hal: Hal, sample_rate_hz: number): number;
  ring_on_sensor_irq(): number;
}

export interface DriveOptions {
  rate_hz: number;
  fifo_capacity?: number;
  /** Accelerometer samples on the sensor's clock (x, y, z mg interleaved), or none. */
  accel?: Int16Array;
  /**
   * IMU reads that fail, by their index (0 = the first imu_read call): such a read returns
   * 0 and drops the samples it would have popped, as the HAL contract says (firmware/hal.ts).
   */
  imu_failed_reads?: ReadonlySet<number>;
}

export interface DriveResult {
  samples_in: number;
  samples_processed: number;
  irq_calls: number;
  records: number;
  overflow_samples: number;
  /** imu_read calls the firmware made (none on a ring without an IMU). */
  imu_reads: number;
}

/** The firmware broke its contract (a bad return value or record). */
export class ContractError extends Error {}

/** HAL over a prerecorded stream: bounded FIFO, virtual clock, text sink. */
class StreamHal implements Hal {
  readonly fifo: Int32Array;
  fifo_head = 0;
  fifo_count = 0;
  watermark = 0;
  overflow_pending = 0;
  now_us = 0;
  records = 0;
  readonly imu_fifo: Int16Array;
  imu_head = 0;
  imu_count = 0;
  imu_reads = 0;

  constructor(
    readonly rate_hz: number,
    readonly fifo_capacity: number,
    private readonly writeLine: (line: string) => void,
    private readonly has_imu = false,
    private readonly imu_failed_reads: ReadonlySet<number> = new Set(),
  ) {
    this.fifo = new Int32Array(fifo_capacity);
    this.imu_fifo = new Int16Array(3 * fifo_capacity);
  }

  /** One accelerometer sample into the IMU FIFO (dropped when full, as the PPG sample). */
  imu_push(accel: Int16Array, k: number): void {
    if (this.imu_count === this.fifo_capacity) return;
    let tail = this.imu_head + this.imu_count;
    if (tail >= this.fifo_capacity) tail -= this.fifo_capacity;
    const has = 3 * k + 2 < accel.length;
    for (let a = 0; a < 3; a++) this.imu_fifo[3 * tail + a] = has ? accel[3 * k + a]! : 0;
    this.imu_count++;
  }

  imu_present(): boolean {
    return this.has_imu;
  }

  imu_read(dst: Int16Array, max_count: number): number {
    let n = this.imu_count;
    if (max_count < n) n = max_count < 0 ? 0 : Math.trunc(max_count);
    if (Math.floor(dst.length / 3) < n) n = Math.floor(dst.length / 3);
    if (this.imu_failed_reads.has(this.imu_reads++)) {
      // A failed read: the samples it would have popped are dropped.
      this.imu_head = (this.imu_head + n) % this.fifo_capacity;
      this.imu_count -= n;
      return 0;
    }
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < 3; a++) dst[3 * i + a] = this.imu_fifo[3 * this.imu_head + a]!;
      this.imu_head++;
      if (this.imu_head === this.fifo_capacity) this.imu_head = 0;
    }
    this.imu_count -= n;
    return n;
  }

  sensor_configure(sample_rate_hz: number, watermark_samples: number): number {
    if (sample_rate_hz !== this.rate_hz) return -1; // the stream exists at the host's rate only
    if (!Number.isInteger(watermark_samples) || watermark_samples < 1 || watermark_samples > this.fifo_capacity) return -2;
    this.watermark = watermark_samples;
    this.fifo_head = 0;
    this.fifo_count = 0;
    this.overflow_pending = 0;
    this.imu_head = 0;
    this.imu_count = 0;
    return 0;
  }

  sensor_read(dst: Int32Array, max_count: number): number {
    let n = this.fifo_count;
    if (max_count < n) n = max_count < 0 ? 0 : Math.trunc(max_count);
    if (dst.length < n) n = dst.length;
    for (let i = 0; i < n; i++) {
      dst[i] = this.fifo[this.fifo_head]!;
      this.fifo_head++;
      if (this.fifo_head === this.fifo_capacity) this.fifo_head = 0;
    }
    this.fifo_count -= n;
    return n;
  }

  sensor_overflow_count(): number {
    const n = this.overflow_pending;
    this.overflow_pending = 0;
    return n;
  }

  /** Like the Duktape host: no activity figures (the firmware takes 0). */
  motion_activity_read(_dst: Int16Array, _max_count: number): number {
    return 0;
  }

  clock_ms(): number {
    return Math.floor(this.now_us / 1000);
  }

  emit(kind: number, record: Int32Array, field_count: number): void {
    let line: string;
    try {
      line = formatRecordLine(kind, record, field_count);
    } catch (err) {
      throw new ContractError(`emit: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.records++;
    this.writeLine(line);
  }
}

function checkInteger(what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new ContractError(`${what} returned ${String(v)}, not an integer`);
  return v;
}

/** Boot the firmware and feed it the whole stream; every record goes to writeLine. */
export function driveFirmware(fw: FirmwareModule, stream: Int32Array, opts: DriveOptions, writeLine: (line: string) => void): DriveResult {
  const capacity = opts.fifo_capacity ?? FIFO_CAPACITY_DEFAULT;
  const hal = new StreamHal(opts.rate_hz, capacity, writeLine, opts.accel !== undefined, opts.imu_failed_reads);
  const boot_rc = checkInteger("ring_boot", fw.ring_boot(hal, opts.rate_hz));
  if (boot_rc !== 0) throw new ContractError(`ring_boot(hal, ${opts.rate_hz}) returned ${boot_rc}`);
  if (hal.watermark === 0) throw new ContractError("ring_boot returned 0 without configuring the sensor");
  const result: DriveResult = { samples_in: stream.length, samples_processed: 0, irq_calls: 0, records: 0, overflow_samples: 0, imu_reads: 0 };
  let next = 0;
  while (next < stream.length) {
    const need = Math.max(1, hal.watermark - hal.fifo_count);
    const batch = Math.min(need, stream.length - next);
    for (let k = next; k < next + batch; k++) {
      if (hal.fifo_count === capacity) {
        hal.overflow_pending++;
        result.overflow_samples++;
      } else {
        let tail = hal.fifo_head + hal.fifo_count;
        if (tail >= capacity) tail -= capacity;
        hal.fifo[tail] = stream[k]!;
        hal.fifo_count++;
      }
      if (opts.accel !== undefined) hal.imu_push(opts.accel, k);
    }
    hal.now_us = Math.floor(((next + batch - 1) * 1000000) / opts.rate_hz);
    next += batch;
    if (hal.fifo_count >= hal.watermark || next >= stream.length) {
      const n = checkInteger("ring_on_sensor_irq", fw.ring_on_sensor_irq());
      result.irq_calls++;
      if (n < 0) throw new ContractError(`ring_on_sensor_irq() returned ${n} at sample ${next}`);
      result.samples_processed += n;
    }
  }
  result.records = hal.records;
  result.imu_reads = hal.imu_reads;
  return result;
}

/** Import a firmware module (a fresh instance when `fresh_key` differs between calls and the module is one file). */
export async function importFirmware(module_path: string, fresh_key?: string): Promise<FirmwareModule> {
  const url = pathToFileURL(path.resolve(module_path)).href + (fresh_key === undefined ? "" : `?${encodeURIComponent(fresh_key)}`);
  const mod = (await import(url)) as Partial<FirmwareModule>;
  if (typeof mod.ring_boot !== "function" || typeof mod.ring_on_sensor_irq !== "function") {
    throw new ContractError(`${module_path} must export ring_boot and ring_on_sensor_irq`);
  }
  return mod as FirmwareModule;
}

const USAGE = "usage: node-drive --input FILE --rate HZ [--accel FILE] [--firmware MODULE] [--fifo-capacity N] [--max-samples N]\n";

async function main(argv: readonly string[]): Promise<number> {
  let input: string | undefined;
  let accel_file: string | undefined;
  let rate_hz = 0;
  let fifo_capacity = FIFO_CAPACITY_DEFAULT;
  let max_samples = -1;
  let firmware = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "..", "firmware", "main.js");
  for (let i = 0; i < argv.length; i += 2) {
    const opt = argv[i]!;
    const v = argv[i + 1];
    if (v === undefined) {
      process.stderr.write(USAGE);
      return 2;
    }
    const int = (): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`${opt} expects a non-negative integer, got "${v}"`);
      return n;
    };
    try {
      if (opt === "--input") input = v;
      else if (opt === "--accel") accel_file = v;
      else if (opt === "--rate") rate_hz = int();
      else if (opt === "--firmware") firmware = v;
      else if (opt === "--fifo-capacity") fifo_capacity = int();
      else if (opt === "--max-samples") max_samples = int();
      else {
        process.stderr.write(USAGE);
        return 2;
      }
    } catch (err) {
      process.stderr.write(`node-drive: ${(err as Error).message}\n`);
      return 2;
    }
  }
  if (input === undefined || rate_hz < 1 || fifo_capacity < 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  let stream: Int32Array;
  let accel: Int16Array | undefined;
  try {
    stream = readStreamFile(input);
    if (accel_file !== undefined) accel = readAccelFile(accel_file);
  } catch (err) {
    process.stderr.write(`node-drive: ${(err as Error).message}\n`);
    return 6;
  }
  if (max_samples >= 0 && max_samples < stream.length) stream = stream.subarray(0, max_samples);
  const lines: string[] = [];
  try {
    const fw = await importFirmware(firmware);
    const r = driveFirmware(fw, stream, { rate_hz, fifo_capacity, accel }, (line) => lines.push(line));
    process.stdout.write(lines.length === 0 ? "" : lines.join("\n") + "\n");
    process.stderr.write(
      `node-drive: ${r.samples_in} samples in, ${r.samples_processed} processed, ${r.irq_calls} interrupts, ${r.records} records, ${r.overflow_samples} overflowed\n`,
    );
    return 0;
  } catch (err) {
    process.stdout.write(lines.length === 0 ? "" : lines.join("\n") + "\n");
    if (err instanceof ContractError) {
      process.stderr.write(`node-drive: ${err.message}\n`);
      return 5;
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`node-drive: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 4;
    },
  );
}
