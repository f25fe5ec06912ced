// Time a trace can trust: measure the ring's clock against the host's, and set it so the
// link's latency does not enter the result.
//
// Measuring (probeClock): a time get returns the ring's clock as it handled the request.
// With receive stamps (the simulated link tells the host's tap when each request reached
// the ring, as a central's link layer knows the connection event its packet was taken in)
// the host knows its own clock at that very instant: offset = ring - host, exact to the
// millisecond whatever the loss. Without them (a BLE transport sees only its own sends and
// notifications) it is Cristian's estimate: the ring read its clock halfway through the
// round trip, so the error is at most half the round trip; the probe with the shortest
// round trip of a few is kept.
//
// Setting (setTimeCompensated): the measured offset goes to the ring as a relative
// adjustment ("adjust_ms", PROTOCOL.md 8.2), applied to the ring's clock at whatever moment
// the request arrives, so the set's own latency does not matter: the ring's clock then
// equals the host's to within the measurement's error (1 ms on the simulated link).

import { CMD_TIME, GROUP_TIME, OP_WRITE } from '../../protocol/ids.js';
import type { SimBleLink } from '../../sim/ble/link.js';
import { attachCaptureTap } from '../../sim/ble/capture-tap.js';
import type { RingClient } from '../client/client.js';
import { decodeTimeSet, type TimeInfo, type TimeSetResult } from '../client/messages.js';
import type { HostClock } from '../transport/transport.js';
import { FrameTracer } from './trace.js';

/** Probes taken when only round trips are known (the shortest one wins). */
export const CRISTIAN_PROBES = 5;

export interface ClockSample {
  /** Ring clock minus host clock, ms. */
  offset_ms: number;
  /** From sending the request to receiving the response, µs (host clock). */
  rtt_us: number;
  /** 'receive-stamp': exact; 'cristian': within rtt / 2. */
  method: 'receive-stamp' | 'cristian';
  /** The ring's clock in the response, and the host's clock at the instant it was read. */
  ring_ms: number;
  host_ms: number;
  time: TimeInfo;
}

interface Exchange {
  request_at_us: number;
  response_at_us: number;
  value: unknown;
}

/** When each request reached the ring, by message name of its response: the last one of each. */
export interface ReceiveStamps {
  last(message: string): Exchange | null;
  close(): void;
}

/** Receive stamps from a simulated link's tap (the frame characteristic's handle from the transport). */
export function simReceiveStamps(link: SimBleLink, frameHandle: () => number): ReceiveStamps {
  const last = new Map<string, Exchange>();
  const tracer = new FrameTracer({
    epoch_ms: 0,
    frameHandle,
    onEvent: (e) => {
      if (e.view === null || e.rtt_us === null || e.dir !== 'ring>host') return;
      last.set(e.view.message, { request_at_us: e.time_us - e.rtt_us, response_at_us: e.time_us, value: e.view.value });
    },
  });
  const detach = attachCaptureTap(link, { pdu: (from, pdu, t) => tracer.pdu(from, pdu, t), link: (up) => tracer.link(up) });
  return { last: (message) => last.get(message) ?? null, close: detach };
}

/** The host's UTC ms at monotonic time t_us (µs), from the clock's current reading of both. */
export function hostMsAt(clock: HostClock, t_us: number): number {
  return clock.utc_ms() - Math.floor(clock.now_us() / 1000) + Math.floor(t_us / 1000);
}

async function probeOnce(client: RingClient, stamps: ReceiveStamps | null): Promise<ClockSample> {
  const clock = client.transport.clock;
  const sent_us = clock.now_us();
  const time = await client.timeGet();
  const received_us = clock.now_us();
  const rtt_us = received_us - sent_us;
  const ex = stamps?.last('time.get.rsp') ?? null;
  const now_ms = (ex?.value as { now_ms?: unknown } | undefined)?.now_ms;
  if (ex !== null && now_ms === time.now_ms && ex.request_at_us >= sent_us && ex.response_at_us <= received_us) {
    const host_ms = hostMsAt(clock, ex.request_at_us);
    return { offset_ms: time.now_ms - host_ms, rtt_us, method: 'receive-stamp', ring_ms: time.now_ms, host_ms, time };
  }
  const host_ms = Math.round(hostMsAt(clock, sent_us) + rtt_us / 2000);
  return { offset_ms: time.now_ms - host_ms, rtt_us, method: 'cristian', ring_ms: time.now_ms, host_ms, time };
}

/** The ring's clock against the host's: one exact probe with stamps, else the best of a few round trips. */
export async function probeClock(client: RingClient, stamps: ReceiveStamps | null): Promise<ClockSample> {
  const first = await probeOnce(client, stamps);
  if (first.method === 'receive-stamp') return first;
  let best = first;
  for (let i = 1; i < CRISTIAN_PROBES; i++) {
    const s = await probeOnce(client, stamps);
    if (s.rtt_us < best.rtt_us) best = s;
  }
  return best;
}

export interface CompensatedSet {
  before: ClockSample;
  /** What the ring was told to add to its clock. */
  adjust_ms: number;
  set: TimeSetResult;
  after: ClockSample;
}

/** Move the ring's clock by -offset (PROTOCOL.md 8.2 adjust_ms). Not retried: a late retry would move it twice. */
export async function timeAdjust(client: RingClient, adjust_ms: number): Promise<TimeSetResult> {
  const body = { adjust_ms };
  return decodeTimeSet(await client.call({ name: 'time adjust', group: GROUP_TIME, cmd: CMD_TIME, op: OP_WRITE, body, idempotent: false }));
}

/** Set the ring's clock to the host's, latency compensated; measures before and after. */
export async function setTimeCompensated(client: RingClient, stamps: ReceiveStamps | null): Promise<CompensatedSet> {
  const before = await probeClock(client, stamps);
  const adjust_ms = -before.offset_ms;
  const set = await timeAdjust(client, adjust_ms);
  const after = await probeClock(client, stamps);
  return { before, adjust_ms, set, after };
}
