// The compact encoding of one history record inside a flash block (docs/storage.md):
//   kind u8, field_count u8, seq delta (varint, from the previous record of the block; 0 for
//   the first, whose seq is the block's first_seq), emitted_ms (zigzag varint, delta from the
//   previous record's emitted_ms; the first record's is absolute), then each field as a
//   zigzag varint, with two deltas that make the common records small:
//     - a record's time field (beat/hr/status time_ms, hrv end_ms) relative to its emitted_ms;
//     - a beat's beat_index relative to the previous beat of the block.
// Varints are little-endian base-128 groups; zigzag maps 0, -1, 1, -2 to 0, 1, 2, 3. Values
// are 32-bit fields or differences of two of them, so a varint is at most 5 bytes
// (zigzag < 2^33 < 2^35). Arithmetic on them stays exact below 2^53 (no 32-bit bitwise ops).
// A typical beat takes 10 bytes, an HR record 8, an HRV window about 20.

import * as out from "../output.js";

/** Longest encoding of one record: 2 + 5 (seq delta) + 5 (emitted) + 12 fields * 5. */
export const REC_BYTES_MAX = 72;
export const REC_FIELDS_MAX = 12;

// Decoder / encoder state for one block: [prev_seq, prev_emitted_ms, prev_beat_index, pos].
export const CODEC_PREV_SEQ = 0;
export const CODEC_PREV_EMIT = 1;
export const CODEC_PREV_BEAT_INDEX = 2;
export const CODEC_POS = 3;
export const CODEC_STATE_WORDS = 4;

const VARINT_BYTES_MAX = 5;
/** Below this, values are small integers on every engine (JerryScript boxes those beyond 2^27). */
const SMALL_INT_LIMIT = 0x8000000;

/** Index of the field stored relative to emitted_ms, -1 when none. */
export function rec_time_field(kind: number): number {
  if (kind === out.OUT_KIND_HRV) return out.HRV_END_MS;
  if (kind === out.OUT_KIND_BEAT || kind === out.OUT_KIND_HR || kind === out.OUT_KIND_STATUS) return 0;
  return -1;
}

function unzigzag(z: number): number {
  return z % 2 === 0 ? Math.floor(z / 2) : -Math.floor((z + 1) / 2); // exact: z < 2^35
}

function put_varint(buf: Uint8Array, pos: number, v: number): number {
  let x = v;
  let p = pos;
  for (let i = 0; i < VARINT_BYTES_MAX; i++) {
    if (x < 128) {
      buf[p] = x;
      return p + 1;
    }
    if (x < SMALL_INT_LIMIT) {
      // The same bytes by bit operations, exact below 2^31 (Math.floor costs a call).
      buf[p] = (x & 127) | 128;
      x = x >> 7;
    } else {
      buf[p] = (x % 128) + 128;
      x = Math.floor(x / 128);
    }
    p = p + 1;
  }
  return -1; // beyond 2^35: not a value this codec makes
}

/** The zigzag varint of v (0, -1, 1, -2 -> 0, 1, 2, 3) in one call: the encoder runs for every record. */
function put_zigzag(buf: Uint8Array, pos: number, v: number): number {
  return put_varint(buf, pos, v >= 0 ? v * 2 : -v * 2 - 1);
}

let varint_value = 0;

/** Reads a varint at pos (bounded by end) into varint_value; returns the next pos or -1. */
function get_varint(buf: Uint8Array, pos: number, end: number): number {
  let v = 0;
  let scale = 1;
  for (let i = 0; i < VARINT_BYTES_MAX; i++) {
    if (pos + i >= end) return -1;
    const b = buf[pos + i];
    v = v + (b & 127) * scale;
    if (b < 128) {
      varint_value = v;
      return pos + i + 1;
    }
    scale = scale * 128;
  }
  return -1;
}

/**
 * Encode one record at state[CODEC_POS] of buf (room up to end). Returns the new position,
 * or -1 when it does not fit (buf and state unchanged).
 */
