// A worker thread of `ring ci --jobs N`: its own module graph, hence its own firmware
// instance. It takes sessions itself from the counter every job shares (pool.ts), one at a
// time, and posts each result; it never waits for the calling thread to hand out work.
// It stays (idle) once the sessions run out, until the pool ends it with the run.

import { parentPort, workerData } from 'node:worker_threads';
import { loadFirmwareBundle } from '../../sim/firmware-module.js';
import { runSession } from './run-session.js';
import { clockMs, takeNext, type WorkerInit, type WorkerReply } from './pool.js';
import { threadCpuMs } from './thread-cpu.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('host/ci/worker.js runs as a worker thread of ring ci');
// Holds the thread open after the last session: leaving early would read as a crash.
port.on('message', () => {});

const next = new Int32Array(init.next);
const firmware = init.firmware_bundle === null ? undefined : await loadFirmwareBundle(init.firmware_bundle);

// One session after another: the firmware is one ring.
for (let index = takeNext(next, init.order); index >= 0; index = takeNext(next, init.order)) {
  let reply: WorkerReply;
  try {
    const started_ms = clockMs();
    const cpu0 = threadCpuMs();
    const outcome = await runSession(init.specs[index]!, firmware, init.run);
    const cpu1 = threadCpuMs();
    reply = { index, outcome, cpu_ms: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, started_ms, cpu_before_ms: cpu0 };
  } catch (err) {
    reply = { index, fault: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  port.postMessage(reply);
  if ('fault' in reply) break;
}
