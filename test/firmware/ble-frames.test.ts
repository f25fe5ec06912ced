// The request path's framing errors, each with its code and the request's sequence:
// header checks, body checks, dispatch, reassembly (oversize, interleaved, timeout), and
// responses split into notifications of at most MTU - 3 bytes.

import t, { type Test } from 'tap';
import * as fw from '../../firmware/ring.js';
import { STAT_NTF_NO_CCCD, STAT_REASM_SILENT, link_stat } from '../../firmware/ble/link.js';
import {
  CMD_DEVICE_INFO,
  CMD_TIME,
  ERR_BAD_CBOR,
  ERR_BAD_FRAME,
  ERR_BAD_OP,
  ERR_BAD_TYPE,
  ERR_BAD_VERSION,
  ERR_CBOR_DEPTH,
  ERR_CBOR_FLOAT,
  ERR_CBOR_INDEFINITE,
  ERR_CBOR_TAG,
  ERR_CBOR_TRAILING,
  ERR_CBOR_TRUNCATED,
  ERR_INTERLEAVED,
  ERR_TIMEOUT,
  ERR_TOO_LARGE,
  ERR_UNKNOWN_COMMAND,
  ERR_UNKNOWN_FIELD,
  ERR_UNKNOWN_GROUP,
  GROUP_APP_LAST,
  GROUP_DEVICE,
  GROUP_TIME,
  OP_READ,
  OP_READ_RSP,
  OP_WRITE,
  OP_WRITE_RSP,
  REASM_TIMEOUT_MS,
} from '../../protocol/ids.js';
import { encodeFrame, encodeFrameBytes } from '../../protocol/host/frame.js';
import {
  FrameCollector,
  emitHr,
  pieces,
  read,
  ready,
  requestRaw,
  sendFrame,
  writeCccd,
  writeCmd,
  H,
  type Ring,
} from './ble-harness.js';

function errOf(f: { body: unknown }): { rc?: number; key?: string } {
  return f.body as { rc?: number; key?: string };
}

function expectError(t: Test, ring: Ring, body: Uint8Array, code: number, what: string, group = GROUP_DEVICE, cmd = CMD_DEVICE_INFO): void {
  const f = requestRaw(ring, group, cmd, OP_READ, body);
  t.equal(errOf(f).rc, code, what);
  t.equal(f.header.op, OP_READ_RSP, `${what}: response op`);
}

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

t.test('body and dispatch errors', async (t) => {
  const ring = ready();
  expectError(t, ring, hex('a1'), ERR_CBOR_TRUNCATED, 'map without its pair');
  expectError(t, ring, hex(''), ERR_CBOR_TRUNCATED, 'empty body');
  expectError(t, ring, hex('a0a0'), ERR_CBOR_TRAILING, 'two items');
  expectError(t, ring, hex('bf'), ERR_CBOR_INDEFINITE, 'indefinite map');
  expectError(t, ring, hex('c0a0'), ERR_CBOR_TAG, 'tag');
  expectError(t, ring, hex('fa3f800000'), ERR_CBOR_FLOAT, 'float');
  expectError(t, ring, hex('ff'), ERR_BAD_CBOR, 'stray break');
  expectError(t, ring, hex('a261610161610'.padEnd(14, '2')), ERR_BAD_CBOR, 'duplicate key');
  expectError(t, ring, hex('81818181818181818180'), ERR_CBOR_DEPTH, 'nesting 9 deep');
  expectError(t, ring, hex('80'), ERR_BAD_TYPE, 'body is an array');
  expectError(t, ring, hex('01'), ERR_BAD_TYPE, 'body is an integer');
  expectError(t, ring, hex('a0'), ERR_UNKNOWN_GROUP, `group ${GROUP_APP_LAST + 1}`, GROUP_APP_LAST + 1, 0);
  expectError(t, ring, hex('a0'), ERR_UNKNOWN_GROUP, 'SMP group 0', 0, 0);
  expectError(t, ring, hex('a0'), ERR_UNKNOWN_COMMAND, 'command 200', GROUP_DEVICE, 200);
  // A map with more pairs than any command defines.
  const many: Record<string, number> = {};
  for (let i = 0; i < 20; i++) many[`k${i}`] = i;
  const f = requestRaw(ring, GROUP_TIME, CMD_TIME, OP_WRITE, encodeFrame({ op: 0, group: 0, seq: 0, cmd: 0 }, many).subarray(8));
  t.equal(errOf(f).rc, ERR_UNKNOWN_FIELD);
  t.equal(f.header.op, OP_WRITE_RSP);
});

