// Message bodies for the command handlers, on top of the device CBOR codec
// (protocol/device/cbor.ts): a frame encoder with a sticky error, a request-map reader that
// records key and value positions, and the error state behind error responses
// ({"rc", "key"}, PROTOCOL.md section 5.2).
//
// Keys are ASCII string literals in the handlers (constants of the code, no run-time
// strings are built): they are written and compared a character at a time (charCodeAt).
// One frame is built at a time (responses and stream notifications alike): enc_begin(),
// the body's items, then enc_finish() writes the 8-byte header in front of it.

import { assert } from "../lib/assert.js";
import {
  CBOR_TEXT_MAX,
  ERR_BAD_CBOR,
  ERR_BAD_TYPE,
  ERR_TOO_LARGE,
  ERR_UNKNOWN_FIELD,
  FRAME_HEADER_SIZE,
  FRAME_SIZE_MAX,
} from "../../protocol/ids.js";
import {
  CBOR_HEAD_ARG_LO,
  CBOR_HEAD_MAJOR,
  CBOR_HEAD_WORDS,
  CBOR_MAJOR_MAP,
  CBOR_MAJOR_TEXT,
  CBOR_MAJOR_UINT,
  cbor_read_bool,
  cbor_read_head,
  cbor_read_int,
  cbor_skip,
  cbor_write_array,
  cbor_write_bool,
  cbor_write_bytes,
  cbor_write_head,
  cbor_write_int,
  cbor_write_map,
  cbor_write_uint,
} from "../../protocol/device/cbor.js";
import { FRAME_HDR_WORDS, frame_header_set, frame_header_write } from "../../protocol/device/frame.js";

const FAULT_CODEC = 74;

/** Request maps are read two levels deep (config "stream"). */
export const REQ_LEVELS = 2;
/** Pairs recorded per map; more than any command defines, so a longer map has an unknown key. */
export const REQ_PAIRS_MAX = 12;


let codec_booted = 0;
let enc_buf!: Uint8Array; // the frame being built: header [0, 8), body [8, enc_pos)
let enc_pos = 0;
let enc_end = 0;
let enc_err = 0; // first encoding error since enc_begin (negative), sticky
let enc_tail = 0; // bytes kept free at the frame's end for an authenticated response's MAC
let hdr!: Int32Array;
let req_buf!: Uint8Array; // the request frame (the reassembly buffer)
let req_end = 0;
let req_keys!: Int32Array; // [level * REQ_PAIRS_MAX + i]: position of key i
let req_vals!: Int32Array; // position of value i
let req_pairs!: Int32Array; // pairs recorded per level
let req_head!: Int32Array;
let req_head2!: Int32Array;
let req_num!: Float64Array; // the last integer read (u32 and ms values exceed int32)
let req_flag!: Int32Array; // the last bool read
let err_key!: Uint8Array; // "key" of the error response
let err_key_len = 0;

/** Bytes of RAM the codec's buffers take. */
export function codec_ram_bytes(): number {
  return FRAME_SIZE_MAX + CBOR_TEXT_MAX + 2 * 4 * REQ_LEVELS * REQ_PAIRS_MAX + 4 * REQ_LEVELS + 4 * (2 * CBOR_HEAD_WORDS + FRAME_HDR_WORDS) + 8 + 4;
}

/** Allocate (first call only). */
export function codec_boot(): void {
  if (codec_booted !== 0) return;
  enc_buf = new Uint8Array(FRAME_SIZE_MAX);
  hdr = new Int32Array(FRAME_HDR_WORDS);
  req_buf = enc_buf; // replaced by req_begin
  req_keys = new Int32Array(REQ_LEVELS * REQ_PAIRS_MAX);
  req_vals = new Int32Array(REQ_LEVELS * REQ_PAIRS_MAX);
  req_pairs = new Int32Array(REQ_LEVELS);
  req_head = new Int32Array(CBOR_HEAD_WORDS);
  req_head2 = new Int32Array(CBOR_HEAD_WORDS);
  req_num = new Float64Array(1);
  req_flag = new Int32Array(1);
  err_key = new Uint8Array(CBOR_TEXT_MAX);
  codec_booted = 1;
}

// ---------------------------------------------------------------------------------------
// Encoder

