// Seeded fuzzing of the GATT server and the request path: random and mutated ATT PDUs,
// frames with mutated headers and bodies, random piece sizes, clock jumps, MTU exchanges,
// CCCD writes, reconnects, a link that refuses PDUs, records and raw samples in between.
// Nothing may throw (a firmware assertion throws "firmware fault"), every notification
// fits the MTU, every frame the device sends decodes, and afterwards the server still
// answers a good request. The seed is in every message: rerun with it to reproduce.

import t from 'tap';
import * as fw from '../../firmware/ring.js';
import {
  CMD_DEVICE_INFO,
  GROUP_DEVICE,
  GROUP_APP_FIRST,
  GROUP_APP_LAST,
  OP_READ,
  OP_READ_RSP,
} from '../../protocol/ids.js';
import { encodeFrame, encodeFrameBytes } from '../../protocol/host/frame.js';
import { link_mtu } from '../../firmware/ble/link.js';
import { Prng } from '../../sim/prng.js';
import {
  FrameCollector,
  H,
  emitBeat,
  emitHr,
  emitHrv,
  emitStatus,
  le16,
  ready,
  read,
  stream_on_raw_sample,
  writeCccd,
  type Ring,
} from './ble-harness.js';

const SEED = Number(process.env.RING_FUZZ_SEED ?? 20240611);
const ITERATIONS = 10000;
/** Device frames the first fuzz must decode and check (it decodes 4218 with its seed). */
const DECODED_FRAMES_MIN = 3000;

const KEYS = ['now_ms', 'kinds', 'from_seq', 'max_records', 'sample_rate_hz', 'hrv_short_s', 'hrv_long_s', 'stream', 'hrs', 'ppg_batch', 'ppg_decim', 'hr_period_s', 'x', ''];

function randomValue(p: Prng, depth: number): unknown {
  const k = p.nextBelow(depth > 3 ? 6 : 9);
  switch (k) {
    case 0: return p.nextInt(-5, 300);
    case 1: return p.nextBelow(2) === 0 ? 1735689600000 + p.nextInt(-1000, 1000) : p.nextU32();
    case 2: return p.nextBelow(2) === 0;
    case 3: return null;
    case 4: return KEYS[p.nextBelow(KEYS.length)]!;
    case 5: return new Uint8Array(p.nextBelow(40));
    case 6: return Array.from({ length: p.nextBelow(4) }, () => randomValue(p, depth + 1));
    default: return randomMap(p, depth + 1);
  }
}

function randomMap(p: Prng, depth: number): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const n = p.nextBelow(5);
  for (let i = 0; i < n; i++) m[KEYS[p.nextBelow(KEYS.length)]!] = randomValue(p, depth);
  return m;
}

function mutate(p: Prng, bytes: Uint8Array): Uint8Array {
  const b = Uint8Array.from(bytes);
  const kind = p.nextBelow(4);
  if (kind === 0 && b.length > 0) {
    for (let i = 0, n = 1 + p.nextBelow(3); i < n; i++) b[p.nextBelow(b.length)]! ^= 1 << p.nextBelow(8);
    return b;
  }
  if (kind === 1) return b.subarray(0, p.nextBelow(b.length + 1));
  if (kind === 2) {
    const ext = new Uint8Array(b.length + 1 + p.nextBelow(8));
    ext.set(b);
    for (let i = b.length; i < ext.length; i++) ext[i] = p.nextBelow(256);
    return ext;
  }
  if (b.length > 0) b[p.nextBelow(b.length)] = p.nextBelow(256);
  return b;
}

function randomFrame(p: Prng): Uint8Array {
  const group = p.nextBelow(8) === 0 ? p.nextBelow(0x10000) : GROUP_APP_FIRST + p.nextBelow(GROUP_APP_LAST - GROUP_APP_FIRST + 2);
  const header = { op: p.nextBelow(4), group, seq: p.nextBelow(256), cmd: p.nextBelow(8) === 0 ? p.nextBelow(256) : p.nextBelow(3) };
  const body = randomMap(p, 0);
  try {
    const f = encodeFrame(header, body);
    return p.nextBelow(3) === 0 ? mutate(p, f) : f;
  } catch {
    return encodeFrameBytes(header, new Uint8Array([0xa0]));
  }
}