t.test('header errors echo the sequence', async (t) => {
  const ring = ready();
  const c = new FrameCollector(ring);
  // Version 2: ERR_BAD_VERSION, answered with the device's version.
  sendFrame(ring, encodeFrameBytes({ op: OP_READ, group: GROUP_DEVICE, seq: 77, cmd: 0, version: 2 }, hex('a0')));
  let got = c.poll();
  t.equal(got.length, 1);
  t.equal(got[0]!.header.seq, 77);
  t.equal(got[0]!.header.version, 1, 'the response carries the device version');
  t.equal(errOf(got[0]!).rc, ERR_BAD_VERSION);
  // A response op from the host.
  sendFrame(ring, encodeFrameBytes({ op: OP_READ_RSP, group: GROUP_DEVICE, seq: 78, cmd: 0 }, hex('a0')));
  got = c.poll();
  t.equal(errOf(got[0]!).rc, ERR_BAD_OP);
  t.equal(got[0]!.header.op, OP_READ_RSP, 'read-rsp for a non-request op');
  // Reserved op 5, unknown flag, reserved bits.
  const frame = encodeFrameBytes({ op: OP_READ, group: GROUP_DEVICE, seq: 79, cmd: 0 }, hex('a0'));
  const op5 = frame.slice();
  op5[0] = (op5[0]! & ~7) | 5;
  sendFrame(ring, op5);
  t.equal(errOf(c.poll()[0]!).rc, ERR_BAD_OP, 'op 5');
  const flags = frame.slice();
  flags[1] = 0x80;
  sendFrame(ring, flags);
  t.equal(errOf(c.poll()[0]!).rc, ERR_BAD_FRAME, 'unknown flag');
  const reserved = frame.slice();
  reserved[0] = reserved[0]! | 0x20;
  sendFrame(ring, reserved);
  t.equal(errOf(c.poll()[0]!).rc, ERR_BAD_FRAME, 'reserved bit');
  // A piece shorter than a header: nothing to echo, counted.
  const silent = link_stat(STAT_REASM_SILENT);
  writeCmd(ring, [9, 0, 0]);
  t.equal(c.poll().length, 0, 'no answer without a header');
  t.equal(link_stat(STAT_REASM_SILENT), silent + 1, 'counted');
  // And a good request still works.
  t.equal(read(ring, GROUP_DEVICE, CMD_DEVICE_INFO).header.op, OP_READ_RSP);
});

t.test('oversize frames and pieces', async (t) => {
  const ring = ready();
  const c = new FrameCollector(ring);
  const big = new Uint8Array(8);
  big.set(encodeFrameBytes({ op: OP_READ, group: GROUP_DEVICE, seq: 90, cmd: 0 }, hex('a0')).subarray(0, 8));
  big[2] = 0x07;
  big[3] = 0xd0; // 2000 bytes of body
  writeCmd(ring, big);
  let got = c.poll();
  t.equal(got.length, 1);
  t.equal(errOf(got[0]!).rc, ERR_TOO_LARGE, 'body length 2000');
  t.equal(got[0]!.header.seq, 90);
  // A piece longer than MTU - 3 (the link would not carry it; the reassembler refuses it).
  const frame = encodeFrame({ op: OP_READ, group: GROUP_DEVICE, seq: 91, cmd: 0 }, { pad: new Uint8Array(40) });
  const pdu = new Uint8Array(3 + frame.length);
  pdu[0] = 0x52;
  pdu[1] = H.frame;
  pdu.set(frame, 3);
  fw.ring_ble_rx(pdu, pdu.length);
  got = c.poll();
  t.equal(errOf(got[0]!).rc, ERR_TOO_LARGE, 'a piece beyond MTU - 3');
  t.equal(got[0]!.header.seq, 91);
});

t.test('large requests and responses cross many pieces at every MTU', async (t) => {
  for (const mtu of [23, 64, 185, 247]) {
    const ring = ready(25, mtu);
    const c = new FrameCollector(ring);
    // 900 bytes of request: answered ERR_UNKNOWN_FIELD naming the key, after reassembly.
    const frame = encodeFrame({ op: OP_WRITE, group: GROUP_TIME, seq: 5, cmd: CMD_TIME }, { now_ms: 1735689600000, padding: new Uint8Array(880) });
    t.ok(frame.length > 880);
    sendFrame(ring, frame);
    const got = c.poll();
    t.equal(got.length, 1, `MTU ${mtu}: one response`);
    t.same(got[0]!.body, { rc: ERR_UNKNOWN_FIELD, key: 'padding' });
    // Device info (about 200 bytes) comes back in pieces of exactly MTU - 3 but the last.
    c.pieceSizes.length = 0;
    read(ring, GROUP_DEVICE, CMD_DEVICE_INFO, {}, );
    c.poll();
    const sizes = c.pieceSizes;
    t.ok(sizes.slice(0, -1).every((n) => n === mtu - 3), `MTU ${mtu}: full pieces ${sizes.join(',')}`);
    t.ok(sizes[sizes.length - 1]! <= mtu - 3);
  }
});

