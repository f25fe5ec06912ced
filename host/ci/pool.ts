// Running the sessions: in this thread (--jobs 1), or in this thread and on N-1 worker
// threads. Work starts longest recording first; each job takes the next session itself
// from a counter shared by all jobs (SharedArrayBuffer + Atomics.add), so a worker that
// finishes never waits for this thread, which is busy replaying its own sessions between
// the moments it reads the workers' results. Results are stored by the session's place in
// the sorted list, so the output is the same for every N and every finishing order. This
// thread starts at once while each worker loads its own module graph and firmware (about
// 0.12 s of the worker thread's CPU, `warmup_cpu_ms` in the 'ring ci done' log), so a
// worker that starts late only takes fewer sessions.
//
// What a worker costs beyond its sessions is V8 warming up in its own isolate: its first
// sessions run before the hot code is optimized, and TurboFan compiles the same ~270
// functions again (about 0.9 s of compile CPU per isolate for the CapnoBase set, on V8's
// helper threads). With every core running a job those helpers compete with the jobs, so
// a small library gains little from N jobs (README, "ring ci"); cutting what every session
// does (garbage, resampling, output records) is what helped both. V8 flags measured (on
// the command line, or set with v8.setFlagsFromString before the workers start) and not
// kept: no concurrent recompilation for the workers (total CPU within the noise of a
// shared machine), a 32 MB semi-space (within noise), --single-threaded-gc set at run time
// (aborts in the collector), Maglev (less compile CPU, but experimental in Node 20), half
// the inlining budget. Kept, for parallel runs only: twice V8's tier-up budget
// (parallelTierUp below).

import os from 'node:os';
import v8 from 'node:v8';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../bundle.js';
import { loadFirmwareBundle, type RingFirmware } from '../../sim/firmware-module.js';
import { runSession, type SessionOutcome, type SessionRunOptions } from './run-session.js';
import type { SessionSpec } from './sessions.js';
import { threadCpuMs } from './thread-cpu.js';

export const JOBS_MAX = 256;

/** What a worker gets at start: everything it needs to take sessions on its own. */
export interface WorkerInit {
  firmware_bundle: string | null;
  run: SessionRunOptions;
  specs: readonly SessionSpec[];
  /** Session indices in the order work starts. */
  order: readonly number[];
  /** Int32Array[1] over it: the next place in `order` to take (shared by every job). */
  next: SharedArrayBuffer;
}
export type WorkerReply =
  | { index: number; outcome: SessionOutcome; cpu_ms: number | null; started_ms: number; cpu_before_ms: number | null }
  | { index: number; fault: string };

/** One job's share of a run: how many sessions it replayed and the CPU its thread spent on them. */
export interface JobStats {
  job: number;
  /** 'main' for the calling thread, 'worker' for a worker thread. */
  thread: 'main' | 'worker';
  sessions: number;
  /** CPU time of the job's own thread in its sessions (null where the OS does not tell). */
  cpu_ms: number | null;
  /** Wall time from the pool's start to the job's first session (its warm-up; null: none taken). */
  first_session_ms: number | null;
  /** The job's thread CPU before its first session: module loading (and, for this thread, the CLI's start). */
  warmup_cpu_ms: number | null;
}

export interface PoolOptions {
  jobs: number;
  firmware_bundle: string | null;
  run: SessionRunOptions;
  /** Called as each session finishes (progress). */
  onDone?: (done: number, total: number, id: string) => void;
}

export interface PoolResult {
  outcomes: SessionOutcome[];
  /** When the pool started, in ms since the process did (null: no session to run). */
  started_at_ms: number | null;
  /** Per job, in job order (job 0 is this thread). */
  jobs: JobStats[];
}

export function defaultJobs(): number {
  return Math.max(1, Math.min(JOBS_MAX, os.availableParallelism()));
}

/** Indices in the order work starts: largest recording first, ties by id order. */
function dispatchOrder(specs: readonly SessionSpec[]): number[] {
  return specs.map((_, i) => i).sort((a, b) => specs[b]!.size_bytes - specs[a]!.size_bytes || a - b);
}

/** The next session index from the shared counter, or -1 once every session is taken. */
export function takeNext(next: Int32Array, order: readonly number[]): number {
  const k = Atomics.add(next, 0, 1);
  return k < order.length ? order[k]! : -1;
}

export async function runSessions(specs: readonly SessionSpec[], opts: PoolOptions): Promise<PoolResult> {
  if (specs.length === 0) return { outcomes: [], jobs: [], started_at_ms: null };
  // Load the bundle here first, so a bad one is reported as such before any worker starts.
  const firmware = opts.firmware_bundle === null ? undefined : await loadFirmwareBundle(opts.firmware_bundle);
  return runJobs(specs, Math.max(1, Math.min(opts.jobs, specs.length)), opts, firmware);
}

