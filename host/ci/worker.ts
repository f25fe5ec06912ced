// A worker thread of `ring ci --jobs N`: its own module graph, hence its own firmware
// instance; it replays the sessions the pool sends, one at a time, and posts each result.

import { parentPort, workerData } from 'node:worker_threads';
import { loadFirmwareBundle, type RingFirmware } from '../../sim/firmware-module.js';
import { runSession, type SessionRunOptions } from './run-session.js';
import type { SessionSpec } from './sessions.js';
import type { WorkerInit, WorkerReply, WorkerTask } from './pool.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('host/ci/worker.js runs as a worker thread of ring ci');

let firmware: RingFirmware | undefined;
const ready: Promise<void> = init.firmware_bundle === null
  ? Promise.resolve()
  : loadFirmwareBundle(init.firmware_bundle).then((fw) => {
      firmware = fw;
    });
const opts: SessionRunOptions = init.run;

// Tasks are handled strictly one after another: the firmware is one ring.
let chain = ready;
port.on('message', (task: WorkerTask) => {
  chain = chain.then(async () => {
    const outcome = await runSession(task.spec as SessionSpec, firmware, opts);
    const reply: WorkerReply = { index: task.index, outcome };
    port.postMessage(reply);
  }).catch((err: unknown) => {
    const reply: WorkerReply = { index: task.index, fault: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    port.postMessage(reply);
  });
});