t.test('interleaved pieces: the broken frame is answered, the next good one accepted', async (t) => {
  const ring = ready();
  const c = new FrameCollector(ring);
  const a = encodeFrame({ op: OP_WRITE, group: GROUP_TIME, seq: 11, cmd: CMD_TIME }, { now_ms: 1735689600000, pad: new Uint8Array(60) });
  const b = encodeFrame({ op: OP_READ, group: GROUP_DEVICE, seq: 12, cmd: 0 }, {});
  const pa = pieces(a, 23);
  writeCmd(ring, pa[0]!);
  writeCmd(ring, pa[1]!);
  writeCmd(ring, b); // a new frame starts while A is incomplete
  let got = c.poll();
  t.equal(got.length, 1);
  t.equal(got[0]!.header.seq, 11, 'A is answered');
  t.equal(errOf(got[0]!).rc, ERR_INTERLEAVED);
  t.equal(got[0]!.header.op, OP_WRITE_RSP);
  // The rest of A arrives: each piece is judged as a header and refused (or silently dropped).
  for (const p of pa.slice(2)) writeCmd(ring, p);
  c.poll();
  got = [read(ring, GROUP_DEVICE, CMD_DEVICE_INFO)];
  t.equal(got[0]!.header.op, OP_READ_RSP, 'the next good frame is accepted');
  t.equal(errOf(got[0]!).rc, undefined);
  // A piece running past the declared end.
  const d = encodeFrame({ op: OP_READ, group: GROUP_DEVICE, seq: 13, cmd: 0 }, {});
  const longer = new Uint8Array(d.length + 3);
  longer.set(d);
  writeCmd(ring, longer);
  got = c.poll();
  t.equal(errOf(got[got.length - 1]!).rc, ERR_INTERLEAVED, 'bytes beyond the frame');
});

t.test('reassembly timeout: answered at the next piece or the next record', async (t) => {
  const ring = ready();
  const c = new FrameCollector(ring);
  const a = encodeFrame({ op: OP_WRITE, group: GROUP_TIME, seq: 21, cmd: CMD_TIME }, { now_ms: 1735689600000, pad: new Uint8Array(40) });
  const pa = pieces(a, 23);
  ring.hal.now_ms = 1000;
  writeCmd(ring, pa[0]!);
  ring.hal.now_ms = 1000 + REASM_TIMEOUT_MS + 1;
  const b = encodeFrame({ op: OP_READ, group: GROUP_DEVICE, seq: 22, cmd: 0 }, {});
  writeCmd(ring, b);
  let got = c.poll();
  t.equal(got.length, 2, 'timeout answer, then the new frame is taken');
  t.equal(got[0]!.header.seq, 21);
  t.equal(errOf(got[0]!).rc, ERR_TIMEOUT);
  t.equal(got[1]!.header.seq, 22);
  t.equal(got[1]!.header.op, OP_READ_RSP);
  t.equal(errOf(got[1]!).rc, undefined, 'device info answered');
  // Stale partial frame found by the record hook (no further piece comes).
  writeCmd(ring, pa[0]!);
  ring.hal.now_ms += REASM_TIMEOUT_MS - 1;
  emitHr(1000, 600, 90);
  t.equal(c.poll().length, 0, 'not stale yet');
  ring.hal.now_ms += 2;
  emitHr(2000, 600, 90);
  got = c.poll();
  t.equal(got.length, 1);
  t.equal(errOf(got[0]!).rc, ERR_TIMEOUT);
  t.equal(got[0]!.header.seq, 21);
});

t.test('responses are dropped (counted) while the client has notifications off', async (t) => {
  const ring = ready();
  writeCccd(ring, H.frameCccd, 0);
  const c = new FrameCollector(ring);
  const before = link_stat(STAT_NTF_NO_CCCD);
  sendFrame(ring, encodeFrame({ op: OP_READ, group: GROUP_DEVICE, seq: 1, cmd: 0 }, {}));
  t.equal(c.poll().length, 0);
  t.equal(link_stat(STAT_NTF_NO_CCCD), before + 1);
  writeCccd(ring, H.frameCccd, 1);
  t.equal(read(ring, GROUP_DEVICE, 0).header.op, OP_READ_RSP);
});

t.test('a Write Request to the frame characteristic also carries requests', async (t) => {
  const ring = ready();
  const c = new FrameCollector(ring);
  const frame = encodeFrame({ op: OP_READ, group: GROUP_DEVICE, seq: 3, cmd: 0 }, {});
  const pdu = [0x12, H.frame, 0, ...frame];
  const before = ring.ble.sent.length;
  fw.ring_ble_rx(new Uint8Array(pdu), pdu.length);
  t.same([...ring.ble.sent[before]!], [0x13], 'write response first');
  t.equal(c.poll().length, 1, 'then the frame response');
});
