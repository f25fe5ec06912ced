// The history log store: sequences from 1, wrap-around overwriting the oldest, reads by
// sequence, bad records refused.

import t from 'tap';
import {
  LOG_CAPACITY_RECORDS,
  LOG_ERR_BAD_RECORD,
  LOG_FIELDS_MAX,
  log_append,
  log_count_records,
  log_first_seq,
  log_last_seq,
  log_ram_bytes,
  log_slot_field,
  log_slot_field_count,
  log_slot_kind,
  log_slot_of,
  log_slot_seq,
  log_store_boot,
  log_store_reset,
} from '../../firmware/store/log-store.js';

const rec = new Int32Array(LOG_FIELDS_MAX);

function append(kind: number, base: number, n: number): number {
  for (let i = 0; i < LOG_FIELDS_MAX; i++) rec[i] = base + i;
  return log_append(kind, rec, n, 0);
}

t.test('empty, then sequences from 1', async (t) => {
  log_store_boot();
  t.equal(log_count_records(), 0);
  t.equal(log_first_seq(), 0, 'first_seq 0 when empty');
  t.equal(log_last_seq(), 0, 'last_seq 0 when empty');
  t.equal(log_slot_of(1), -1);
  t.equal(append(1, 100, 6), 1);
  t.equal(append(2, 200, 3), 2);
  t.equal(append(3, 300, 9), 3);
  t.equal(log_first_seq(), 1);
  t.equal(log_last_seq(), 3);
  const s = log_slot_of(2);
  t.equal(log_slot_kind(s), 2);
  t.equal(log_slot_field_count(s), 3);
  t.equal(log_slot_seq(s), 2);
  t.same([0, 1, 2, 3].map((i) => log_slot_field(s, i)), [200, 201, 202, 0], 'fields past field_count read 0');
  t.equal(log_slot_of(0), -1);
  t.equal(log_slot_of(4), -1, 'not written yet');
  t.equal(log_ram_bytes(), LOG_CAPACITY_RECORDS * (4 * LOG_FIELDS_MAX + 10));
});

t.test('full: the oldest are overwritten and first_seq moves on', async (t) => {
  log_store_reset();
  const total = LOG_CAPACITY_RECORDS * 2 + 17;
  let seqs_ok = true;
  for (let i = 1; i <= total; i++) if (append((i % 4) + 1, i * 10, 5) !== i) seqs_ok = false;
  t.ok(seqs_ok, 'each append returns the next sequence');
  t.equal(log_count_records(), LOG_CAPACITY_RECORDS);
  t.equal(log_last_seq(), total);
  t.equal(log_first_seq(), total - LOG_CAPACITY_RECORDS + 1);
  t.equal(log_slot_of(log_first_seq() - 1), -1, 'overwritten');
  let ok = true;
  for (let seq = log_first_seq(); seq <= log_last_seq(); seq++) {
    const s = log_slot_of(seq);
    if (s < 0 || log_slot_seq(s) !== seq || log_slot_field(s, 0) !== seq * 10 || log_slot_kind(s) !== (seq % 4) + 1) ok = false;
  }
  t.ok(ok, 'every retained record reads back by its sequence');
});

t.test('bad records are refused without a sequence', async (t) => {
  log_store_reset();
  t.equal(append(0, 1, 3), LOG_ERR_BAD_RECORD, 'kind 0');
  t.equal(append(256, 1, 3), LOG_ERR_BAD_RECORD, 'kind 256');
  t.equal(append(1, 1, LOG_FIELDS_MAX + 1), LOG_ERR_BAD_RECORD, 'too many fields');
  t.equal(log_append(1, new Int32Array(2), 3, 0), LOG_ERR_BAD_RECORD, 'fields beyond the array');
  t.equal(append(1, 1, 0), 1, 'a record with no fields is fine');
  t.equal(log_last_seq(), 1);
});
