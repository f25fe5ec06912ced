// Fragmentation and reassembly over ATT (device side, firmware subset). PROTOCOL.md section 3.
//
// A frame travels as consecutive ATT payloads (Write Without Response towards the device,
// notifications from it) of MTU - 3 bytes each; only the last may be shorter. There is no
// extra framing: the receiver learns the frame size from the header's body length. Since
// MTU >= 23, the whole 8-byte header always arrives in the first fragment.
//
// Reassembler: state in a caller Int32Array of REASM_STATE_WORDS (REASM_ST_* below), bytes in
// a caller Uint8Array of at least the capacity given to reasm_init. One instance per link
// direction; nothing is allocated. reasm_push() returns:
//   0                 fragment accepted, frame not complete yet
//   > 0               frame complete: it is buf[0..n), valid until the next push
//   -ERR_BAD_VALUE    bad arguments (offsets, buffer shorter than the capacity); state unchanged
//   -ERR_TIMEOUT      a partial frame got no fragment for more than REASM_TIMEOUT_MS
//   -ERR_TOO_LARGE    oversize: the header's length makes the frame bigger than the buffer
//                     (or than FRAME_SIZE_MAX), or the fragment is longer than MTU - 3
//   -ERR_INTERLEAVED  fragment boundaries disagree with the declared length: bytes beyond the
//                     frame's end, or a short fragment (< MTU - 3) before the frame is complete
//                     (the usual cause: a new frame started while one was in progress; also a
//                     lost or duplicated fragment)
//   -ERR_BAD_FRAME, -ERR_BAD_VERSION, -ERR_BAD_OP
//                     bad header: the first fragment of a frame is shorter than 8 bytes, or
//                     its header fails frame_header_check
// After any negative return except ERR_BAD_VALUE, the partial frame and the fragment that
// revealed the error are dropped and the reassembler is idle: the next fragment must start
// a frame. REASM_ST_ERR_HEADER then says whether buf[0..8) holds the header of the dropped
// frame (1) or not (0), so the caller can answer with an error echoing its sequence number.
// An empty fragment is ignored (returns 0, changes nothing).

import {
  ATT_HEADER_SIZE,
  ATT_MTU_MAX,
  ATT_MTU_MIN,
  ERR_BAD_FRAME,
  ERR_BAD_VALUE,
  ERR_INTERLEAVED,
  ERR_TIMEOUT,
  ERR_TOO_LARGE,
  FRAGMENTS_PER_FRAME_MAX,
  FRAME_HEADER_SIZE,
  FRAME_SIZE_MAX,
  REASM_TIMEOUT_MS,
} from '../ids.js';
import { FRAME_HDR_LENGTH, FRAME_HDR_WORDS, frame_header_check, frame_header_read } from './frame.js';

// ---------------------------------------------------------------------------------------
// Fragmentation (sender side)

/** Payload bytes per ATT write/notification: mtu - 3, or -ERR_BAD_VALUE outside 23..517. */
export function frag_payload_size(mtu: number): number {
  if (!(mtu >= ATT_MTU_MIN && mtu <= ATT_MTU_MAX) || Math.floor(mtu) !== mtu) return -ERR_BAD_VALUE;
  return mtu - ATT_HEADER_SIZE;
}

/** Fragments a frame of frame_size bytes needs at this MTU (0 for an empty frame). */
export function frag_count(frame_size: number, mtu: number): number {
  const payload = frag_payload_size(mtu);
  if (payload < 0) return payload;
  if (frame_size < 0) return -ERR_BAD_VALUE;
  if (frame_size > FRAME_SIZE_MAX) return -ERR_TOO_LARGE;
  return Math.floor((frame_size + payload - 1) / payload); // <= FRAGMENTS_PER_FRAME_MAX
}

/**
 * Copy fragment number index (0-based) of frame[frame_off..+frame_size) into dst[dst_off..).
 * Returns the fragment's length, or -ERR_BAD_VALUE (bad MTU, index or offsets),
 * -ERR_TOO_LARGE (frame beyond FRAME_SIZE_MAX, or dst too short).
 */
