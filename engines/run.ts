// Run a driver script (engines/driver/script.ts) through the whole firmware on one engine:
// Node (the reference), Duktape (build/duk-ring), JerryScript (build/jerry-ring, the 64 KB
// microcontroller build, firmware from a static snapshot run in place) or Espruino
// (build/engines/espruino/bin/espruino). Used by the differential tests, the bench and
// `ring energy`. Paths are those `make engines engines-snapshots` writes.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDriver, runOnNode } from './driver/node-host.js';
import { runOnEspruino } from './espruino/runner.js';
import { encodeScript } from './driver/script.js';

export const ENGINES = ['duktape', 'jerryscript', 'espruino'] as const;
export type EngineName = (typeof ENGINES)[number];

/** The project root (this file is engines/run.ts, or dist/engines/run.js once built). */
export function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    if (fs.existsSync(path.join(dir, 'Makefile')) && fs.existsSync(path.join(dir, 'engines', 'driver', 'driver.ts'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the project root (a folder with Makefile and engines/driver/driver.ts)');
}

export interface EnginePaths {
  root: string;
  duk_host: string;
  jerry_host: string;
  jerry_host_512k: string;
  espruino: string;
  ring_js: string;
  ring_min_js: string;
  driver_js: string;
  ring_snapshot: string;
  ring_literals: string;
  driver_snapshot: string;
  node_bundle: string;
}

export function enginePaths(root = findRoot()): EnginePaths {
  const p = (...s: string[]): string => path.join(root, ...s);
  return {
    root,
    duk_host: p('build', 'duk-ring'),
    jerry_host: p('build', 'jerry-ring'),
    jerry_host_512k: p('build', 'jerry-ring-512k'),
    espruino: p('build', 'engines', 'espruino', 'bin', 'espruino'),
    ring_js: p('dist', 'ring.es5.js'),
    ring_min_js: p('dist', 'ring.es5.min.js'),
    driver_js: p('dist', 'ring-driver.es5.js'),
    ring_snapshot: p('dist', 'ring.snapshot'),
    ring_literals: p('dist', 'ring.literals'),
    driver_snapshot: p('dist', 'ring-driver.snapshot'),
    node_bundle: p('build', 'engines-node', 'ring-driver.mjs'),
  };
}

/**
 * `make engines engines-snapshots`: builds what is missing or out of date (the engines once,
 * the bundles when a source changed). Under a lock: tests running in parallel share the outputs.
 */
export function buildEngines(root = findRoot()): { ok: boolean; output: string } {
  fs.mkdirSync(path.join(root, 'build'), { recursive: true });
  const r = spawnSync('flock', [path.join(root, 'build', '.engines.lock'), 'make', '--no-print-directory', 'engines', 'engines-snapshots'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** Heap figures, in bytes, comparable across engines. */
export interface EngineHeap {
  /** Highest heap use at any point, firmware load included, above the empty engine. */
  peak_bytes: number;
  /** After the firmware's load (code, literals, its top level run), above the empty engine. */
  loaded_bytes: number;
  /** After boot (every buffer allocated), above the empty engine. */
  booted_bytes: number;
  /** At the end minus after boot. */
  growth_bytes: number;
  /** The empty engine itself. */
  empty_bytes: number;
  /** Highest heap use including the empty engine (JerryScript: what must fit its fixed heap). */
  peak_total_bytes: number;
}

export interface EngineRun {
  engine: EngineName | 'node';
  status: number | null;
  /** The output lines, each ended by '\n'. */
  text: string;
  stderr: string;
  heap: EngineHeap | null;
}

let fresh = 0;

export async function runNodeScript(paths: EnginePaths, script: Int32Array): Promise<EngineRun> {
  const mod = await importDriver(paths.node_bundle, `run-${process.pid}-${++fresh}`);
  const r = runOnNode(mod, script);
  return { engine: 'node', status: r.rc === 0 ? 0 : 5, text: r.text, stderr: '', heap: null };
}

export interface RunOptions {
  /** Records and PDUs are counted, not printed. */
  quiet?: boolean;
  /** JerryScript: the 512 KB build (for firmwares that do not fit 64 KB). */
  jerry_512k?: boolean;
  /** Duktape: the unminified bundle. */
  raw_bundle?: boolean;
  /** Espruino: heap sampled at every record and PDU. */
  sample_heap?: boolean;
}

/** The command line that runs a script file on a C-hosted engine (for valgrind too). */
export function engineCommand(paths: EnginePaths, engine: 'duktape' | 'jerryscript', script_file: string, stats_file: string | null, opts: RunOptions = {}): string[] {
  const tail = ['--script', script_file, ...(stats_file === null ? [] : ['--stats-json', stats_file]), ...(opts.quiet ? ['--quiet'] : [])];
  if (engine === 'duktape') return [paths.duk_host, '--firmware', opts.raw_bundle ? paths.ring_js : paths.ring_min_js, '--driver', paths.driver_js, ...tail];
  return [
    opts.jerry_512k ? paths.jerry_host_512k : paths.jerry_host,
    '--firmware',
    paths.ring_snapshot,
    '--magic-strings',
    paths.ring_literals,
    '--driver',
    paths.driver_snapshot,
    ...tail,
  ];
}

export function runEngineScript(paths: EnginePaths, engine: EngineName, script: Int32Array, opts: RunOptions = {}): EngineRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-engine-'));
  try {
    const script_file = path.join(dir, 'script.i32');
    fs.writeFileSync(script_file, encodeScript(script));
    if (engine === 'espruino') {
      const r = runOnEspruino(paths.espruino, fs.readFileSync(paths.ring_min_js, 'utf8'), fs.readFileSync(paths.driver_js, 'utf8'), script_file, {
        sample_heap: opts.sample_heap ?? true,
      });
      const s = r.stats;
      const ok = r.status === 0 && s !== null && s.driver_rc === 0;
      const b = s?.block_bytes ?? 0;
      const heap =
        s === null
          ? null
          : {
              peak_bytes: (s.blocks_peak - s.blocks_empty) * b,
              loaded_bytes: (s.blocks_loaded - s.blocks_empty) * b,
              booted_bytes: (s.blocks_booted - s.blocks_empty) * b,
              growth_bytes: (s.blocks_end - s.blocks_booted) * b,
              empty_bytes: s.blocks_empty * b,
              peak_total_bytes: s.blocks_peak * b,
            };
      return { engine, status: ok ? 0 : (r.status ?? 4) || 5, text: r.text, stderr: r.stderr, heap };
    }
    const stats_file = path.join(dir, 'stats.json');
    const [cmd, ...args] = engineCommand(paths, engine, script_file, stats_file, opts);
    const r = spawnSync(cmd!, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    let heap: EngineHeap | null = null;
    if (fs.existsSync(stats_file)) {
      const s = JSON.parse(fs.readFileSync(stats_file, 'utf8')) as Record<string, number>;
      const empty = s.heap_empty_bytes!;
      heap = {
        peak_bytes: s.heap_peak_bytes! - empty,
        loaded_bytes: s.heap_loaded_bytes! - empty,
        booted_bytes: s.heap_booted_bytes! - empty,
        growth_bytes: s.heap_growth_bytes!,
        empty_bytes: empty,
        peak_total_bytes: s.heap_peak_bytes!,
      };
    }
    return { engine, status: r.status, text: r.stdout, stderr: r.stderr, heap };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
