// Host-side frame helpers: a whole frame <-> { header, body } with the body as a JS value,
// CBOR by cbor-x. The header codec and the checks are the device's own (protocol/device),
// so both sides agree byte for byte; bodies the host encodes are also run through the
// device's CBOR validator, so the host never sends what the device would reject.

import { Decoder, Encoder, type Options } from 'cbor-x';
import {
  CBOR_INT_MAX,
  ERR_BAD_CBOR,
  ERR_TOO_LARGE,
  FRAME_BODY_MAX,
  FRAME_HEADER_SIZE,
  PROTOCOL_VERSION,
} from '../ids.js';
import { cbor_validate } from '../device/cbor.js';
import {
  FRAME_HDR_CMD,
  FRAME_HDR_FLAGS,
  FRAME_HDR_GROUP,
  FRAME_HDR_LENGTH,
  FRAME_HDR_OP,
  FRAME_HDR_SEQ,
  FRAME_HDR_VERSION,
  FRAME_HDR_WORDS,
  frame_check,
  frame_header_fits,
  frame_header_write,
} from '../device/frame.js';
import { describeError } from './errors.js';

export interface FrameHeader {
  op: number;
  group: number;
  seq: number;
  cmd: number;
  flags?: number; // default 0
  version?: number; // default PROTOCOL_VERSION
}

export interface DecodedHeader {
  version: number;
  op: number;
  flags: number;
  length: number; // body bytes
  group: number;
  seq: number;
  cmd: number;
}

export interface DecodedFrame {
  header: DecodedHeader;
  /** The body as JS: maps with text keys become objects, byte strings Uint8Array; undefined if empty. */
  body: unknown;
  /** The body's raw bytes (a view into the input). */
  bodyBytes: Uint8Array;
}

/** A protocol-level failure on the host side, carrying the rc the device would report. */
export class ProtocolError extends Error {
  readonly rc: number;
  constructor(rc: number, detail?: string) {
    super(detail ? `${describeError(rc)}: ${detail}` : describeError(rc));
    this.name = 'ProtocolError';
    this.rc = Math.abs(rc);
  }
}

/** Options cbor-x reads at run time but its typings omit. */
type CborOptions = Options & { useTag259ForMaps?: boolean; int64AsNumber?: boolean };

const ENCODER_OPTIONS: CborOptions = {
  useRecords: false, // plain CBOR maps, no cbor-x record extension
  variableMapSize: true, // shortest map heads
  useTag259ForMaps: false, // a JS Map is a plain CBOR map (integer keys)
  tagUint8Array: false, // Uint8Array is a plain byte string, no tag 64
};
const DECODER_OPTIONS: CborOptions = { useRecords: false, mapsAsObjects: true, int64AsNumber: true };
const DECODER_MAPS_OPTIONS: CborOptions = { useRecords: false, mapsAsObjects: false, int64AsNumber: true };

const encoder = new Encoder(ENCODER_OPTIONS);
const decoder = new Decoder(DECODER_OPTIONS);
const decoderMaps = new Decoder(DECODER_MAPS_OPTIONS);

/**
 * Convert a JS value into what cbor-x encodes inside the device subset: integers beyond
 * 32 bits become BigInt (cbor-x would write a float), anything the subset lacks throws.
 */
function toSubset(value: unknown, path: string, depth: number): unknown {
  if (depth > 64) throw new RangeError(`${path}: nested too deep`);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new RangeError(`${path}: ${value} is not an integer (no floats on the wire)`);
    if (Math.abs(value) > CBOR_INT_MAX) throw new RangeError(`${path}: ${value} is beyond +-(2^53-1)`);
    if (value > 0xffffffff || value < -0x100000000) return BigInt(value);
    return value === 0 ? 0 : value; // -0 -> 0
  }
  if (typeof value === 'bigint') {
    if (value > BigInt(CBOR_INT_MAX) || value < -BigInt(CBOR_INT_MAX)) {
      throw new RangeError(`${path}: ${value} is beyond +-(2^53-1)`);
    }
    return value;
  }
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v, i) => toSubset(v, `${path}[${i}]`, depth + 1));
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) {
      if (typeof k !== 'string' && typeof k !== 'number') throw new TypeError(`${path}: map keys are ints or text`);
      out.set(toSubset(k, `${path}.<key>`, depth + 1), toSubset(v, `${path}.${String(k)}`, depth + 1));
    }
    return out;
  }
  const proto: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    // A Map (text keys) encodes the same bytes as the object and is safe for any key, "__proto__" too.
    const out = new Map<string, unknown>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      out.set(k, toSubset(v, `${path}.${k}`, depth + 1));
    }
    return out;
  }
  throw new TypeError(
    `${path}: ${typeof value} cannot be sent (the wire carries ints, text, bytes, bool, null, arrays, maps)`,
  );
}

