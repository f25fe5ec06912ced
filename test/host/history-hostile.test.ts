// The history reader against rings that lie: its loop is bounded by the host's own limits
// and stops when pages bring no records, whatever last_seq and next_seq the ring claims.

import t from 'tap';
import { readHistory, HISTORY_EMPTY_PAGES_MAX, HISTORY_SCAN_RECORDS, HISTORY_SKIP_PAGES_MAX } from '../../host/client/history.js';
import { ResponseError } from '../../host/client/errors.js';
import type { RingClient } from '../../host/client/client.js';
import { ROLE_OWNER, ROLE_VIEWER } from '../../protocol/ids.js';
import type { HistoryPage } from '../../host/client/messages.js';

/** A client whose ring answers every page request with `answer`. */
function lyingClient(answer: (from_seq: number, max: number, call: number) => HistoryPage): { client: RingClient; calls: () => number } {
  let calls = 0;
  const fake = {
    page_max: 16,
    inflight_limit: 2,
    reconnect: false,
    reconnects_max: 0,
    stats: { reconnects: 0 },
    transport: { connected: true },
    connect: async () => {},
    historyPage: async (from: number, max: number) => answer(from, max, ++calls),
  };
  return { client: fake as unknown as RingClient, calls: () => calls };
}

const U32_MAX = 0xffffffff;

t.test('a ring answering empty pages with last_seq 2^32-1', async (t) => {
  const cases: [string, (from: number, max: number) => HistoryPage][] = [
    ['next_seq stays', (from) => ({ records: [], next_seq: from, first_seq: 1, last_seq: U32_MAX })],
    ['next_seq creeps by one', (from) => ({ records: [], next_seq: from + 1, first_seq: 1, last_seq: U32_MAX })],
    ['next_seq jumps a page', (from, max) => ({ records: [], next_seq: from + max, first_seq: 1, last_seq: U32_MAX })],
  ];
  for (const [what, answer] of cases) {
    const { client, calls } = lyingClient(answer);
    await t.rejects(readHistory(client), ResponseError, `${what}: a protocol error`);
    await t.rejects(readHistory(client), /brought no record .* makes no progress/, `${what}: says why`);
    t.ok(calls() <= 4 * (HISTORY_EMPTY_PAGES_MAX + 2), `${what}: stopped after ${calls()} page requests`);
  }
});

t.test('a ring that sends one record a page stops at --max', async (t) => {
  const { client, calls } = lyingClient((from) => ({ records: [{ seq: from, kind: 1, time_ms: from } as never], next_seq: from + 1, first_seq: 1, last_seq: U32_MAX }));
  const r = await readHistory(client, { max_records: 50 });
  t.equal(r.records.length, 50);
  t.ok(calls() <= 60, `${calls()} page requests for 50 records`);
});

// A kind-filtered read of a long log: the ring examines its scan budget per page, so most
// pages bring no record (thousands of beats between two status records) yet each one moves on.
t.test('a filtered read of a long log pages past thousands of records of other kinds', async (t) => {
  const last = 40 * HISTORY_SCAN_RECORDS;
  const status = new Set([3, 17 * HISTORY_SCAN_RECORDS + 5, last]);
  const { client } = lyingClient((from, max) => {
    const records: never[] = [];
    let seq = from;
    for (let i = 0; i < HISTORY_SCAN_RECORDS && seq <= last && records.length < max; i++, seq++) {
      if (status.has(seq)) records.push({ seq, kind: 4, time_ms: seq } as never);
    }
    return { records, next_seq: seq, first_seq: 1, last_seq: last };
  });
  const r = await readHistory(client, { kinds: 1 << 3 });
  t.same(r.records.map((x) => x.seq), [...status], 'every status record, once');
});

// A viewer's session (PROTOCOL.md 11.4): the ring filters by the grant's scopes, unasked,
// so a long log of beats gives the viewer empty pages that still move on by the budget.
t.test('a viewer\'s read of a long log pages past the records its scopes hide', async (t) => {
  const last = 40 * HISTORY_SCAN_RECORDS;
  const windows = new Set([3, 23 * HISTORY_SCAN_RECORDS + 9, last]);
  const answer = (from: number, max: number): HistoryPage => {
    const records: never[] = [];
    let seq = from;
    for (let i = 0; i < HISTORY_SCAN_RECORDS && seq <= last && records.length < max; i++, seq++) {
      if (windows.has(seq)) records.push({ seq, kind: 3, end_ms: seq } as never);
    }
    return { records, next_seq: seq, first_seq: 1, last_seq: last };
  };
  const viewer = lyingClient(answer);
  (viewer.client as unknown as { session: unknown }).session = { role: ROLE_VIEWER };
  t.same((await readHistory(viewer.client)).records.map((x) => x.seq), [...windows], 'every record the grant shows, once');
  const owner = lyingClient(answer);
  (owner.client as unknown as { session: unknown }).session = { role: ROLE_OWNER };
  await t.rejects(readHistory(owner.client), /makes no progress/, 'the owner\'s reads are never filtered: empty pages there are a stall');
});

t.test('a filtered read from a ring that skips a budget a page forever stops', async (t) => {
  const { client, calls } = lyingClient((from) => ({ records: [], next_seq: from + HISTORY_SCAN_RECORDS, first_seq: 1, last_seq: U32_MAX }));
  await t.rejects(readHistory(client, { kinds: 1 << 3 }), /more than a log holds/, 'a protocol error that says why');
  t.ok(calls() <= HISTORY_SKIP_PAGES_MAX + 2, `stopped after ${calls()} page requests`);
  const creeping = lyingClient((from) => ({ records: [], next_seq: from + 1, first_seq: 1, last_seq: U32_MAX }));
  await t.rejects(readHistory(creeping.client, { kinds: 1 << 3 }), /makes no progress/, 'creeping by one is no progress');
});

// An honest ring whose log is dense, then sparse (beats evicted: one summary record every 70
// sequences), then dense again: pages asked for ahead at a span learned where records were
// dense fall behind the read. Their duplicates are the reader's short guess, not a stall.
t.test('an honest log that turns sparse then dense reads whole, each record once', async (t) => {
  const seqs: number[] = [];
  for (let s = 1; s <= 300; s++) seqs.push(s);
  for (let s = 370; s <= 70 * 400; s += 70) seqs.push(s);
  for (let s = 70 * 400 + 1; s <= 70 * 400 + 500; s++) seqs.push(s);
  const last = seqs[seqs.length - 1]!;
  const { client } = lyingClient((from, max) => {
    const records: never[] = [];
    let next = last + 1;
    for (const seq of seqs) {
      if (seq < from) continue;
      if (records.length >= max) {
        next = seq;
        break;
      }
      records.push({ seq, kind: 3, time_ms: seq } as never);
    }
    return { records, next_seq: next, first_seq: 1, last_seq: last };
  });
  (client as unknown as { inflight_limit: number }).inflight_limit = 4;
  const r = await readHistory(client);
  t.same(r.records.map((x) => x.seq), seqs, `all ${seqs.length} records, in order, once`);
});
