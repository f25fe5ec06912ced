// Benchmarks: figures, not pass/fail. `npm run bench` prints a table; `-- --json` prints
// one JSON document. Recordings are read from ../shared (the development set) and, when
// absent, from the shipped synthetic fixtures.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { listFixtures, loadFixture } from '../sim/fixture/load.js';
import type { Fixture } from '../sim/fixture/types.js';
import { replayFixture, sensorStream } from '../sim/replay.js';
import * as fw from '../firmware/ring.js';
import type { Hal } from '../firmware/hal.js';
import { firmwareHasBle } from '../sim/device/firmware-ble.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sharedCapnobase = path.resolve(repoRoot, '../shared/datasets/capnobase');

interface BenchFigures {
  [key: string]: unknown;
}

function recordings(): { source: string; fixtures: Fixture[] } {
  const dir = fs.existsSync(sharedCapnobase) ? sharedCapnobase : path.join(repoRoot, 'fixtures/synth');
  const files = listFixtures([dir]);
  return { source: path.relative(repoRoot, dir), fixtures: files.map((f) => loadFixture(f)) };
}

/** Simulated seconds per wall-clock second for full replays (sensor, queue, firmware, decoding). */
function replaySpeed(fixtures: Fixture[], rate_hz: number): { speed_x: number; simulated_s: number; wall_s: number } {
  let simulated_ms = 0;
  // One warm-up pass so the JIT has compiled the hot paths before timing.
  replayFixture(fixtures[0], { rate_hz, seed: 1 });
  const t0 = performance.now();
  for (const f of fixtures) simulated_ms += replayFixture(f, { rate_hz, seed: 1 }).duration_ms;
  const wall_ms = performance.now() - t0;
  return { speed_x: Math.round(simulated_ms / wall_ms), simulated_s: simulated_ms / 1000, wall_s: wall_ms / 1000 };
}

/** Firmware alone: samples pushed through the pipeline by a bare HAL, no simulator. */
function firmwareNsPerSample(fixtures: Fixture[], rate_hz: number): number {
  const streams = fixtures.map((f) => sensorStream(f, rate_hz));
  let stream = streams[0];
  let pos = 0;
  const hal: Hal = {
    sensor_configure: () => 0,
    sensor_read: (dst, max) => {
      const n = Math.min(max, stream.length - pos, dst.length);
      for (let i = 0; i < n; i++) dst[i] = stream[pos + i];
      pos += n;
      return n;
    },
    sensor_overflow_count: () => 0,
    motion_activity_read: () => 0,
    imu_read: () => 0,
    imu_present: () => false,
    clock_ms: () => 0,
    emit: () => {},
  };
  let samples = 0;
  const t0 = performance.now();
  for (const s of streams) {
    stream = s;
    pos = 0;
    fw.ring_boot(hal, rate_hz);
    while (pos < stream.length) fw.ring_on_sensor_irq();
    samples += s.length;
  }
  return Math.round(((performance.now() - t0) * 1e6) / samples);
}

async function duktapeFigures(): Promise<BenchFigures> {
  const helper = path.join(repoRoot, 'dist/tools/duk/bench-duk.js');
  if (!fs.existsSync(helper)) return { duktape: 'not built' };
  try {
    const mod = (await import(helper)) as { benchDuktape: () => Promise<BenchFigures>; benchDuktapeMotion: () => Promise<BenchFigures | null> };
    // The pipeline alone, then with the motion heart-rate tracker (a spc2015 running record).
    return { ...(await mod.benchDuktape()), ...((await mod.benchDuktapeMotion()) ?? { duktape_motion: 'no spc2015 dataset' }) };
  } catch (err) {
    return { duktape_error: err instanceof Error ? err.message : String(err) };
  }
}

/** The whole firmware on Duktape, JerryScript and Espruino (engines/bench.ts): heap, flash, CPU, battery days. */
async function engineFigures(): Promise<BenchFigures> {
  try {
    const mod = await import('../engines/bench.js');
    return await mod.benchEngines(repoRoot);
  } catch (err) {
    return { engines_error: err instanceof Error ? err.message : String(err) };
  }
}