export function rec_encode(
  buf: Uint8Array, end: number, state: Float64Array, seq: number, kind: number,
  fields: Int32Array, count: number, emitted_ms: number,
): number {
  let p = state[CODEC_POS];
  if (p + REC_BYTES_MAX > end) return -1;
  const t_field = rec_time_field(kind);
  buf[p] = kind;
  buf[p + 1] = count;
  p = put_varint(buf, p + 2, seq - state[CODEC_PREV_SEQ]);
  p = put_zigzag(buf, p, emitted_ms - state[CODEC_PREV_EMIT]);
  let beat_index = state[CODEC_PREV_BEAT_INDEX];
  for (let i = 0; i < count; i++) {
    let v = fields[i];
    if (i === t_field) {
      v = v - emitted_ms;
    } else if (kind === out.OUT_KIND_BEAT && i === out.BEAT_INDEX) {
      v = fields[i] - beat_index;
      beat_index = fields[i];
    }
    // put_zigzag, written out for the one- and two-byte values most fields take (a call
    // per field is most of the encoder's cost on an interpreter); the same bytes.
    const z = v >= 0 ? v * 2 : -v * 2 - 1;
    if (z < 128) {
      buf[p] = z;
      p = p + 1;
    } else if (z < 16384) {
      buf[p] = (z & 127) | 128;
      buf[p + 1] = z >> 7;
      p = p + 2;
    } else {
      p = put_varint(buf, p, z);
    }
  }
  state[CODEC_PREV_SEQ] = seq;
  state[CODEC_PREV_EMIT] = emitted_ms;
  state[CODEC_PREV_BEAT_INDEX] = beat_index;
  state[CODEC_POS] = p;
  return p;
}

/** Start a block's state: first_seq is the block's, other deltas start from 0. */
export function rec_state_reset(state: Float64Array, first_seq: number, pos: number): void {
  state[CODEC_PREV_SEQ] = first_seq;
  state[CODEC_PREV_EMIT] = 0;
  state[CODEC_PREV_BEAT_INDEX] = 0;
  state[CODEC_POS] = pos;
}

/**
 * Decode the record at state[CODEC_POS] (bytes up to end) into out_rec: out_rec[0..count)
 * the fields; returns its seq (>= 1) and sets rec_kind / rec_count / rec_emitted_ms, or -1
 * when the bytes are not a record (the block's CRC passed, so only a bug makes this).
 */
let rec_kind = 0;
let rec_count = 0;
let rec_emitted_ms = 0;

export function rec_decoded_kind(): number {
  return rec_kind;
}

export function rec_decoded_count(): number {
  return rec_count;
}

export function rec_decoded_emitted_ms(): number {
  return rec_emitted_ms;
}

export function rec_decode(buf: Uint8Array, end: number, state: Float64Array, out_rec: Int32Array): number {
  let p = state[CODEC_POS];
  if (p + 2 > end) return -1;
  const kind = buf[p];
  const count = buf[p + 1];
  if (kind === 0 || count > REC_FIELDS_MAX || count > out_rec.length) return -1;
  p = get_varint(buf, p + 2, end);
  if (p < 0) return -1;
  const seq = state[CODEC_PREV_SEQ] + varint_value;
  p = get_varint(buf, p, end);
  if (p < 0) return -1;
  const emitted_ms = state[CODEC_PREV_EMIT] + unzigzag(varint_value);
  const t_field = rec_time_field(kind);
  let beat_index = state[CODEC_PREV_BEAT_INDEX];
  for (let i = 0; i < count; i++) {
    p = get_varint(buf, p, end);
    if (p < 0) return -1;
    let v = unzigzag(varint_value);
    if (i === t_field) {
      v = v + emitted_ms;
    } else if (kind === out.OUT_KIND_BEAT && i === out.BEAT_INDEX) {
      v = v + beat_index;
      beat_index = v;
    }
    out_rec[i] = v;
  }
  state[CODEC_PREV_SEQ] = seq;
  state[CODEC_PREV_EMIT] = emitted_ms;
  state[CODEC_PREV_BEAT_INDEX] = beat_index;
  state[CODEC_POS] = p;
  rec_kind = kind;
  rec_count = count;
  rec_emitted_ms = emitted_ms;
  return seq;
}
