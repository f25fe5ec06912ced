// CRC-32 (IEEE 802.3, reflected 0xEDB88320, init and final xor 0xFFFFFFFF: zlib's) over
// flash bytes, a byte at a time. Check value: "123456789" -> 0xCBF43926.
//
// The byte table is linear (T[a ^ b] = T[a] ^ T[b]), so T[x] = T[x & 15] ^ T[x & 0xf0]:
// two 16-entry tables give it, 128 bytes where the byte table takes 1 KB. That kilobyte is
// what lets JerryScript's 64 KB heap keep its property hashmaps (without them every
// variable lookup of the firmware's scope is a linear search: about 1.6x the instructions
// of every sample), and one step per byte costs less than a nibble table's two.
//
// The running value is kept as two 16-bit halves, and so are the tables: an interpreter
// boxes integers beyond 2^27 (JerryScript allocates each one on its heap), so a 32-bit CRC
// updated whole would allocate several numbers per byte; the halves never leave the
// small-integer range.

//
// A platform with a native CRC-32 (FlashHal.flash_crc32: a C SDK's, a few cycles a byte
// against some 4,300 interpreted instructions here) is given it by crc32_boot; the code
// below stays the fallback (the simulator on Node, a board without one) and the reference
// the native must match bit for bit.

import type { FlashHal } from "../hal.js";

const CRC_POLY_REFLECTED = 0xedb88320;
/** Bytes of RAM the tables take (allocated once, by the first crc32_boot). */
export const CRC32_RAM_BYTES = 4 * 16 * 2;

// One array, four tables of 16: the low half of T[n] (n = 0..15), of T[n << 4], then the
// high half of each (one typed array object instead of four: heap).
let crc_t!: Uint16Array;
let crc_ready = 0;
// The platform's CRC-32, when crc32_boot found one (crc_native 1).
let crc_flash!: FlashHal;
let crc_native = 0;

function table_entry(n: number): number {
  let c = n;
  for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (CRC_POLY_REFLECTED ^ (c >>> 1)) >>> 0 : c >>> 1;
  return c;
}

/**
 * At each boot of a flash user, with its flash HAL: the HAL's native CRC-32 from now on if it
 * has one (the same values, and no tables: about 180 bytes of a JerryScript heap), else the
 * tables below (allocated by the first boot that needs them).
 */
export function crc32_boot(flash: FlashHal): void {
  if (typeof flash.flash_crc32 === "function") {
    crc_flash = flash;
    crc_native = 1;
    return;
  }
  crc_native = 0;
  if (crc_ready !== 0) return;
  crc_t = new Uint16Array(64);
  for (let n = 0; n < 16; n++) {
    const a = table_entry(n);
    const b = table_entry(n << 4);
    crc_t[n] = a & 0xffff;
    crc_t[16 + n] = b & 0xffff;
    crc_t[32 + n] = a >>> 16;
    crc_t[48 + n] = b >>> 16;
  }
  crc_ready = 1;
}

/** Running CRC: start from crc32_start(), feed ranges, finish with crc32_end(). */
export function crc32_start(): number {
  return 0xffffffff;
}

export function crc32_update(crc: number, buf: Uint8Array, from: number, to: number): number {
  if (crc_native !== 0) return crc_flash.flash_crc32!(crc, buf, from, to);
  const t = crc_t;
  let lo = crc & 0xffff;
  let hi = crc >>> 16;
  for (let i = from; i < to; i++) {
    const x = (lo ^ buf[i]) & 0xff;
    const a = x & 15;
    const b = 16 + (x >> 4);
    lo = t[a] ^ t[b] ^ ((lo >>> 8) | ((hi & 0xff) << 8));
    hi = t[32 + a] ^ t[32 + b] ^ (hi >>> 8);
  }
  return ((hi << 16) | lo) >>> 0;
}

export function crc32_end(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}
