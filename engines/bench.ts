// Bench figures of the whole firmware on the three engines (npm run bench): heap (peak
// with load, after boot, growth), flash cost (JerryScript's snapshot and literal strings,
// the source bundle for Duktape and Espruino), instructions per sample at 25 and 50 Hz
// (callgrind, firmware share and feed share apart) and the predicted battery life on each
// engine (host/energy). Needs ../shared (the engines' sources and the recordings).

import fs from 'node:fs';
import path from 'node:path';
import { sessionScript } from './driver/script.js';
import { instructionsPerSample, haveValgrind } from './cpu.js';
import { buildEngines, enginePaths, runEngineScript, type EngineName } from './run.js';
import { sensorStreamOf } from '../tools/duk/write-stream.js';
import { energyModel } from '../host/energy/model.js';
import { measureHistorySync, measureStreaming, recordsPerDay } from '../host/energy/measure.js';

/** Seconds of the recording callgrind runs over: Espruino is ~20x slower under valgrind too. */
const CPU_SECONDS: Record<EngineName, Record<number, number>> = {
  duktape: { 25: 60, 50: 60 },
  jerryscript: { 25: 60, 50: 60 },
  espruino: { 25: 20, 50: 10 },
};

export async function benchEngines(root: string): Promise<Record<string, unknown>> {
  const shared = path.resolve(root, '..', 'shared');
  const fixture = path.join(shared, 'datasets', 'capnobase', '0015_8min.json');
  if (!fs.existsSync(path.join(shared, 'engines')) || !fs.existsSync(fixture)) return { engines: '../shared is absent: engines not measured' };
  const built = buildEngines(root);
  if (!built.ok) return { engines_error: `make engines engines-snapshots failed: ${built.output.slice(-500)}` };
  const paths = enginePaths(root);
  const out: Record<string, unknown> = {};
  // Heap: the scripted session at 50 Hz over 90 s of the recording (every code path the central reaches).
  const session = sessionScript(sensorStreamOf(fixture, 50).subarray(0, 50 * 90), { rate_hz: 50 });
  for (const engine of ['duktape', 'jerryscript', 'espruino'] as const) {
    const r = runEngineScript(paths, engine, session, { quiet: true });
    if (r.status !== 0 || r.heap === null) {
      out[`${engine}_error`] = `exit ${r.status}: ${r.stderr.slice(0, 300)}`;
      continue;
    }
    const key = engine === 'duktape' ? 'duktape_whole' : engine;
    out[`${key}_heap_peak_bytes`] = engine === 'jerryscript' ? r.heap.peak_total_bytes : r.heap.peak_bytes;
    out[`${key}_heap_loaded_bytes`] = r.heap.loaded_bytes;
    out[`${key}_heap_booted_bytes`] = r.heap.booted_bytes;
    out[`${key}_heap_growth_bytes`] = r.heap.growth_bytes;
  }
  out.jerryscript_heap_size_bytes = 64 * 1024;
  out.jerryscript_snapshot_bytes = fs.statSync(paths.ring_snapshot).size;
  out.jerryscript_literals_bytes = fs.statSync(paths.ring_literals).size;
  out.duktape_whole_bundle_bytes = fs.statSync(paths.ring_min_js).size;
  out.espruino_bundle_bytes = fs.statSync(paths.ring_min_js).size;

  if (!haveValgrind()) return { ...out, engines_cpu: 'valgrind is not installed' };
  const link = { phy: '1M' as const, interval_ms: 30, mtu: 247, seed: 1 };
  const streaming = await measureStreaming(fixture, 25, link);
  const history = await measureHistorySync(fixture, 25, link);
  const records_per_day = await recordsPerDay(fixture, 25);
  for (const engine of ['jerryscript', 'duktape', 'espruino'] as const) {
    const key = engine === 'duktape' ? 'duktape_whole' : engine;
    const ips: Record<string, number> = {};
    const feed: Record<string, number> = {};
    for (const rate_hz of [25, 50]) {
      const stream = sensorStreamOf(fixture, rate_hz).subarray(0, rate_hz * CPU_SECONDS[engine][rate_hz]!);
      const c = await instructionsPerSample(paths, engine, stream, rate_hz);
      ips[String(rate_hz)] = c.firmware_instructions_per_sample;
      feed[String(rate_hz)] = c.feed_instructions_per_sample;
      if (engine === 'espruino' && rate_hz === 25) out.espruino_hot_spots = c.hot_spots;
      if (engine === 'jerryscript' && rate_hz === 50) out.jerryscript_hot_spots = c.hot_spots;
    }
    out[`${key}_instructions_per_sample`] = ips;
    out[`${key}_feed_instructions_per_sample`] = feed;
    for (const rate of Object.keys(ips)) out[`${key}_instructions_per_sample_${rate}hz`] = ips[rate];
    const energy = energyModel({
      engine,
      rate_hz: 25,
      firmware_instructions_per_sample: ips['25']!,
      streaming: streaming.activity,
      streaming_measured_s: streaming.seconds,
      history: history.activity,
      history_records: history.records,
      records_per_day,
      flash_bytes_written: history.flash.bytes_written,
      flash_measured_s: history.flash.seconds,
      phy: link.phy,
      interval_ms: link.interval_ms,
    });
    out[`battery_days_${engine}_25hz`] = Number(energy.battery_days.toFixed(2));
    out[`avg_current_ua_${engine}_25hz`] = Number(energy.total_avg_current_ua.toFixed(1));
  }
  return out;
}
