// History read: record layouts, paging that returns every record exactly once, kind
// filters with the scan budget, overwritten records, and every named error.

import t from 'tap';
import {
  CMD_HISTORY_ERASE,
  CMD_HISTORY_READ,
  command_privileged,
  CMD_TIME,
  ERR_BAD_OP,
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_MISSING_FIELD,
  ERR_UNKNOWN_COMMAND,
  ERR_UNKNOWN_FIELD,
  FRAME_SIZE_MAX,
  GROUP_HISTORY,
  GROUP_TIME,
  RECORD_HR,
} from '../../protocol/ids.js';
import { HISTORY_SCAN_MAX } from '../../firmware/cmd/history.js';
import { LOG_RING_BEATS, log_ring_first_seq } from '../../firmware/store/log-store.js';
import { FrameCollector, body, emitBeat, emitHr, emitHrv, emitStatus, read, ready, request, write, type Ring } from './ble-harness.js';

interface Page { records: unknown[][]; next_seq: number; first_seq: number; last_seq: number; beats_first_seq?: number; rc?: number; key?: string }

function page(ring: Ring, req: Record<string, unknown>, c?: FrameCollector): Page {
  return body(request(ring, GROUP_HISTORY, CMD_HISTORY_READ, 0, req, c)) as unknown as Page;
}

t.test('empty log', async (t) => {
  const ring = ready();
  t.same(page(ring, { from_seq: 1, max_records: 10 }), { records: [], next_seq: 1, first_seq: 0, last_seq: 0, beats_first_seq: 1 });
  t.same(page(ring, { from_seq: 0, max_records: 10 }), { records: [], next_seq: 1, first_seq: 0, last_seq: 0, beats_first_seq: 1 });
  t.equal(page(ring, { from_seq: 2, max_records: 10 }).rc, ERR_BAD_VALUE, 'from_seq beyond last_seq + 1');
});

t.test('record layouts, in device clock', async (t) => {
  const ring = ready();
  emitBeat(1000, 850, 1, 97, 1234, 1);
  emitHr(1000, 705, 88);
  emitHrv(60000, 60, 1);
  emitStatus(61000, 2, 5);
  emitBeat(2000, 0, 0, 40, -7, 2);
  let p = page(ring, { from_seq: 1, max_records: 64 });
  // Each record ends with the ring's clock when it was emitted (0: the clock stands still).
  t.same(p.records, [
    [1, 1, 1000, 850, true, 97, 1234, 1, 0],
    [2, 2, 1000, 705, 88, 0],
    [3, 3, 60000, 60, 70, 950, 8571, 421, 388, 120, true, 0],
    [4, 4, 61000, 2, 5, 0],
    [5, 1, 2000, 0, false, 40, -7, 2, 0],
  ]);
  t.same([p.next_seq, p.first_seq, p.last_seq], [6, 1, 5]);
  // After a time set, times read as device clock: record time + offset.
  ring.hal.now_ms = 3000;
  write(ring, GROUP_TIME, CMD_TIME, { now_ms: 1735689600000 });
  p = page(ring, { from_seq: 2, max_records: 1 });
  t.same(p.records, [[2, 2, 1735689600000 - 3000 + 1000, 705, 88, 1735689600000 - 3000]], 'epoch ms beyond 32 bits');
  t.equal(p.next_seq, 3);
  p = page(ring, { from_seq: 6, max_records: 5 });
  t.same([p.records.length, p.next_seq], [0, 6], 'caught up: from_seq = last_seq + 1');
  void read;
});

t.test('paging returns every record exactly once, frames within limits', async (t) => {
  for (const mtu of [23, 247]) {
    const ring = ready(25, mtu);
    const n = 1500;
    for (let i = 1; i <= n; i++) {
      if (i % 3 === 0) emitHr(i * 100, 600 + (i % 50), 90);
      else if (i % 97 === 0) emitHrv(i * 100, 300, i % 2);
      else emitBeat(i * 100, 800 + (i % 200), i % 5 === 0 ? 0 : 1, 90, 1000 + i, i);
    }
    const c = new FrameCollector(ring);
    const seen: number[] = [];
    let from = 1;
    let pages = 0;
    for (; pages < 200; pages++) {
      const p = page(ring, { from_seq: from, max_records: 64 }, c);
      t.ok(p.records.length <= 64);
      for (const r of p.records) seen.push(r[0] as number);
      t.ok(p.next_seq > from || p.records.length === 0, 'progress');
      from = p.next_seq;
      if (from > p.last_seq) break;
    }
    t.same(seen, Array.from({ length: n }, (_, i) => i + 1), `MTU ${mtu}: every sequence once, in order, in ${pages + 1} pages`);
    t.ok(c.raw.every((f) => f.length <= FRAME_SIZE_MAX), 'no frame beyond FRAME_SIZE_MAX');
    t.ok(c.raw.some((f) => f.length > FRAME_SIZE_MAX - 100), 'pages are filled up to the frame size');
  }
});

