// Device CBOR codec: cross-checked against cbor-x with random values both ways, fuzzed with
// random and mutated bytes, and unit-tested at every boundary and error path.

import { Decoder, Encoder, type Options } from 'cbor-x';
import fc from 'fast-check';
import t from 'tap';
import {
  CBOR_BYTES_MAX,
  CBOR_DEPTH_MAX,
  CBOR_TEXT_MAX,
  ERR_BAD_CBOR,
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_CBOR_DEPTH,
  ERR_CBOR_INT_RANGE,
  ERR_CBOR_RESERVED,
  ERR_CBOR_TAG,
  ERR_CBOR_TRAILING,
  ERR_CBOR_TRUNCATED,
  ERR_CODE_MAX,
  ERR_MISSING_FIELD,
  ERR_TOO_LARGE,
} from '../../protocol/ids.js';
import {
  CBOR_HEAD_AI,
  CBOR_HEAD_ARG_HI,
  CBOR_HEAD_ARG_LO,
  CBOR_HEAD_MAJOR,
  CBOR_HEAD_WORDS,
  cbor_head_int,
  cbor_head_size,
  cbor_map_find_int,
  cbor_map_find_text,
  cbor_read_bool,
  cbor_read_head,
  cbor_read_int,
  cbor_skip,
  cbor_validate,
  cbor_write_array,
  cbor_write_bool,
  cbor_write_bytes,
  cbor_write_head,
  cbor_write_int,
  cbor_write_map,
  cbor_write_null,
  cbor_write_text,
  cbor_write_uint,
} from '../../protocol/device/cbor.js';
import { canon, deviceDecode, deviceEncode, hex, InvalidUtf8, unhex } from './helpers.js';

type CborOptions = Options & { useTag259ForMaps?: boolean; int64AsNumber?: boolean };
const ENC: CborOptions = { useRecords: false, variableMapSize: true, useTag259ForMaps: false, tagUint8Array: false };
const DEC: CborOptions = { useRecords: false, mapsAsObjects: false, int64AsNumber: true };
const cborx = new Encoder(ENC);
const cborxDec = new Decoder(DEC);

const FC_RUNS = Number(process.env.FC_RUNS ?? 400);
const TWO_32 = 2 ** 32;
const MAX = Number.MAX_SAFE_INTEGER;

/** cbor-x writes integers beyond 32 bits as floats unless given a BigInt. */
function forCborX(v: unknown): unknown {
  if (typeof v === 'number') return v > 0xffffffff || v < -TWO_32 ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(forCborX);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [forCborX(k), forCborX(x)]));
  return v;
}

function depthOf(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf));
  if (v instanceof Map) return 1 + Math.max(0, ...[...v].map(([k, x]) => Math.max(depthOf(k), depthOf(x))));
  return 0;
}

const edgeInts = [
  0, 1, 23, 24, 255, 256, 65535, 65536, TWO_32 - 1, TWO_32, MAX, -1, -24, -25, -256, -257, -65536, -65537,
  -TWO_32, -TWO_32 - 1, -MAX,
];
const intArb = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer(),
  fc.integer({ min: -30, max: 30 }),
  fc.constantFrom(...edgeInts),
);
const textArb = fc.string({ unit: 'binary', maxLength: 16 }); // <= 16 code points <= 64 UTF-8 bytes
const keyArb = fc.oneof(intArb, textArb);
const leafArb = fc.oneof(intArb, textArb, fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.constant(null));
const { value: valueArb } = fc.letrec<{ value: unknown; array: unknown[]; map: Map<unknown, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: CBOR_DEPTH_MAX }, leafArb, tie('array'), tie('map')),
  array: fc.array(tie('value'), { maxLength: 6 }),
  map: fc
    .uniqueArray(fc.tuple(keyArb, tie('value')), { selector: ([k]) => `${typeof k}:${String(k)}`, maxLength: 6 })
    .map((entries) => new Map(entries)),
}));
const subsetValue = valueArb.filter((v) => depthOf(v) <= CBOR_DEPTH_MAX);

t.test('cbor-x encodings decode identically on the device decoder', async (t) => {
  fc.assert(
    fc.property(subsetValue, (v) => {
      const bytes = cborx.encode(forCborX(v));
      const r = deviceDecode(bytes);
      if (!r.ok) throw new Error(`device rejected ${hex(bytes)} with ${r.rc}`);
      t.strictSame(canon(r.value), canon(v));
    }),
    { numRuns: FC_RUNS },
  );
});