/** History goodput and the protocol fuzz (bench/protocol.ts), once the firmware has its GATT server. */
async function protocolBenchFigures(): Promise<BenchFigures> {
  if (!firmwareHasBle()) return { protocol: 'firmware has no GATT server yet' };
  try {
    const mod = await import('./protocol.js');
    return await mod.protocolFigures(repoRoot);
  } catch (err) {
    return { protocol_error: err instanceof Error ? err.message : String(err) };
  }
}

/** ring ci sessions per second on 1 job and on every core (bench/ci.ts). */
async function ciBenchFigures(dir: string): Promise<BenchFigures> {
  try {
    const mod = await import('./ci.js');
    return await mod.ciFigures(dir);
  } catch (err) {
    return { ci_error: err instanceof Error ? err.message : String(err) };
  }
}

/** A simulated week through the flash history log (tools/faults/log-week.ts). */
async function logWeekFigures(): Promise<BenchFigures> {
  try {
    const { runLogWeek, weekBaseFixture } = await import('../tools/faults/log-week.js');
    const r = await runLogWeek(weekBaseFixture(), 7);
    return {
      log_week_sim_s: r.log_week_sim_s,
      log_flash_bytes_per_day: r.log_flash_bytes_per_day,
      log_erase_cycles_per_day_max: r.log_erase_cycles_per_day_max,
      log_week_erase_min_max: `${r.erase_min}..${r.erase_max}`,
      log_week_mismatches: r.mismatches.length,
      log_week_beats_retention_h: r.beats_retention_h,
    };
  } catch (err) {
    return { log_week_error: err instanceof Error ? err.message : String(err) };
  }
}

/** Wellness summaries: hook cost and one day/night recording scored (bench/wellness.ts). */
async function wellnessBenchFigures(): Promise<BenchFigures> {
  try {
    const mod = await import('./wellness.js');
    return await mod.wellnessFigures(repoRoot);
  } catch (err) {
    return { wellness_error: err instanceof Error ? err.message : String(err) };
  }
}

/** Firmware update throughput (bench/dfu.ts). */
async function dfuBenchFigures(): Promise<BenchFigures> {
  try {
    const mod = await import('./dfu.js');
    return await mod.dfuFigures(repoRoot);
  } catch (err) {
    return { dfu_error: err instanceof Error ? err.message : String(err) };
  }
}

/** Peak RSS of a 1-hour and a 24-hour replay (bench/memory.ts). */
async function memoryFigures(): Promise<BenchFigures> {
  try {
    const mod = await import('./memory.js');
    return mod.replayMemoryFigures(repoRoot);
  } catch (err) {
    return { replay_memory_error: err instanceof Error ? err.message : String(err) };
  }
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const { source, fixtures } = recordings();
  const r50 = replaySpeed(fixtures, 50);
  const r25 = replaySpeed(fixtures, 25);
  const figures: BenchFigures = {
    recordings: source,
    record_count: fixtures.length,
    replay_speed_x: r50.speed_x,
    replay_speed_x_25hz: r25.speed_x,
    replay_simulated_s: r50.simulated_s,
    replay_wall_s: Number(r50.wall_s.toFixed(3)),
    firmware_ns_per_sample_50hz: firmwareNsPerSample(fixtures, 50),
    firmware_ns_per_sample_25hz: firmwareNsPerSample(fixtures, 25),
    node: process.version,
    ...(await duktapeFigures()),
    ...(await protocolBenchFigures()),
    ...(await engineFigures()),
    ...(await ciBenchFigures(path.join(repoRoot, source))),
    ...(await logWeekFigures()),
    ...(await dfuBenchFigures()),
    ...(await wellnessBenchFigures()),
    ...(await memoryFigures()),
  };
  if (json) {
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
    return;
  }
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(width)}  ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
}

await main();