export function frag_copy(
  frame: Uint8Array,
  frame_off: number,
  frame_size: number,
  mtu: number,
  index: number,
  dst: Uint8Array,
  dst_off: number,
): number {
  const count = frag_count(frame_size, mtu);
  if (count < 0) return count;
  if (frame_off < 0 || frame_off + frame_size > frame.length || dst_off < 0) return -ERR_BAD_VALUE;
  if (index < 0 || index >= count) return -ERR_BAD_VALUE;
  const payload = mtu - ATT_HEADER_SIZE;
  const start = index * payload;
  let len = frame_size - start;
  if (len > payload) len = payload;
  if (dst_off + len > dst.length) return -ERR_TOO_LARGE;
  for (let i = 0; i < len; i++) dst[dst_off + i] = frame[frame_off + start + i];
  return len;
}

// ---------------------------------------------------------------------------------------
// Reassembly (receiver side)

export const REASM_ST_RECEIVING = 0; // 1 while a partial frame is held
export const REASM_ST_EXPECTED = 1; // total bytes of the frame in progress (header + body)
export const REASM_ST_RECEIVED = 2; // bytes of it held so far
export const REASM_ST_LAST_MS = 3; // time of its last fragment, (now_ms | 0): wraps, see below
export const REASM_ST_MTU = 4; // negotiated ATT MTU
export const REASM_ST_CAPACITY = 5; // buffer bytes usable, FRAME_HEADER_SIZE..FRAME_SIZE_MAX
export const REASM_ST_ERR_HEADER = 6; // after an error: 1 when buf[0..8) is the dropped frame's header
export const REASM_ST_FRAMES = 7; // frames completed (wraps at 2^31)
export const REASM_ST_ERRORS = 8; // negative returns other than ERR_BAD_VALUE (wraps)
export const REASM_STATE_WORDS = 9;

const reasm_hdr = new Int32Array(FRAME_HDR_WORDS); // scratch, created once

/**
 * Prepare a reassembler: capacity_bytes of buffer (8..FRAME_SIZE_MAX; frames longer are
 * rejected as oversize) and the ATT MTU (23..517). Returns 0 or -ERR_BAD_VALUE.
 */
export function reasm_init(st: Int32Array, capacity_bytes: number, mtu: number): number {
  if (st.length < REASM_STATE_WORDS) return -ERR_BAD_VALUE;
  if (!(capacity_bytes >= FRAME_HEADER_SIZE && capacity_bytes <= FRAME_SIZE_MAX)) return -ERR_BAD_VALUE;
  if (frag_payload_size(mtu) < 0) return -ERR_BAD_VALUE;
  for (let i = 0; i < REASM_STATE_WORDS; i++) st[i] = 0;
  st[REASM_ST_CAPACITY] = capacity_bytes;
  st[REASM_ST_MTU] = mtu;
  return 0;
}

/** Set the MTU after an exchange; applies from the next fragment. 0 or -ERR_BAD_VALUE. */
export function reasm_set_mtu(st: Int32Array, mtu: number): number {
  if (frag_payload_size(mtu) < 0) return -ERR_BAD_VALUE;
  st[REASM_ST_MTU] = mtu;
  return 0;
}

/** Drop any partial frame (on connect/disconnect). Counters are kept. */
export function reasm_reset(st: Int32Array): void {
  st[REASM_ST_RECEIVING] = 0;
  st[REASM_ST_EXPECTED] = 0;
  st[REASM_ST_RECEIVED] = 0;
  st[REASM_ST_ERR_HEADER] = 0;
}

/** 1 while a partial frame is held, else 0. */
export function reasm_busy(st: Int32Array): number {
  return st[REASM_ST_RECEIVING];
}

function fail(st: Int32Array, code: number, header_held: number): number {
  st[REASM_ST_RECEIVING] = 0;
  st[REASM_ST_EXPECTED] = 0;
  st[REASM_ST_RECEIVED] = 0;
  st[REASM_ST_ERR_HEADER] = header_held;
  st[REASM_ST_ERRORS] = (st[REASM_ST_ERRORS] + 1) & 0x7fffffff;
  return -code;
}

/**
 * Time check on its own: when a partial frame has had no fragment for more than
 * REASM_TIMEOUT_MS, drop it and return -ERR_TIMEOUT (buf[0..8) still holds its header);
 * else 0. now_ms is any millisecond clock; only (now_ms | 0) differences are used, so the
 * clock may wrap at 2^32 and frames may span a wrap. A clock that goes backwards counts as
 * stale. A transport calls this from its timer, and before reasm_push when it wants the
 * fragment that arrives after a timeout to be taken as the start of a new frame.
 */
