// Host helpers: error names cover every code in ids.ts; encodeFrame/decodeFrame round trip
// and agree with the device codecs.

import fc from 'fast-check';
import t from 'tap';
import * as ids from '../../protocol/ids.js';
import { FRAME_HDR_WORDS, frame_check } from '../../protocol/device/frame.js';
import { cbor_map_find_text } from '../../protocol/device/cbor.js';
import { describeError, errorName, errorTable } from '../../protocol/host/errors.js';
import {
  ProtocolError,
  decodeBody,
  decodeFrame,
  encodeBody,
  encodeFrame,
  encodeFrameBytes,
} from '../../protocol/host/frame.js';
import { hex } from './helpers.js';

/** The rc of the ProtocolError fn throws (or -1 when it throws something else, 0 when it returns). */
function rcOf(fn: () => unknown): number {
  try {
    fn();
    return 0;
  } catch (e) {
    return e instanceof ProtocolError ? e.rc : -1;
  }
}

t.test('every ERR_* constant has a unique code and a description', async (t) => {
  const codes = Object.entries(ids).filter(
    ([k, v]) => k.startsWith('ERR_') && k !== 'ERR_CODE_MAX' && typeof v === 'number',
  );
  t.ok(codes.length >= 27, `${codes.length} codes`);
  const seen = new Map<number, string>();
  for (const [name, code] of codes as [string, number][]) {
    t.notOk(seen.has(code), `${name} = ${code} is unique (${seen.get(code) ?? ''})`);
    seen.set(code, name);
    t.ok(code <= ids.ERR_CODE_MAX, `${name} <= ERR_CODE_MAX`);
    t.equal(errorName(code), name, `${name} named`);
    t.equal(errorName(-code), name, `${name} named from a negative return`);
    t.match(describeError(-code), new RegExp(`^${name} \\(${code}\\): .+`));
  }
  t.equal(errorTable().length, codes.length, 'no extra table entries');
  t.equal(describeError(99), 'unknown error code 99');
  t.equal(errorName(99), 'ERR_99');
});

t.test('encodeFrame / decodeFrame round trip', async (t) => {
  const header = { op: ids.OP_WRITE, group: ids.GROUP_TIME, seq: 7, cmd: ids.CMD_TIME };
  const bytes = encodeFrame(header, { now_ms: 1_700_000_000_123 });
  t.equal(hex(bytes.subarray(0, 8)), '0a00' + (bytes.length - 8).toString(16).padStart(4, '0') + '0041' + '07' + '00');
  t.equal(hex(bytes.subarray(8)), 'a1666e6f775f6d731b0000018bcfe5687b', 'shortest heads, 64-bit integer, no float');
  const d = decodeFrame(bytes);
  const length = bytes.length - 8;
  t.same(d.header, { version: ids.PROTOCOL_VERSION, op: 2, flags: 0, length, group: 65, seq: 7, cmd: 0 });
  t.same(d.body, { now_ms: 1_700_000_000_123 });
  // The device finds the field in what the host wrote.
  const key = new TextEncoder().encode('now_ms');
  t.ok(cbor_map_find_text(d.bodyBytes, 0, d.bodyBytes.length, key, 0, key.length) > 0);
  t.equal(frame_check(bytes, 0, bytes.length, new Int32Array(FRAME_HDR_WORDS)), bytes.length);
  t.same(decodeFrame(encodeFrame({ ...header, op: ids.OP_READ })).body, {}, 'default body is {}');
  const maps = decodeFrame(encodeFrame(header, new Map([[1, 2]])), { maps: true });
  t.same([...(maps.body as Map<number, number>)], [[1, 2]], 'integer-keyed maps');
});

t.test('random bodies round trip through the host helpers', async (t) => {
  const json = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', maxDepth: 5 },
      fc.maxSafeInteger(),
      fc.string({ unit: 'binary', maxLength: 16 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(
        fc.string({ unit: 'binary', maxLength: 8 }).filter((k) => k !== '__proto__'),
        tie('v'),
        { maxKeys: 4, noNullPrototype: true },
      ),
    ),
  })).v;
  fc.assert(
    fc.property(json, fc.integer({ min: 0, max: 255 }), (body, seq) => {
      const f = encodeFrame({ op: 0, group: 64, seq, cmd: 0 }, body);
      const d = decodeFrame(f);
      t.same(d.body, body);
      t.equal(d.header.seq, seq);
    }),
    { numRuns: 200 },
  );
});

t.test('encodeBody refuses what the device cannot read', async (t) => {
  t.throws(() => encodeBody({ x: 1.5 }), RangeError, 'float');
  t.throws(() => encodeBody({ x: 2 ** 53 }), RangeError, 'beyond 2^53 - 1');
  t.throws(() => encodeBody([undefined]), TypeError, 'undefined in an array');
  t.throws(() => encodeBody(new Date()), TypeError, 'Date would be a tag');
  t.same(decodeBody(encodeBody({ a: undefined, b: 1 })), { b: 1 }, 'undefined object fields are dropped');
  const long = 'x'.repeat(ids.CBOR_TEXT_MAX + 1);
  t.equal(rcOf(() => encodeBody({ s: long })), ids.ERR_TOO_LARGE, 'text beyond CBOR_TEXT_MAX');
  let deep: unknown = 1;
  for (let i = 0; i <= ids.CBOR_DEPTH_MAX; i++) deep = [deep];
  t.equal(rcOf(() => encodeBody(deep)), ids.ERR_CBOR_DEPTH, 'too deep');
  const big = new Uint8Array(ids.FRAME_BODY_MAX);
  t.equal(rcOf(() => encodeFrame({ op: 0, group: 64, seq: 0, cmd: 0 }, big)), ids.ERR_TOO_LARGE, 'body over the limit');
  t.throws(() => encodeFrame({ op: 8, group: 64, seq: 0, cmd: 0 }), RangeError, 'op 8');
  t.throws(() => encodeFrame({ op: 0, group: 64, seq: 256, cmd: 0 }), RangeError, 'seq 256');
  t.throws(() => encodeFrame({ op: 0, group: 64.5, seq: 1, cmd: 0 }), RangeError, 'non-integer group');
});

t.test('decodeFrame reports the device codes', async (t) => {
  const good = encodeFrame({ op: 0, group: 64, seq: 1, cmd: 0 });
  t.equal(rcOf(() => decodeFrame(good.subarray(0, 7))), ids.ERR_BAD_FRAME);
  t.equal(rcOf(() => decodeFrame(good.subarray(0, good.length - 1))), ids.ERR_BAD_FRAME);
  const v0 = good.slice();
  v0[0] &= ~0x18;
  t.equal(rcOf(() => decodeFrame(v0)), ids.ERR_BAD_VERSION);
  const bad = encodeFrameBytes({ op: 0, group: 64, seq: 1, cmd: 0 }, new Uint8Array([0xff]));
  t.throws(() => decodeFrame(bad), ProtocolError, 'a body that is not CBOR');
  const empty = encodeFrameBytes({ op: 1, group: 64, seq: 1, cmd: 0 }, new Uint8Array(0));
  t.equal(decodeFrame(empty).body, undefined, 'an empty body decodes as undefined');
  t.match(new ProtocolError(-ids.ERR_TIMEOUT).message, /^ERR_TIMEOUT \(14\)/);
});
