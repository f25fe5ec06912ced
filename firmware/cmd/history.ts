// History read (group 68, command 0; PROTOCOL.md section 8.5): a page of records from the
// log store, from from_seq on, at most max_records, optionally of some kinds only; bounded
// by the frame size (a record that does not fit goes to the next page) and by a scan
// budget (HISTORY_SCAN_MAX records examined per request, for kind-filtered reads).
// next_seq is one past the last record examined, so paging with it returns every record
// exactly once while the log does not overwrite them.

import { assert } from "../lib/assert.js";
import * as out from "../output.js";
import { CBOR_MAJOR_ARRAY } from "../../protocol/device/cbor.js";
import {
  CMD_HISTORY_ERASE,
  CMD_HISTORY_READ,
  ERR_BAD_OP,
  ERR_BAD_VALUE,
  ERR_MISSING_FIELD,
  ERR_UNKNOWN,
  ERR_UNKNOWN_COMMAND,
  FRAME_SIZE_MAX,
  HISTORY_PAGE_RECORDS_MAX,
  OP_READ,
  OP_WRITE,
  RECORD_KIND_MAX,
  STREAM_ALL,
} from "../../protocol/ids.js";
import {
  LOG_RING_BEATS,
  log_erase_all,
  log_first_seq,
  log_last_seq,
  log_read,
  log_rec_emitted_ms,
  log_rec_field,
  log_rec_field_count,
  log_rec_kind,
  log_ring_first_seq,
  log_sync,
} from "../store/log-store.js";
import {
  enc_array,
  enc_bool,
  enc_failed,
  enc_frame,
  enc_int,
  enc_key_uint,
  enc_map,
  enc_position,
  enc_rewind,
  enc_set_end,
  enc_text,
  enc_uint,
  fail_key,
  fail_unknown,
  req_find,
  req_key_is,
  req_pair_count,
  req_uint,
  req_value,
} from "./codec.js";
import { time_device_ms } from "./time.js";
import { RECORD_AUDIT } from "../../protocol/ids.js";
import { auth_record_visible } from "../auth/auth.js";

/** Records examined per request at most (kind-filtered reads skip many). */
export const HISTORY_SCAN_MAX = 1024;
/**
 * Room kept after the records for next_seq, first_seq, last_seq (3 * (1 + 9 + 5) = 45 bytes)
 * and beats_first_seq (1 + 15 + 5 = 21 bytes).
 */
const HISTORY_TRAILER_BYTES = 68;
const U32_MAX = 0xffffffff;
const ARRAY_HEAD_RESERVED = 2; // 0x98 + count: HISTORY_PAGE_RECORDS_MAX <= 255

const FAULT_HISTORY = 78;

/** Handle a history command. Writes the response body; returns 0 or -rc. */
export function cmd_history(op: number, cmd: number): number {
  if (cmd === CMD_HISTORY_ERASE) return cmd_history_erase(op);
  if (cmd !== CMD_HISTORY_READ) return -ERR_UNKNOWN_COMMAND;
  if (op !== OP_READ) return -ERR_BAD_OP;
  const n = req_pair_count(0);
  for (let i = 0; i < n; i++) {
    if (!req_key_is(0, i, "from_seq") && !req_key_is(0, i, "max_records") && !req_key_is(0, i, "kinds")) {
      return fail_unknown(0, i, "");
    }
  }
  if (req_find(0, "from_seq") < 0) return fail_key(-ERR_MISSING_FIELD, "", "from_seq");
  if (req_find(0, "max_records") < 0) return fail_key(-ERR_MISSING_FIELD, "", "max_records");
  let rc = req_uint(0, "", "from_seq", 0, U32_MAX);
  if (rc < 0) return rc;
  const from_seq = req_value();
  rc = req_uint(0, "", "max_records", 1, HISTORY_PAGE_RECORDS_MAX);
  if (rc < 0) return rc;
  const max_records = req_value();
  rc = req_uint(0, "", "kinds", 1, STREAM_ALL);
  if (rc < 0) return rc;
  const kinds = rc === 1 ? req_value() : 0; // 0: every kind
  log_sync(); // what a host reads is on flash: a power cut cannot take it back
  const first = log_first_seq();
  const last = log_last_seq();
  if (from_seq > last + 1) return fail_key(-ERR_BAD_VALUE, "", "from_seq");
  let start = from_seq;
  if (start < first) start = first; // overwritten: the page starts at the oldest held
  if (start < 1) start = 1;
  enc_map(5);
  enc_text("records");
  const next_seq = write_records(start, last, max_records, kinds);
  enc_key_uint("next_seq", next_seq);
  enc_key_uint("first_seq", first);
  enc_key_uint("last_seq", last);
  // Beats and per-beat HR are evicted before the rest: below this sequence they are gone.
  const beats_first = log_ring_first_seq(LOG_RING_BEATS);
  enc_key_uint("beats_first_seq", beats_first > 0 ? beats_first : last + 1);
  return 0;
}

/**
 * Erase the whole log (privileged: protocol/ids.ts command_privileged). Body {}; answers
 * {"erased_last_seq": the newest sequence that was erased}; the next record is sequence 1.
 */
function cmd_history_erase(op: number): number {
  if (op !== OP_WRITE) return -ERR_BAD_OP;
  if (req_pair_count(0) > 0) return fail_unknown(0, 0, "");
  log_sync();
  const last = log_last_seq();
  if (log_erase_all() < 0) return -ERR_UNKNOWN;
  enc_map(1);
  enc_key_uint("erased_last_seq", last);
  return 0;
}

