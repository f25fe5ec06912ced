// Layout of a firmware image (docs/image-format.md): a 64-byte header, the payload, a
// 112-byte trailer with the SHA-256 of header + payload and the signature. Little-endian.
// The host builds and signs images with these offsets (host/image/format.ts); the ring
// reads headers with them (firmware/cmd/image.ts) and the boot stage verifies them.

export const IMG_MAGIC = 0x474d4952; // bytes "RIMG"
export const IMG_FORMAT_VERSION = 1;
export const IMG_HEADER_BYTES = 64;
export const IMG_TRAILER_MAGIC = 0x52544c52; // bytes "RLTR"
export const IMG_TRAILER_BYTES = 112;
/** The target this firmware runs on: the nRF52840-class ring, board revision 1. */
export const IMG_TARGET_RING_NRF52840 = 0x52100001;
export const IMG_PAYLOAD_ES5_MIN = 1; // payload: the minified ES5 bundle (UTF-8 JavaScript)

// Header offsets.
export const IH_MAGIC = 0; // u32
export const IH_FORMAT = 4; // u16
export const IH_HEADER_BYTES = 6; // u16
export const IH_VER_MAJOR = 8; // u8
export const IH_VER_MINOR = 9; // u8
export const IH_VER_PATCH = 10; // u16
export const IH_SECURITY_COUNTER = 12; // u32
export const IH_PAYLOAD_BYTES = 16; // u32
export const IH_TARGET = 20; // u32
export const IH_PAYLOAD_KIND = 24; // u8
export const IH_FLAGS = 25; // u8
export const IH_BUILD_HASH = 28; // 20 bytes: the source commit (SHA-1), zeros when unknown
export const IH_BUILD_HASH_BYTES = 20;

// Trailer offsets (from the trailer's start, header + payload bytes into the image).
export const IT_MAGIC = 0; // u32
export const IT_SIG_TYPE = 4; // u32: 0 unsigned, 1 Ed25519
export const IT_SHA256 = 8; // 32 bytes over header + payload
export const IT_KEY_ID = 40; // 8 bytes: first 8 of SHA-256(public key)
export const IT_SIGNATURE = 48; // 64 bytes: Ed25519 over the 32-byte digest
export const IMG_SIG_NONE = 0;
export const IMG_SIG_ED25519 = 1;
export const IMG_SHA256_BYTES = 32;

export function img_u32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

export function img_u16(b: Uint8Array, off: number): number {
  return b[off] | (b[off + 1] << 8);
}
