// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in the firmware subset: 32-bit integer
// operations only (`| 0` additions, `>>>` rotations), every buffer allocated once at boot,
// loops bounded by the block size. One context at a time (the ring runs one request at a
// time): sha_begin / sha_update / sha_end, and hmac_begin / hmac_update / hmac_end on top.
// Cross-checked against @noble/hashes and the RFC 4231 vectors (test/auth/sha256.test.ts).

import { assert } from "../lib/assert.js";

export const SHA256_BYTES = 32;
export const SHA256_BLOCK_BYTES = 64;
/** Longest HMAC key taken as is; the ring's keys are 32 bytes. */
export const HMAC_KEY_BYTES_MAX = 64;

const FAULT_SHA = 90;

let sha_booted = 0;
// One array of words and one of bytes (each typed array costs an engine object or two):
// words [0, 64) round constants K, [64, 72) chaining state H, [72, 136) message schedule W;
// bytes [0, 64) the block being filled, [64, 128) the HMAC key xor ipad/opad, [128, 160)
// the HMAC inner digest.
const K = 0;
const H = 64;
const W = 72;
const WORDS = 136;
const BLK = 0;
const PAD = 64;
const INNER = 128;
const BYTES = 160;
let w!: Int32Array;
let bb!: Uint8Array;
let blk_len = 0;
let total_lo = 0; // message bytes so far, low 29 bits (counted in bytes, < 2^29 per message)

/** SHA-256 round constants (FIPS 180-4 4.2.2), copied into w at boot. */
function k_init(dst: Int32Array): void {
  const k = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];
  for (let i = 0; i < 64; i++) dst[K + i] = k[i] | 0;
}

/** RAM the hash and HMAC buffers take, bytes. */
export function sha_ram_bytes(): number {
  return 4 * WORDS + BYTES;
}

/** Allocate (first call only). */
export function sha_boot(): void {
  if (sha_booted !== 0) return;
  w = new Int32Array(WORDS);
  bb = new Uint8Array(BYTES);
  k_init(w);
  sha_booted = 1;
}

export function sha_begin(): void {
  w[H + 0] = 0x6a09e667 | 0;
  w[H + 1] = 0xbb67ae85 | 0;
  w[H + 2] = 0x3c6ef372 | 0;
  w[H + 3] = 0xa54ff53a | 0;
  w[H + 4] = 0x510e527f | 0;
  w[H + 5] = 0x9b05688c | 0;
  w[H + 6] = 0x1f83d9ab | 0;
  w[H + 7] = 0x5be0cd19 | 0;
  blk_len = 0;
  total_lo = 0;
}

