// The host's half of the authenticated sessions (PROTOCOL.md section 11), with
// @noble/hashes: session key and proofs, sealed requests {"ctr", "req", "mac"} and sealed
// answers {"ctr", "rsp", "mac"}, and the key a grant hands over, wrapped. The MACs are
// over the exact bytes on the wire (the "req"/"rsp" item as encoded), never a re-encoding.

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  AUTH_DIR_HOST_TO_RING,
  AUTH_DIR_RING_TO_HOST,
  AUTH_HOST_ID_BYTES,
  AUTH_KEY_BYTES,
  AUTH_MAC_BYTES,
  AUTH_NONCE_BYTES,
  CMD_AUTH_LIST,
  CMD_CONFIG,
  CMD_HISTORY_READ,
  GROUP_AUTH,
  GROUP_CONFIG,
  GROUP_HISTORY,
  GROUP_STREAM,
  request_privileged,
} from '../ids.js';
import { CBOR_HEAD_ARG_LO, CBOR_HEAD_MAJOR, CBOR_HEAD_WORDS, CBOR_MAJOR_BYTES, CBOR_MAJOR_MAP, CBOR_MAJOR_TEXT, cbor_read_head, cbor_skip } from '../device/cbor.js';
import { decodeBody, encodeBody, encodeFrameBytes, type FrameHeader } from './frame.js';

