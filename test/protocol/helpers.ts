// Test-side helpers for protocol tests: build JS values from the device's pull decoder,
// drive the device encoder from JS values, and compare values exactly. Test code, so it
// may recurse and allocate freely.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/shared.js';
import {
  CBOR_HEAD_ARG_LO,
  CBOR_HEAD_MAJOR,
  CBOR_HEAD_WORDS,
  CBOR_MAJOR_ARRAY,
  CBOR_MAJOR_BYTES,
  CBOR_MAJOR_MAP,
  CBOR_MAJOR_NINT,
  CBOR_MAJOR_SIMPLE,
  CBOR_MAJOR_TEXT,
  CBOR_MAJOR_UINT,
  CBOR_SIMPLE_FALSE,
  CBOR_SIMPLE_TRUE,
  cbor_head_int,
  cbor_read_head,
  cbor_validate,
  cbor_write_array,
  cbor_write_bool,
  cbor_write_bytes,
  cbor_write_int,
  cbor_write_map,
  cbor_write_null,
  cbor_write_text,
} from '../../protocol/device/cbor.js';

export { repoRoot };
export const sharedDir = path.resolve(repoRoot, '../shared');

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

export function unhex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export interface AppendixVector {
  cbor: string;
  hex: string;
  roundtrip: boolean;
  decoded?: unknown;
  diagnostic?: string;
}

/**
 * RFC 8949 Appendix A vectors from ../shared, or a reason to skip. Absent ../shared is a skip
 * on a developer machine and a failure in CI (CI=true), where shared/ is always laid out.
 */
export function loadAppendixVectors(): { vectors: AppendixVector[] } | { skip: string } {
  const file = path.resolve(repoRoot, '../shared/vectors/cbor/appendix_a.json');
  if (!existsSync(file)) {
    const msg = `${file} is absent (../shared not laid out beside the repo)`;
    if (process.env.CI === 'true') throw new Error(`${msg}; CI must have it`);
    return { skip: msg };
  }
  return { vectors: JSON.parse(readFileSync(file, 'utf8')) as AppendixVector[] };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Thrown by deviceDecode when a text string is not valid UTF-8 (the device does not check). */
export class InvalidUtf8 extends Error {}

/**
 * Decode with the device codec: cbor_validate first (its code on failure), then build the
 * JS value by pulling heads. Integers -> number, bytes -> Uint8Array, text -> string
 * (TextDecoder), arrays -> arrays, maps -> Map, false/true/null.
 */
export function deviceDecode(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; rc: number } {
  const rc = cbor_validate(bytes, 0, bytes.length);
  if (rc < 0) return { ok: false, rc };
  const head = new Int32Array(CBOR_HEAD_WORDS);
  let pos = 0;
  const item = (): unknown => {
    const p = cbor_read_head(bytes, pos, bytes.length, head);
    if (p < 0) throw new Error(`validated input failed to re-read at ${pos}: ${p}`);
    pos = p;
    const major = head[CBOR_HEAD_MAJOR];
    const arg = head[CBOR_HEAD_ARG_LO];
    switch (major) {
      case CBOR_MAJOR_UINT:
      case CBOR_MAJOR_NINT:
        return cbor_head_int(head);
      case CBOR_MAJOR_BYTES: {
        const out = bytes.slice(pos, pos + arg);
        pos += arg;
        return out;
      }
      case CBOR_MAJOR_TEXT: {
        const raw = bytes.subarray(pos, pos + arg);
        pos += arg;
        try {
          return strictUtf8.decode(raw);
        } catch {
          throw new InvalidUtf8(hex(raw));
        }
      }
      case CBOR_MAJOR_ARRAY: {
        const out: unknown[] = [];
        for (let i = 0; i < arg; i++) out.push(item());
        return out;
      }
      case CBOR_MAJOR_MAP: {
        const out = new Map<unknown, unknown>();
        for (let i = 0; i < arg; i++) {
          const k = item();
          out.set(k, item());
        }
        return out;
      }
      case CBOR_MAJOR_SIMPLE:
        return arg === CBOR_SIMPLE_FALSE ? false : arg === CBOR_SIMPLE_TRUE ? true : null;
      default:
        throw new Error(`unexpected major ${major}`);
    }
  };
  const value = item();
  if (pos !== bytes.length) throw new Error('validated input has trailing bytes');
  return { ok: true, value };
}

const utf8 = new TextEncoder();

/**
 * Encode a JS value with the device encoder into a buffer of `capacity` bytes. Returns the
 * bytes, or the first negative code a writer returned. Numbers must be safe integers.
 */
export function deviceEncode(value: unknown, capacity = 4096): Uint8Array | number {
  const buf = new Uint8Array(capacity);
  const end = capacity;
  const put = (v: unknown, pos: number): number => {
    if (pos < 0) return pos;
    if (v === null) return cbor_write_null(buf, pos, end);
    if (typeof v === 'boolean') return cbor_write_bool(buf, pos, end, v ? 1 : 0);
    if (typeof v === 'number') return cbor_write_int(buf, pos, end, v);
    if (typeof v === 'string') {
      const b = utf8.encode(v);
      return cbor_write_text(buf, pos, end, b, 0, b.length);
    }
    if (v instanceof Uint8Array) return cbor_write_bytes(buf, pos, end, v, 0, v.length);
    if (Array.isArray(v)) {
      let p = cbor_write_array(buf, pos, end, v.length);
      for (const x of v) p = put(x, p);
      return p;
    }
    if (v instanceof Map) {
      let p = cbor_write_map(buf, pos, end, v.size);
      for (const [k, x] of v) p = put(x, put(k, p));
      return p;
    }
    if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      let p = cbor_write_map(buf, pos, end, entries.length);
      for (const [k, x] of entries) p = put(x, put(k, p));
      return p;
    }
    throw new TypeError(`cannot encode ${typeof v}`);
  };
  const n = put(value, 0);
  if (n < 0) return n;
  return buf.slice(0, n);
}

/**
 * A canonical, exactly comparable form of a decoded value: every type tagged, so 1 and "1",
 * Map and object with the same entries, Buffer and Uint8Array, compare the way CBOR sees them.
 * Objects compare as maps with text keys.
 */
export function canon(v: unknown): unknown {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) return { num: String(v) };
    return { int: Object.is(v, -0) ? 0 : v };
  }
  if (typeof v === 'bigint') return { int: Number(v) };
  if (typeof v === 'string') return { text: v };
  if (v instanceof Uint8Array) return { bytes: hex(v) };
  if (Array.isArray(v)) return { array: v.map(canon) };
  if (v instanceof Map) return { map: [...v.entries()].map(([k, x]) => [canon(k), canon(x)]) };
  if (typeof v === 'object') return { map: Object.entries(v as object).map(([k, x]) => [canon(k), canon(x)]) };
  return { other: String(v) };
}
