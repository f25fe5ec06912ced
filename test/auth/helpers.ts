// Rings with an owner and hosts with keys, for the authentication tests: the real firmware
// on the simulated ring, the real client, and raw frames for what a client never sends.
import path from 'node:path';
import { loadFixture } from '../../sim/fixture/load.js';
import { RingDevice, type RingDeviceOptions } from '../../sim/ring-device.js';
import { SimTransport } from '../../host/transport/sim-transport.js';
import { RingClient } from '../../host/client/client.js';
import { decodeFrame, type DecodedFrame } from '../../protocol/host/frame.js';
import { equalBytes } from '../../protocol/host/auth.js';
import { repoRoot } from '../helpers/shared.js';
import type { Fixture } from '../../sim/fixture/types.js';

export const REST = (): Fixture => loadFixture(path.join(repoRoot, 'fixtures/synth/synth-rest.ringfx'));

export const OWNER_ID = Uint8Array.of(0x0a, 1, 2, 3, 4, 5, 6, 7);
export const PARTNER_ID = Uint8Array.of(0x0b, 1, 2, 3, 4, 5, 6, 7);
export const STRANGER_ID = Uint8Array.of(0x0c, 1, 2, 3, 4, 5, 6, 7);

export interface Host {
  client: RingClient;
  transport: SimTransport;
}

/** Connect a host to the ring (the previous host's link must be down). */
export async function connect(device: RingDevice, creds?: { host_id: Uint8Array; ring_id: Uint8Array; key: Uint8Array }): Promise<Host> {
  const transport = new SimTransport(device);
  const client = new RingClient(transport, { retries: 0 });
  if (creds) client.auth = { host_id: creds.host_id, keyFor: (r) => (equalBytes(r, creds.ring_id) ? creds.key : null) };
  await client.connect();
  return { client, transport };
}

export async function leave(h: Host): Promise<void> {
  await h.client.close();
}

export interface Paired {
  device: RingDevice;
  owner: Host;
  ring_id: Uint8Array;
  owner_key: Uint8Array;
}

/** A ring whose owner has just paired (setup mode, then owned); the owner stays connected. */
export async function pairedRing(opts: Partial<RingDeviceOptions> = {}, fixture: Fixture | null = REST()): Promise<Paired> {
  const device = new RingDevice(fixture, { seed: 1, rate_hz: 25, ...opts });
  const first = await connect(device);
  const { ring_id, key } = await first.client.authPair(OWNER_ID);
  first.client.auth = { host_id: OWNER_ID, keyFor: (r) => (equalBytes(r, ring_id) ? key : null) };
  return { device, owner: first, ring_id, owner_key: key };
}

/** Send a raw frame and wait for the answer with its sequence number. */
export async function raw(h: Host, frame: Uint8Array): Promise<DecodedFrame> {
  let got: DecodedFrame | null = null;
  const seq = frame[6];
  const off = h.client.channel.onFrame((bytes) => {
    const f = decodeFrame(bytes);
    if ((f.header.flags & 1) === 0 && f.header.seq === seq) got = f;
  });
  await h.client.channel.send(frame);
  await h.transport.clock.waitUntil(() => got !== null, 3_000_000);
  off();
  if (got === null) throw new Error(`no answer to seq ${seq}`);
  return got;
}

/** The rc of an answer, 0 for success. */
export function rcOf(f: DecodedFrame): number {
  const b = f.body as Record<string, unknown> | undefined;
  return b !== undefined && typeof b === 'object' && typeof b.rc === 'number' ? b.rc : 0;
}

/** The rc a request failed with (0 when it succeeded). */
export async function rcOfCall(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (err) {
    const rc = (err as { rc?: unknown }).rc;
    if (typeof rc !== 'number') throw err;
    return rc;
  }
}
