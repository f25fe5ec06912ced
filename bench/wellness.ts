// Cost of the wellness summaries (firmware/wellness/): the hooks' time per sensor interrupt
// on Node, driven directly for a simulated day, their instructions per interrupt and per
// sample on Duktape (callgrind, bench/wellness-engine.ts), and one generated day/night
// recording replayed through the whole firmware and scored against its ground truth.

import { performance } from 'node:perf_hooks';
import type { Hal } from '../firmware/hal.js';
import * as wl from '../firmware/wellness/wellness.js';
import { generateDaylife } from '../sim/synth/daylife.js';
import { replayFixture } from '../sim/replay.js';
import { wellnessFromRecords } from '../host/wellness/records.js';
import { scoreWellness } from '../host/wellness/score.js';
import { wellnessEngineFigures } from './wellness-engine.js';

const IRQ_PER_DAY = 864000; // a 100 ms sensor batch

/** ns per interrupt of the wellness hooks over a day: motion every interrupt, HRV windows as the pipeline publishes them. */
function hooksNsPerInterrupt(): number {
  const hal: Hal = {
    sensor_configure: () => 0, sensor_read: () => 0, sensor_overflow_count: () => 0,
    motion_activity_read: () => 0, imu_read: () => 0, imu_present: () => false, clock_ms: () => 0, emit: () => {},
  };
  wl.wellness_boot(hal);
  const t0 = performance.now();
  for (let i = 1; i <= IRQ_PER_DAY; i++) {
    const t_ms = i * 100;
    // Moving 5 minutes of every hour: periods open and close.
    wl.wellness_on_motion(t_ms % 3600000 < 300000 && i % 3 === 0 ? 120 : 8);
    if (t_ms % 30000 === 0) wl.wellness_on_hrv(t_ms, false, true, 250, 8500);
    if (t_ms % 60000 === 0) wl.wellness_on_hrv(t_ms, true, true, 420, 9500);
    wl.wellness_tick(t_ms);
  }
  return Math.round(((performance.now() - t0) * 1e6) / IRQ_PER_DAY);
}

export async function wellnessFigures(root: string): Promise<Record<string, unknown>> {
  const ns = hooksNsPerInterrupt();
  let engine: Record<string, unknown>;
  try {
    engine = { ...(await wellnessEngineFigures(root)) };
  } catch (err) {
    engine = { wellness_duktape_error: err instanceof Error ? err.message : String(err) };
  }
  let t0 = performance.now();
  const f = generateDaylife({ seed: 1, nights: 1, end_clock_s: 20 * 3600 });
  const gen_s = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const r = replayFixture(f, { rate_hz: 25, seed: 1 });
  const replay_s = (performance.now() - t0) / 1000;
  const s = scoreWellness(f, wellnessFromRecords(r.wellness ?? []));
  const n = s.nights[0];
  return {
    wellness_ns_per_interrupt: ns,
    ...engine,
    daylife_recording_h: Number((r.duration_ms / 3600000).toFixed(1)),
    daylife_generate_s: Number(gen_s.toFixed(2)),
    daylife_replay_25hz_s: Number(replay_s.toFixed(2)),
    daylife_onset_error_min: n?.onset_error_min,
    daylife_wake_error_min: n?.wake_error_min,
    daylife_asleep_error_min: n?.asleep_error_min,
    daylife_rmssd_error_ms: n?.rmssd_error_ms === null || n === undefined ? null : Number(n.rmssd_error_ms.toFixed(2)),
    daylife_stress_detected: `${s.stress_detected}/${s.stress_true}`,
    daylife_stress_false_alarms: s.stress_false_alarms,
  };
}
