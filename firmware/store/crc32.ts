// CRC-32 (IEEE 802.3, reflected 0xEDB88320, init and final xor 0xFFFFFFFF: zlib's) over
// flash bytes, a byte at a time from a 256-entry table. Check value: "123456789" ->
// 0xCBF43926.
//
// The running value is kept as two 16-bit halves, and so is the table (two Uint16Arrays,
// 1 KB): an interpreter boxes integers beyond 2^27 (JerryScript allocates each one on its
// heap), so a 32-bit CRC updated whole would allocate several numbers per byte; the
// halves never leave the small-integer range. A byte table does one step per byte where a
// nibble table does two: about 2.4x fewer instructions per byte on JerryScript.

const CRC_POLY_REFLECTED = 0xedb88320;
/** Bytes of RAM the tables take (allocated once, by the first crc32_boot). */
export const CRC32_RAM_BYTES = 2 * 256 * 2;

let crc_lo!: Uint16Array;
let crc_hi!: Uint16Array;
let crc_ready = 0;

export function crc32_boot(): void {
  if (crc_ready !== 0) return;
  crc_lo = new Uint16Array(256);
  crc_hi = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (CRC_POLY_REFLECTED ^ (c >>> 1)) >>> 0 : c >>> 1;
    crc_lo[n] = c & 0xffff;
    crc_hi[n] = c >>> 16;
  }
  crc_ready = 1;
}

/** Running CRC: start from crc32_start(), feed ranges, finish with crc32_end(). */
export function crc32_start(): number {
  return 0xffffffff;
}

export function crc32_update(crc: number, buf: Uint8Array, from: number, to: number): number {
  const tl = crc_lo;
  const th = crc_hi;
  let lo = crc & 0xffff;
  let hi = crc >>> 16;
  for (let i = from; i < to; i++) {
    const x = (lo ^ buf[i]) & 0xff;
    lo = tl[x] ^ ((lo >>> 8) | ((hi & 0xff) << 8));
    hi = th[x] ^ (hi >>> 8);
  }
  return ((hi << 16) | lo) >>> 0;
}

export function crc32_end(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}
