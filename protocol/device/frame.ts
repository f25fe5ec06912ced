// Frame header codec (device side, firmware subset). PROTOCOL.md section 2.
//
// The 8-byte big-endian header, SMP layout:
//   byte 0   reserved(3b, must be 0) | version(2b) | op(3b)
//   byte 1   flags (FLAGS_KNOWN bits only)
//   bytes 2-3 body length in bytes, big-endian (<= FRAME_BODY_MAX)
//   bytes 4-5 group, big-endian
//   byte 6   sequence (a response echoes its request's)
//   byte 7   command
// A decoded header lives in a caller-owned Int32Array of FRAME_HDR_WORDS words, indexed by
// the FRAME_HDR_* constants below. Nothing here allocates.

import {
  ERR_BAD_FRAME,
  ERR_BAD_OP,
  ERR_BAD_VALUE,
  ERR_BAD_VERSION,
  ERR_TOO_LARGE,
  FLAGS_KNOWN,
  FRAME_BODY_MAX,
  FRAME_HEADER_SIZE,
  OP_FIELD_MAX,
  OP_MAX,
  OP_READ,
  OP_WRITE,
  PROTOCOL_VERSION,
  PROTOCOL_VERSION_MAX,
} from '../ids.js';

export const FRAME_HDR_RESERVED = 0; // the 3 reserved bits of byte 0, as read
export const FRAME_HDR_VERSION = 1;
export const FRAME_HDR_OP = 2;
export const FRAME_HDR_FLAGS = 3;
export const FRAME_HDR_LENGTH = 4; // body length in bytes
export const FRAME_HDR_GROUP = 5;
export const FRAME_HDR_SEQ = 6;
export const FRAME_HDR_CMD = 7;
export const FRAME_HDR_WORDS = 8;

/**
 * Fill a header array for sending: version = PROTOCOL_VERSION, reserved = 0.
 * Returns 0, or -ERR_BAD_VALUE when a field does not fit its width.
 */
export function frame_header_set(
  hdr: Int32Array,
  op: number,
  flags: number,
  length: number,
  group: number,
  seq: number,
  cmd: number,
): number {
  if (hdr.length < FRAME_HDR_WORDS) return -ERR_BAD_VALUE;
  hdr[FRAME_HDR_RESERVED] = 0;
  hdr[FRAME_HDR_VERSION] = PROTOCOL_VERSION;
  hdr[FRAME_HDR_OP] = op;
  hdr[FRAME_HDR_FLAGS] = flags;
  hdr[FRAME_HDR_LENGTH] = length;
  hdr[FRAME_HDR_GROUP] = group;
  hdr[FRAME_HDR_SEQ] = seq;
  hdr[FRAME_HDR_CMD] = cmd;
  return frame_header_fits(hdr);
}

/** 0 when every field fits its bit width (not whether the values are valid), else -ERR_BAD_VALUE. */
export function frame_header_fits(hdr: Int32Array): number {
  if (hdr.length < FRAME_HDR_WORDS) return -ERR_BAD_VALUE;
  if (hdr[FRAME_HDR_RESERVED] < 0 || hdr[FRAME_HDR_RESERVED] > 7) return -ERR_BAD_VALUE;
  if (hdr[FRAME_HDR_VERSION] < 0 || hdr[FRAME_HDR_VERSION] > PROTOCOL_VERSION_MAX) return -ERR_BAD_VALUE;
  if (hdr[FRAME_HDR_OP] < 0 || hdr[FRAME_HDR_OP] > OP_FIELD_MAX) return -ERR_BAD_VALUE;
  if (hdr[FRAME_HDR_FLAGS] < 0 || hdr[FRAME_HDR_FLAGS] > 0xff) return -ERR_BAD_VALUE;
  if (hdr[FRAME_HDR_LENGTH] < 0 || hdr[FRAME_HDR_LENGTH] > 0xffff) return -ERR_BAD_VALUE;
  if (hdr[FRAME_HDR_GROUP] < 0 || hdr[FRAME_HDR_GROUP] > 0xffff) return -ERR_BAD_VALUE;
  if (hdr[FRAME_HDR_SEQ] < 0 || hdr[FRAME_HDR_SEQ] > 0xff) return -ERR_BAD_VALUE;
  if (hdr[FRAME_HDR_CMD] < 0 || hdr[FRAME_HDR_CMD] > 0xff) return -ERR_BAD_VALUE;
  return 0;
}

/**
 * Write the 8 header bytes at dst[off..off+8). Every field must fit its width (checked);
 * semantic validity is not checked, so tests can build bad frames on purpose.
 * Returns off + 8, -ERR_BAD_VALUE (a field too wide, bad offset) or -ERR_TOO_LARGE (no room).
 */