export function reasm_expire(st: Int32Array, now_ms: number): number {
  if (st[REASM_ST_RECEIVING] === 0) return 0;
  const elapsed_ms = ((now_ms | 0) - st[REASM_ST_LAST_MS]) | 0;
  if (elapsed_ms >= 0 && elapsed_ms <= REASM_TIMEOUT_MS) return 0;
  return fail(st, ERR_TIMEOUT, 1);
}

/**
 * Take one fragment src[src_off..+src_len) received at now_ms into buf. See the file comment
 * for the return values. When a stale partial frame is found, it is dropped together with
 * this fragment (-ERR_TIMEOUT); call reasm_expire() first to keep the fragment instead.
 */
export function reasm_push(
  st: Int32Array,
  buf: Uint8Array,
  src: Uint8Array,
  src_off: number,
  src_len: number,
  now_ms: number,
): number {
  if (src_off < 0 || src_len < 0 || src_off + src_len > src.length) return -ERR_BAD_VALUE;
  if (buf.length < st[REASM_ST_CAPACITY] || st[REASM_ST_CAPACITY] < FRAME_HEADER_SIZE) return -ERR_BAD_VALUE;
  if (reasm_expire(st, now_ms) < 0) return -ERR_TIMEOUT;
  if (src_len === 0) return 0;
  const payload = st[REASM_ST_MTU] - ATT_HEADER_SIZE;
  if (st[REASM_ST_RECEIVING] === 0) return reasm_start(st, buf, src, src_off, src_len, payload, now_ms);
  if (src_len > payload) return fail(st, ERR_TOO_LARGE, 1);
  const received = st[REASM_ST_RECEIVED];
  const remaining = st[REASM_ST_EXPECTED] - received;
  if (src_len > remaining) return fail(st, ERR_INTERLEAVED, 1); // bytes beyond the declared end
  if (src_len < remaining && src_len < payload) return fail(st, ERR_INTERLEAVED, 1); // short, not last
  for (let i = 0; i < src_len; i++) buf[received + i] = src[src_off + i];
  st[REASM_ST_RECEIVED] = received + src_len;
  st[REASM_ST_LAST_MS] = now_ms | 0;
  if (src_len < remaining) return 0;
  return complete(st);
}

function complete(st: Int32Array): number {
  const size = st[REASM_ST_EXPECTED];
  st[REASM_ST_RECEIVING] = 0;
  st[REASM_ST_EXPECTED] = 0;
  st[REASM_ST_RECEIVED] = 0;
  st[REASM_ST_ERR_HEADER] = 0;
  st[REASM_ST_FRAMES] = (st[REASM_ST_FRAMES] + 1) & 0x7fffffff;
  return size;
}

/** First fragment of a frame: header, size checks, then as a continuation. */
function reasm_start(
  st: Int32Array,
  buf: Uint8Array,
  src: Uint8Array,
  src_off: number,
  src_len: number,
  payload: number,
  now_ms: number,
): number {
  if (src_len < FRAME_HEADER_SIZE) return fail(st, ERR_BAD_FRAME, 0);
  for (let i = 0; i < FRAME_HEADER_SIZE; i++) buf[i] = src[src_off + i];
  if (src_len > payload) return fail(st, ERR_TOO_LARGE, 1);
  frame_header_read(buf, 0, FRAME_HEADER_SIZE, reasm_hdr); // cannot fail: 8 bytes are there
  const rc = frame_header_check(reasm_hdr);
  if (rc < 0) return fail(st, -rc, 1);
  const expected = FRAME_HEADER_SIZE + reasm_hdr[FRAME_HDR_LENGTH];
  if (expected > st[REASM_ST_CAPACITY]) return fail(st, ERR_TOO_LARGE, 1);
  if (src_len > expected) return fail(st, ERR_INTERLEAVED, 1);
  if (src_len < expected && src_len < payload) return fail(st, ERR_INTERLEAVED, 1);
  for (let i = FRAME_HEADER_SIZE; i < src_len; i++) buf[i] = src[src_off + i];
  st[REASM_ST_RECEIVING] = 1;
  st[REASM_ST_EXPECTED] = expected;
  st[REASM_ST_RECEIVED] = src_len;
  st[REASM_ST_LAST_MS] = now_ms | 0;
  if (src_len < expected) return 0;
  return complete(st);
}

/** Largest number of pushes one frame can take (for callers that bound their own loops). */
export const REASM_FRAGMENTS_MAX = FRAGMENTS_PER_FRAME_MAX;
