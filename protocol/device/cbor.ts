// CBOR codec for the device (firmware subset). RFC 8949, restricted to what the protocol
// needs; PROTOCOL.md section 4 states the subset for both sides.
//
// Supported: definite-length major types 0-5 (unsigned and negative integers, byte and text
// strings, arrays, maps) and the simple values false (0xf4), true (0xf5) and null (0xf6).
// Integers: -(2^53-1) .. 2^53-1, the range an IEEE double (every JS engine's number) holds
// exactly. A 64-bit argument outside that range is rejected (ERR_CBOR_INT_RANGE), never rounded.
// Rejected, each with its own code: tags and bignums (major 6, ERR_CBOR_TAG), floats
// (ERR_CBOR_FLOAT), other simple values including undefined (ERR_CBOR_SIMPLE), indefinite
// lengths (ERR_CBOR_INDEFINITE), additional information 28-30 (ERR_CBOR_RESERVED), a stray
// break or ai 31 on major 0/1 (ERR_BAD_CBOR), input ending inside an item (ERR_CBOR_TRUNCATED),
// nesting beyond CBOR_DEPTH_MAX (ERR_CBOR_DEPTH), text longer than CBOR_TEXT_MAX or bytes
// longer than CBOR_BYTES_MAX (ERR_TOO_LARGE).
// The decoder accepts non-shortest heads (RFC 8949 4.2 preferred serialization is not
// required of senders); the encoder always writes the shortest head. Text is never turned
// into JS strings: the decoder reports offset + length of its UTF-8 bytes, which it does
// not validate (it compares keys byte for byte; host decoders may be stricter).
//
// Decoding is a pull reader: cbor_read_head() reads one head into a caller Int32Array and
// returns the position after it; cbor_skip() steps over a whole item with an explicit
// bounded stack; cbor_map_find_*() locate a key's value. Encoding writes heads and values at
// a position of a caller buffer and returns the new position, or -ERR_TOO_LARGE without
// writing anything when the item does not fit. All functions return negative error codes,
// never throw, never allocate (scratch arrays below are created once at load).

import {
  CBOR_BYTES_MAX,
  CBOR_DEPTH_MAX,
  CBOR_INT_MAX,
  CBOR_TEXT_MAX,
  ERR_BAD_CBOR,
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_CBOR_DEPTH,
  ERR_CBOR_FLOAT,
  ERR_CBOR_INDEFINITE,
  ERR_CBOR_INT_RANGE,
  ERR_CBOR_RESERVED,
  ERR_CBOR_SIMPLE,
  ERR_CBOR_TAG,
  ERR_CBOR_TRAILING,
  ERR_CBOR_TRUNCATED,
  ERR_MISSING_FIELD,
  ERR_TOO_LARGE,
} from '../ids.js';

export const CBOR_MAJOR_UINT = 0;
export const CBOR_MAJOR_NINT = 1;
export const CBOR_MAJOR_BYTES = 2;
export const CBOR_MAJOR_TEXT = 3;
export const CBOR_MAJOR_ARRAY = 4;
export const CBOR_MAJOR_MAP = 5;
export const CBOR_MAJOR_TAG = 6;
export const CBOR_MAJOR_SIMPLE = 7;
export const CBOR_SIMPLE_FALSE = 20;
export const CBOR_SIMPLE_TRUE = 21;
export const CBOR_SIMPLE_NULL = 22;

/** Layout of a decoded head (Int32Array of CBOR_HEAD_WORDS). */
export const CBOR_HEAD_MAJOR = 0; // major type 0..5, or 7 for false/true/null
export const CBOR_HEAD_AI = 1; // additional information 0..27 as read (shows non-shortest heads)
export const CBOR_HEAD_ARG_LO = 2; // low 32 bits of the argument; read with >>> 0
export const CBOR_HEAD_ARG_HI = 3; // high bits, 0..0x1fffff; 0 for every length and count
export const CBOR_HEAD_WORDS = 4;
// For strings, arrays and maps the argument (length, item count, pair count) is checked
// against the bytes left in the input, so ARG_LO holds it as a non-negative int32.
// For false/true/null ARG_LO holds 20/21/22.

