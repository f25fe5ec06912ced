// The compact encoding of one history record inside a flash block (docs/storage.md):
//   - kind u8, plus 128 when the record has its kind's usual field count (rec_std_count),
//     which is then not stored; otherwise field_count u8 follows;
//   - seq delta (varint) from the previous record of the block (0 for the first, whose seq
//     is the block's first_seq);
//   - an HRV window only: its window_s (zigzag varint), which picks its slot (below);
//   - emitted_ms (zigzag varint): delta from the previous record's (the block's first:
//     absolute); an HRV window whose slot has one before it: delta from the time that
//     window's rhythm predicts (its last emission plus its last step: 0 when on time);
//   - the other fields as zigzag varints, with deltas that make the common records small:
//     - a record's time field (beat/hr/status time_ms, hrv end_ms) relative to its emitted_ms;
//     - a beat's beat_index relative to the previous beat of the block;
//     - an HRV window's statistics (beat_count .. pnn50_permille) relative to the previous
//       window of the block with the same window_s (two slots: the 60 s and 300 s windows
//       interleave), as they change slowly from one window to the next.
// Varints are little-endian base-128 groups; zigzag maps 0, -1, 1, -2 to 0, 1, 2, 3. Values
// are 32-bit fields or differences of two of them, so a varint is at most 5 bytes
// (zigzag < 2^33 < 2^35). Arithmetic on them stays exact below 2^53 (no 32-bit bitwise ops).
// A typical beat takes 9 bytes, an HR record 7, an HRV window 13 to 15.

import * as out from "../output.js";

/** Longest encoding of one record: 2 + 5 (seq delta) + 5 (emitted) + 12 fields * 5. */
export const REC_BYTES_MAX = 72;
export const REC_FIELDS_MAX = 12;

// Decoder / encoder state for one block: [prev_seq, prev_emitted_ms, prev_beat_index, pos,
// then HRV_SLOTS slots of [window_s, emitted_ms, its step from the window before, the
// HRV_DELTA_COUNT statistics]].
export const CODEC_PREV_SEQ = 0;
export const CODEC_PREV_EMIT = 1;
export const CODEC_PREV_BEAT_INDEX = 2;
export const CODEC_POS = 3;
const CODEC_HRV = 4;
const HRV_SLOTS = 2;
const SLOT_WINDOW = 0;
const SLOT_EMIT = 1;
const SLOT_STEP = 2;
const SLOT_STATS = 3;
const HRV_DELTA_FIRST = out.HRV_BEAT_COUNT;
const HRV_DELTA_COUNT = out.HRV_PNN50_PERMILLE - out.HRV_BEAT_COUNT + 1;
const HRV_SLOT_WORDS = SLOT_STATS + HRV_DELTA_COUNT;
export const CODEC_STATE_WORDS = CODEC_HRV + HRV_SLOTS * HRV_SLOT_WORDS;

const VARINT_BYTES_MAX = 5;
/** Below this, values are small integers on every engine (JerryScript boxes those beyond 2^27). */
const SMALL_INT_LIMIT = 0x8000000;

let hrv_slot_known = 0;

/**
 * The state word where the HRV slot for window_s starts: the slot that holds it
 * (hrv_slot_known = 1), else a free one, else the last one, cleared (hrv_slot_known = 0).
 * Encoder and decoder call it at the same point of a record, so they agree.
 */
function hrv_slot(state: Float64Array, window_s: number): number {
  let free = -1;
  for (let k = 0; k < HRV_SLOTS; k++) {
    const at = CODEC_HRV + k * HRV_SLOT_WORDS;
    if (state[at + SLOT_WINDOW] === window_s && window_s !== 0) {
      hrv_slot_known = 1;
      return at;
    }
    if (free < 0 && state[at + SLOT_WINDOW] === 0) free = at;
  }
  const at = free >= 0 ? free : CODEC_HRV + (HRV_SLOTS - 1) * HRV_SLOT_WORDS;
  for (let i = 0; i < HRV_SLOT_WORDS; i++) state[at + i] = 0;
  state[at + SLOT_WINDOW] = window_s;
  hrv_slot_known = 0;
  return at;
}

/** After an HRV record: its slot remembers its emission, step and statistics. */
function hrv_slot_update(state: Float64Array, at: number, known: number, emitted_ms: number, fields: Int32Array, count: number): void {
  state[at + SLOT_STEP] = known !== 0 ? emitted_ms - state[at + SLOT_EMIT] : 0;
  state[at + SLOT_EMIT] = emitted_ms;
  for (let i = 0; i < HRV_DELTA_COUNT && HRV_DELTA_FIRST + i < count; i++) state[at + SLOT_STATS + i] = fields[HRV_DELTA_FIRST + i];
}

/** Kinds are 1..KIND_MAX: the kind byte's top bit says the count byte is left out. */
export const KIND_MAX = 127;
const KIND_STD_COUNT = 128;

