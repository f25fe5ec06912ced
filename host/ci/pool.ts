// Running the sessions: in this process (--jobs 1), or here and on N-1 worker threads. Work
// is handed out longest recording first, one session at a time to whichever job is free;
// results are stored by the session's place in the sorted list, so the output is the same
// for every N and every finishing order. This thread is one of the jobs: it starts at once,
// while each worker spends about a second loading its own module graph (as long as ten
// short sessions take), so N jobs are never slower than one.

import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../bundle.js';
import { loadFirmwareBundle, type RingFirmware } from '../../sim/firmware-module.js';
import { runSession, type SessionOutcome, type SessionRunOptions } from './run-session.js';
import type { SessionSpec } from './sessions.js';

export const JOBS_MAX = 256;

export interface WorkerInit {
  firmware_bundle: string | null;
  run: SessionRunOptions;
}
export interface WorkerTask {
  index: number;
  spec: SessionSpec;
}
export type WorkerReply = { index: number; outcome: SessionOutcome } | { index: number; fault: string };

export interface PoolOptions {
  jobs: number;
  firmware_bundle: string | null;
  run: SessionRunOptions;
  /** Called as each session finishes (progress). */
  onDone?: (done: number, total: number, id: string) => void;
}

export function defaultJobs(): number {
  return Math.max(1, Math.min(JOBS_MAX, os.availableParallelism()));
}

/** Indices in the order work starts: largest recording first, ties by id order. */
function dispatchOrder(specs: readonly SessionSpec[]): number[] {
  return specs.map((_, i) => i).sort((a, b) => specs[b]!.size_bytes - specs[a]!.size_bytes || a - b);
}

export async function runSessions(specs: readonly SessionSpec[], opts: PoolOptions): Promise<SessionOutcome[]> {
  if (specs.length === 0) return [];
  // Load the bundle here first, so a bad one is reported as such before any worker starts.
  const firmware = opts.firmware_bundle === null ? undefined : await loadFirmwareBundle(opts.firmware_bundle);
  return runJobs(specs, Math.max(1, Math.min(opts.jobs, specs.length)), opts, firmware);
}

/** The worker's module next to this one (.js when compiled, .ts when run from sources by a TS loader). */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return workerEntry('ci-worker', `./worker${ext}`, import.meta.url);
}

/** This thread and jobs - 1 workers (none for one job) take the sessions in dispatch order. */
function runJobs(specs: readonly SessionSpec[], jobs: number, opts: PoolOptions, firmware: RingFirmware | undefined): Promise<SessionOutcome[]> {
  const order = dispatchOrder(specs);
  const out: SessionOutcome[] = new Array<SessionOutcome>(specs.length);
  const init: WorkerInit = { firmware_bundle: opts.firmware_bundle, run: opts.run };
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let failed = false;
    const stopAll = (): void => {
      for (const w of workers) void w.terminate();
    };
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      stopAll();
      reject(err);
    };
    const feed = (w: Worker): void => {
      if (next >= order.length) return;
      const index = order[next++]!;
      const task: WorkerTask = { index, spec: specs[index]! };
      w.postMessage(task);
    };
    const finish = (index: number, outcome: SessionOutcome): boolean => {
      out[index] = outcome;
      done++; // not inside the optional call below: without onDone its arguments are never evaluated
      opts.onDone?.(done, specs.length, specs[index]!.id);
      if (done < specs.length) return false;
      stopAll();
      resolve(out);
      return true;
    };
    // This thread's job: one session at a time (the firmware here is one ring), letting the
    // workers' replies through between sessions.
    const here = async (): Promise<void> => {
      while (!failed && next < order.length) {
        const index = order[next++]!;
        let outcome: SessionOutcome;
        try {
          outcome = await runSession(specs[index]!, firmware, opts.run);
        } catch (err) {
          fail(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (finish(index, outcome)) return;
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
        if (!finish(reply.index, reply.outcome)) feed(w);
      });
      w.on('error', (err) => fail(err));
      w.on('exit', (code) => {
        if (done < specs.length && !failed) fail(new Error(`a ring ci worker exited (code ${code}) before the run finished`));
      });
      feed(w);
    }
    void here();
  });
}