/** Start a frame: the body begins after the header; at most FRAME_SIZE_MAX bytes in all. */
export function enc_begin(): void {
  enc_pos = FRAME_HEADER_SIZE;
  enc_tail = 0;
  enc_end = FRAME_SIZE_MAX;
  enc_err = 0;
}

/**
 * Keep tail bytes free at the end of the frame (an authenticated response's MAC, written
 * after the command's body: firmware/auth). enc_set_end ends are moved down by as much.
 */
export function enc_reserve_tail(tail: number): void {
  assert(tail >= 0 && FRAME_SIZE_MAX - tail >= enc_pos, FAULT_CODEC);
  enc_tail = tail;
  enc_end = FRAME_SIZE_MAX - tail;
}

/** Lower the end of the body (keep room for items written later); end >= the position. */
export function enc_set_end(end: number): void {
  assert(end - enc_tail >= enc_pos && end <= FRAME_SIZE_MAX, FAULT_CODEC);
  enc_end = end - enc_tail;
}

export function enc_frame(): Uint8Array {
  return enc_buf;
}

export function enc_position(): number {
  return enc_pos;
}

export function enc_failed(): boolean {
  return enc_err !== 0;
}

/** Undo everything written after mark (a position from enc_position) and clear the error. */
export function enc_rewind(mark: number): void {
  assert(mark >= FRAME_HEADER_SIZE && mark <= enc_pos, FAULT_CODEC);
  enc_pos = mark;
  enc_err = 0;
}

function take(r: number): void {
  if (r < 0) enc_err = r;
  else enc_pos = r;
}

export function enc_uint(v: number): void {
  if (enc_err === 0) take(cbor_write_uint(enc_buf, enc_pos, enc_end, v));
}

export function enc_int(v: number): void {
  if (enc_err === 0) take(cbor_write_int(enc_buf, enc_pos, enc_end, v));
}

export function enc_bool(v: number): void {
  if (enc_err === 0) take(cbor_write_bool(enc_buf, enc_pos, enc_end, v));
}

export function enc_map(pairs: number): void {
  if (enc_err === 0) take(cbor_write_map(enc_buf, enc_pos, enc_end, pairs));
}

export function enc_array(count: number): void {
  if (enc_err === 0) take(cbor_write_array(enc_buf, enc_pos, enc_end, count));
}

export function enc_bytes(src: Uint8Array, off: number, len: number): void {
  if (enc_err === 0) take(cbor_write_bytes(enc_buf, enc_pos, enc_end, src, off, len));
}

/** A text item from an ASCII string literal (keys, short names). */
export function enc_text(s: string): void {
  if (enc_err !== 0) return;
  const len = s.length;
  assert(len <= CBOR_TEXT_MAX, FAULT_CODEC);
  const p = cbor_write_head(enc_buf, enc_pos, enc_end, CBOR_MAJOR_TEXT, len);
  if (p < 0) {
    enc_err = p;
    return;
  }
  if (p + len > enc_end) {
    enc_err = -ERR_TOO_LARGE;
    return;
  }
  for (let i = 0; i < len; i++) enc_buf[p + i] = s.charCodeAt(i) & 0x7f;
  enc_pos = p + len;
}

/** A text item from bytes. */
export function enc_text_bytes(src: Uint8Array, off: number, len: number): void {
  if (enc_err !== 0) return;
  const p = cbor_write_head(enc_buf, enc_pos, enc_end, CBOR_MAJOR_TEXT, len);
  if (p < 0 || p + len > enc_end) {
    enc_err = p < 0 ? p : -ERR_TOO_LARGE;
    return;
  }
  for (let i = 0; i < len; i++) enc_buf[p + i] = src[off + i];
  enc_pos = p + len;
}

/** key: unsigned integer. */
export function enc_key_uint(key: string, v: number): void {
  enc_text(key);
  enc_uint(v);
}

/**
 * Write the header in front of the body built since enc_begin. Returns the frame size,
 * or -ERR_TOO_LARGE when the body did not fit (the caller answers with an error instead).
 */
export function enc_finish(op: number, flags: number, group: number, seq: number, cmd: number): number {
  if (enc_err !== 0) return -ERR_TOO_LARGE;
  const length = enc_pos - FRAME_HEADER_SIZE;
  const rc = frame_header_set(hdr, op, flags, length, group, seq, cmd);
  assert(rc === 0, FAULT_CODEC);
  frame_header_write(enc_buf, 0, hdr);
  return enc_pos;
}