t.test('device encodings decode identically in cbor-x, and match its bytes', async (t) => {
  fc.assert(
    fc.property(subsetValue, (v) => {
      const bytes = deviceEncode(v, 1 << 16);
      if (typeof bytes === 'number') throw new Error(`device encoder returned ${bytes}`);
      t.strictSame(canon(cborxDec.decode(bytes)), canon(v));
      // Both write shortest heads and keep map order, so the bytes agree too.
      t.equal(hex(bytes), hex(cborx.encode(forCborX(v))));
    }),
    { numRuns: FC_RUNS },
  );
});

function checkNeverThrows(bytes: Uint8Array): void {
  let r: ReturnType<typeof deviceDecode>;
  try {
    r = deviceDecode(bytes);
  } catch (e) {
    if (e instanceof InvalidUtf8) return; // the device does not validate UTF-8; the test's TextDecoder does
    throw e;
  }
  if (!r.ok) {
    if (!(Number.isInteger(r.rc) && r.rc < 0 && r.rc >= -ERR_CODE_MAX)) throw new Error(`bad rc ${r.rc}`);
    return;
  }
  // Whatever the device accepts, an independent decoder reads as the same value.
  const other = cborxDec.decode(bytes);
  if (JSON.stringify(canon(other)) !== JSON.stringify(canon(r.value))) {
    throw new Error(`device and cbor-x disagree on ${hex(bytes)}`);
  }
}

t.test('random bytes: the decoder terminates with a value or a negative code, never throws', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), checkNeverThrows), { numRuns: FC_RUNS * 5 });
  // Mutations of valid encodings reach deeper than uniform noise.
  const mutated = fc
    .tuple(subsetValue, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(2)), { maxLength: 4 }))
    .map(([v, edits]) => {
      const bytes = [...cborx.encode(forCborX(v))];
      for (const [at, b, kind] of edits) {
        const i = at % (bytes.length + 1);
        if (kind === 0) bytes[i % bytes.length] = b;
        else if (kind === 1) bytes.splice(i, 0, b);
        else bytes.splice(i, 1);
      }
      return new Uint8Array(bytes);
    });
  fc.assert(fc.property(mutated, checkNeverThrows), { numRuns: FC_RUNS * 2 });
  t.pass('no throw, no hang');
});

t.test('every strict prefix of a valid encoding is truncated', async (t) => {
  fc.assert(
    fc.property(subsetValue, (v) => {
      const bytes = cborx.encode(forCborX(v));
      for (let n = 0; n < bytes.length; n++) {
        const rc = cbor_validate(bytes, 0, n);
        if (rc !== -ERR_CBOR_TRUNCATED) throw new Error(`prefix ${n} of ${hex(bytes)} gave ${rc}`);
      }
    }),
    { numRuns: FC_RUNS / 4 },
  );
  t.pass();
});

t.test('heads: shortest and non-shortest forms, integer range', async (t) => {
  const head = new Int32Array(CBOR_HEAD_WORDS);
  const read = (h: string) => {
    const b = unhex(h);
    const p = cbor_read_head(b, 0, b.length, head);
    return p < 0 ? p : cbor_head_int(head);
  };
  for (const h of ['00', '1800', '190000', '1a00000000', '1b0000000000000000']) t.equal(read(h), 0, `${h} = 0`);
  t.equal(read('1b001fffffffffffff'), MAX, '2^53-1 is accepted');
  t.equal(read('3b001ffffffffffffe'), -MAX, '-(2^53-1) is accepted');
  t.equal(read('1b0020000000000000'), -ERR_CBOR_INT_RANGE, '2^53');
  t.equal(read('3b001fffffffffffff'), -ERR_CBOR_INT_RANGE, '-2^53');
  t.equal(read('1b8000000000000000'), -ERR_CBOR_INT_RANGE, '2^63');
  t.equal(read('1affffffff'), TWO_32 - 1, '2^32-1 via ai 26');
  t.equal(read('3affffffff'), -TWO_32, '-2^32 via ai 26');
  const b = unhex('1b0000000100000002');
  t.equal(cbor_read_head(b, 0, b.length, head), 9, 'position after an 8-byte argument');
  t.same([head[CBOR_HEAD_MAJOR], head[CBOR_HEAD_AI], head[CBOR_HEAD_ARG_LO], head[CBOR_HEAD_ARG_HI]], [0, 27, 2, 1]);
  t.equal(cbor_head_int(head), TWO_32 + 2);
});