const TWO_POW_32 = 4294967296;
const ARG_HI_MAX = 0x1fffff; // 2^53 - 1 = 0x1fffff * 2^32 + 0xffffffff

// Scratch state, created once. Each public function uses its own so that one may call another.
const skip_head = new Int32Array(CBOR_HEAD_WORDS);
const skip_stack = new Int32Array(CBOR_DEPTH_MAX); // items left in each open container
const eq_head = new Int32Array(CBOR_HEAD_WORDS);
const find_head = new Int32Array(CBOR_HEAD_WORDS);
const value_head = new Int32Array(CBOR_HEAD_WORDS);

// ---------------------------------------------------------------------------------------
// Decoding

/**
 * Read one head at buf[pos], not beyond end. Fills head (CBOR_HEAD_*) and returns the
 * position after the head (for a string, its bytes start there). Errors (negative):
 * ERR_BAD_VALUE (pos < 0, end > buf.length, head too short), ERR_CBOR_TRUNCATED,
 * ERR_CBOR_TAG, ERR_CBOR_FLOAT, ERR_CBOR_SIMPLE, ERR_CBOR_RESERVED, ERR_CBOR_INDEFINITE,
 * ERR_BAD_CBOR, ERR_CBOR_INT_RANGE, ERR_TOO_LARGE (string beyond its limit).
 */
