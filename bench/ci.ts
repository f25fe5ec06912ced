// `ring ci` throughput: sessions replayed, compared with their goldens and scored per
// second, on one job and on every core, over the development recordings (default mode:
// over the protocol). The goldens are written by a first, untimed run. Each timed run is a
// fresh `ring ci` process, as a CI job starts one: in this process the code would already be
// compiled by the first run while the workers of a parallel run start cold, which favours
// one job unfairly. Runs alternate (1 job, all jobs, 1 job, ...) so a load that comes and
// goes on a shared machine weighs on both alike; the figure is each side's median, and
// every run is listed. Per-session CPU is each job's own thread (the run's info log,
// host/ci/thread-cpu.ts), so a worker's sessions compare with the calling thread's; the
// whole process's CPU (every thread, V8's compiler and collector threads included) says what
// a parallel run costs beyond one job: N jobs cannot beat one by more than the cores that
// CPU is spread over allow.
// What N jobs can gain is bounded by the cores the machine really gives at that moment (a
// virtual machine's cores may be shared with its neighbours): ci_parallel_capacity is the
// same CPU-bound loop timed on one thread and then on N threads at once, before and after
// the runs, as N x t1 / tN (N on N free cores, 1 when the threads only take turns).
//
// Alone: node dist/bench/ci.js [recordings folder] [runs]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { runCi, type CiOptions } from '../host/ci/ci.js';
import { defaultJobs, type JobStats } from '../host/ci/pool.js';

/** The ring bin users run, built beside this module (dist/bench -> dist/bin/ring.js). */
const CLI = fileURLToPath(new URL('../bin/ring.js', import.meta.url));
const RUNS_DEFAULT = 3;

interface TimedRun {
  per_s: number;
  sessions: number;
  ok: boolean;
  per_job: JobStats[];
  /** CPU of every thread of the run's process (V8's compiler and collector threads included). */
  process_cpu_ms: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** CPU per session of the given threads over runs (null when the OS does not tell). */
function cpuPerSession(runs: TimedRun[], thread: JobStats['thread']): number | null {
  let cpu_ms = 0;
  let sessions = 0;
  for (const r of runs) {
    for (const j of r.per_job) {
      if (j.thread !== thread) continue;
      if (j.cpu_ms === null) return null;
      cpu_ms += j.cpu_ms;
      sessions += j.sessions;
    }
  }
  return sessions === 0 ? null : round(cpu_ms / sessions, 1);
}

function timed(library: string, golden_dir: string, jobs: number): TimedRun {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'ci', library, '--golden', golden_dir, '--rate-hz', '50', '--seed', '1', '--jobs', String(jobs), '--json'], {
    encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, NODE_OPTIONS: '', RING_LOG_LEVEL: 'info' },
  });
  const wall_s = (performance.now() - t0) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`ring ci --jobs ${jobs} failed (${r.status}): ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as { sessions: unknown[] };
  const done = r.stderr.split('\n').filter((l) => l.includes('"ring ci done"')).map((l) => JSON.parse(l) as { per_job: JobStats[]; process_cpu_ms: number })[0];
  if (done === undefined) throw new Error(`ring ci --jobs ${jobs} logged no 'ring ci done' line`);
  return { per_s: doc.sessions.length / wall_s, sessions: doc.sessions.length, ok: r.status === 0, per_job: done.per_job, process_cpu_ms: done.process_cpu_ms };
}

/** A CPU-bound loop of fixed work (integer only, no allocation). */
const SPIN_SOURCE = `let x = 0; for (let i = 0; i < 300000000; i++) x = (x + i * 7) | 0; return x;`;

async function spinThreads(threads: number): Promise<number> {
  const t0 = performance.now();
  const done = [];
  for (let i = 0; i < threads; i++) {
    done.push(new Promise<void>((resolve, reject) => {
      const w = new Worker(`(() => { ${SPIN_SOURCE} })()`, { eval: true });
      w.on('error', reject);
      w.on('exit', () => resolve());
    }));
  }
  await Promise.all(done);
  return performance.now() - t0;
}

/** How many cores' worth of work n threads got done at once (n: all free; 1: one core shared). */
export async function parallelCapacity(n: number): Promise<number> {
  const one_ms = await spinThreads(1);
  const n_ms = await spinThreads(n);
  return round((n * one_ms) / n_ms, 2);
}

export async function ciFigures(library: string, runs = RUNS_DEFAULT): Promise<Record<string, unknown>> {
  const golden_dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-bench-ci-'));
  try {
    const all = defaultJobs();
    const base: CiOptions = {
      library, golden_dir, rate_hz: 50, seed: 1, jobs: all, shard: null, direct: false, firmware_bundle: null,
      update_golden: true, want_report: false, thresholds: {},
    };
    await runCi(base);
    const capacity_before = await parallelCapacity(all);
    const one: TimedRun[] = [];
    const many: TimedRun[] = [];
    for (let i = 0; i < runs; i++) {
      one.push(timed(library, golden_dir, 1));
      many.push(timed(library, golden_dir, all));
    }
    const capacity_after = await parallelCapacity(all);
    const list = (rs: TimedRun[]): string => rs.map((r) => r.per_s.toFixed(2)).join(' ');
    const one_per_s = median(one.map((r) => r.per_s));
    const many_per_s = median(many.map((r) => r.per_s));
    return {
      ci_sessions: one[0]!.sessions,
      ci_sessions_per_s_1job: round(one_per_s, 2),
      ci_sessions_per_s_all_jobs: round(many_per_s, 2),
      ci_jobs_all: all,
      ci_speedup_all_jobs: round(many_per_s / one_per_s, 2),
      ci_parallel_capacity: `${capacity_before} ${capacity_after}`,
      ci_runs_per_s_1job: list(one),
      ci_runs_per_s_all_jobs: list(many),
      ci_cpu_ms_per_session_1job: cpuPerSession(one, 'main'),
      ci_cpu_ms_per_session_all_jobs_main: cpuPerSession(many, 'main'),
      ci_cpu_ms_per_session_all_jobs_worker: cpuPerSession(many, 'worker'),
      ci_process_cpu_ms_1job: median(one.map((r) => r.process_cpu_ms)),
      ci_process_cpu_ms_all_jobs: median(many.map((r) => r.process_cpu_ms)),
      ci_goldens_ok: one.every((r) => r.ok) && many.every((r) => r.ok),
    };
  } finally {
    fs.rmSync(golden_dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const library = process.argv[2] ?? path.join(repo, '../shared/datasets/capnobase');
  const runs = process.argv[3] === undefined ? RUNS_DEFAULT : Number(process.argv[3]);
  const figures = await ciFigures(library, runs);
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k}  ${String(v)}\n`);
}