t.test('heads: reserved, indefinite, break, tags, truncation, bad arguments', async (t) => {
  const v = (h: string) => cbor_validate(unhex(h), 0, h.length / 2);
  for (const m of [0, 1, 2, 3, 4, 5, 7]) {
    for (const ai of [28, 29, 30]) t.equal(v(((m << 5) | ai).toString(16).padStart(2, '0')), -ERR_CBOR_RESERVED);
  }
  t.equal(v('dc'), -ERR_CBOR_TAG, 'any major 6 is a tag');
  t.equal(v('1f'), -ERR_BAD_CBOR, 'ai 31 on an unsigned integer');
  t.equal(v('3f'), -ERR_BAD_CBOR, 'ai 31 on a negative integer');
  t.equal(v('ff'), -ERR_BAD_CBOR, 'stray break');
  t.equal(v('8101ff'), -ERR_CBOR_TRAILING, 'break after a complete item is trailing garbage');
  t.equal(v('0000'), -ERR_CBOR_TRAILING);
  t.equal(v(''), -ERR_CBOR_TRUNCATED);
  for (const h of ['18', '1900', '1a000000', '1b00000000000000', '6261', '4201', '8201', 'a101', 'a1']) {
    t.equal(v(h), -ERR_CBOR_TRUNCATED, `${h} truncated`);
  }
  // Huge declared counts are rejected at once from the bytes left, not iterated.
  const huge = [
    '9b00000000ffffffff', '9a7fffffff', 'baffffffff', '5b0000000100000000', '7affffffff', 'bb0000000000000001',
  ];
  for (const h of huge) {
    t.equal(v(h), -ERR_CBOR_TRUNCATED, `${h}: count beyond the input`);
  }
  const buf = unhex('0102');
  const head = new Int32Array(CBOR_HEAD_WORDS);
  t.equal(cbor_read_head(buf, -1, 2, head), -ERR_BAD_VALUE, 'negative pos');
  t.equal(cbor_read_head(buf, 0, 3, head), -ERR_BAD_VALUE, 'end beyond the buffer');
  t.equal(cbor_read_head(buf, 0, 2, new Int32Array(2)), -ERR_BAD_VALUE, 'head array too short');
  t.equal(cbor_read_head(buf, 2, 2, head), -ERR_CBOR_TRUNCATED, 'pos at end');
  t.equal(cbor_skip(buf, 1, 2), 2, 'skip from an inner position');
});

t.test('depth limit: CBOR_DEPTH_MAX containers nest, one more is rejected', async (t) => {
  const nest = (n: number, open: string, inner: string) => unhex(open.repeat(n) + inner);
  t.equal(cbor_validate(nest(CBOR_DEPTH_MAX, '81', '00'), 0, CBOR_DEPTH_MAX + 1), CBOR_DEPTH_MAX + 1);
  t.equal(cbor_validate(nest(CBOR_DEPTH_MAX + 1, '81', '00'), 0, CBOR_DEPTH_MAX + 2), -ERR_CBOR_DEPTH);
  t.equal(cbor_validate(nest(CBOR_DEPTH_MAX - 1, '81', '80'), 0, CBOR_DEPTH_MAX), CBOR_DEPTH_MAX, 'empty innermost');
  const tooDeep = nest(CBOR_DEPTH_MAX, '81', '80');
  t.equal(cbor_validate(tooDeep, 0, tooDeep.length), -ERR_CBOR_DEPTH, 'empty one too deep');
  const maps = nest(CBOR_DEPTH_MAX, 'a100', 'a0');
  t.equal(cbor_validate(maps, 0, maps.length), -ERR_CBOR_DEPTH, 'maps count too');
  const deep = new Uint8Array(100000).fill(0x81);
  t.equal(cbor_validate(deep, 0, deep.length), -ERR_CBOR_DEPTH, 'a very deep input stops at the limit');
  // Siblings do not add depth.
  const wide = unhex('8a' + '81'.repeat(CBOR_DEPTH_MAX - 1).concat('00').repeat(10));
  t.equal(cbor_validate(wide, 0, wide.length), wide.length, 'ten siblings each at the limit');
});

