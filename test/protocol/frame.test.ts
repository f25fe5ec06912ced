// Frame header codec: round trips, byte layout, and each rejection.

import fc from 'fast-check';
import t from 'tap';
import {
  ERR_BAD_FRAME,
  ERR_BAD_OP,
  ERR_BAD_VALUE,
  ERR_BAD_VERSION,
  ERR_TOO_LARGE,
  FLAG_UNSOLICITED,
  FRAME_BODY_MAX,
  GROUP_CONFIG,
  OP_READ,
  OP_READ_RSP,
  OP_WRITE,
  OP_WRITE_RSP,
  PROTOCOL_VERSION,
} from '../../protocol/ids.js';
import {
  FRAME_HDR_CMD,
  FRAME_HDR_FLAGS,
  FRAME_HDR_GROUP,
  FRAME_HDR_LENGTH,
  FRAME_HDR_OP,
  FRAME_HDR_RESERVED,
  FRAME_HDR_SEQ,
  FRAME_HDR_VERSION,
  FRAME_HDR_WORDS,
  frame_check,
  frame_header_check,
  frame_header_read,
  frame_header_set,
  frame_header_write,
  frame_response_op,
} from '../../protocol/device/frame.js';
import { hex, unhex } from './helpers.js';

const fields = (h: Int32Array) => Array.from(h.subarray(0, FRAME_HDR_WORDS));

t.test('layout: SMP byte order, big-endian length and group', async (t) => {
  const hdr = new Int32Array(FRAME_HDR_WORDS);
  t.equal(frame_header_set(hdr, OP_WRITE, FLAG_UNSOLICITED, 0x0123, GROUP_CONFIG, 0xfe, 0x11), 0);
  const out = new Uint8Array(8);
  t.equal(frame_header_write(out, 0, hdr), 8);
  // byte 0 = 000 | 01 | 010 = 0x0a
  t.equal(hex(out), '0a' + '01' + '0123' + '0042' + 'fe' + '11');
});

