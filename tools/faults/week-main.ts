// `make faults` (second half): a simulated week through the flash history log, read back over
// the protocol and compared with what the ring emitted (tools/faults/log-week.ts). Prints
// the figures; exits 1 on any mismatch or when the wear spread exceeds 2x.

import { runLogWeek, weekBaseFixture } from './log-week.js';

const days = Number(process.argv[2] ?? 7);
if (!(days > 0 && days <= 30)) {
  process.stderr.write('error: days must be in (0, 30]\n');
  process.exit(2);
}
const r = await runLogWeek(weekBaseFixture(), days);
const wear_ok = r.erase_max <= 2 * r.erase_min;
process.stdout.write(
  `log week: ${r.days} days, ${r.records_emitted} records emitted, ${r.records_read} read back over the protocol ` +
    `(beats kept ${r.beats_retention_h} h, from seq ${r.beats_first_seq}; HRV and status records: all)\n` +
    `  mismatches ${r.mismatches.length}, wall ${r.log_week_sim_s} s, flash ${r.log_flash_bytes_per_day} B/day, ` +
    `erases per sector ${r.erase_min}..${r.erase_max} (${r.log_erase_cycles_per_day_max}/day max, spread ${wear_ok ? 'within' : 'BEYOND'} 2x), ` +
    `history read ${r.history_read_s_virtual} s virtual in ${r.history_pages} pages\n`,
);
for (const m of r.mismatches.slice(0, 10)) process.stdout.write(`  ${m}\n`);
process.exit(r.mismatches.length === 0 && wear_ok ? 0 : 1);