t.test('string length limits', async (t) => {
  const text = (n: number) => deviceEncode('a'.repeat(n), 2048) as Uint8Array;
  const bytes = (n: number) => deviceEncode(new Uint8Array(n), 2048) as Uint8Array;
  const ok = (b: Uint8Array) => cbor_validate(b, 0, b.length);
  t.equal(ok(text(CBOR_TEXT_MAX)), CBOR_TEXT_MAX + 2);
  t.equal(ok(text(CBOR_TEXT_MAX + 1)), -ERR_TOO_LARGE);
  t.equal(ok(bytes(CBOR_BYTES_MAX)), CBOR_BYTES_MAX + 3);
  t.equal(ok(bytes(CBOR_BYTES_MAX + 1)), -ERR_TOO_LARGE);
});

t.test('map finders', async (t) => {
  const body = deviceEncode(
    new Map<unknown, unknown>([
      ['a', 1],
      [7, true],
      ['bb', [1, 2]],
      ['c', new Map([['d', 2]])],
      [-3, 'x'],
    ]),
  ) as Uint8Array;
  const key = (s: string) => new TextEncoder().encode(s);
  const findText = (s: string, b = body) => cbor_map_find_text(b, 0, b.length, key(s), 0, key(s).length);
  const at = (p: number) => (p < 0 ? p : hex(body.subarray(p, cbor_skip(body, p, body.length))));
  t.equal(at(findText('a')), '01');
  t.equal(at(findText('bb')), '820102');
  t.equal(at(findText('c')), 'a1616402');
  t.equal(findText('d'), -ERR_MISSING_FIELD, 'nested keys are not found at the top');
  t.equal(findText('b'), -ERR_MISSING_FIELD, 'a prefix of a key is not the key');
  t.equal(at(cbor_map_find_int(body, 0, body.length, 7)), 'f5');
  t.equal(at(cbor_map_find_int(body, 0, body.length, -3)), '6178');
  t.equal(cbor_map_find_int(body, 0, body.length, 8), -ERR_MISSING_FIELD);
  const arr = unhex('820102');
  t.equal(cbor_map_find_int(arr, 0, arr.length, 1), -ERR_BAD_TYPE, 'not a map');
  const dup = unhex('a2616101616102');
  t.equal(findText('a', dup), -ERR_BAD_CBOR, 'duplicate text key');
  const dupInt = unhex('a3010102020103');
  t.equal(cbor_map_find_int(dupInt, 0, dupInt.length, 1), -ERR_BAD_CBOR, 'duplicate int key');
  const bad = unhex('a1616118');
  t.equal(findText('a', bad), -ERR_CBOR_TRUNCATED, 'errors in values surface');
  const nested = unhex('8201a1616102'); // [1, {"a": 2}]: find inside the array's second item
  t.equal(cbor_map_find_text(nested, 2, nested.length, key('a'), 0, 1), 5);
});

t.test('typed readers', async (t) => {
  const i32 = new Int32Array(2);
  const f64 = new Float64Array(1);
  const b = unhex('1903e8');
  t.equal(cbor_read_int(b, 0, b.length, 0, 1000, i32, 1), 3);
  t.equal(i32[1], 1000);
  t.equal(cbor_read_int(b, 0, b.length, 0, 999, i32, 1), -ERR_BAD_VALUE, 'above max');
  t.equal(cbor_read_int(b, 0, b.length, 1001, 2000, i32, 1), -ERR_BAD_VALUE, 'below min');
  const ms = deviceEncode(1700000000123) as Uint8Array;
  t.equal(cbor_read_int(ms, 0, ms.length, 0, MAX, f64, 0), 9);
  t.equal(f64[0], 1700000000123, 'epoch ms exact in a Float64Array');
  const txt = unhex('6161');
  t.equal(cbor_read_int(txt, 0, 2, 0, 1, i32, 0), -ERR_BAD_TYPE);
  t.equal(cbor_read_bool(unhex('f5'), 0, 1, i32, 0), 1);
  t.equal(i32[0], 1);
  t.equal(cbor_read_bool(unhex('f4'), 0, 1, i32, 0), 1);
  t.equal(i32[0], 0);
  t.equal(cbor_read_bool(unhex('f6'), 0, 1, i32, 0), -ERR_BAD_TYPE, 'null is not a bool');
  t.equal(cbor_read_bool(unhex('01'), 0, 1, i32, 0), -ERR_BAD_TYPE);
});

