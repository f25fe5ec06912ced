// The flash log store: records come back bit-exact after a reboot (a fresh module instance:
// nothing but the flash carries over), batching and its bound, the recovery record, every
// write unit, bad geometry, and RAM that does not grow with the flash.

import t from 'tap';
import * as log from '../../firmware/store/log-store.js';
import * as out from '../../firmware/output.js';
import { NorFlash } from '../../sim/flash/nor-flash.js';

const SECTOR = 4096;

function flashOf(sectors: number, unit = 4): NorFlash {
  return new NorFlash({ size_bytes: sectors * SECTOR, sector_bytes: SECTOR, write_unit_bytes: unit });
}

type Rec = { kind: number; fields: number[]; emitted_ms: number };
type Store = typeof log;

function append(store: Store, r: Rec): number {
  return store.log_append(r.kind, Int32Array.from(r.fields), r.fields.length, r.emitted_ms);
}

function readAll(store: Store): (Rec & { seq: number })[] {
  const got: (Rec & { seq: number })[] = [];
  let s = 1;
  for (let i = 0; i < 1_000_000; i++) {
    const seq = store.log_read(s);
    if (seq === 0) break;
    got.push({ seq, kind: store.log_rec_kind(), fields: Array.from({ length: store.log_rec_field_count() }, (_, k) => store.log_rec_field(k)), emitted_ms: store.log_rec_emitted_ms() });
    s = seq + 1;
  }
  return got;
}

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const samples: Rec[] = [
  { kind: out.OUT_KIND_BEAT, fields: [1000, 850, 1, 97, 1234, 1], emitted_ms: 1150 },
  { kind: out.OUT_KIND_HR, fields: [1000, 705, 88], emitted_ms: 1150 },
  { kind: out.OUT_KIND_HRV, fields: [60, 60000, 70, 950, 8571, 421, 388, 120, 1], emitted_ms: 60010 },
  { kind: out.OUT_KIND_STATUS, fields: [61000, 2, -5], emitted_ms: 61000 },
  { kind: out.OUT_KIND_BEAT, fields: [I32_MAX, I32_MIN, 0, 0, I32_MIN, I32_MAX], emitted_ms: I32_MAX },
  { kind: out.OUT_KIND_BEAT, fields: [I32_MIN, I32_MAX, 1, 100, I32_MAX, 0], emitted_ms: 0 },
  { kind: 9, fields: [I32_MIN, -1, 0, 1, I32_MAX, 7, 8, 9, 10, 11, 12, 13], emitted_ms: 5 },
  { kind: log.LOG_KIND_MAX, fields: [], emitted_ms: 6 },
];

t.test('records come back bit-exact after a reboot that keeps only the flash', async (t) => {
  const flash = flashOf(16);
  t.equal(log.log_store_boot(flash, 0, 16 * SECTOR, 5000, 5000, 0), 0);
  t.same([log.log_first_seq(), log.log_last_seq()], [0, 0], 'a blank flash: an empty log');
  for (const r of samples) append(log, r);
  t.equal(log.log_sync(), 0);
  t.same(readAll(log).map(({ seq, ...r }) => r), samples, 'read back before the reboot');
  // A fresh instance of the store module: none of its RAM state exists.
  const fresh_url: string = '../../firmware/store/log-store.js?reboot=1'; // a string, so the type check does not resolve the query
  const fresh = (await import(fresh_url)) as Store;
  t.not(fresh, log, 'a separate module instance');
  t.equal(fresh.log_store_boot(flash, 0, 16 * SECTOR, 5000, 5000, 70000), 0);
  const got = readAll(fresh);
  t.same(got.slice(0, samples.length).map(({ seq, ...r }) => r), samples, 'the same records, bit-exact');
  t.same(got.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8], 'sequences kept');
  t.equal(fresh.log_pending_records(), 1, 'the boot on an existing log waits to write its recovery record');
  fresh.log_sync();
  const rec = readAll(fresh).at(-1)!;
  t.same(rec, { seq: 9, kind: out.OUT_KIND_STATUS, fields: [70000, log.STATUS_LOG_RECOVERED, 0], emitted_ms: 70000 }, 'recovery record: no torn block');
  t.equal(append(fresh, samples[0]!), 10, 'appends carry on after the newest');
});