t.test('kind filter and scan budget', async (t) => {
  const ring = ready();
  const beats = HISTORY_SCAN_MAX + 500;
  for (let i = 1; i <= beats; i++) emitBeat(i * 10, 800, 1, 90, 100, i);
  emitHr(99999, 650, 80);
  const mask = 1 << (RECORD_HR - 1);
  let p = page(ring, { from_seq: 1, max_records: 64, kinds: mask });
  t.same(p.records, [], 'the scan budget ran out before the HR record');
  t.equal(p.next_seq, HISTORY_SCAN_MAX + 1, 'next_seq: one past the last record examined');
  p = page(ring, { from_seq: p.next_seq, max_records: 64, kinds: mask });
  t.same(p.records, [[beats + 1, 2, 99999, 650, 80, 0]]);
  t.equal(p.next_seq, beats + 2);
});

t.test('evicted records: beats go first, the page starts at first_seq, beats_first_seq marks the gap', async (t) => {
  const ring = ready();
  // Per-beat HR records fill the BEATS ring until its oldest sectors are reclaimed; one
  // HRV window early on stays in the SUMMARY ring.
  emitHr(1, 600, 90);
  emitHrv(60000, 60, 1);
  let n = 2;
  for (; n < 400000 && log_ring_first_seq(LOG_RING_BEATS) <= 1; n++) emitHr(n, 600 + (n % 100), 90);
  t.ok(log_ring_first_seq(LOG_RING_BEATS) > 2, `beats evicted after ${n} records`);
  const p = page(ring, { from_seq: 1, max_records: 3 });
  const bf = p.beats_first_seq!;
  t.equal(p.first_seq, 2, 'first_seq: the HRV window, kept while the beats before it were evicted');
  t.same(p.records.map((r) => [r[0], r[1]]), [[2, 3], [bf, 2], [bf + 1, 2]], 'the HRV window, then the first kept HR records');
  t.equal(p.next_seq, bf + 2);
  t.equal(p.last_seq, n, 'the newest record');
});

t.test('errors', async (t) => {
  const ring = ready();
  emitHr(1, 600, 90);
  const bad: [Record<string, unknown>, number, string][] = [
    [{ max_records: 5 }, ERR_MISSING_FIELD, 'from_seq'],
    [{ from_seq: 1 }, ERR_MISSING_FIELD, 'max_records'],
    [{ from_seq: 1, max_records: 0 }, ERR_BAD_VALUE, 'max_records'],
    [{ from_seq: 1, max_records: 65 }, ERR_BAD_VALUE, 'max_records'],
    [{ from_seq: 1, max_records: 5, kinds: 0 }, ERR_BAD_VALUE, 'kinds'],
    [{ from_seq: 1, max_records: 5, kinds: 16 }, ERR_BAD_VALUE, 'kinds'],
    [{ from_seq: -1, max_records: 5 }, ERR_BAD_VALUE, 'from_seq'],
    [{ from_seq: 3, max_records: 5 }, ERR_BAD_VALUE, 'from_seq'],
    [{ from_seq: 2 ** 32, max_records: 5 }, ERR_BAD_VALUE, 'from_seq'],
    [{ from_seq: '1', max_records: 5 }, ERR_BAD_TYPE, 'from_seq'],
    [{ from_seq: 1, max_records: true }, ERR_BAD_TYPE, 'max_records'],
    [{ from_seq: 1, max_records: 5, until: 9 }, ERR_UNKNOWN_FIELD, 'until'],
  ];
  for (const [req, code, key] of bad) {
    const p = page(ring, req);
    t.same([p.rc, p.key], [code, key], JSON.stringify(req));
  }
  t.equal(body(write(ring, GROUP_HISTORY, CMD_HISTORY_READ, { from_seq: 1, max_records: 1 })).rc, ERR_BAD_OP);
  t.equal(body(read(ring, GROUP_HISTORY, 2)).rc, ERR_UNKNOWN_COMMAND);
});

t.test('erase history: privileged, write {} only, the log starts over at 1', async (t) => {
  const ring = ready();
  for (let i = 1; i <= 5; i++) emitHr(i, 600, 90);
  emitStatus(9, 2, 1);
  t.ok(command_privileged(GROUP_HISTORY, CMD_HISTORY_ERASE), 'marked privileged for the authentication issue');
  t.notOk(command_privileged(GROUP_HISTORY, CMD_HISTORY_READ), 'reading is not');
  t.equal(body(read(ring, GROUP_HISTORY, CMD_HISTORY_ERASE)).rc, ERR_BAD_OP, 'read: bad op');
  t.same(body(write(ring, GROUP_HISTORY, CMD_HISTORY_ERASE, { all: true })), { rc: ERR_UNKNOWN_FIELD, key: 'all' }, 'any key is refused');
  t.equal(page(ring, { from_seq: 1, max_records: 64 }).records.length, 6, 'nothing erased by the refused requests');
  t.same(body(write(ring, GROUP_HISTORY, CMD_HISTORY_ERASE, {})), { erased_last_seq: 6 });
  t.same(page(ring, { from_seq: 1, max_records: 64 }), { records: [], next_seq: 1, first_seq: 0, last_seq: 0, beats_first_seq: 1 });
  emitHr(20, 610, 91);
  t.same(page(ring, { from_seq: 1, max_records: 64 }).records, [[1, 2, 20, 610, 91, 0]], 'the next record is sequence 1');
});