t.test('encoder: shortest heads at every boundary', async (t) => {
  const cases: [number, string][] = [
    [0, '00'], [23, '17'], [24, '1818'], [255, '18ff'], [256, '190100'], [65535, '19ffff'],
    [65536, '1a00010000'], [TWO_32 - 1, '1affffffff'], [TWO_32, '1b0000000100000000'], [MAX, '1b001fffffffffffff'],
    [-1, '20'], [-24, '37'], [-25, '3818'], [-256, '38ff'], [-257, '390100'], [-TWO_32, '3affffffff'],
    [-TWO_32 - 1, '3b0000000100000000'], [-MAX, '3b001ffffffffffffe'], [-0, '00'],
  ];
  for (const [value, h] of cases) {
    const buf = new Uint8Array(9);
    const n = cbor_write_int(buf, 0, 9, value);
    t.equal(hex(buf.subarray(0, n)), h, `${value}`);
    t.equal(n, value < 0 ? cbor_head_size(-1 - value) : cbor_head_size(Math.abs(value)));
  }
});

t.test('encoder: bad values and no partial writes on overflow', async (t) => {
  const buf = new Uint8Array(16);
  for (const bad of [1.5, NaN, Infinity, MAX + 1, -MAX - 1, 2 ** 60]) {
    t.equal(cbor_write_int(buf, 0, 16, bad), -ERR_BAD_VALUE, `int ${bad}`);
  }
  t.equal(cbor_write_uint(buf, 0, 16, -1), -ERR_BAD_VALUE, 'negative uint');
  t.equal(cbor_write_head(buf, 0, 16, 6, 1), -ERR_BAD_VALUE, 'no tags');
  t.equal(cbor_write_head(buf, 0, 16, 7, 1), -ERR_BAD_VALUE, 'no simple/floats via heads');
  t.equal(cbor_write_head(buf, -1, 16, 0, 1), -ERR_BAD_VALUE, 'negative pos');
  t.equal(cbor_write_head(buf, 0, 17, 0, 1), -ERR_BAD_VALUE, 'end beyond the buffer');
  const src = new Uint8Array([1, 2, 3]);
  t.equal(cbor_write_bytes(buf, 0, 16, src, 1, 3), -ERR_BAD_VALUE, 'source range beyond src');
  const writers: [string, (b: Uint8Array, pos: number, end: number) => number, number][] = [
    ['uint 1000', (b, p, e) => cbor_write_uint(b, p, e, 1000), 3],
    ['int -70000', (b, p, e) => cbor_write_int(b, p, e, -70000), 5],
    ['uint 2^40', (b, p, e) => cbor_write_uint(b, p, e, 2 ** 40), 9],
    ['bytes[3]', (b, p, e) => cbor_write_bytes(b, p, e, src, 0, 3), 4],
    ['text[3]', (b, p, e) => cbor_write_text(b, p, e, src, 0, 3), 4],
    ['array(30)', (b, p, e) => cbor_write_array(b, p, e, 30), 2],
    ['map(2)', (b, p, e) => cbor_write_map(b, p, e, 2), 1],
    ['true', (b, p, e) => cbor_write_bool(b, p, e, 1), 1],
    ['null', (b, p, e) => cbor_write_null(b, p, e), 1],
  ];
  for (const [name, write, size] of writers) {
    for (let room = 0; room <= size; room++) {
      const b = new Uint8Array(20).fill(0xee);
      const r = write(b, 5, 5 + room);
      if (room < size) {
        t.equal(r, -ERR_TOO_LARGE, `${name} in ${room} bytes`);
        t.ok(b.every((x) => x === 0xee), `${name}: nothing written`);
      } else {
        t.equal(r, 5 + size, `${name} fits exactly`);
        t.ok(b.subarray(5 + size).every((x) => x === 0xee) && b.subarray(0, 5).every((x) => x === 0xee), 'in bounds');
      }
    }
  }
});

t.test('encoder overflow surfaces as -ERR_TOO_LARGE for whole values', async (t) => {
  fc.assert(
    fc.property(subsetValue, fc.nat(), (v, cut) => {
      const full = deviceEncode(v, 1 << 16) as Uint8Array;
      const cap = cut % (full.length + 1);
      const r = deviceEncode(v, cap);
      if (cap < full.length) {
        if (r !== -ERR_TOO_LARGE) throw new Error(`cap ${cap} of ${full.length}: ${String(r)}`);
      } else if (typeof r === 'number' || hex(r) !== hex(full)) throw new Error('exact fit failed');
    }),
    { numRuns: FC_RUNS / 2 },
  );
  t.pass();
});
