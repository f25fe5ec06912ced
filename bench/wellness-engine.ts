// Cost of the wellness hooks on an embedded engine: Duktape (Debian's `duk`, the library the
// Duktape builds of the whole firmware link), counted by callgrind, so the figure is the same
// on every run and machine load does not touch it.
//
// The wellness module alone is bundled to ES5 as for the ring (engines/bundle.mjs --min:
// constants inlined) and driven as the pipeline drives it on the ring: one motion call and
// one tick per 100-ms sensor interrupt, a 60-second HRV window every 30 s and a 5-minute one
// every minute, over IRQS interrupts of the day bench/wellness.ts drives on Node (still, with
// 5 minutes of movement an hour). Two runs of the same script differ only in whether the
// loop calls the hooks:
//   per interrupt = (Ir(hooks) - Ir(loop alone)) / IRQS
// so loading the engine and the bundle, booting and the loop's own arithmetic cancel out.
// Per sample = per interrupt / samples per interrupt (2.5 at 25 Hz, 5 at 50 Hz).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Two hours of 100-ms interrupts: two movement bouts, every per-minute path. */
export const IRQS = 72_000;
const DUK = '/usr/bin/duk';

function driver(irqs: number, hooks: boolean): string {
  // ES5, no allocation in the loop; the same arithmetic with or without the calls.
  return `
(function () {
  var w = WellnessBench, calls = ${hooks ? 1 : 0}, sink = 0;
  var hal = { sensor_configure: function () { return 0; }, sensor_read: function () { return 0; }, sensor_overflow_count: function () { return 0; },
    motion_activity_read: function () { return 0; }, imu_read: function () { return 0; }, imu_present: function () { return false; }, clock_ms: function () { return 0; }, emit: function () {} };
  if (calls) w.boot(hal);
  for (var i = 1; i <= ${irqs}; i++) {
    var t_ms = i * 100;
    var mg = t_ms % 3600000 < 300000 && i % 3 === 0 ? 120 : 8;
    if (calls) w.on_motion(mg); else sink = sink + mg;
    if (t_ms % 30000 === 0) { if (calls) w.on_hrv(t_ms, false, true, 250, 8500); else sink = sink + 1; }
    if (t_ms % 60000 === 0) { if (calls) w.on_hrv(t_ms, true, true, 420, 9500); else sink = sink + 1; }
    if (calls) w.tick(t_ms); else sink = sink + t_ms;
  }
  print(sink >= 0 ? 'done' : 'never');
})();
`;
}

function callgrindCount(script: string, out_file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out_file}`, DUK, script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /Collected\s*:\s*(\d+)/.exec(stderr);
      if (code !== 0 || m === null || !stdout.includes('done')) reject(new Error(`valgrind duk ${path.basename(script)} exited ${code}: ${stdout.slice(-300)} ${stderr.slice(-1000)}`));
      else resolve(Number(m[1]));
    });
  });
}

export interface WellnessEngineFigures {
  wellness_duktape_instructions_per_interrupt: number;
  wellness_duktape_instructions_per_sample_25hz: number;
  wellness_duktape_instructions_per_sample_50hz: number;
  wellness_duktape_bundle_bytes: number;
}

/** The figures, or a reason they could not be measured. */
export async function wellnessEngineFigures(root: string, irqs = IRQS): Promise<WellnessEngineFigures | { wellness_duktape: string }> {
  if (!fs.existsSync(DUK)) return { wellness_duktape: `${DUK} is missing (Debian duktape)` };
  if (spawnSync('valgrind', ['--version']).status !== 0) return { wellness_duktape: 'valgrind is not installed' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-wellness-duk-'));
  try {
    const bundle = path.join(dir, 'wellness.es5.js');
    const b = spawnSync(process.execPath, [path.join(root, 'engines/bundle.mjs'), path.join(root, 'bench/engine/wellness-entry.js'), bundle, '--min', '--banner', 'var WellnessBench = {};'], { encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`bundle failed: ${b.stderr.slice(-500)}`);
    const code = fs.readFileSync(bundle, 'utf8');
    const run = async (hooks: boolean): Promise<number> => {
      const file = path.join(dir, hooks ? 'hooks.js' : 'loop.js');
      fs.writeFileSync(file, code + driver(irqs, hooks));
      return callgrindCount(file, path.join(dir, hooks ? 'hooks.out' : 'loop.out'));
    };
    const hooks = await run(true);
    const loop = await run(false);
    const per_irq = (hooks - loop) / irqs;
    return {
      wellness_duktape_instructions_per_interrupt: Math.round(per_irq),
      wellness_duktape_instructions_per_sample_25hz: Math.round(per_irq / 2.5),
      wellness_duktape_instructions_per_sample_50hz: Math.round(per_irq / 5),
      wellness_duktape_bundle_bytes: Buffer.byteLength(code),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
