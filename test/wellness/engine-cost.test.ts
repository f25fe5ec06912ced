// The wellness hooks' cost on an embedded engine (bench/wellness-engine.ts): the module
// bundled to ES5 as for the ring and driven on Duktape under callgrind, a count that does not
// depend on machine load. The hooks must stay a small share of the firmware: under 2,400
// instructions a sample at 25 Hz, 1 % of the whole firmware's 239,700 on Duktape
// (docs/mcu-budget.md). `npm run bench` measures two hours of interrupts; this, ten minutes.

import t from 'tap';
import { wellnessEngineFigures } from '../../bench/wellness-engine.js';
import { repoRoot } from '../helpers/shared.js';

const BUDGET_PER_SAMPLE_25HZ = 2400;

t.test('the wellness hooks on Duktape: instructions per interrupt and per sample', async (t) => {
  const f = await wellnessEngineFigures(repoRoot, 6000);
  if (!('wellness_duktape_instructions_per_interrupt' in f)) {
    t.fail(`not measured: ${f.wellness_duktape} (make deps installs duktape and valgrind)`);
    return;
  }
  t.comment(JSON.stringify(f));
  t.ok(f.wellness_duktape_instructions_per_interrupt > 100, `${f.wellness_duktape_instructions_per_interrupt} instructions an interrupt: the hooks ran`);
  t.ok(f.wellness_duktape_instructions_per_sample_25hz < BUDGET_PER_SAMPLE_25HZ,
    `${f.wellness_duktape_instructions_per_sample_25hz} instructions a sample at 25 Hz (< ${BUDGET_PER_SAMPLE_25HZ})`);
  t.ok(Math.abs(f.wellness_duktape_instructions_per_sample_50hz * 2 - f.wellness_duktape_instructions_per_sample_25hz) <= 1,
    'half as many a sample at 50 Hz (one interrupt per 100 ms, whatever the rate)');
});
