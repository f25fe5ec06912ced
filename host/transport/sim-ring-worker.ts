// One simulated ring behind the BlueZ stand-in (sim/bluez/), in its own worker thread. The
// firmware is a module with one state, so each ring needs its own module instance: a
// worker gives it one.
//
// The worker holds what BlueZ holds for a peripheral: the simulated ring (sim/ring-device.ts)
// and the host end of its simulated link, driven by SimTransport (MTU exchange, discovery,
// CCCD, as BlueZ does on Connect). It lives in host/ because BlueZ's GATT client is host
// software and SimTransport is the host's; the stand-in (sim/bluez/bluez-server.ts) is given
// this file's URL and turns D-Bus calls into messages here and messages from here into
// D-Bus signals.
//
// Time: the ring powers on (virtual time starts running) when it is first connected, so a
// session over BlueZ sees the same recording times as a session over --sim. From then on
// virtual time follows the wall clock (times `speed`): a tick every TICK_MS runs the event
// queue up to the wall clock's reading. Work the stand-in does on the host's behalf
// (connecting, waiting for room in the link's queue) may run virtual time ahead; the
// ticks then wait for the wall clock to catch up.

import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { loadFixture } from '../../sim/fixture/load.js';
import { RingDevice } from '../../sim/ring-device.js';
import type { FromRing, RingSpec, ToRing } from '../../sim/bluez/ring-messages.js';
import { SimTransport } from './sim-transport.js';

const TICK_MS = 2;
/** A vanished ring: how long a Connect tries before BlueZ gives up (shortened from ~30 s). */
const VANISHED_CONNECT_FAIL_MS = 300;

const port = parentPort;
if (port === null) throw new Error('ring-worker runs as a worker thread');
const spec = workerData as RingSpec;

function post(msg: FromRing): void {
  port!.postMessage(msg);
}

let device: RingDevice;
let transport: SimTransport;
try {
  device = new RingDevice(loadFixture(spec.fixture_path), { seed: spec.seed, rate_hz: spec.rate_hz, link: spec.link });
  if (spec.record_first && !device.runToEnd()) throw new Error(`the simulated ring did not finish its recording (${device.describe()})`);
  transport = new SimTransport(device);
} catch (err) {
  post({ ev: 'fatal', message: (err as Error).message });
  throw err;
}

let wall0_ms = -1; // wall clock when virtual time started running; -1 before the first connect
let virtual0_us = 0;
let vanished = false;
let armed = false;

transport.onNotify((value) => post({ ev: 'notify', value: Uint8Array.from(value) }));
transport.onDisconnect((reason) => post({ ev: 'disconnected', reason }));

function tick(): void {
  if (wall0_ms < 0) return;
  const target_us = virtual0_us + Math.floor((performance.now() - wall0_ms) * 1000 * spec.speed);
  if (target_us > device.now_us) device.queue.runUntil(target_us);
}
const timer = setInterval(() => {
  try {
    tick();
  } catch (err) {
    post({ ev: 'fatal', message: `${(err as Error).message} (${device.describe()})` });
    clearInterval(timer);
  }
}, TICK_MS);

/** After the first connection: arm the faults asked for, timed from that moment as with --sim. */
function armFaults(): void {
  if (armed) return;
  armed = true;
  if (spec.disconnect_after_us !== null) device.link.forceDisconnect(device.now_us + spec.disconnect_after_us);
  if (spec.vanish_after_us !== null) {
    const at_us = device.now_us + spec.vanish_after_us;
    device.link.forceDisconnect(at_us);
    device.queue.schedule(at_us, () => {
      vanished = true;
    });
  }
}

async function handle(msg: ToRing): Promise<void> {
  switch (msg.op) {
    case 'connect': {
      if (vanished) {
        setTimeout(() => post({ ev: 'reply', id: msg.id, ok: false, error: 'le-connection-abort-by-local' }), VANISHED_CONNECT_FAIL_MS);
        return;
      }
      if (wall0_ms < 0) {
        wall0_ms = performance.now();
        virtual0_us = device.now_us;
      }
      await transport.connect();
      armFaults();
      post({ ev: 'reply', id: msg.id, ok: true, mtu: transport.mtu });
      return;
    }
    case 'write':
      await transport.write(msg.value);
      post({ ev: 'reply', id: msg.id, ok: true });
      return;
    case 'disconnect':
      await transport.disconnect();
      post({ ev: 'reply', id: msg.id, ok: true });
      return;
    case 'stop':
      clearInterval(timer);
      port!.close();
      return;
  }
}

port.on('message', (msg: ToRing) => {
  handle(msg).catch((err: unknown) => {
    if ('id' in msg) post({ ev: 'reply', id: msg.id, ok: false, error: (err as Error).message });
  });
});
post({ ev: 'ready', describe: device.describe() });