// ---------------------------------------------------------------------------------------
// Error state: the "key" of the next error response

export function err_reset(): void {
  err_key_len = 0;
}

export function err_key_length(): number {
  return err_key_len;
}

export function err_key_bytes(): Uint8Array {
  return err_key;
}

function err_put_text(s: string): void {
  for (let i = 0; i < s.length; i++) {
    if (err_key_len >= CBOR_TEXT_MAX) return;
    err_key[err_key_len] = s.charCodeAt(i) & 0x7f;
    err_key_len = err_key_len + 1;
  }
}

/** Fail with rc_neg naming the key prefix + name ("stream." + "ppg_batch"). Returns rc_neg. */
export function fail_key(rc_neg: number, prefix: string, name: string): number {
  assert(rc_neg < 0, FAULT_CODEC);
  err_key_len = 0;
  err_put_text(prefix);
  err_put_text(name);
  return rc_neg;
}

/** Fail with ERR_UNKNOWN_FIELD naming the request's key i of level (prefix first). */
export function fail_unknown(level: number, i: number, prefix: string): number {
  err_key_len = 0;
  const p = cbor_read_head(req_buf, req_keys[level * REQ_PAIRS_MAX + i], req_end, req_head);
  if (p < 0 || req_head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_TEXT) return -ERR_UNKNOWN_FIELD; // no name to give
  err_put_text(prefix);
  const len = req_head[CBOR_HEAD_ARG_LO];
  for (let k = 0; k < len; k++) {
    if (!err_put_key_byte(req_buf[p + k])) break;
  }
  return -ERR_UNKNOWN_FIELD;
}

/** Lowercase hex digit of n (0..15) as a character code. */
function hex_digit(n: number): number {
  return n < 10 ? 48 + n : 87 + n;
}

/**
 * Append one byte of a request's key to the error key. The device does not validate UTF-8,
 * and a key may be cut at CBOR_TEXT_MAX: echoing bytes could hand the host invalid UTF-8 or
 * half a character. So printable ASCII is copied and every other byte (and the backslash)
 * becomes "\xHH": the key stays ASCII, names the request's key exactly, and is cut only
 * between whole characters and whole escapes. Returns false when the next one does not fit.
 */
function err_put_key_byte(b: number): boolean {
  if (b >= 0x20 && b < 0x7f && b !== 0x5c) {
    if (err_key_len >= CBOR_TEXT_MAX) return false;
    err_key[err_key_len] = b;
    err_key_len = err_key_len + 1;
    return true;
  }
  if (err_key_len + 4 > CBOR_TEXT_MAX) return false;
  err_key[err_key_len] = 0x5c;
  err_key[err_key_len + 1] = 0x78;
  err_key[err_key_len + 2] = hex_digit((b >> 4) & 15);
  err_key[err_key_len + 3] = hex_digit(b & 15);
  err_key_len = err_key_len + 4;
  return true;
}

/** The error body {"rc": rc, "key"?: key} for a positive rc. */
export function enc_error_body(rc: number): void {
  assert(rc > 0 && rc < 128, FAULT_CODEC);
  enc_map(err_key_len > 0 ? 2 : 1);
  enc_key_uint("rc", rc);
  if (err_key_len > 0) {
    enc_text("key");
    enc_text_bytes(err_key, 0, err_key_len);
  }
}

// ---------------------------------------------------------------------------------------
// Request reader. The body was checked by cbor_validate before any of this runs.

/** The request frame is buf[0..end); its body starts at FRAME_HEADER_SIZE. */
export function req_begin(buf: Uint8Array, end: number): void {
  req_buf = buf;
  req_end = end;
  req_pairs[0] = 0;
  req_pairs[1] = 0;
}

/**
 * Record the pairs of the map at map_pos as level (0 the body, 1 a nested map). Returns 0;
 * -ERR_BAD_TYPE (not a map); -ERR_UNKNOWN_FIELD (more pairs than REQ_PAIRS_MAX, naming
 * the first key beyond); -ERR_BAD_CBOR (a key occurs twice); or a decoding error.
 */
