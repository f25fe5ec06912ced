// The motion heart-rate tracker and the IMU it reads (firmware/dsp/motion.ts, Hal.imu_present):
// the pipeline asks the HAL at boot whether the ring has an IMU and runs the tracker only
// then; an IMU read that fails (the HAL returns 0 and drops that read's samples) leaves one
// batch out and the tracker goes on with the next, instead of resting until the next boot.
// Driven as the Duktape host feeds the firmware (tools/duk/node-drive.ts), over a generated
// recording with a 120 s motion burst and its accelerometer.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { generateRingPpg } from '../../sim/synth/ring-ppg.js';
import { generateRrSeries } from '../../sim/synth/rr-series.js';
import { accelStream, sensorStream } from '../../sim/replay.js';
import { driveFirmware, importFirmware, type DriveOptions } from '../../tools/duk/node-drive.js';
import { repoRoot } from '../helpers/shared.js';

const FIRMWARE_NODE = path.join(repoRoot, 'build', 'firmware-node', 'motion.mjs');
const RATE_HZ = 50;
const DURATION_S = 180;
const MOTION = { start_s: 40, duration_s: 120, intensity: 1 };
const GAP_AT_S = 60;

const rr = generateRrSeries({ seed: 7, duration_s: DURATION_S + 5, hr_bpm: 95 });
const fixture = generateRingPpg({ seed: 7, rr_ms: rr.rr_ms, rr_source: rr.source, duration_s: DURATION_S, sample_rate_hz: 100, accel_rate_hz: 50, motion: [MOTION] });
const stream = sensorStream(fixture, RATE_HZ);
const accel = accelStream(fixture, RATE_HZ)!;

let fresh = 0;
async function run(opts: Omit<DriveOptions, 'rate_hz'>): Promise<{ lines: string[]; irq_calls: number; imu_reads: number }> {
  const fw = await importFirmware(FIRMWARE_NODE, `imu-gap-${++fresh}`);
  const lines: string[] = [];
  const r = driveFirmware(fw, stream, { rate_hz: RATE_HZ, ...opts }, (line) => lines.push(line));
  return { lines, irq_calls: r.irq_calls, imu_reads: r.imu_reads };
}

/** Heart-rate records (kind 2: time_ms bpm_x10 confidence) from `from_ms` on. */
const hrFrom = (lines: string[], from_ms: number): string[] => lines.filter((l) => l.startsWith('2 ') && Number(l.split(' ')[1]) >= from_ms);
const before = (lines: string[], ms: number): string => lines.filter((l) => Number(l.split(' ')[1]) < ms).join('\n');

t.test('an IMU read that fails skips one batch; the tracker goes on', async (t) => {
  const made = spawnSync('make', ['--no-print-directory', 'firmware-motion'], { cwd: repoRoot, encoding: 'utf8' });
  t.equal(made.status, 0, `make firmware-motion: ${made.stdout}${made.stderr}`.slice(0, 2000));
  if (made.status !== 0) return;
  const clean = await run({ accel });
  const no_imu = await run({});
  t.equal(no_imu.imu_reads, 0, 'a ring without an IMU: the firmware never reads it');
  t.equal(clean.imu_reads, clean.irq_calls, 'with an IMU: one read per drained batch (one batch per interrupt here)');
  // The read at GAP_AT_S fails.
  const gap_read = Math.round((clean.irq_calls * GAP_AT_S) / DURATION_S);
  const gap = await run({ accel, imu_failed_reads: new Set([gap_read]) });
  const from_ms = (GAP_AT_S + 1) * 1000;
  const n_clean = hrFrom(clean.lines, from_ms).length;
  const n_gap = hrFrom(gap.lines, from_ms).length;
  const n_no_imu = hrFrom(no_imu.lines, from_ms).length;
  t.ok(n_clean - n_no_imu >= 20, `the tracker adds heart-rate records during motion: ${n_clean} with the IMU, ${n_no_imu} without`);
  t.ok(Math.abs(n_gap - n_clean) <= 3, `after the failed read at ${GAP_AT_S} s: ${n_gap} heart-rate records, as without it (${n_clean}), not as without an IMU (${n_no_imu})`);
  t.equal(before(gap.lines, GAP_AT_S * 1000 - 1000), before(clean.lines, GAP_AT_S * 1000 - 1000), 'every record before the failed read is the same');
  // Every read failing from GAP_AT_S on (an IMU gone quiet): beat-level output as without an IMU, nothing else breaks.
  const all_fail = new Set(Array.from({ length: clean.irq_calls }, (_, i) => i).filter((i) => i >= gap_read));
  const quiet = await run({ accel, imu_failed_reads: all_fail });
  t.ok(Math.abs(hrFrom(quiet.lines, from_ms + 10000).length - hrFrom(no_imu.lines, from_ms + 10000).length) <= 3,
    'an IMU whose every read fails: heart rate from beats only, as on a ring without one');
});
