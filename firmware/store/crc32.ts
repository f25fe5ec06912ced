// CRC-32 (IEEE 802.3, reflected 0xEDB88320, init and final xor 0xFFFFFFFF: zlib's) over
// flash bytes, a nibble at a time from a 16-entry table (64 bytes of RAM instead of 1 KB
// for the byte table; two lookups per byte). Check value: "123456789" -> 0xCBF43926.

const CRC_POLY_REFLECTED = 0xedb88320;

let crc_table!: Uint32Array;

export function crc32_boot(): void {
  crc_table = new Uint32Array(16);
  for (let n = 0; n < 16; n++) {
    let c = n;
    for (let k = 0; k < 4; k++) c = (c & 1) !== 0 ? (CRC_POLY_REFLECTED ^ (c >>> 1)) >>> 0 : c >>> 1;
    crc_table[n] = c;
  }
}

/** Running CRC: start from crc32_start(), feed ranges, finish with crc32_end(). */
export function crc32_start(): number {
  return 0xffffffff;
}

export function crc32_update(crc: number, buf: Uint8Array, from: number, to: number): number {
  let c = crc;
  for (let i = from; i < to; i++) {
    const b = buf[i];
    c = (crc_table[(c ^ b) & 15] ^ (c >>> 4)) >>> 0;
    c = (crc_table[(c ^ (b >>> 4)) & 15] ^ (c >>> 4)) >>> 0;
  }
  return c;
}

export function crc32_end(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}
