// History log: a RAM ring of the records the firmware emitted (beats, HR, HRV windows,
// status), each numbered by a sequence number assigned monotonically from 1. When the
// ring is full the oldest record is overwritten and the first retained sequence moves on.
// Read by sequence for the history command (PROTOCOL.md section 8.5).
//
// Layout: slot s holds kind, field count, sequence and LOG_FIELDS_MAX int32 fields.
// Sequence -> slot is O(1): the retained records are consecutive sequences ending at
// log_last_seq(), the newest in slot (log_head - 1). Every buffer is allocated by
// log_store_boot() (called once, when the radio is attached), so a ring without a radio
// spends nothing on it. RAM: LOG_CAPACITY_RECORDS * (4 * LOG_FIELDS_MAX + 4 + 1 + 1) bytes.

import { assert } from "../lib/assert.js";
import { OUT_RECORD_FIELDS_MAX } from "../output.js";

/** Records the log holds before it overwrites the oldest (the default, and the most a boot may ask for). */
export const LOG_CAPACITY_RECORDS = 4096;
/** Fewest records a log may hold. */
export const LOG_CAPACITY_RECORDS_MIN = 2;
/** Fields stored per record: every record the firmware emits fits (>= OUT_RECORD_FIELDS_MAX). */
export const LOG_FIELDS_MAX = 12;
/** Sequences are u32 on the wire; past this the log restarts at 1 (after 2^32 - 1 records). */
export const LOG_SEQ_MAX = 0xffffffff;
/** Record kinds are one byte (firmware/output.ts OUT_KIND_*). */
export const LOG_KIND_MAX = 255;

export const LOG_ERR_BAD_RECORD = -1;
export const LOG_ERR_NOT_BOOTED = -2;

const FAULT_LOG = 70;

let log_fields!: Int32Array; // LOG_CAPACITY_RECORDS * LOG_FIELDS_MAX, slot-major
let log_seq!: Uint32Array; // sequence held by each slot (pair assertion on read)
let log_kind!: Uint8Array;
let log_field_count!: Uint8Array;
let log_emitted_ms!: Int32Array; // the ring's clock at emission, ms since boot
let log_booted = 0;
// Records this boot's log holds: a boot parameter (log_store_set_capacity, before the first
// log_store_boot), so an engine with a 64 KB heap can run the whole firmware with a small log.
let log_capacity = LOG_CAPACITY_RECORDS;
let log_count = 0; // records held, 0..LOG_CAPACITY_RECORDS
let log_head = 0; // slot the next record goes to
let log_next_seq = 1; // sequence of the next record
let log_restarts = 0; // times the sequence space ran out (diagnostics)

/**
 * Choose the log's capacity, LOG_CAPACITY_RECORDS_MIN..LOG_CAPACITY_RECORDS records, before
 * the first log_store_boot (ring_ble_attach). Returns 0, or LOG_ERR_BAD_RECORD when out of
 * range or the buffers already exist.
 */
export function log_store_set_capacity(records: number): number {
  if (log_booted !== 0) return LOG_ERR_BAD_RECORD;
  if (!(records >= LOG_CAPACITY_RECORDS_MIN && records <= LOG_CAPACITY_RECORDS) || records % 1 !== 0) return LOG_ERR_BAD_RECORD;
  log_capacity = records;
  return 0;
}

/** Records the log holds before it overwrites the oldest. */
export function log_capacity_records(): number {
  return log_capacity;
}

/** Allocate the buffers (first call only) and empty the log. */
export function log_store_boot(): void {
  // Constant relations, checked here rather than at load: a ring without a radio never
  // runs this module (the ES5 bundle keeps no top-level statement of it).
  assert(log_capacity >= 2 && log_capacity <= 0x100000, FAULT_LOG);
  assert(LOG_FIELDS_MAX >= OUT_RECORD_FIELDS_MAX && LOG_FIELDS_MAX <= 255, FAULT_LOG);
  if (log_booted === 0) {
    log_fields = new Int32Array(log_capacity * LOG_FIELDS_MAX);
    log_seq = new Uint32Array(log_capacity);
    log_emitted_ms = new Int32Array(log_capacity);
    log_kind = new Uint8Array(log_capacity);
    log_field_count = new Uint8Array(log_capacity);
    log_booted = 1;
  }
  log_store_reset();
}