/** The records array; returns next_seq. */
function write_records(start: number, last: number, max_records: number, kinds: number): number {
  const head_pos = enc_position();
  const buf = enc_frame();
  enc_array(HISTORY_PAGE_RECORDS_MAX); // placeholder head of ARRAY_HEAD_RESERVED bytes, fixed below
  if (enc_failed()) return start; // no room at all: the caller's encoder error reports it
  assert(enc_position() === head_pos + ARRAY_HEAD_RESERVED, FAULT_HISTORY);
  enc_set_end(FRAME_SIZE_MAX - HISTORY_TRAILER_BYTES);
  let next = start;
  let count = 0;
  let from = start;
  for (let i = 0; i < HISTORY_SCAN_MAX; i++) {
    if (from > last || count >= max_records) break;
    const seq = log_read(from);
    if (seq === 0 || seq > last) {
      next = last + 1; // nothing more stored: the rest of the range was evicted or lost
      break;
    }
    from = seq + 1;
    const kind = log_rec_kind();
    const bit = kind >= 1 && kind <= RECORD_KIND_MAX ? 1 << (kind - 1) : 0;
    if ((kinds !== 0 && (bit & kinds) === 0) || !auth_record_visible(kind)) {
      next = seq + 1;
      continue;
    }
    const mark = enc_position();
    write_record(seq, kind);
    if (enc_failed()) {
      enc_rewind(mark); // the frame is full: this record opens the next page
      break;
    }
    count = count + 1;
    next = seq + 1;
  }
  enc_set_end(FRAME_SIZE_MAX);
  // The shortest head for count (RFC 8949 preferred serialization): one byte below 24.
  const end = enc_position();
  if (count >= 24) {
    buf[head_pos + 1] = count;
  } else {
    buf[head_pos] = (CBOR_MAJOR_ARRAY << 5) | count;
    for (let p = head_pos + ARRAY_HEAD_RESERVED; p < end; p++) buf[p - 1] = buf[p];
    enc_rewind(end - 1);
  }
  return next;
}

function field(index: number): number {
  return log_rec_field(index);
}

function nonneg(v: number): number {
  return v > 0 ? v : 0;
}

function write_record(seq: number, kind: number): void {
  const n = log_rec_field_count();
  if (kind === out.OUT_KIND_BEAT && n >= out.BEAT_FIELDS) {
    enc_array(9);
    enc_uint(seq);
    enc_uint(kind);
    enc_uint(time_device_ms(field(out.BEAT_TIME_MS)));
    enc_uint(nonneg(field(out.BEAT_IBI_MS)));
    enc_bool(field(out.BEAT_IBI_VALID));
    enc_uint(nonneg(field(out.BEAT_SQI)));
    enc_int(field(out.BEAT_AMPLITUDE));
    enc_uint(nonneg(field(out.BEAT_INDEX)));
    enc_uint(time_device_ms(log_rec_emitted_ms()));
  } else if (kind === out.OUT_KIND_HR && n >= out.HR_FIELDS) {
    enc_array(6);
    enc_uint(seq);
    enc_uint(kind);
    enc_uint(time_device_ms(field(out.HR_TIME_MS)));
    enc_uint(nonneg(field(out.HR_BPM_X10)));
    enc_uint(nonneg(field(out.HR_CONFIDENCE)));
    enc_uint(time_device_ms(log_rec_emitted_ms()));
  } else if (kind === out.OUT_KIND_HRV && n >= out.HRV_FIELDS) {
    enc_array(12);
    enc_uint(seq);
    enc_uint(kind);
    enc_uint(time_device_ms(field(out.HRV_END_MS)));
    enc_uint(nonneg(field(out.HRV_WINDOW_S)));
    enc_uint(nonneg(field(out.HRV_BEAT_COUNT)));
    enc_uint(nonneg(field(out.HRV_VALID_PERMILLE)));
    enc_uint(nonneg(field(out.HRV_MEAN_IBI_MS_X10)));
    enc_uint(nonneg(field(out.HRV_SDNN_MS_X10)));
    enc_uint(nonneg(field(out.HRV_RMSSD_MS_X10)));
    enc_uint(nonneg(field(out.HRV_PNN50_PERMILLE)));
    enc_bool(field(out.HRV_PUBLISHED));
    enc_uint(time_device_ms(log_rec_emitted_ms()));
  } else if (kind === out.OUT_KIND_STATUS && n >= out.STATUS_FIELDS) {
    enc_array(6);
    enc_uint(seq);
    enc_uint(kind);
    enc_uint(time_device_ms(field(out.STATUS_TIME_MS)));
    enc_uint(nonneg(field(out.STATUS_CODE)));
    enc_int(field(out.STATUS_VALUE));
    enc_uint(time_device_ms(log_rec_emitted_ms()));
  } else if (kind === RECORD_AUDIT && n >= 4) {
    // [seq, 16, time_ms, event, host id bytes 0..3, 4..7, detail] (PROTOCOL.md section 11)
    enc_array(7);
    enc_uint(seq);
    enc_uint(kind);
    enc_uint(time_device_ms(log_rec_emitted_ms()));
    enc_uint(nonneg(field(0)));
    enc_uint(field(1) >>> 0);
    enc_uint(field(2) >>> 0);
    enc_uint(field(3) >>> 0);
  } else {
    // A kind this version does not know (or a short record): [seq, kind, fields...].
    enc_array(2 + n);
    enc_uint(seq);
    enc_uint(kind);
    for (let i = 0; i < n; i++) enc_int(field(i));
  }
}
