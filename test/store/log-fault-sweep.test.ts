// A bounded, seeded subset of the power-loss sweep (`make faults` runs all of it): cuts at
// flash operations of the log's workload, before, during (torn writes, interrupted erases)
// and after, some followed by a second cut during recovery. Every failing scenario is
// printed with what reproduces it (`node dist/tools/faults/main.js` with that seed).

import t from 'tap';
import { allScenarios, describeScenario, dryRun, runScenario } from '../../sim/flash/log-fault-sweep.js';
import { Prng } from '../../sim/prng.js';

const SUBSET = 160;

for (const unit of [4, 8]) {
  t.test(`${SUBSET} seeded power-loss scenarios, ${unit}-byte write unit`, async (t) => {
    const opts = { seed: 7 + unit, steps: 400, write_unit_bytes: unit };
    const dry = dryRun(opts);
    t.ok(dry.erases >= 5, `the workload reclaims sectors (${dry.erases} erases over ${dry.ops.length} operations)`);
    const all = allScenarios(dry.ops, { recovery_every: 20, recovery_ops: 10 });
    const prng = new Prng(opts.seed);
    const kinds = new Set<string>();
    let failed = 0;
    for (let i = 0; i < SUBSET; i++) {
      const s = all[prng.nextInt(0, all.length - 1)]!;
      kinds.add(s.cut.phase + (s.recovery_cut ? '+recovery' : ''));
      const r = runScenario(opts, s);
      if (r.failures.length > 0) {
        failed++;
        t.fail(`${describeScenario(opts, s)}: ${r.failures.join('; ')}`);
      }
    }
    t.equal(failed, 0, `${SUBSET} of ${all.length} scenarios, none failed`);
    t.ok(kinds.has('during') && kinds.has('before') && kinds.has('during+recovery'), `phases covered: ${[...kinds].join(', ')}`);
  });
}