/** Bytes a sealed request adds to its body: map, "ctr" and a u32, "req", "mac" and 16 bytes. */
export const SEAL_REQUEST_OVERHEAD_BYTES = 1 + 4 + 5 + 4 + 4 + 1 + AUTH_MAC_BYTES;

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function u32be(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export function hmacSha256(key: Uint8Array, msg: Uint8Array): Uint8Array {
  return hmac(sha256, key, msg);
}

/** The key the ring derives for a host: HMAC(ring secret, "ring-sim host key" | host id). */
export function deriveHostKey(secret: Uint8Array, host_id: Uint8Array): Uint8Array {
  return hmacSha256(secret, concat([text('ring-sim host key'), host_id]));
}

/** The ring's public id: HMAC(ring secret, "ring-sim ring id"), first 8 bytes. */
export function ringIdOf(secret: Uint8Array): Uint8Array {
  return hmacSha256(secret, text('ring-sim ring id')).subarray(0, 8);
}

/** Session key = HMAC(host key, "ring-sim session" | nonce_r | nonce_h). */
export function sessionKey(host_key: Uint8Array, nonce_r: Uint8Array, nonce_h: Uint8Array): Uint8Array {
  return hmacSha256(host_key, concat([text('ring-sim session'), nonce_r, nonce_h]));
}

/** The ring's proof of the session key: HMAC(session key, R2H | "proof" | nonce_h | nonce_r), 16 bytes. */
export function ringProof(sess_key: Uint8Array, nonce_h: Uint8Array, nonce_r: Uint8Array): Uint8Array {
  return hmacSha256(sess_key, concat([Uint8Array.of(AUTH_DIR_RING_TO_HOST), text('proof'), nonce_h, nonce_r])).subarray(0, AUTH_MAC_BYTES);
}

/** MAC of one direction: HMAC(session key, dir | ctr | op | group | cmd | body), 16 bytes. */
export function frameMac(sess_key: Uint8Array, dir: number, ctr: number, op: number, group: number, cmd: number, body: Uint8Array): Uint8Array {
  const head = concat([Uint8Array.of(dir), u32be(ctr), Uint8Array.of(op, (group >>> 8) & 0xff, group & 0xff, cmd)]);
  return hmacSha256(sess_key, concat([head, body])).subarray(0, AUTH_MAC_BYTES);
}

/** The key a grant returns is wrapped: key XOR HMAC(session key, R2H | "wrap" | ctr | host id). */
export function unwrapGrantKey(sess_key: Uint8Array, ctr: number, host_id: Uint8Array, wrapped: Uint8Array): Uint8Array {
  const mask = hmacSha256(sess_key, concat([Uint8Array.of(AUTH_DIR_RING_TO_HOST), text('wrap'), u32be(ctr), host_id]));
  return wrapped.map((b, i) => b ^ mask[i]);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

function cborText(s: string): Uint8Array {
  const b = text(s);
  return concat([Uint8Array.of(0x60 | b.length), b]);
}

function cborUint(v: number): Uint8Array {
  if (v < 24) return Uint8Array.of(v);
  if (v < 0x100) return Uint8Array.of(0x18, v);
  if (v < 0x10000) return Uint8Array.of(0x19, v >> 8, v & 0xff);
  return concat([Uint8Array.of(0x1a), u32be(v)]);
}

/** A sealed request frame: {"ctr": ctr, "req": body, "mac": MAC(H2R, ...)}. */
export function sealRequest(sess_key: Uint8Array, ctr: number, header: FrameHeader, body: unknown): Uint8Array {
  const req = encodeBody(body ?? {});
  const mac = frameMac(sess_key, AUTH_DIR_HOST_TO_RING, ctr, header.op, header.group, header.cmd, req);
  const env = concat([Uint8Array.of(0xa3), cborText('ctr'), cborUint(ctr), cborText('req'), req, cborText('mac'), Uint8Array.of(0x40 | AUTH_MAC_BYTES), mac]);
  return encodeFrameBytes(header, env);
}

/** Positions of a body map's values by text key (raw bytes, as sent). */
export function rawMapValues(body: Uint8Array): Map<string, [number, number]> {
  const head = new Int32Array(CBOR_HEAD_WORDS);
  const out = new Map<string, [number, number]>();
  let p = cbor_read_head(body, 0, body.length, head);
  if (p < 0 || head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_MAP) return out;
  const pairs = head[CBOR_HEAD_ARG_LO];
  for (let i = 0; i < pairs; i++) {
    const kp = cbor_read_head(body, p, body.length, head);
    if (kp < 0) return out;
    const is_text = (head[CBOR_HEAD_MAJOR] as number) === CBOR_MAJOR_TEXT;
    const key = is_text ? new TextDecoder().decode(body.subarray(kp, kp + head[CBOR_HEAD_ARG_LO])) : '';
    const vp = cbor_skip(body, p, body.length);
    if (vp < 0) return out;
    const ve = cbor_skip(body, vp, body.length);
    if (ve < 0) return out;
    if (is_text) out.set(key, [vp, ve]);
    p = ve;
  }
  return out;
}

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/** Check a sealed answer to the request with this counter; returns its "rsp" decoded. */
export function openResponse(sess_key: Uint8Array, ctr: number, op: number, group: number, cmd: number, body: Uint8Array): unknown {
  const v = rawMapValues(body);
  const c = v.get('ctr');
  const r = v.get('rsp');
  const m = v.get('mac');
  if (c === undefined || r === undefined || m === undefined || v.size !== 3) throw new SealError('the answer to an authenticated request is not sealed');
  const got_ctr = decodeBody(body.subarray(c[0], c[1]));
  if (got_ctr !== ctr) throw new SealError(`the sealed answer carries counter ${String(got_ctr)}, the request ${ctr}`);
  const head = new Int32Array(CBOR_HEAD_WORDS);
  const mp = cbor_read_head(body, m[0], m[1], head);
  if (mp < 0 || head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_BYTES || head[CBOR_HEAD_ARG_LO] !== AUTH_MAC_BYTES) throw new SealError('the sealed answer has no 16-byte mac');
  const rsp = body.subarray(r[0], r[1]);
  const want = frameMac(sess_key, AUTH_DIR_RING_TO_HOST, ctr, op, group, cmd, rsp);
  if (!equalBytes(want, body.subarray(mp, mp + AUTH_MAC_BYTES))) throw new SealError('the MAC of the ring\'s answer does not verify (forged or corrupted)');
  return decodeBody(rsp);
}

/** Whether the ring wants a session for this request once it has an owner (firmware/auth access classes). */
export function requestNeedsSession(op: number, group: number, cmd: number): boolean {
  if (request_privileged(group, cmd, op)) return true;
  if (group === GROUP_HISTORY) return cmd === CMD_HISTORY_READ;
  if (group === GROUP_STREAM) return true;
  if (group === GROUP_CONFIG) return cmd === CMD_CONFIG;
  if (group === GROUP_AUTH) return cmd === CMD_AUTH_LIST;
  return false;
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  crypto.getRandomValues(out);
  return out;
}

export const HOST_ID_BYTES = AUTH_HOST_ID_BYTES;
export const KEY_BYTES = AUTH_KEY_BYTES;
export const NONCE_BYTES = AUTH_NONCE_BYTES;