export function cbor_read_head(buf: Uint8Array, pos: number, end: number, head: Int32Array): number {
  if (pos < 0 || end > buf.length || head.length < CBOR_HEAD_WORDS) return -ERR_BAD_VALUE;
  if (pos >= end) return -ERR_CBOR_TRUNCATED;
  const major = buf[pos] >> 5;
  const ai = buf[pos] & 31;
  let p = pos + 1;
  if (major === CBOR_MAJOR_TAG) return -ERR_CBOR_TAG;
  if (major === CBOR_MAJOR_SIMPLE) {
    if (ai >= CBOR_SIMPLE_FALSE && ai <= CBOR_SIMPLE_NULL) {
      head[CBOR_HEAD_MAJOR] = CBOR_MAJOR_SIMPLE;
      head[CBOR_HEAD_AI] = ai;
      head[CBOR_HEAD_ARG_LO] = ai;
      head[CBOR_HEAD_ARG_HI] = 0;
      return p;
    }
    if (ai <= 24) return -ERR_CBOR_SIMPLE; // 0..19, undefined (23), simple(n) (24)
    if (ai <= 27) return -ERR_CBOR_FLOAT; // half, single, double
    if (ai <= 30) return -ERR_CBOR_RESERVED;
    return -ERR_BAD_CBOR; // break (0xff) outside an indefinite item
  }
  let lo = 0;
  let hi = 0;
  if (ai < 24) {
    lo = ai;
  } else if (ai === 24) {
    if (p + 1 > end) return -ERR_CBOR_TRUNCATED;
    lo = buf[p];
    p += 1;
  } else if (ai === 25) {
    if (p + 2 > end) return -ERR_CBOR_TRUNCATED;
    lo = (buf[p] << 8) | buf[p + 1];
    p += 2;
  } else if (ai === 26) {
    if (p + 4 > end) return -ERR_CBOR_TRUNCATED;
    lo = (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]; // int32 bits
    p += 4;
  } else if (ai === 27) {
    if (p + 8 > end) return -ERR_CBOR_TRUNCATED;
    hi = (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
    lo = (buf[p + 4] << 24) | (buf[p + 5] << 16) | (buf[p + 6] << 8) | buf[p + 7];
    p += 8;
  } else if (ai === 31) {
    if (major >= CBOR_MAJOR_BYTES) return -ERR_CBOR_INDEFINITE;
    return -ERR_BAD_CBOR; // ai 31 on an integer is not well-formed
  } else {
    return -ERR_CBOR_RESERVED; // 28..30
  }
  if (major <= CBOR_MAJOR_NINT) {
    // value = arg (major 0) or -1 - arg (major 1); keep |value| <= 2^53 - 1
    if (hi >>> 0 > ARG_HI_MAX) return -ERR_CBOR_INT_RANGE;
    if (major === CBOR_MAJOR_NINT && hi === ARG_HI_MAX && lo === -1) return -ERR_CBOR_INT_RANGE;
  } else {
    // a length or count: every byte or item needs at least one byte of input
    const left = end - p;
    if (hi !== 0 || lo >>> 0 > left) return -ERR_CBOR_TRUNCATED;
    if (major === CBOR_MAJOR_MAP && lo * 2 > left) return -ERR_CBOR_TRUNCATED;
    if (major === CBOR_MAJOR_TEXT && lo > CBOR_TEXT_MAX) return -ERR_TOO_LARGE;
    if (major === CBOR_MAJOR_BYTES && lo > CBOR_BYTES_MAX) return -ERR_TOO_LARGE;
  }
  head[CBOR_HEAD_MAJOR] = major;
  head[CBOR_HEAD_AI] = ai;
  head[CBOR_HEAD_ARG_LO] = lo;
  head[CBOR_HEAD_ARG_HI] = hi;
  return p;
}

/**
 * The integer a head stands for: arg for major 0, -1 - arg for major 1 (exact: |v| <= 2^53-1);
 * the argument itself for other majors (length, count, or 20/21/22).
 */
export function cbor_head_int(head: Int32Array): number {
  const arg = head[CBOR_HEAD_ARG_HI] * TWO_POW_32 + (head[CBOR_HEAD_ARG_LO] >>> 0);
  if (head[CBOR_HEAD_MAJOR] === CBOR_MAJOR_NINT) return -1 - arg;
  return arg;
}

/**
 * Step over one complete item at buf[pos] (containers included, every nested head checked).
 * Returns the position after it, or a negative code as cbor_read_head, plus ERR_CBOR_DEPTH
 * when containers nest deeper than CBOR_DEPTH_MAX counted from this item.
 */
export function cbor_skip(buf: Uint8Array, pos: number, end: number): number {
  let depth = 0; // open containers, their items left in skip_stack[0..depth)
  let p = pos;
  const steps_max = end - pos; // each step reads a head of at least one byte
  for (let step = 0; step <= steps_max; step++) {
    const r = cbor_read_head(buf, p, end, skip_head);
    if (r < 0) return r;
    p = r;
    const major = skip_head[CBOR_HEAD_MAJOR];
    let items = -1; // -1: not a container
    if (major === CBOR_MAJOR_BYTES || major === CBOR_MAJOR_TEXT) {
      p += skip_head[CBOR_HEAD_ARG_LO]; // within end: checked by cbor_read_head
    } else if (major === CBOR_MAJOR_ARRAY) {
      items = skip_head[CBOR_HEAD_ARG_LO];
    } else if (major === CBOR_MAJOR_MAP) {
      items = skip_head[CBOR_HEAD_ARG_LO] * 2;
    }
    if (items >= 0) {
      if (depth >= CBOR_DEPTH_MAX) return -ERR_CBOR_DEPTH;
      if (items > 0) {
        skip_stack[depth] = items;
        depth += 1;
        continue;
      }
    }
    // An item ended: count it against its container, closing every container it completes.
    for (let k = 0; k < CBOR_DEPTH_MAX; k++) {
      if (depth === 0) break;
      skip_stack[depth - 1] -= 1;
      if (skip_stack[depth - 1] > 0) break;
      depth -= 1;
    }
    if (depth === 0) return p;
  }
  return -ERR_CBOR_TRUNCATED; // not reached: steps_max steps consume all the input
}

/**
 * Check that buf[pos..end) holds exactly one well-formed item in the subset (a frame body).
 * Returns end, or a negative code as cbor_skip, or -ERR_CBOR_TRAILING when bytes follow it.
 * Run this once on a body; the finders below then only re-walk checked bytes.
 */
export function cbor_validate(buf: Uint8Array, pos: number, end: number): number {
  const r = cbor_skip(buf, pos, end);
  if (r < 0) return r;
  if (r !== end) return -ERR_CBOR_TRAILING;
  return r;
}

/**
 * 1 when the item at buf[pos] is a text string whose bytes equal key[key_off..+key_len),
 * 0 when it is any other item, negative when its head cannot be read.
 */
export function cbor_text_equals(
  buf: Uint8Array,
  pos: number,
  end: number,
  key: Uint8Array,
  key_off: number,
  key_len: number,
): number {
  const p = cbor_read_head(buf, pos, end, eq_head);
  if (p < 0) return p;
  if (eq_head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_TEXT) return 0;
  if (eq_head[CBOR_HEAD_ARG_LO] !== key_len) return 0;
  if (key_off < 0 || key_off + key_len > key.length) return -ERR_BAD_VALUE;
  for (let i = 0; i < key_len; i++) {
    if (buf[p + i] !== key[key_off + i]) return 0;
  }
  return 1;
}

/** 1 when the item at buf[pos] is an integer equal to value, 0 for any other item, <0 on error. */
export function cbor_int_equals(buf: Uint8Array, pos: number, end: number, value: number): number {
  const p = cbor_read_head(buf, pos, end, eq_head);
  if (p < 0) return p;
  if (eq_head[CBOR_HEAD_MAJOR] > CBOR_MAJOR_NINT) return 0;
  return cbor_head_int(eq_head) === value ? 1 : 0;
}

/**
 * In the map at buf[map_pos], find the value whose key is the text key[key_off..+key_len).
 * Returns the value's position, -ERR_MISSING_FIELD when absent, -ERR_BAD_TYPE when the item
 * is not a map, -ERR_BAD_CBOR when the key occurs twice, or a decoding error.
 */
export function cbor_map_find_text(
  buf: Uint8Array,
  map_pos: number,
  end: number,
  key: Uint8Array,
  key_off: number,
  key_len: number,
): number {
  let p = cbor_read_head(buf, map_pos, end, find_head);
  if (p < 0) return p;
  if (find_head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_MAP) return -ERR_BAD_TYPE;
  const pairs = find_head[CBOR_HEAD_ARG_LO]; // <= (end - map_pos) / 2, checked by cbor_read_head
  let found = -ERR_MISSING_FIELD;
  for (let i = 0; i < pairs; i++) {
    const match = cbor_text_equals(buf, p, end, key, key_off, key_len);
    if (match < 0) return match;
    p = cbor_skip(buf, p, end);
    if (p < 0) return p;
    if (match === 1) {
      if (found >= 0) return -ERR_BAD_CBOR; // duplicate key (RFC 8949 5.6)
      found = p;
    }
    p = cbor_skip(buf, p, end);
    if (p < 0) return p;
  }
  return found;
}

/** As cbor_map_find_text, for a map keyed by integers. */
export function cbor_map_find_int(buf: Uint8Array, map_pos: number, end: number, key: number): number {
  let p = cbor_read_head(buf, map_pos, end, find_head);
  if (p < 0) return p;
  if (find_head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_MAP) return -ERR_BAD_TYPE;
  const pairs = find_head[CBOR_HEAD_ARG_LO];
  let found = -ERR_MISSING_FIELD;
  for (let i = 0; i < pairs; i++) {
    const match = cbor_int_equals(buf, p, end, key);
    if (match < 0) return match;
    p = cbor_skip(buf, p, end);
    if (p < 0) return p;
    if (match === 1) {
      if (found >= 0) return -ERR_BAD_CBOR;
      found = p;
    }
    p = cbor_skip(buf, p, end);
    if (p < 0) return p;
  }
  return found;
}

/**
 * Read an integer item at buf[pos] into out[out_index], requiring min <= value <= max.
 * Returns the position after it, -ERR_BAD_TYPE (not an integer), -ERR_BAD_VALUE (out of
 * range) or a decoding error. Use a Float64Array for values beyond int32 (ms since epoch).
 */
export function cbor_read_int(
  buf: Uint8Array,
  pos: number,
  end: number,
  min: number,
  max: number,
  out: Int32Array | Float64Array,
  out_index: number,
): number {
  const p = cbor_read_head(buf, pos, end, value_head);
  if (p < 0) return p;
  if (value_head[CBOR_HEAD_MAJOR] > CBOR_MAJOR_NINT) return -ERR_BAD_TYPE;
  const v = cbor_head_int(value_head);
  if (v < min || v > max) return -ERR_BAD_VALUE;
  out[out_index] = v;
  return p;
}

/** Read false/true at buf[pos] into out[out_index] as 0/1. -ERR_BAD_TYPE for anything else. */
export function cbor_read_bool(buf: Uint8Array, pos: number, end: number, out: Int32Array, out_index: number): number {
  const p = cbor_read_head(buf, pos, end, value_head);
  if (p < 0) return p;
  if (value_head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_SIMPLE) return -ERR_BAD_TYPE;
  if (value_head[CBOR_HEAD_ARG_LO] === CBOR_SIMPLE_NULL) return -ERR_BAD_TYPE;
  out[out_index] = value_head[CBOR_HEAD_ARG_LO] === CBOR_SIMPLE_TRUE ? 1 : 0;
  return p;
}

// ---------------------------------------------------------------------------------------
// Encoding. Every writer takes (buf, pos, end): it writes at buf[pos..end) and returns the
// new position; -ERR_TOO_LARGE (nothing written) when the item does not fit before end;
// -ERR_BAD_VALUE for a negative pos, end beyond buf, or a value outside the subset.

/** Bytes of the shortest head for an argument 0..2^53-1. */
export function cbor_head_size(arg: number): number {
  if (arg < 24) return 1;
  if (arg < 0x100) return 2;
  if (arg < 0x10000) return 3;
  if (arg < TWO_POW_32) return 5;
  return 9;
}

function arg_ok(arg: number): boolean {
  return arg >= 0 && arg <= CBOR_INT_MAX && Math.floor(arg) === arg; // false for NaN
}

function put_u32(buf: Uint8Array, pos: number, v: number): void {
  buf[pos] = (v >>> 24) & 0xff;
  buf[pos + 1] = (v >>> 16) & 0xff;
  buf[pos + 2] = (v >>> 8) & 0xff;
  buf[pos + 3] = v & 0xff;
}

/** Write a head of size cbor_head_size(arg); the caller checked room and range. */
function put_head(buf: Uint8Array, pos: number, major: number, arg: number, size: number): void {
  const mt = major << 5;
  if (size === 1) {
    buf[pos] = mt | arg;
  } else if (size === 2) {
    buf[pos] = mt | 24;
    buf[pos + 1] = arg;
  } else if (size === 3) {
    buf[pos] = mt | 25;
    buf[pos + 1] = arg >> 8;
    buf[pos + 2] = arg & 0xff;
  } else if (size === 5) {
    buf[pos] = mt | 26;
    put_u32(buf, pos + 1, arg);
  } else {
    const hi = Math.floor(arg / TWO_POW_32); // <= 0x1fffff
    buf[pos] = mt | 27;
    put_u32(buf, pos + 1, hi);
    put_u32(buf, pos + 5, arg - hi * TWO_POW_32);
  }
}

/** Write a head of major type 0..5 with argument 0..2^53-1 in its shortest form. */
export function cbor_write_head(buf: Uint8Array, pos: number, end: number, major: number, arg: number): number {
  if (pos < 0 || end > buf.length || major < 0 || major > CBOR_MAJOR_MAP || !arg_ok(arg)) return -ERR_BAD_VALUE;
  const size = cbor_head_size(arg);
  if (pos + size > end) return -ERR_TOO_LARGE;
  put_head(buf, pos, major, arg, size);
  return pos + size;
}

/** Unsigned integer 0..2^53-1. */
export function cbor_write_uint(buf: Uint8Array, pos: number, end: number, value: number): number {
  return cbor_write_head(buf, pos, end, CBOR_MAJOR_UINT, value);
}

/** Signed integer -(2^53-1)..2^53-1 (major 0 or 1). */
export function cbor_write_int(buf: Uint8Array, pos: number, end: number, value: number): number {
  if (value >= 0) return cbor_write_head(buf, pos, end, CBOR_MAJOR_UINT, value);
  if (value < -CBOR_INT_MAX) return -ERR_BAD_VALUE;
  return cbor_write_head(buf, pos, end, CBOR_MAJOR_NINT, -1 - value);
}

function write_string(
  buf: Uint8Array,
  pos: number,
  end: number,
  major: number,
  src: Uint8Array,
  src_off: number,
  len: number,
): number {
  if (pos < 0 || end > buf.length || src_off < 0 || !arg_ok(len) || src_off + len > src.length) return -ERR_BAD_VALUE;
  const size = cbor_head_size(len);
  if (pos + size + len > end) return -ERR_TOO_LARGE;
  put_head(buf, pos, major, len, size);
  const p = pos + size;
  for (let i = 0; i < len; i++) buf[p + i] = src[src_off + i];
  return p + len;
}

/** Byte string with the bytes src[src_off..+len). */
export function cbor_write_bytes(
  buf: Uint8Array,
  pos: number,
  end: number,
  src: Uint8Array,
  src_off: number,
  len: number,
): number {
  return write_string(buf, pos, end, CBOR_MAJOR_BYTES, src, src_off, len);
}

/** Text string whose UTF-8 bytes are src[src_off..+len) (not validated). */
export function cbor_write_text(
  buf: Uint8Array,
  pos: number,
  end: number,
  src: Uint8Array,
  src_off: number,
  len: number,
): number {
  return write_string(buf, pos, end, CBOR_MAJOR_TEXT, src, src_off, len);
}

/** Array head for count items (the items follow, written by the caller). */
export function cbor_write_array(buf: Uint8Array, pos: number, end: number, count: number): number {
  return cbor_write_head(buf, pos, end, CBOR_MAJOR_ARRAY, count);
}

/** Map head for pairs key/value pairs (keys and values follow, alternating). */
export function cbor_write_map(buf: Uint8Array, pos: number, end: number, pairs: number): number {
  return cbor_write_head(buf, pos, end, CBOR_MAJOR_MAP, pairs);
}

function write_simple(buf: Uint8Array, pos: number, end: number, simple: number): number {
  if (pos < 0 || end > buf.length) return -ERR_BAD_VALUE;
  if (pos + 1 > end) return -ERR_TOO_LARGE;
  buf[pos] = (CBOR_MAJOR_SIMPLE << 5) | simple;
  return pos + 1;
}

/** false (0xf4) when value is 0, else true (0xf5). */
export function cbor_write_bool(buf: Uint8Array, pos: number, end: number, value: number): number {
  return write_simple(buf, pos, end, value !== 0 ? CBOR_SIMPLE_TRUE : CBOR_SIMPLE_FALSE);
}

/** null (0xf6). */
export function cbor_write_null(buf: Uint8Array, pos: number, end: number): number {
  return write_simple(buf, pos, end, CBOR_SIMPLE_NULL);
}
