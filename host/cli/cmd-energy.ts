// `ring energy <fixture>`: the ring's predicted battery life for the usage profile (25 Hz
// PPG all day, 1 h/day connected streaming, one history sync per day) on one engine, with
// the average current of every component and the datasheet figure behind each one.
//
// Inputs come from the simulation: the whole firmware's instructions per sample on the
// engine (valgrind's callgrind over the first --cpu-seconds of the fixture; or given with
// --instructions-per-sample), the simulated link's connection events and packets while
// streaming and during a history sync, and the records the firmware logs per day.

import fs from 'node:fs';
import type { Command } from 'commander';
import { ENGINES, buildEngines, type EngineName } from '../../engines/run.js';
import { haveValgrind } from '../../engines/cpu.js';
import { DATASHEET, PROFILE } from '../energy/datasheet.js';
import { energyModel, type EnergyReport } from '../energy/model.js';
import { measureHistorySync, measureInstructions, measureStreaming, recordsPerDay } from '../energy/measure.js';
import { UsageError } from './errors.js';
import { parseIntervalMs, parsePhy } from './transport-options.js';

interface EnergyCliOptions {
  engine: string;
  json?: boolean;
  instructionsPerSample?: string;
  cpuSeconds: string;
  phy: '1M' | '2M';
  intervalMs: number;
}

function positiveInt(name: string, text: string, max: number): number {
  const v = Number(text);
  if (!/^\d+$/.test(text) || v < 1 || v > max) throw new UsageError(`${name} must be an integer in 1..${max}, got '${text}'`);
  return v;
}

export async function energyReport(fixture: string, opts: EnergyCliOptions): Promise<EnergyReport> {
  if (!fs.existsSync(fixture) || !fs.statSync(fixture).isFile()) throw new UsageError(`fixture not found: ${fixture}`);
  if (!(ENGINES as readonly string[]).includes(opts.engine)) throw new UsageError(`--engine must be one of ${ENGINES.join(', ')}, got '${opts.engine}'`);
  const engine = opts.engine as EngineName;
  const rate_hz = PROFILE.rate_hz;
  let ips: number;
  if (opts.instructionsPerSample !== undefined) ips = positiveInt('--instructions-per-sample', opts.instructionsPerSample, 100_000_000);
  else {
    const seconds = positiveInt('--cpu-seconds', opts.cpuSeconds, 600);
    const built = buildEngines();
    if (!built.ok) throw new Error(`make engines engines-snapshots failed: ${built.output.slice(-1000)}`);
    if (!haveValgrind()) throw new UsageError('valgrind is not installed (make deps): or give --instructions-per-sample');
    ips = await measureInstructions(engine, fixture, rate_hz, seconds);
  }
  const link = { phy: opts.phy, interval_ms: opts.intervalMs, mtu: 247, seed: 1 };
  const streaming = await measureStreaming(fixture, rate_hz, link);
  const history = await measureHistorySync(fixture, rate_hz, link);
  return energyModel({
    engine,
    rate_hz,
    firmware_instructions_per_sample: ips,
    streaming: streaming.activity,
    streaming_measured_s: streaming.seconds,
    history: history.activity,
    history_records: history.records,
    records_per_day: await recordsPerDay(fixture, rate_hz),
    flash_bytes_written: history.flash.bytes_written,
    flash_measured_s: history.flash.seconds,
    phy: opts.phy,
    interval_ms: opts.intervalMs,
  });
}

export function formatEnergy(r: EnergyReport): string {
  const w = Math.max(...r.components.map((c) => c.name.length));
  const lines = [
    `engine ${r.engine}; profile: ${r.profile.rate_hz} Hz PPG all day, ${r.profile.streaming_s_per_day / 3600} h/day streaming, ${r.profile.history_syncs_per_day} history sync/day; battery ${r.profile.battery_mah} mAh at ${r.profile.battery_v} V`,
    '',
    `${'component'.padEnd(w)}  avg current  basis`,
    ...r.components.map((c) => `${c.name.padEnd(w)}  ${c.avg_current_ua.toFixed(2).padStart(8)} µA  ${c.basis}`),
    `${'total'.padEnd(w)}  ${r.total_avg_current_ua.toFixed(2).padStart(8)} µA`,
    '',
    `predicted battery life: ${r.battery_days.toFixed(1)} days`,
    '',
    'datasheet figures used:',
    ...Object.entries(DATASHEET).map(([k, f]) => `  ${k} = ${f.value} ${f.unit}: ${f.source}`),
  ];
  return lines.join('\n') + '\n';
}

export function registerEnergyCommand(program: Command): void {
  program
    .command('energy')
    .description('predicted battery life of the ring on an engine, per component, for the usage profile')
    .argument('<fixture>', 'recording the simulated ring replays')
    .option('--engine <name>', `embedded engine: ${ENGINES.join(', ')}`, 'jerryscript')
    .option('--instructions-per-sample <n>', 'firmware instructions per sample (skips the callgrind measurement)')
    .option('--cpu-seconds <s>', 'seconds of the fixture callgrind measures', '20')
    .option('--phy <phy>', 'BLE physical layer (1M, 2M)', parsePhy, '1M' as '1M' | '2M')
    .option('--interval-ms <ms>', 'connection interval, a multiple of 1.25 in 7.5..4000', parseIntervalMs, 30)
    .option('--json', 'print one JSON document')
    .action(async (fixture: string, opts: EnergyCliOptions) => {
      const r = await energyReport(fixture, opts);
      if (opts.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else process.stdout.write(formatEnergy(r));
    });
}