function writeCommand(ring: Ring, payload: Uint8Array): void {
  const pdu = new Uint8Array(3 + payload.length);
  pdu[0] = 0x52;
  pdu.set(le16(H.frame), 1);
  pdu.set(payload, 3);
  fw.ring_ble_rx(pdu, pdu.length);
}

function randomAtt(p: Prng, ring: Ring): Uint8Array {
  const ops = [0x01, 0x02, 0x03, 0x04, 0x06, 0x08, 0x0a, 0x0c, 0x0e, 0x10, 0x12, 0x16, 0x18, 0x1b, 0x1e, 0x20, 0x52, 0xd2, p.nextBelow(256)];
  const len = p.nextBelow(ring.mtu + 6);
  const pdu = new Uint8Array(Math.max(len, 1));
  for (let i = 0; i < pdu.length; i++) pdu[i] = p.nextBelow(256);
  pdu[0] = ops[p.nextBelow(ops.length)]!;
  if (pdu.length >= 3 && p.nextBelow(2) === 0) pdu.set(le16(p.nextBelow(40)), 1); // handles near the table
  return pdu.subarray(0, len);
}

t.test(`fuzz: ${ITERATIONS} random and mutated PDUs and frames (seed ${SEED})`, async (t) => {
  const p = new Prng(SEED);
  const ring = ready(25, 23);
  let c = new FrameCollector(ring);
  let beat = 0;
  let failures = 0;
  let live = 0;
  let decoded = 0; // device frames that reached the decoder and decoded
  let where = '';
  for (let it = 0; it < ITERATIONS; it++) {
    const action = p.nextBelow(100);
    const sent_before = ring.ble.sent.length;
    const mtu_before = link_mtu();
    try {
      ring.ble.refuse = p.nextBelow(100) < 15;
      if (action < 25) {
        where = 'random ATT PDU';
        const pdu = randomAtt(p, ring);
        fw.ring_ble_rx(pdu, pdu.length);
      } else if (action < 60) {
        where = 'frame as pieces';
        const frame = randomFrame(p);
        const piece = p.nextBelow(4) === 0 ? 1 + p.nextBelow(ring.mtu + 2) : ring.mtu - 3;
        for (let off = 0; off < frame.length || off === 0; off += piece) {
          writeCommand(ring, frame.subarray(off, Math.min(frame.length, off + piece)));
          if (p.nextBelow(20) === 0) break; // a lost tail
          if (off + piece >= frame.length) break;
        }
      } else if (action < 68) {
        where = 'random piece';
        const n = p.nextBelow(ring.mtu);
        writeCommand(ring, Uint8Array.from({ length: n }, () => p.nextBelow(256)));
      } else if (action < 74) {
        where = 'clock jump';
        ring.hal.now_ms += p.nextBelow(3) === 0 ? p.nextBelow(20000) : p.nextBelow(200);
      } else if (action < 77) {
        where = 'MTU exchange';
        const m = 23 + p.nextBelow(300);
        fw.ring_ble_rx(new Uint8Array([0x02, ...le16(m)]), 3);
        ring.mtu = link_mtu(); // unchanged when the request was dropped (a response was pending)
        c = new FrameCollector(ring); // pieces of a frame in flight were cut at the old MTU
        c.poll();
      } else if (action < 80) {
        where = 'CCCD write';
        const h = [H.frameCccd, H.hrmCccd, H.batteryCccd][p.nextBelow(3)]!;
        const v = p.nextBelow(4) === 0 ? p.nextBelow(0x10000) : p.nextBelow(2);
        fw.ring_ble_rx(new Uint8Array([0x12, ...le16(h), ...le16(v)]), 5);
      } else if (action < 82) {
        where = 'reconnect';
        fw.ring_ble_connected(0, 23);
        fw.ring_ble_connected(1, 23);
        ring.mtu = 23;
        ring.ble.refuse = false; // the harness expects the CCCD write response at once
        writeCccd(ring, H.frameCccd, 1);
        c = new FrameCollector(ring);
      } else if (action < 92) {
        where = 'records';
        beat++;
        emitBeat(beat * 700, 700 + p.nextInt(-300, 300), p.nextBelow(2), p.nextBelow(101), p.nextInt(-5000, 5000), beat);
        if (p.nextBelow(2) === 0) emitHr(beat * 700, p.nextBelow(3001), p.nextBelow(101));
        if (p.nextBelow(20) === 0) emitHrv(beat * 700, 60, p.nextBelow(2));
        if (p.nextBelow(30) === 0) emitStatus(beat * 700, 1 + p.nextBelow(3), p.nextBelow(10));
        for (let i = 0, n = p.nextBelow(30); i < n; i++) stream_on_raw_sample(p.nextInt(-(2 ** 31), 2 ** 31 - 1));
      } else {
        where = 'tx space';
        ring.ble.refuse = false;
        fw.ring_ble_tx_space();
      }
      ring.mtu = link_mtu(); // random PDUs include Exchange MTU requests
      const mtu_max = Math.max(mtu_before, ring.mtu);
      for (const pdu of ring.ble.sent.slice(sent_before)) {
        if (pdu.length > mtu_max) throw new Error(`PDU of ${pdu.length} bytes at MTU ${mtu_max}`);
      }
      decoded += c.poll().length; // throws if a device frame does not decode
      if (it % 1000 === 999) {
        // Liveness: once partial frames expire and the queue drains, a good request is answered.
        where = 'liveness check';
        ring.ble.refuse = false;
        ring.hal.now_ms += 6000;
        fw.ring_ble_tx_space();
        writeCccd(ring, H.frameCccd, 1);
        c.poll();
        const f = read(ring, GROUP_DEVICE, CMD_DEVICE_INFO, {});
        if (f.header.op !== OP_READ_RSP || (f.body as { rc?: number }).rc !== undefined) throw new Error('no good answer');
        live++;
      }
    } catch (e) {
      failures++;
      if (failures <= 3) t.fail(`seed ${SEED} iteration ${it} (${where}): ${(e as Error).message}`);
      c = new FrameCollector(ring);
      c.poll();
    }
  }
  t.equal(failures, 0, `seed ${SEED}: no exception in ${ITERATIONS} iterations`);
  t.equal(live, ITERATIONS / 1000, `seed ${SEED}: the server answered a good request after every 1000 iterations`);
  // The checks above only mean something if the fuzz reached the decoder: a harness that
  // stopped collecting frames would pass them vacuously.
  t.ok(decoded >= DECODED_FRAMES_MIN, `seed ${SEED}: ${decoded} device frames decoded and checked (at least ${DECODED_FRAMES_MIN})`);
  t.comment(`seed ${SEED}: ${ring.ble.sent.length} PDUs sent, ${ring.ble.refused} refused by the link`);
  // Afterwards: a clean connection answers a good request.
  ring.ble.refuse = false;
  fw.ring_ble_connected(0, 23);
  fw.ring_ble_connected(1, 23);
  ring.mtu = 23;
  writeCccd(ring, H.frameCccd, 1);
  const f = read(ring, GROUP_DEVICE, CMD_DEVICE_INFO);
  t.equal(f.header.op, OP_READ_RSP, 'the server still answers');
  t.equal((f.body as { proto: number }).proto, 1);
});

