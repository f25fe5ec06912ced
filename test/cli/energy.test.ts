// `ring energy` as a user runs it: a per-component table and the battery days for the
// profile, every datasheet figure named; --json one document; bad input one line and exit 2.
// With ../shared (the engines) it measures the instructions per sample itself (callgrind).
import t from 'tap';
import { oneLineError, ring } from '../helpers/cli.js';
import { needsShared, repoRoot } from '../helpers/shared.js';
import { buildEngines } from '../../engines/run.js';

const rest = 'fixtures/synth/synth-rest.ringfx';

interface Report {
  engine: string;
  battery_days: number;
  total_avg_current_ua: number;
  components: { name: string; avg_current_ua: number; basis: string }[];
  datasheet: Record<string, { value: number; unit: string; source: string }>;
  inputs: { firmware_instructions_per_sample: number; streaming: { connection_events: number }; history_records: number; flash_bytes_written: number; flash_measured_s: number };
}

// Its options' wrong values are rows of test/cli/wrong-values.test.ts's table (every option
// of every command: one line and exit 2).
t.test('bad input: one-line errors, exit 2', async (t) => {
  oneLineError(t, ring(['energy', 'no-such.ringfx', '--instructions-per-sample', '1000']), /fixture not found/);
});

t.test('the model: components, datasheet sources, and CPU cost moves the battery life', async (t) => {
  const cheap = ring(['energy', rest, '--instructions-per-sample', '20000', '--json']);
  t.equal(cheap.code, 0, cheap.stderr);
  const a = JSON.parse(cheap.stdout) as Report;
  t.same(
    a.components.map((c) => c.name),
    ['mcu sleep', 'cpu (jerryscript)', 'radio: streaming', 'radio: history sync', 'ppg afe', 'ppg led', 'accelerometer', 'flash log'],
    'every component',
  );
  for (const c of a.components) t.ok(c.avg_current_ua > 0, `${c.name}: ${c.avg_current_ua.toFixed(2)} µA`);
  t.ok(a.inputs.streaming.connection_events > 1000, 'the simulated link ran connection events while streaming');
  // The flash figure is what the log wrote to the simulated flash (records in batches, sector
  // headers), not a record count times a worst-case record size (58 bytes).
  const per_record = a.inputs.flash_bytes_written / a.inputs.history_records;
  t.ok(per_record > 4 && per_record < 40, `the log wrote ${per_record.toFixed(1)} bytes a record on the simulated flash`);
  const flash = a.components.find((c) => c.name === 'flash log');
  t.match(flash?.basis, new RegExp(`\\(${a.inputs.flash_bytes_written} bytes logged in ${Math.round(a.inputs.flash_measured_s)} s on the simulated flash\\)$`), 'the flash line names what was measured');
  for (const [k, f] of Object.entries(a.datasheet)) t.ok(f.source.length > 20 && f.value > 0, `${k} has a value and a source`);
  const sum = a.components.reduce((s, c) => s + c.avg_current_ua, 0);
  t.ok(Math.abs(sum - a.total_avg_current_ua) < 1e-6, 'the total is the sum of the components');
  t.ok(Math.abs(a.battery_days - 22 / (a.total_avg_current_ua / 1000) / 24) < 1e-9, 'days = 22 mAh / average current');
  // The table, for 10x the instructions: its days (one decimal) against the JSON's above.
  const table = ring(['energy', rest, '--instructions-per-sample', '200000']);
  t.equal(table.code, 0, table.stderr);
  const days = /predicted battery life: (\d+\.\d) days/.exec(table.stdout);
  t.ok(days, 'the table says the battery life');
  const costly_days = Number(days?.[1]);
  t.ok(costly_days < a.battery_days - 0.05, `10x the instructions: fewer days (${costly_days} < ${a.battery_days.toFixed(2)})`);
  t.match(table.stdout, /nRF52840 Product Specification/);
  t.match(table.stdout, /MAX30101/);
});

t.test('instructions per sample measured on JerryScript with callgrind', needsShared('engines'), async (t) => {
  // The engines first, here (a fresh clone builds them for minutes; the CLI run below has a timeout).
  const built = buildEngines(repoRoot);
  t.ok(built.ok, 'make engines engines-snapshots', { output: built.output.slice(-2000) });
  if (!built.ok) return;
  const r = ring(['energy', rest, '--engine', 'jerryscript', '--cpu-seconds', '4', '--json']);
  t.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Report;
  const ips = doc.inputs.firmware_instructions_per_sample;
  t.ok(ips > 1000 && ips < 1_000_000, `the firmware's share: ${ips} instructions per sample`);
  t.ok(doc.battery_days > 0, `${doc.battery_days.toFixed(1)} days`);
});