/** The field count a kind's records have (its count byte is then left out), -1 when none. */
export function rec_std_count(kind: number): number {
  if (kind === out.OUT_KIND_BEAT) return out.BEAT_FIELDS;
  if (kind === out.OUT_KIND_HR) return out.HR_FIELDS;
  if (kind === out.OUT_KIND_HRV) return out.HRV_FIELDS;
  if (kind === out.OUT_KIND_STATUS) return out.STATUS_FIELDS;
  return -1;
}

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
 * Encode one record at state[CODEC_POS] of buf, to end at or before end. Returns the new
 * position, or -1 when it does not fit (state unchanged). buf must have REC_BYTES_MAX bytes
 * past the position, as the record is written before its length is known.
 */
let enc_buf: Uint8Array | null = null; // rec_encode's buffer-length cache
let enc_buf_len = 0;

export function rec_encode(
  buf: Uint8Array, end: number, state: Float64Array, seq: number, kind: number,
  fields: Int32Array, count: number, emitted_ms: number,
): number {
  let p = state[CODEC_POS];
  // buf.length through a one-entry cache (a typed array's length is a getter call on an
  // interpreter; the log encodes into one buffer per ring, mostly the beats'; a length
  // never changes).
  if (buf !== enc_buf) {
    enc_buf = buf;
    enc_buf_len = buf.length;
  }
  if (p >= end || p + REC_BYTES_MAX > enc_buf_len) return -1;
  // The two records of every beat (beat, heart rate) at their usual field counts, written out
  // field by field: the general loop below without its per-field tests (a loop here costs
  // ~550 instructions a sample on JerryScript at 50 Hz). The same bytes. Both start with the
  // time (BEAT_TIME_MS, HR_TIME_MS: field 0, against the emission).
  const is_beat = kind === out.OUT_KIND_BEAT && count === out.BEAT_FIELDS;
  if (is_beat || (kind === out.OUT_KIND_HR && count === out.HR_FIELDS)) {
    buf[p] = kind + KIND_STD_COUNT;
    p = p + 1;
    let v = seq - state[CODEC_PREV_SEQ];
    if (v >= 0 && v < 128) {
      buf[p] = v;
      p = p + 1;
    } else {
      p = put_varint(buf, p, v);
    }
    let z = emitted_ms - state[CODEC_PREV_EMIT];
    z = z >= 0 ? z * 2 : -z * 2 - 1;
    if (z < 128) {
      buf[p] = z;
      p = p + 1;
    } else {
      p = put_varint(buf, p, z);
    }
    v = fields[0] - emitted_ms;
    z = v >= 0 ? v * 2 : -v * 2 - 1;
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
    if (is_beat) {
      v = fields[out.BEAT_IBI_MS];
      z = v >= 0 ? v * 2 : -v * 2 - 1;
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
      v = fields[out.BEAT_IBI_VALID];
      z = v >= 0 ? v * 2 : -v * 2 - 1;
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
      v = fields[out.BEAT_SQI];
      z = v >= 0 ? v * 2 : -v * 2 - 1;
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
      v = fields[out.BEAT_AMPLITUDE];
      z = v >= 0 ? v * 2 : -v * 2 - 1;
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
      const beat_index = fields[out.BEAT_INDEX];
      v = beat_index - state[CODEC_PREV_BEAT_INDEX];
      z = v >= 0 ? v * 2 : -v * 2 - 1;
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
      if (p > end) return -1;
      state[CODEC_PREV_SEQ] = seq;
      state[CODEC_PREV_EMIT] = emitted_ms;
      state[CODEC_PREV_BEAT_INDEX] = beat_index;
      state[CODEC_POS] = p;
      return p;
    }
    v = fields[out.HR_BPM_X10];
    z = v >= 0 ? v * 2 : -v * 2 - 1;
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
    v = fields[out.HR_CONFIDENCE];
    z = v >= 0 ? v * 2 : -v * 2 - 1;
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
    if (p > end) return -1;
    state[CODEC_PREV_SEQ] = seq;
    state[CODEC_PREV_EMIT] = emitted_ms;
    state[CODEC_POS] = p; // (the previous beat index is unchanged)
    return p;
  }
  // rec_time_field(kind) and rec_std_count(kind), written out (a call costs more than the
  // tests on an interpreter, and this runs for every record).
  const t_field = kind === out.OUT_KIND_HRV ? out.HRV_END_MS
    : kind === out.OUT_KIND_BEAT || kind === out.OUT_KIND_HR || kind === out.OUT_KIND_STATUS ? 0 : -1;
  const std_count = kind === out.OUT_KIND_BEAT ? out.BEAT_FIELDS : kind === out.OUT_KIND_HR ? out.HR_FIELDS
    : kind === out.OUT_KIND_HRV ? out.HRV_FIELDS : kind === out.OUT_KIND_STATUS ? out.STATUS_FIELDS : -1;
  if (count === std_count) {
    buf[p] = kind + KIND_STD_COUNT; // the kind's usual field count: no count byte
    p = p + 1;
  } else {
    buf[p] = kind;
    buf[p + 1] = count;
    p = p + 2;
  }
  const seq_delta = seq - state[CODEC_PREV_SEQ];
  if (seq_delta >= 0 && seq_delta < 128) {
    buf[p] = seq_delta; // put_varint's one-byte case, written out: consecutive records
    p = p + 1;
  } else {
    p = put_varint(buf, p, seq_delta);
  }
  // An HRV window starts with its window_s, which picks its slot: its emission is then
  // stored against the one its window's rhythm predicts (0 when on time), its statistics
  // against that window's last. A slot taken by a record that then does not fit is
  // harmless: the caller starts a fresh block, whose reset clears the slots.
  let slot = -1;
  let known = 0;
  let emit_base = state[CODEC_PREV_EMIT];
  let first = 0;
  if (kind === out.OUT_KIND_HRV && count > 0) {
    p = put_zigzag(buf, p, fields[out.HRV_WINDOW_S]);
    slot = hrv_slot(state, fields[out.HRV_WINDOW_S]);
    known = hrv_slot_known;
    if (known !== 0) emit_base = state[slot + SLOT_EMIT] + state[slot + SLOT_STEP];
    first = 1;
  }
  const emit_delta = emitted_ms - emit_base;
  const emit_z = emit_delta >= 0 ? emit_delta * 2 : -emit_delta * 2 - 1;
  if (emit_z < 128) {
    buf[p] = emit_z; // put_zigzag's one-byte case, written out
    p = p + 1;
  } else {
    p = put_varint(buf, p, emit_z);
  }
  let beat_index = state[CODEC_PREV_BEAT_INDEX];
  for (let i = first; i < count; i++) {
    let v = fields[i];
    if (i === t_field) {
      v = v - emitted_ms;
    } else if (kind === out.OUT_KIND_BEAT && i === out.BEAT_INDEX) {
      v = fields[i] - beat_index;
      beat_index = fields[i];
    } else if (slot >= 0 && i >= HRV_DELTA_FIRST && i < HRV_DELTA_FIRST + HRV_DELTA_COUNT) {
      v = fields[i] - state[slot + SLOT_STATS + i - HRV_DELTA_FIRST];
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
  if (p > end) return -1;
  if (slot >= 0) hrv_slot_update(state, slot, known, emitted_ms, fields, count);
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
  for (let i = CODEC_HRV; i < CODEC_STATE_WORDS; i++) state[i] = 0;
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
  if (p + 1 > end) return -1;
  let kind = buf[p];
  let count = 0;
  if (kind >= KIND_STD_COUNT) {
    kind = kind - KIND_STD_COUNT;
    count = rec_std_count(kind);
    p = p + 1;
  } else {
    if (p + 2 > end) return -1;
    count = buf[p + 1];
    p = p + 2;
  }
  if (kind === 0 || count < 0 || count > REC_FIELDS_MAX || count > out_rec.length) return -1;
  p = get_varint(buf, p, end);
  if (p < 0) return -1;
  const seq = state[CODEC_PREV_SEQ] + varint_value;
  let slot = -1;
  let known = 0;
  let emit_base = state[CODEC_PREV_EMIT];
  let first = 0;
  if (kind === out.OUT_KIND_HRV && count > 0) {
    p = get_varint(buf, p, end);
    if (p < 0) return -1;
    out_rec[out.HRV_WINDOW_S] = unzigzag(varint_value);
    slot = hrv_slot(state, out_rec[out.HRV_WINDOW_S]);
    known = hrv_slot_known;
    if (known !== 0) emit_base = state[slot + SLOT_EMIT] + state[slot + SLOT_STEP];
    first = 1;
  }
  p = get_varint(buf, p, end);
  if (p < 0) return -1;
  const emitted_ms = emit_base + unzigzag(varint_value);
  const t_field = rec_time_field(kind);
  let beat_index = state[CODEC_PREV_BEAT_INDEX];
  for (let i = first; i < count; i++) {
    p = get_varint(buf, p, end);
    if (p < 0) return -1;
    let v = unzigzag(varint_value);
    if (i === t_field) {
      v = v + emitted_ms;
    } else if (kind === out.OUT_KIND_BEAT && i === out.BEAT_INDEX) {
      v = v + beat_index;
      beat_index = v;
    } else if (slot >= 0 && i >= HRV_DELTA_FIRST && i < HRV_DELTA_FIRST + HRV_DELTA_COUNT) {
      v = v + state[slot + SLOT_STATS + i - HRV_DELTA_FIRST];
    }
    out_rec[i] = v;
  }
  if (slot >= 0) hrv_slot_update(state, slot, known, emitted_ms, out_rec, count);
  state[CODEC_PREV_SEQ] = seq;
  state[CODEC_PREV_EMIT] = emitted_ms;
  state[CODEC_PREV_BEAT_INDEX] = beat_index;
  state[CODEC_POS] = p;
  rec_kind = kind;
  rec_count = count;
  rec_emitted_ms = emitted_ms;
  return seq;
}