function compress(): void {
  for (let t = 0; t < 16; t++) {
    const p = t * 4;
    w[W + t] = (bb[BLK + p] << 24) | (bb[BLK + p + 1] << 16) | (bb[BLK + p + 2] << 8) | bb[BLK + p + 3];
  }
  for (let t = 16; t < 64; t++) {
    const w15 = w[W + t - 15];
    const w2 = w[W + t - 2];
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[W + t] = (((w[W + t - 16] + s0) | 0) + ((w[W + t - 7] + s1) | 0)) | 0;
  }
  let a = w[H + 0];
  let b = w[H + 1];
  let c = w[H + 2];
  let d = w[H + 3];
  let e = w[H + 4];
  let f = w[H + 5];
  let g = w[H + 6];
  let h = w[H + 7];
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (((((h + S1) | 0) + ((ch + w[K + t]) | 0)) | 0) + w[W + t]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  w[H + 0] = (w[H + 0] + a) | 0;
  w[H + 1] = (w[H + 1] + b) | 0;
  w[H + 2] = (w[H + 2] + c) | 0;
  w[H + 3] = (w[H + 3] + d) | 0;
  w[H + 4] = (w[H + 4] + e) | 0;
  w[H + 5] = (w[H + 5] + f) | 0;
  w[H + 6] = (w[H + 6] + g) | 0;
  w[H + 7] = (w[H + 7] + h) | 0;
}

/** Hash src[off..off+len). */
export function sha_update(src: Uint8Array, off: number, len: number): void {
  assert(off >= 0 && len >= 0 && off + len <= src.length, FAULT_SHA);
  total_lo = (total_lo + len) & 0x1fffffff;
  for (let i = 0; i < len; i++) {
    bb[BLK + blk_len] = src[off + i];
    blk_len = blk_len + 1;
    if (blk_len === SHA256_BLOCK_BYTES) {
      compress();
      blk_len = 0;
    }
  }
}

/** Hash one byte (labels, small integers). */
export function sha_update_byte(v: number): void {
  total_lo = (total_lo + 1) & 0x1fffffff;
  bb[BLK + blk_len] = v & 0xff;
  blk_len = blk_len + 1;
  if (blk_len === SHA256_BLOCK_BYTES) {
    compress();
    blk_len = 0;
  }
}

/** Finish: the digest goes to dst[off..off+32). */
export function sha_end(dst: Uint8Array, off: number): void {
  assert(off >= 0 && off + SHA256_BYTES <= dst.length, FAULT_SHA);
  const bits_hi = total_lo >>> 29; // 0: messages are shorter than 2^29 bytes
  const bits_lo = (total_lo << 3) | 0;
  bb[BLK + blk_len] = 0x80;
  blk_len = blk_len + 1;
  if (blk_len > 56) {
    for (let i = blk_len; i < SHA256_BLOCK_BYTES; i++) bb[BLK + i] = 0;
    compress();
    blk_len = 0;
  }
  for (let i = blk_len; i < 56; i++) bb[BLK + i] = 0;
  bb[BLK + 56] = 0;
  bb[BLK + 57] = 0;
  bb[BLK + 58] = 0;
  bb[BLK + 59] = bits_hi & 0xff;
  bb[BLK + 60] = (bits_lo >>> 24) & 0xff;
  bb[BLK + 61] = (bits_lo >>> 16) & 0xff;
  bb[BLK + 62] = (bits_lo >>> 8) & 0xff;
  bb[BLK + 63] = bits_lo & 0xff;
  compress();
  for (let i = 0; i < 8; i++) {
    const v = w[H + i];
    dst[off + 4 * i] = (v >>> 24) & 0xff;
    dst[off + 4 * i + 1] = (v >>> 16) & 0xff;
    dst[off + 4 * i + 2] = (v >>> 8) & 0xff;
    dst[off + 4 * i + 3] = v & 0xff;
  }
  blk_len = 0;
}

/** HMAC-SHA256 with key[koff..koff+klen) (klen <= 64): begin the inner hash. */
export function hmac_begin(key: Uint8Array, koff: number, klen: number): void {
  assert(klen >= 0 && klen <= HMAC_KEY_BYTES_MAX && koff >= 0 && koff + klen <= key.length, FAULT_SHA);
  for (let i = 0; i < HMAC_KEY_BYTES_MAX; i++) bb[PAD + i] = i < klen ? key[koff + i] : 0;
  sha_begin();
  for (let i = 0; i < HMAC_KEY_BYTES_MAX; i++) sha_update_byte(bb[PAD + i] ^ 0x36);
}

export function hmac_update(src: Uint8Array, off: number, len: number): void {
  sha_update(src, off, len);
}

export function hmac_update_byte(v: number): void {
  sha_update_byte(v);
}

/** A 32-bit big-endian integer into the MAC (counters). */
export function hmac_update_u32(v: number): void {
  sha_update_byte((v >>> 24) & 0xff);
  sha_update_byte((v >>> 16) & 0xff);
  sha_update_byte((v >>> 8) & 0xff);
  sha_update_byte(v & 0xff);
}

/** An ASCII label into the MAC (domain separation). */
export function hmac_update_text(s: string): void {
  for (let i = 0; i < s.length; i++) sha_update_byte(s.charCodeAt(i) & 0x7f);
}

/** Finish: the 32-byte MAC goes to dst[off..off+32). */
export function hmac_end(dst: Uint8Array, off: number): void {
  sha_end(bb, INNER);
  sha_begin();
  for (let i = 0; i < HMAC_KEY_BYTES_MAX; i++) sha_update_byte(bb[PAD + i] ^ 0x5c);
  sha_update(bb, INNER, SHA256_BYTES);
  sha_end(dst, off);
}