export function frame_header_write(dst: Uint8Array, off: number, hdr: Int32Array): number {
  const rc = frame_header_fits(hdr);
  if (rc < 0) return rc;
  if (off < 0) return -ERR_BAD_VALUE;
  if (off + FRAME_HEADER_SIZE > dst.length) return -ERR_TOO_LARGE;
  dst[off] = (hdr[FRAME_HDR_RESERVED] << 5) | (hdr[FRAME_HDR_VERSION] << 3) | hdr[FRAME_HDR_OP];
  dst[off + 1] = hdr[FRAME_HDR_FLAGS];
  dst[off + 2] = hdr[FRAME_HDR_LENGTH] >> 8;
  dst[off + 3] = hdr[FRAME_HDR_LENGTH] & 0xff;
  dst[off + 4] = hdr[FRAME_HDR_GROUP] >> 8;
  dst[off + 5] = hdr[FRAME_HDR_GROUP] & 0xff;
  dst[off + 6] = hdr[FRAME_HDR_SEQ];
  dst[off + 7] = hdr[FRAME_HDR_CMD];
  return off + FRAME_HEADER_SIZE;
}

/**
 * Parse the 8 header bytes at src[off..off+len) into hdr without judging them.
 * Returns 0, or -ERR_BAD_FRAME when fewer than 8 bytes are given, -ERR_BAD_VALUE on bad args.
 */
export function frame_header_read(src: Uint8Array, off: number, len: number, hdr: Int32Array): number {
  if (hdr.length < FRAME_HDR_WORDS || off < 0 || len < 0 || off + len > src.length) return -ERR_BAD_VALUE;
  if (len < FRAME_HEADER_SIZE) return -ERR_BAD_FRAME;
  const b0 = src[off];
  hdr[FRAME_HDR_RESERVED] = b0 >> 5;
  hdr[FRAME_HDR_VERSION] = (b0 >> 3) & 3;
  hdr[FRAME_HDR_OP] = b0 & 7;
  hdr[FRAME_HDR_FLAGS] = src[off + 1];
  hdr[FRAME_HDR_LENGTH] = (src[off + 2] << 8) | src[off + 3];
  hdr[FRAME_HDR_GROUP] = (src[off + 4] << 8) | src[off + 5];
  hdr[FRAME_HDR_SEQ] = src[off + 6];
  hdr[FRAME_HDR_CMD] = src[off + 7];
  return 0;
}

/**
 * Judge a parsed header, in this order (the first failure is returned):
 *   -ERR_BAD_FRAME   reserved bits of byte 0 set, or flag bits outside FLAGS_KNOWN
 *   -ERR_BAD_VERSION version is not PROTOCOL_VERSION
 *   -ERR_BAD_OP      op 4..7 (reserved)
 *   -ERR_TOO_LARGE   body length beyond FRAME_BODY_MAX
 * Returns 0 when the header is acceptable. Whether the op is a request or a response is the
 * dispatcher's business, not the header's.
 */
export function frame_header_check(hdr: Int32Array): number {
  if (hdr.length < FRAME_HDR_WORDS) return -ERR_BAD_VALUE;
  if (hdr[FRAME_HDR_RESERVED] !== 0) return -ERR_BAD_FRAME;
  if ((hdr[FRAME_HDR_FLAGS] & ~FLAGS_KNOWN) !== 0) return -ERR_BAD_FRAME;
  if (hdr[FRAME_HDR_VERSION] !== PROTOCOL_VERSION) return -ERR_BAD_VERSION;
  if (hdr[FRAME_HDR_OP] < 0 || hdr[FRAME_HDR_OP] > OP_MAX) return -ERR_BAD_OP;
  if (hdr[FRAME_HDR_LENGTH] < 0 || hdr[FRAME_HDR_LENGTH] > FRAME_BODY_MAX) return -ERR_TOO_LARGE;
  return 0;
}

/**
 * Read and judge a whole frame at src[off..off+len): header as frame_header_check, and the
 * byte count must equal 8 + body length (else -ERR_BAD_FRAME). Returns the frame size.
 */
export function frame_check(src: Uint8Array, off: number, len: number, hdr: Int32Array): number {
  let rc = frame_header_read(src, off, len, hdr);
  if (rc < 0) return rc;
  rc = frame_header_check(hdr);
  if (rc < 0) return rc;
  if (len !== FRAME_HEADER_SIZE + hdr[FRAME_HDR_LENGTH]) return -ERR_BAD_FRAME;
  return len;
}

/** The op of the response to a request op (0 -> 1, 2 -> 3); -ERR_BAD_OP for anything else. */
export function frame_response_op(op: number): number {
  if (op === OP_READ || op === OP_WRITE) return op + 1;
  return -ERR_BAD_OP;
}