export function req_open(level: number, map_pos: number): number {
  assert(level >= 0 && level < REQ_LEVELS, FAULT_CODEC);
  let p = cbor_read_head(req_buf, map_pos, req_end, req_head);
  if (p < 0) return p;
  if (req_head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_MAP) return -ERR_BAD_TYPE;
  const pairs = req_head[CBOR_HEAD_ARG_LO];
  const base = level * REQ_PAIRS_MAX;
  req_pairs[level] = 0;
  for (let i = 0; i < pairs; i++) {
    if (i === REQ_PAIRS_MAX) {
      req_keys[base + REQ_PAIRS_MAX - 1] = p; // name the first key beyond the limit
      return fail_unknown(level, REQ_PAIRS_MAX - 1, "");
    }
    req_keys[base + i] = p;
    p = cbor_skip(req_buf, p, req_end);
    if (p < 0) return p;
    req_vals[base + i] = p;
    p = cbor_skip(req_buf, p, req_end);
    if (p < 0) return p;
    for (let j = 0; j < i; j++) {
      if (req_same_text(req_keys[base + j], req_keys[base + i])) return -ERR_BAD_CBOR; // RFC 8949 5.6
    }
    req_pairs[level] = i + 1;
  }
  return 0;
}

function req_same_text(a: number, b: number): boolean {
  const pa = cbor_read_head(req_buf, a, req_end, req_head);
  const pb = cbor_read_head(req_buf, b, req_end, req_head2);
  if (pa < 0 || pb < 0) return false;
  if (req_head[CBOR_HEAD_MAJOR] !== req_head2[CBOR_HEAD_MAJOR]) return false;
  const major = req_head[CBOR_HEAD_MAJOR];
  if (major === CBOR_MAJOR_UINT) return req_head[CBOR_HEAD_ARG_LO] === req_head2[CBOR_HEAD_ARG_LO];
  if (major !== CBOR_MAJOR_TEXT) return false;
  const len = req_head[CBOR_HEAD_ARG_LO];
  if (len !== req_head2[CBOR_HEAD_ARG_LO]) return false;
  for (let k = 0; k < len; k++) {
    if (req_buf[pa + k] !== req_buf[pb + k]) return false;
  }
  return true;
}

export function req_pair_count(level: number): number {
  return req_pairs[level];
}

/** Whether key i of level is the text name. */
export function req_key_is(level: number, i: number, name: string): boolean {
  const p = cbor_read_head(req_buf, req_keys[level * REQ_PAIRS_MAX + i], req_end, req_head);
  if (p < 0 || req_head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_TEXT) return false;
  const len = req_head[CBOR_HEAD_ARG_LO];
  if (len !== name.length) return false;
  for (let k = 0; k < len; k++) {
    if (req_buf[p + k] !== name.charCodeAt(k)) return false;
  }
  return true;
}

/** Position of the value of key name in level, or -1. */
export function req_find(level: number, name: string): number {
  const n = req_pairs[level];
  for (let i = 0; i < n; i++) {
    if (req_key_is(level, i, name)) return req_vals[level * REQ_PAIRS_MAX + i];
  }
  return -1;
}

/**
 * Read integer key name of level, min..max. Returns 1 (value in req_value()), 0 (absent),
 * or the error (-ERR_BAD_TYPE, -ERR_BAD_VALUE) naming prefix + name.
 */
export function req_uint(level: number, prefix: string, name: string, min: number, max: number): number {
  const pos = req_find(level, name);
  if (pos < 0) return 0;
  const r = cbor_read_int(req_buf, pos, req_end, min, max, req_num, 0);
  if (r < 0) return fail_key(r, prefix, name);
  return 1;
}

/** Read bool key name of level: 1 (value in req_flag_value()), 0 (absent), or the error. */
export function req_bool(level: number, prefix: string, name: string): number {
  const pos = req_find(level, name);
  if (pos < 0) return 0;
  const r = cbor_read_bool(req_buf, pos, req_end, req_flag, 0);
  if (r < 0) return fail_key(r, prefix, name);
  return 1;
}

/** The request frame and its end, for commands that read byte strings in place (image upload). */
export function req_buffer(): Uint8Array {
  return req_buf;
}

export function req_limit(): number {
  return req_end;
}

export function req_value(): number {
  return req_num[0];
}

export function req_flag_value(): number {
  return req_flag[0];
}

/** Whether the item at pos is a map. */
export function req_is_map_at(pos: number): boolean {
  const p = cbor_read_head(req_buf, pos, req_end, req_head);
  return p >= 0 && req_head[CBOR_HEAD_MAJOR] === CBOR_MAJOR_MAP;
}
