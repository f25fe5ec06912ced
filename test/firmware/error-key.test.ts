// The "key" of an error response is text a strict host must be able to decode, whatever the
// request's key held: raw bytes that are not UTF-8, multi-byte characters cut at the 64-byte
// limit, control characters and terminal escapes. The ring answers with printable ASCII,
// every other byte (and the backslash) as \xHH, cut between whole escapes.

import t from 'tap';
import {
  CBOR_TEXT_MAX,
  CMD_CONFIG,
  CMD_TIME,
  ERR_UNKNOWN_FIELD,
  GROUP_CONFIG,
  GROUP_TIME,
  OP_READ,
  OP_WRITE,
} from '../../protocol/ids.js';
import { encodeFrameBytes } from '../../protocol/host/frame.js';
import { FrameCollector, nextSeq, ready, sendFrame, type Ring } from './ble-harness.js';

const strict = new TextDecoder('utf-8', { fatal: true });

/** A CBOR text head + bytes (the bytes as given, UTF-8 or not). */
function text(bytes: number[]): number[] {
  const n = bytes.length;
  return [...(n < 24 ? [0x60 + n] : [0x78, n]), ...bytes];
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** Send a request whose body is the given raw CBOR; returns the response's raw body. */
function raw(ring: Ring, group: number, cmd: number, op: number, bodyBytes: number[]): Uint8Array {
  const c = new FrameCollector(ring);
  sendFrame(ring, encodeFrameBytes({ op, group, seq: nextSeq(), cmd }, new Uint8Array(bodyBytes)));
  const got = c.poll();
  if (got.length !== 1) throw new Error(`expected one response, got ${got.length}`);
  return c.raw[0]!.subarray(8);
}

/** {"rc": small uint, "key": text} read byte by byte, the key decoded strictly (throws on bad UTF-8). */
function errorKey(body: Uint8Array): { rc: number; key: string } {
  const prefix = [0xa2, 0x62, 0x72, 0x63];
  for (let i = 0; i < prefix.length; i++) if (body[i] !== prefix[i]) throw new Error(`not an error body with a key: ${Buffer.from(body).toString('hex')}`);
  const rc = body[4]!;
  const keyHead = [0x63, 0x6b, 0x65, 0x79];
  for (let i = 0; i < 4; i++) if (body[5 + i] !== keyHead[i]) throw new Error('no "key"');
  let p = 9;
  const h = body[p++]!;
  const len = h === 0x78 ? body[p++]! : h - 0x60;
  if (p + len !== body.length) throw new Error('trailing bytes');
  return { rc, key: strict.decode(body.subarray(p, p + len)) };
}

const e = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;
const eacute = [0xc3, 0xa9];
const filler = (n: number): string => 'k'.repeat(n);

// [what, the request's key bytes, the key the ring names]
const cases: [string, number[], string][] = [
  ['plain ASCII', ascii('volume'), 'volume'],
  ['a two-byte character', [...ascii('caf'), ...eacute], `caf${e(0xc3)}${e(0xa9)}`],
  ['bytes that are not UTF-8', [0xff, 0xfe, 0x80], `${e(0xff)}${e(0xfe)}${e(0x80)}`],
  ['a terminal escape', [0x1b, ...ascii('[31mred')], `${e(0x1b)}[31mred`],
  ['a newline', [...ascii('a'), 0x0a, ...ascii('b')], `a${e(0x0a)}b`],
  ['a backslash (escapes stay unambiguous)', ascii('a\\x41'), `a${e(0x5c)}x41`],
  ['DEL', [0x7f], e(0x7f)],
  ['a character cut at the limit: whole escapes only', [...ascii(filler(61)), ...eacute], filler(61)],
  ['the limit reached by escapes', [...ascii(filler(56)), ...eacute, ...eacute], `${filler(56)}${e(0xc3)}${e(0xa9)}`],
  ['64 bytes of two-byte characters', Array.from({ length: 32 }, () => eacute).flat(), Array.from({ length: 8 }, () => `${e(0xc3)}${e(0xa9)}`).join('')],
];

t.test('an unknown key is named in printable ASCII, decodable by a strict host', async (t) => {
  const ring = ready(25, 185);
  for (const [what, key, expected] of cases) {
    t.ok(key.length <= CBOR_TEXT_MAX, `${what}: the request is valid CBOR`);
    // time write {key: 1}: the key is unknown
    const body = raw(ring, GROUP_TIME, CMD_TIME, OP_WRITE, [0xa1, ...text(key), 0x01]);
    let got: { rc: number; key: string } | undefined;
    t.doesNotThrow(() => { got = errorKey(body); }, `${what}: the key is valid UTF-8`);
    if (got === undefined) continue;
    t.equal(got.rc, ERR_UNKNOWN_FIELD, `${what}: ERR_UNKNOWN_FIELD`);
    t.equal(got.key, expected, `${what}: named as ${JSON.stringify(expected)}`);
    t.ok(Buffer.byteLength(got.key) <= CBOR_TEXT_MAX, `${what}: at most ${CBOR_TEXT_MAX} bytes`);
    t.match(got.key, /^[\x20-\x7e]*$/, `${what}: printable ASCII only`);
  }
});

t.test('a nested key with its prefix: the prefix is kept, the key cut between escapes', async (t) => {
  const ring = ready(25, 185);
  // config write {"stream": {key: 1}}; "stream." + 56 bytes = 63, an escape would not fit
  const key = [...ascii(filler(56)), ...eacute];
  const body = raw(ring, GROUP_CONFIG, CMD_CONFIG, OP_WRITE, [0xa1, ...text(ascii('stream')), 0xa1, ...text(key), 0x01]);
  const got = errorKey(body);
  t.equal(got.rc, ERR_UNKNOWN_FIELD);
  t.equal(got.key, `stream.${filler(56)}`);
  const body2 = raw(ring, GROUP_CONFIG, CMD_CONFIG, OP_READ, [0xa1, ...text([0xe2, 0x82, 0xac]), 0x01]);
  t.equal(errorKey(body2).key, `${e(0xe2)}${e(0x82)}${e(0xac)}`, 'a three-byte character on a read');
});
