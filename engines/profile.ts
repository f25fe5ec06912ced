// Per-function CPU profile of the whole firmware on JerryScript: where the instructions per
// sample (engines/cpu.ts) go, by firmware function.
//
//   make jerry-profile && make build
//   node dist/engines/profile.js <recording.json> [rate_hz] [seconds] [--top N]
//
// The firmware is bundled as the engines get it (engines/bundle.mjs: constants inlined) but
// with its own names, run from source by build/jerry-ring-prof (JerryScript with one C
// trampoline per JavaScript function, engines/jerryscript/profile-patch.py) over the
// sensor feed of the recording (radio attached, not connected, as engines/cpu.ts counts),
// under callgrind. Each row: a function's instructions per sample, callees included, its
// calls and its instructions per call. Figures include the trampolines' own small cost
// and are the 512 KB tool build's, run from source: read them as shares, and take the
// per-sample total from engines/cpu.ts (the snapshot on the 64 KB build).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeScript, feedScript } from './driver/script.js';
import { findRoot } from './run.js';
import { sensorStreamOf } from '../tools/duk/write-stream.js';

export interface ProfileRow {
  name: string;
  instructions: number;
  calls: number;
}

/** Inclusive cost and calls of every jsfn_<k> trampoline in a callgrind output file. */
export function readProfile(callgrind_out: string, names: Map<string, string>): ProfileRow[] {
  const fnNames = new Map<string, string>();
  const resolve = (tok: string): string => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(tok);
    if (m === null) return tok;
    if (m[2] !== undefined) fnNames.set(m[1]!, m[2]);
    return fnNames.get(m[1]!) ?? tok;
  };
  const cost = new Map<string, number>();
  const calls = new Map<string, number>();
  let current = '';
  let callee = '';
  let pending = 0;
  for (const line of fs.readFileSync(callgrind_out, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) current = resolve(line.slice(3));
    else if (line.startsWith('cfn=')) callee = resolve(line.slice(4));
    else if (line.startsWith('calls=')) pending = Number(line.slice(6).split(' ')[0]);
    else if (pending > 0 && /^[\d+*-]/.test(line)) {
      const base = callee.split("'")[0]!;
      // A trampoline's cost counted from vm_execute, the one caller it has.
      if (base.startsWith('jsfn_') && current.split("'")[0] !== base) {
        cost.set(base, (cost.get(base) ?? 0) + Number(line.split(' ')[1] ?? 0));
        calls.set(base, (calls.get(base) ?? 0) + pending);
      }
      pending = 0;
    }
  }
  return [...cost.entries()]
    .map(([k, c]) => ({ name: names.get(k) || '(anonymous)', instructions: c, calls: calls.get(k) ?? 0 }))
    .sort((a, b) => b.instructions - a.instructions);
}

function main(argv: string[]): number {
  const pos = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--top');
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 40;
  if (pos.length < 1 || !fs.existsSync(pos[0]!) || !(top > 0)) {
    process.stderr.write('usage: node dist/engines/profile.js <recording.json> [rate_hz] [seconds] [--top N]\n');
    return 2;
  }
  const rate_hz = Number(pos[1] ?? 50);
  const seconds = Number(pos[2] ?? 60);
  if (![25, 50, 100].includes(rate_hz) || !(seconds > 0)) {
    process.stderr.write('error: rate_hz is 25, 50 or 100 and seconds a positive number\n');
    return 2;
  }
  const root = findRoot();
  const host = path.join(root, 'build', 'jerry-ring-prof');
  if (!fs.existsSync(host)) {
    process.stderr.write('error: build/jerry-ring-prof is missing: run make jerry-profile\n');
    return 2;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-profile-'));
  try {
    const bundle = path.join(dir, 'ring.js');
    const b = spawnSync('node', [path.join(root, 'engines', 'bundle.mjs'), path.join(root, 'engines', 'ring-entry.js'), bundle, '--inline', '--banner', 'var RingFirmware = {};'], { cwd: root, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`bundle: ${b.stderr}`);
    const stream = sensorStreamOf(pos[0]!, rate_hz).subarray(0, Math.round(rate_hz * seconds));
    const script = path.join(dir, 'feed.i32');
    fs.writeFileSync(script, encodeScript(feedScript(stream, { rate_hz })));
    const map = path.join(dir, 'prof.map');
    const out = path.join(dir, 'callgrind.out');
    const r = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, host, '--firmware', bundle, '--driver', path.join(root, 'dist', 'ring-driver.es5.js'), '--script', script, '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, PROF_MAP: map },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0 || !fs.existsSync(map)) throw new Error(`valgrind exited ${r.status}: ${r.stderr.slice(-1500)}`);
    const names = new Map(fs.readFileSync(map, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)] as [string, string]));
    const n = stream.length;
    process.stdout.write(`${'per sample'.padStart(12)} ${'calls'.padStart(8)} ${'per call'.padStart(10)}  function (callees included; ${n} samples at ${rate_hz} Hz)\n`);
    for (const row of readProfile(out, names).slice(0, top)) {
      process.stdout.write(`${Math.round(row.instructions / n).toString().padStart(12)} ${row.calls.toString().padStart(8)} ${Math.round(row.instructions / Math.max(1, row.calls)).toString().padStart(10)}  ${row.name}\n`);
    }
    return 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]).replace(/\.ts$/, '.js').endsWith(path.join('engines', 'profile.js'))) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 3;
  }
}
