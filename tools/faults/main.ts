// `make faults`: the full power-loss sweep of the history log (sim/flash/log-fault-sweep.ts).
// Prints the scenario count by kind, the failures (each with what reproduces it) and exits 1
// when any scenario failed. Options: --seed N, --steps N, --unit BYTES, --limit N (first N
// scenarios only), --json.

import { allScenarios, describeScenario, dryRun, runScenario, type Scenario } from '../../sim/flash/log-fault-sweep.js';

interface Args { seed: number; steps: number; unit: number; limit: number; json: boolean }

function parseArgs(argv: string[]): Args {
  const a: Args = { seed: 1, steps: 700, unit: 4, limit: Number.MAX_SAFE_INTEGER, json: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--json') { a.json = true; continue; }
    const v = Number(argv[++i]);
    if (!Number.isSafeInteger(v) || v < 1) usage(`${k} needs a positive integer`);
    if (k === '--seed') a.seed = v;
    else if (k === '--steps') a.steps = v;
    else if (k === '--unit') a.unit = v;
    else if (k === '--limit') a.limit = v;
    else usage(`unknown option ${k}`);
  }
  return a;
}

function usage(msg: string): never {
  process.stderr.write(`error: ${msg}\nusage: node dist/tools/faults/main.js [--seed N] [--steps N] [--unit 1|2|4|8|16] [--limit N] [--json]\n`);
  process.exit(2);
}

function kindOf(s: Scenario): string {
  const c = s.cut;
  const base = c.phase === 'during' ? (c.units_done !== undefined ? (c.partial_unit ? 'torn write +partial unit' : 'torn write') : 'interrupted erase') : `cut ${c.phase} an operation`;
  return s.recovery_cut ? `${base}, then a cut during recovery` : base;
}

const args = parseArgs(process.argv.slice(2));
const opts = { seed: args.seed, steps: args.steps, write_unit_bytes: args.unit };
const started = process.hrtime.bigint();
const dry = dryRun(opts);
const scenarios = allScenarios(dry.ops, { recovery_every: 20, recovery_ops: 10 }).slice(0, args.limit);
const by_kind: Record<string, number> = {};
const failed: { scenario: string; failures: string[] }[] = [];
let records_checked = 0;
for (let i = 0; i < scenarios.length; i++) {
  const s = scenarios[i]!;
  by_kind[kindOf(s)] = (by_kind[kindOf(s)] ?? 0) + 1;
  const r = runScenario(opts, s);
  records_checked += r.records_checked;
  if (r.failures.length > 0) failed.push({ scenario: describeScenario(opts, s), failures: r.failures });
  if (!args.json && process.stderr.isTTY && i % 200 === 0) process.stderr.write(`\r${i}/${scenarios.length} scenarios, ${failed.length} failed`);
}
const wall_s = Number(process.hrtime.bigint() - started) / 1e9;
const summary = {
  seed: args.seed, steps: args.steps, write_unit_bytes: args.unit,
  workload_flash_ops: dry.ops.length, workload_records: dry.records, workload_erases: dry.erases,
  scenarios: scenarios.length, failures: failed.length, records_checked, by_kind, wall_s: Math.round(wall_s * 10) / 10,
};
if (args.json) {
  process.stdout.write(JSON.stringify({ ...summary, failed }) + '\n');
} else {
  if (process.stderr.isTTY) process.stderr.write('\n');
  process.stdout.write(`log fault sweep: seed ${args.seed}, ${args.steps} workload steps (${dry.records} records, ${dry.ops.length} flash operations, ${dry.erases} erases), ${args.unit}-byte write unit\n`);
  for (const [k, n] of Object.entries(by_kind)) process.stdout.write(`  ${String(n).padStart(6)}  ${k}\n`);
  process.stdout.write(`scenarios: ${scenarios.length}  failures: ${failed.length}  records checked: ${records_checked}  (${summary.wall_s} s)\n`);
  for (const f of failed.slice(0, 20)) process.stdout.write(`FAIL ${f.scenario}\n  ${f.failures.join('\n  ')}\n`);
}
process.exit(failed.length > 0 ? 1 : 0);