/**
 * Encode a body value as CBOR within the device subset (shortest heads, no tags, no floats).
 * Throws RangeError/TypeError for values outside the subset, ProtocolError when the device's
 * own validator would reject the result (text over CBOR_TEXT_MAX bytes, nesting too deep).
 */
export function encodeBody(body: unknown): Uint8Array {
  const bytes: Uint8Array = encoder.encode(toSubset(body, 'body', 0));
  const rc = cbor_validate(bytes, 0, bytes.length);
  if (rc < 0) throw new ProtocolError(rc, 'the device would reject this body');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Decode CBOR body bytes; maps become objects, or Maps with { maps: true }. */
export function decodeBody(bytes: Uint8Array, options: { maps?: boolean } = {}): unknown {
  try {
    return (options.maps ? decoderMaps : decoder).decode(bytes);
  } catch (e) {
    throw new ProtocolError(ERR_BAD_CBOR, (e as Error).message);
  }
}

/** A whole frame from a header and already-encoded body bytes (not checked: for tests and fuzzing). */
export function encodeFrameBytes(header: FrameHeader, body: Uint8Array): Uint8Array {
  if (body.length > FRAME_BODY_MAX) {
    throw new ProtocolError(ERR_TOO_LARGE, `body of ${body.length} bytes, at most ${FRAME_BODY_MAX}`);
  }
  const hdr = new Int32Array(FRAME_HDR_WORDS);
  const fields: [number, number][] = [
    [FRAME_HDR_VERSION, header.version ?? PROTOCOL_VERSION],
    [FRAME_HDR_OP, header.op],
    [FRAME_HDR_FLAGS, header.flags ?? 0],
    [FRAME_HDR_LENGTH, body.length],
    [FRAME_HDR_GROUP, header.group],
    [FRAME_HDR_SEQ, header.seq],
    [FRAME_HDR_CMD, header.cmd],
  ];
  for (const [index, value] of fields) hdr[index] = value;
  if (fields.some(([index, value]) => hdr[index] !== value) || frame_header_fits(hdr) < 0) {
    throw new RangeError(`header field out of range: ${JSON.stringify(header)}`);
  }
  const out = new Uint8Array(FRAME_HEADER_SIZE + body.length);
  frame_header_write(out, 0, hdr);
  out.set(body, FRAME_HEADER_SIZE);
  return out;
}

/** A whole frame: 8-byte header, then the body encoded by encodeBody (default: empty map). */
export function encodeFrame(header: FrameHeader, body: unknown = {}): Uint8Array {
  return encodeFrameBytes(header, encodeBody(body));
}

/**
 * Decode one whole frame. The header must pass the device's checks and bytes.length must be
 * 8 + the header's body length; otherwise ProtocolError with the device's code. A body that
 * is not CBOR throws ProtocolError(ERR_BAD_CBOR); an empty body decodes as undefined.
 */
export function decodeFrame(bytes: Uint8Array, options: { maps?: boolean } = {}): DecodedFrame {
  const hdr = new Int32Array(FRAME_HDR_WORDS);
  const rc = frame_check(bytes, 0, bytes.length, hdr);
  if (rc < 0) throw new ProtocolError(rc, `frame of ${bytes.length} bytes`);
  const header: DecodedHeader = {
    version: hdr[FRAME_HDR_VERSION],
    op: hdr[FRAME_HDR_OP],
    flags: hdr[FRAME_HDR_FLAGS],
    length: hdr[FRAME_HDR_LENGTH],
    group: hdr[FRAME_HDR_GROUP],
    seq: hdr[FRAME_HDR_SEQ],
    cmd: hdr[FRAME_HDR_CMD],
  };
  const bodyBytes = bytes.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + header.length);
  const body = bodyBytes.length === 0 ? undefined : decodeBody(bodyBytes, options);
  return { header, body, bodyBytes };
}