/** Bytes of RAM the log's buffers take. */
export function log_ram_bytes(): number {
  return log_capacity * (4 * LOG_FIELDS_MAX + 4 + 4 + 1 + 1);
}

/** Forget every record; the next one gets sequence 1. */
export function log_store_reset(): void {
  log_count = 0;
  log_head = 0;
  log_next_seq = 1;
}

/** 1 once log_store_boot ran. */
export function log_store_ready(): number {
  return log_booted;
}

/**
 * Append a record: kind 1..255, fields record[0..field_count), field_count 0..LOG_FIELDS_MAX.
 * Returns its sequence (>= 1), LOG_ERR_BAD_RECORD or LOG_ERR_NOT_BOOTED.
 */
export function log_append(kind: number, record: Int32Array, field_count: number, emitted_ms: number): number {
  if (log_booted === 0) return LOG_ERR_NOT_BOOTED;
  if (!(kind >= 1 && kind <= LOG_KIND_MAX)) return LOG_ERR_BAD_RECORD;
  if (!(field_count >= 0 && field_count <= LOG_FIELDS_MAX) || field_count > record.length) return LOG_ERR_BAD_RECORD;
  if (log_next_seq > LOG_SEQ_MAX) {
    log_store_reset(); // 2^32 - 1 records later: hosts see last_seq drop below their next_seq
    log_restarts = log_restarts + 1;
  }
  const slot = log_head;
  const base = slot * LOG_FIELDS_MAX;
  for (let i = 0; i < LOG_FIELDS_MAX; i++) log_fields[base + i] = i < field_count ? record[i] : 0;
  log_kind[slot] = kind;
  log_field_count[slot] = field_count;
  log_emitted_ms[slot] = emitted_ms;
  log_seq[slot] = log_next_seq;
  const seq = log_next_seq;
  log_next_seq = log_next_seq + 1;
  log_head = log_head + 1 === log_capacity ? 0 : log_head + 1;
  if (log_count < log_capacity) log_count = log_count + 1;
  assert(log_count >= 1 && log_count <= log_capacity, FAULT_LOG);
  return seq;
}

/** Records held. */
export function log_count_records(): number {
  return log_count;
}

/** Oldest retained sequence, 0 when the log is empty. */
export function log_first_seq(): number {
  return log_count === 0 ? 0 : log_next_seq - log_count;
}

/** Newest sequence, 0 when the log is empty. */
export function log_last_seq(): number {
  return log_count === 0 ? 0 : log_next_seq - 1;
}

/** Times the sequence space ran out and the log restarted at 1. */
export function log_restart_count(): number {
  return log_restarts;
}

/** Slot of a retained sequence, or -1 when it is not held (overwritten or not yet written). */
export function log_slot_of(seq: number): number {
  if (log_count === 0) return -1;
  const last = log_next_seq - 1;
  const back = last - seq; // 0 for the newest
  if (!(back >= 0 && back < log_count)) return -1;
  let slot = log_head - 1 - back;
  if (slot < 0) slot = slot + log_capacity;
  assert(log_seq[slot] === seq, FAULT_LOG); // pair assertion: written with this sequence
  return slot;
}

export function log_slot_kind(slot: number): number {
  return log_kind[slot];
}

/** The ring's clock (ms since boot) when the record was emitted. */
export function log_slot_emitted_ms(slot: number): number {
  return log_emitted_ms[slot];
}

export function log_slot_field_count(slot: number): number {
  return log_field_count[slot];
}

export function log_slot_field(slot: number, index: number): number {
  assert(index >= 0 && index < LOG_FIELDS_MAX, FAULT_LOG);
  return log_fields[slot * LOG_FIELDS_MAX + index];
}

export function log_slot_seq(slot: number): number {
  return log_seq[slot];
}