t.test('batching: records wait at most flush_ms (or a full block) in RAM', async (t) => {
  const flash = flashOf(16);
  log.log_store_boot(flash, 0, 16 * SECTOR, 5000, 5000, 0);
  const writes0 = flash.stats.writes;
  for (let ms = 0; ms < 5000; ms += 500) append(log, { kind: out.OUT_KIND_HR, fields: [ms, 700, 90], emitted_ms: ms });
  t.equal(log.log_pending_records(), 10, '10 records in RAM');
  t.equal(flash.stats.writes, writes0, 'nothing written yet');
  log.log_poll(4999);
  t.equal(log.log_pending_records(), 10, 'not before flush_ms');
  log.log_poll(5000);
  t.equal(log.log_pending_records(), 0, 'written at flush_ms after the first');
  // A cut now loses only what waits in RAM: at most flush_ms of records.
  for (let ms = 5000; ms < 9000; ms += 500) append(log, { kind: out.OUT_KIND_HR, fields: [ms, 700, 90], emitted_ms: ms });
  log.log_store_boot(flash, 0, 16 * SECTOR, 5000, 5000, 9000);
  const kept = readAll(log).filter((r) => r.kind === out.OUT_KIND_HR);
  t.equal(kept.length, 10, 'the 8 records of the last 4 s were lost, the 10 written kept');
  // A full block goes at once whatever the time.
  log.log_erase_all();
  for (let i = 0; i < 40; i++) append(log, { kind: out.OUT_KIND_HRV, fields: [60, i, 70, 950, 8571, 421, 388, 120, 1], emitted_ms: 0 });
  t.ok(log.log_pending_records() < 40, 'a block filled and was written without waiting');
  t.equal(log.LOG_FLUSH_MS_DEFAULT, 5000);
});

t.test('every write unit of the model works', async (t) => {
  for (const unit of [1, 2, 8, 16]) {
    const flash = flashOf(8, unit);
    t.equal(log.log_store_boot(flash, 0, 8 * SECTOR, 1000, 1000, 0), 0);
    const want: Rec[] = [];
    for (let i = 0; i < 3000; i++) {
      const r = i % 3 === 0 ? { kind: out.OUT_KIND_HRV, fields: [60, i * 1000, 70, 950, 8571, 421, 388, 120, 1], emitted_ms: i * 1000 } : { kind: out.OUT_KIND_HR, fields: [i * 1000, 600 + i, 90], emitted_ms: i * 1000 + 3 };
      append(log, r);
      want.push(r);
    }
    log.log_store_boot(flash, 0, 8 * SECTOR, 1000, 1000, 3_000_000);
    const got = readAll(log);
    const bf = log.log_ring_first_seq(log.LOG_RING_BEATS);
    const sf = log.log_ring_first_seq(log.LOG_RING_SUMMARY);
    const expect = want.map((r, i) => ({ seq: i + 1, ...r })).filter((r) => r.seq >= (r.kind === out.OUT_KIND_HRV ? sf : bf));
    t.same(got.filter((r) => r.seq <= 3000), expect, `unit ${unit}: every record from each ring's oldest kept sector on, bit-exact`);
    t.ok(bf > 1 && sf > 1 && got.length > 700, `unit ${unit}: 32 KB hold ${got.length} records: HRV from ${sf}, HR from ${bf}`);
  }
});

t.test('bad geometry is refused; RAM does not depend on the flash size', async (t) => {
  const flash = flashOf(16);
  t.equal(log.log_store_boot(flash, 100, 8 * SECTOR, 5000, 5000, 0), log.LOG_ERR_FLASH, 'partition not at a sector start');
  t.equal(log.log_store_boot(flash, 0, 3 * SECTOR, 5000, 5000, 0), log.LOG_ERR_FLASH, 'fewer than LOG_SECTORS_MIN sectors');
  t.equal(log.log_store_boot(flash, 0, 8 * SECTOR + 5, 5000, 5000, 0), log.LOG_ERR_FLASH, 'not whole sectors');
  t.equal(log.log_store_boot(flash, 0, 8 * SECTOR, log.LOG_FLUSH_MS_MAX + 1, 5000, 0), log.LOG_ERR_BAD_RECORD, 'flush bound out of range');
  const small = log.log_ram_bytes();
  t.equal(log.log_store_boot(new NorFlash(), 0x80000, 0x80000, 5000, 5000, 0), 0);
  t.equal(log.log_ram_bytes(), small, 'the same RAM for 64 KB and 512 KB');
  t.equal(log.log_append(0, new Int32Array(1), 1, 0), log.LOG_ERR_BAD_RECORD, 'kind 0');
  t.equal(log.log_append(log.LOG_KIND_MAX + 1, new Int32Array(1), 1, 0), log.LOG_ERR_BAD_RECORD, 'kind 128: the kind byte top bit is the format flag');
  t.equal(log.log_append(1, new Int32Array(2), 3, 0), log.LOG_ERR_BAD_RECORD, 'fields beyond the array');
  t.equal(log.log_append(1, new Int32Array(13), 13, 0), log.LOG_ERR_BAD_RECORD, 'more than LOG_FIELDS_MAX');
  t.equal(log.log_last_seq(), 0, 'nothing appended by the refused records');
});