/** The worker's module next to this one (.js when compiled, .ts when run from sources by a TS loader). */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return workerEntry('ci-worker', `./worker${ext}`, import.meta.url);
}

/** Wall clock in ms, comparable across threads (each thread has its own timeOrigin). */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

function addCpu(stats: JobStats, cpu_ms: number | null, started_ms: number, pool_t0_ms: number, cpu_before_ms: number | null): void {
  if (stats.sessions === 0) {
    stats.first_session_ms = Math.round(started_ms - pool_t0_ms);
    stats.warmup_cpu_ms = cpu_before_ms === null ? null : Math.round(cpu_before_ms);
  }
  stats.sessions++;
  stats.cpu_ms = stats.cpu_ms === null || cpu_ms === null ? null : stats.cpu_ms + cpu_ms;
}

/** V8's default tier-up budget (Node 20: bytecode executed before TurboFan is asked to optimize). */
const INTERRUPT_BUDGET_DEFAULT = 67584;

/**
 * For a `ring ci` process that runs N > 1 jobs, before the workers start (the CLI calls it,
 * so a program that calls runCi keeps its own flags): twice V8's tier-up budget. Every
 * job optimizes the same code again in its own isolate, on helper threads that compete with
 * the jobs when every core runs one; with twice the budget only the really hot functions
 * are optimized. Counted under callgrind (6 CapnoBase recordings, --jobs 2, every thread):
 * 8.19 G instructions against 8.86-8.91 G (TurboFan compiles 630 -> 550); on one job it
 * cost 2% more, so a one-job run keeps V8's default. Left alone when the process was
 * started with its own --interrupt-budget.
 */
export function parallelTierUp(): void {
  if ([...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith('--interrupt-budget'))) return;
  v8.setFlagsFromString(`--interrupt-budget=${2 * INTERRUPT_BUDGET_DEFAULT}`);
}

/** This thread and jobs - 1 workers (none for one job) take the sessions in dispatch order. */
function runJobs(specs: readonly SessionSpec[], jobs: number, opts: PoolOptions, firmware: RingFirmware | undefined): Promise<PoolResult> {
  const t0_ms = clockMs();
  const order = dispatchOrder(specs);
  const next_buf = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const next = new Int32Array(next_buf);
  const out: SessionOutcome[] = new Array<SessionOutcome>(specs.length);
  const stats: JobStats[] = [];
  for (let j = 0; j < jobs; j++) stats.push({ job: j, thread: j === 0 ? 'main' : 'worker', sessions: 0, cpu_ms: 0, first_session_ms: null, warmup_cpu_ms: null });
  const init: WorkerInit = { firmware_bundle: opts.firmware_bundle, run: opts.run, specs, order, next: next_buf };
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let done = 0;
    let settled = false;
    const stopAll = (): void => {
      // Nobody takes another session; the workers are ended where they are.
      Atomics.store(next, 0, order.length);
      for (const w of workers) void w.terminate();
    };
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      stopAll();
      reject(err);
    };
    const finish = (index: number, outcome: SessionOutcome): void => {
      out[index] = outcome;
      done++; // not inside the optional call below: without onDone its arguments are never evaluated
      opts.onDone?.(done, specs.length, specs[index]!.id);
      if (done < specs.length || settled) return;
      settled = true;
      stopAll();
      resolve({ outcomes: out, jobs: stats, started_at_ms: Math.round(t0_ms - performance.timeOrigin) });
    };
    // This thread's job: one session at a time (the firmware here is one ring), letting the
    // workers' results through between sessions.
    const here = async (): Promise<void> => {
      for (let index = takeNext(next, order); index >= 0 && !settled; index = takeNext(next, order)) {
        const started_ms = clockMs();
        const cpu0 = threadCpuMs();
        let outcome: SessionOutcome;
        try {
          outcome = await runSession(specs[index]!, firmware, opts.run);
        } catch (err) {
          fail(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        const cpu1 = threadCpuMs();
        addCpu(stats[0]!, cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, started_ms, t0_ms, cpu0);
        finish(index, outcome);
        await new Promise<void>((r) => setImmediate(r));
      }
    };
    for (let j = 1; j < jobs; j++) {
      const w = new Worker(workerUrl(), { workerData: init });
      workers.push(w);
      w.on('message', (reply: WorkerReply) => {
        if ('fault' in reply) {
          fail(new Error(`worker fault on session ${specs[reply.index]!.id}: ${reply.fault}`));
          return;
        }
        addCpu(stats[j]!, reply.cpu_ms, reply.started_ms, t0_ms, reply.cpu_before_ms);
        finish(reply.index, reply.outcome);
      });
      w.on('error', (err) => fail(err));
      // A worker stays until the run ends (stopAll), so leaving before is a fault.
      w.on('exit', (code) => {
        if (!settled) fail(new Error(`a ring ci worker exited (code ${code}) before the run finished`));
      });
    }
    void here();
  });
}
