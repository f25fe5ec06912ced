// write-stream: the sensor stream a fixture yields at a firmware rate, as the file the
// Duktape host (build/duk-ring) and tools/duk/node-drive.ts read.
//
//   node dist/tools/duk/write-stream.js <fixture> <rate_hz> <out.i32>
//
// The stream is the simulator's: sim/sensor/resample.ts applied to the fixture's PPG
// (sim/fixture/load.ts reads .ringfx, dataset .json and .csv fixtures).

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadFixture } from "../../sim/fixture/load.js";
import { resamplePpg } from "../../sim/sensor/resample.js";
import { accelStream } from "../../sim/replay.js";
import { encodeStream } from "./stream-file.js";

/** The fixture's PPG resampled to rate_hz, exactly as the simulator's sensor samples it. */
export function sensorStreamOf(fixture_path: string, rate_hz: number): Int32Array {
  const fixture = loadFixture(fixture_path);
  return resamplePpg(fixture.ppg, fixture.meta.sample_rate_hz, rate_hz);
}

/** The fixture's accelerometer on the sensor's clock at rate_hz (x, y, z interleaved), or null. */
export function accelStreamOf(fixture_path: string, rate_hz: number): Int16Array | null {
  return accelStream(loadFixture(fixture_path), rate_hz);
}

/** Writes the stream file; returns the sample count. */
export function writeStreamFile(fixture_path: string, rate_hz: number, out_path: string): number {
  const samples = sensorStreamOf(fixture_path, rate_hz);
  fs.mkdirSync(path.dirname(out_path), { recursive: true });
  fs.writeFileSync(out_path, encodeStream(samples));
  return samples.length;
}

function main(argv: readonly string[]): number {
  if (argv.length !== 3 || argv[0] === "--help") {
    process.stderr.write("usage: write-stream <fixture> <rate_hz> <out.i32>\n");
    return 2;
  }
  const [fixture_path, rate_text, out_path] = argv as [string, string, string];
  const rate_hz = Number(rate_text);
  if (!Number.isInteger(rate_hz) || rate_hz < 1) {
    process.stderr.write(`write-stream: rate must be a positive integer, got "${rate_text}"\n`);
    return 2;
  }
  try {
    const n = writeStreamFile(fixture_path, rate_hz, out_path);
    process.stderr.write(`write-stream: ${out_path}: ${n} samples at ${rate_hz} Hz\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`write-stream: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