t.test(`fuzz: well-formed frames with random bodies get exactly one answer (seed ${SEED + 1})`, async (t) => {
  const p = new Prng(SEED + 1);
  const ring = ready(25, 185);
  const c = new FrameCollector(ring);
  let bad = 0;
  let checked = 0;
  for (let it = 0; it < 2000; it++) {
    const seq = it & 0xff;
    const group = GROUP_APP_FIRST + p.nextBelow(GROUP_APP_LAST - GROUP_APP_FIRST + 1);
    const cmd = p.nextBelow(3);
    const op = p.nextBelow(2) * 2;
    let frame: Uint8Array;
    try {
      frame = encodeFrame({ op, group, seq, cmd }, randomMap(p, 0));
    } catch {
      continue;
    }
    if (frame.length > 1024) continue;
    for (let off = 0; off < frame.length; off += ring.mtu - 3) writeCommand(ring, frame.subarray(off, off + ring.mtu - 3));
    fw.ring_ble_tx_space();
    const got = c.poll().filter((f) => (f.header.flags & 1) === 0);
    checked++;
    if (got.length !== 1 || got[0]!.header.seq !== seq || got[0]!.header.group !== group || got[0]!.header.op !== op + 1) {
      bad++;
      if (bad <= 3) t.fail(`seed ${SEED + 1} iteration ${it}: ${got.length} answers to group ${group} cmd ${cmd} op ${op}`);
    }
  }
  t.equal(bad, 0, 'every request answered once, echoing its header');
  t.ok(checked >= 1500, `${checked} of 2000 random requests encoded, sent and checked (at least 1500)`);
  void OP_READ;
});
