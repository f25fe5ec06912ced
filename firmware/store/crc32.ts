// CRC-32 (IEEE 802.3, reflected 0xEDB88320, init and final xor 0xFFFFFFFF: zlib's) over
// flash bytes, a nibble at a time from a 16-entry table. Check value: "123456789" ->
// 0xCBF43926.
//
// The running value is kept as two 16-bit halves, and so is the table (two Uint16Arrays):
// an interpreter boxes integers beyond 2^27 (JerryScript allocates each one on its heap),
// so a 32-bit CRC updated whole would allocate several numbers per byte; the halves never
// leave the small-integer range. A nibble table (64 bytes) rather than a byte table (1 KB):
// the CRC runs only when a block or a header is written or checked, and the kilobyte it
// gives back is what lets JerryScript's 64 KB heap keep its property hashmaps (without
// them every variable lookup of the firmware's scope is a linear search: about 1.6x the
// instructions of every sample).

const CRC_POLY_REFLECTED = 0xedb88320;
/** Bytes of RAM the tables take (allocated once, by the first crc32_boot). */
export const CRC32_RAM_BYTES = 2 * 16 * 2;

let crc_lo!: Uint16Array;
let crc_hi!: Uint16Array;
let crc_ready = 0;

export function crc32_boot(): void {
  if (crc_ready !== 0) return;
  crc_lo = new Uint16Array(16);
  crc_hi = new Uint16Array(16);
  for (let n = 0; n < 16; n++) {
    let c = n;
    for (let k = 0; k < 4; k++) c = (c & 1) !== 0 ? (CRC_POLY_REFLECTED ^ (c >>> 1)) >>> 0 : c >>> 1;
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
    lo = lo ^ buf[i];
    let x = lo & 15;
    lo = tl[x] ^ ((lo >>> 4) | ((hi & 15) << 12));
    hi = th[x] ^ (hi >>> 4);
    x = lo & 15;
    lo = tl[x] ^ ((lo >>> 4) | ((hi & 15) << 12));
    hi = th[x] ^ (hi >>> 4);
  }
  return ((hi << 16) | lo) >>> 0;
}

export function crc32_end(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}