t.test('random headers round trip through write and read', async (t) => {
  const arb = fc.record({
    reserved: fc.integer({ min: 0, max: 7 }),
    version: fc.integer({ min: 0, max: 3 }),
    op: fc.integer({ min: 0, max: 7 }),
    flags: fc.integer({ min: 0, max: 255 }),
    length: fc.integer({ min: 0, max: 0xffff }),
    group: fc.integer({ min: 0, max: 0xffff }),
    seq: fc.integer({ min: 0, max: 255 }),
    cmd: fc.integer({ min: 0, max: 255 }),
  });
  fc.assert(
    fc.property(arb, fc.integer({ min: 0, max: 8 }), (f, off) => {
      const h = new Int32Array(FRAME_HDR_WORDS);
      h[FRAME_HDR_RESERVED] = f.reserved;
      h[FRAME_HDR_VERSION] = f.version;
      h[FRAME_HDR_OP] = f.op;
      h[FRAME_HDR_FLAGS] = f.flags;
      h[FRAME_HDR_LENGTH] = f.length;
      h[FRAME_HDR_GROUP] = f.group;
      h[FRAME_HDR_SEQ] = f.seq;
      h[FRAME_HDR_CMD] = f.cmd;
      const buf = new Uint8Array(16);
      if (frame_header_write(buf, off, h) !== off + 8) throw new Error('write failed');
      const back = new Int32Array(FRAME_HDR_WORDS);
      if (frame_header_read(buf, off, 8, back) !== 0) throw new Error('read failed');
      if (fields(back).join() !== fields(h).join()) throw new Error(`${fields(back)} != ${fields(h)}`);
      const valid =
        f.reserved === 0 && (f.flags & ~1) === 0 && f.version === PROTOCOL_VERSION && f.op <= 3 &&
        f.length <= FRAME_BODY_MAX;
      if ((frame_header_check(back) === 0) !== valid) throw new Error(`check disagrees for ${JSON.stringify(f)}`);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

t.test('check: each rejection with its code, in order', async (t) => {
  const check = (h: string) => {
    const hdr = new Int32Array(FRAME_HDR_WORDS);
    const b = unhex(h);
    const rc = frame_header_read(b, 0, b.length, hdr);
    return rc < 0 ? rc : frame_header_check(hdr);
  };
  t.equal(check('0800000000400000'), 0, 'read request, empty body');
  t.equal(check('2800000000400000'), -ERR_BAD_FRAME, 'reserved bit set');
  t.equal(check('0802000000400000'), -ERR_BAD_FRAME, 'unknown flag');
  t.equal(check('0000000000400000'), -ERR_BAD_VERSION, 'version 0');
  t.equal(check('1800000000400000'), -ERR_BAD_VERSION, 'version 3');
  t.equal(check('0c00000000400000'), -ERR_BAD_OP, 'op 4');
  t.equal(check('0f00000000400000'), -ERR_BAD_OP, 'op 7');
  t.equal(check('080003f800400000'), 0, 'body length FRAME_BODY_MAX');
  t.equal(check('080003f900400000'), -ERR_TOO_LARGE, 'body length FRAME_BODY_MAX + 1');
  t.equal(check('08000000004000'), -ERR_BAD_FRAME, '7 bytes');
  t.equal(check('2c02000000400000'), -ERR_BAD_FRAME, 'several faults: the first in order is reported');
});

t.test('frame_check: byte count must match the length field', async (t) => {
  const hdr = new Int32Array(FRAME_HDR_WORDS);
  const f = unhex('0a000001004200' + '00' + 'a0');
  t.equal(frame_check(f, 0, f.length, hdr), 9);
  t.equal(hdr[FRAME_HDR_GROUP], GROUP_CONFIG);
  t.equal(frame_check(f, 0, 8, hdr), -ERR_BAD_FRAME, 'body missing');
  const g = unhex('0a000001004200' + '00' + 'a000');
  t.equal(frame_check(g, 0, g.length, hdr), -ERR_BAD_FRAME, 'extra byte');
  t.equal(frame_check(g, 1, g.length, hdr), -ERR_BAD_VALUE, 'range beyond the buffer');
});

t.test('write: field widths and room', async (t) => {
  const hdr = new Int32Array(FRAME_HDR_WORDS);
  t.equal(frame_header_set(hdr, 8, 0, 0, 0, 0, 0), -ERR_BAD_VALUE, 'op 8');
  t.equal(frame_header_set(hdr, 0, 256, 0, 0, 0, 0), -ERR_BAD_VALUE, 'flags 256');
  t.equal(frame_header_set(hdr, 0, 0, 0x10000, 0, 0, 0), -ERR_BAD_VALUE, 'length 65536');
  t.equal(frame_header_set(hdr, 0, 0, 0, -1, 0, 0), -ERR_BAD_VALUE, 'group -1');
  t.equal(frame_header_set(hdr, 0, 0, 0, 0, 256, 0), -ERR_BAD_VALUE, 'seq 256');
  t.equal(frame_header_set(hdr, 0, 0, 0, 0, 0, 256), -ERR_BAD_VALUE, 'cmd 256');
  t.equal(frame_header_write(new Uint8Array(8), 0, hdr), -ERR_BAD_VALUE, 'refuses to write a bad header');
  t.equal(frame_header_set(hdr, OP_READ, 0, 0, 64, 1, 0), 0);
  t.equal(frame_header_write(new Uint8Array(10), 3, hdr), -ERR_TOO_LARGE, 'no room');
  t.equal(frame_header_write(new Uint8Array(10), -1, hdr), -ERR_BAD_VALUE, 'negative offset');
  t.equal(frame_header_set(new Int32Array(4), 0, 0, 0, 0, 0, 0), -ERR_BAD_VALUE, 'short header array');
});

t.test('response ops', async (t) => {
  t.equal(frame_response_op(OP_READ), OP_READ_RSP);
  t.equal(frame_response_op(OP_WRITE), OP_WRITE_RSP);
  t.equal(frame_response_op(OP_READ_RSP), -ERR_BAD_OP);
  t.equal(frame_response_op(5), -ERR_BAD_OP);
});
