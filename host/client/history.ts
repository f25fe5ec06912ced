// Reading the ring's history log (PROTOCOL.md 8.5) page by page, surviving a dropped link:
// on a drop the client reconnects and asks again from the sequence after the last record it
// received, so every stored record comes back exactly once and in order. Records the ring
// overwrote before they were read show up as a gap (first_seq > from_seq), never silently.

import { DisconnectedError } from '../transport/transport.js';
import type { RingClient } from './client.js';
import { ROLE_OWNER } from '../../protocol/ids.js';
import { ResponseError, TimeoutError } from './errors.js';
import type { HistoryPage, HistoryRecord } from './messages.js';

export interface HistoryReadOptions {
  /** First sequence wanted (default 1: the oldest stored). */
  from_seq?: number;
  /** Stop after this many records (default: all). */
  max_records?: number;
  /** Record kinds, bit (1 << (kind - 1)); default all. */
  kinds?: number;
  /** Records per page (default: the ring's page_max). */
  page_records?: number;
  /** Called after each page (progress). */
  onPage?: (page: HistoryPage, total: number) => void;
}

export interface HistoryResult {
  records: HistoryRecord[];
  /** Where a later read resumes: one past the last record examined. */
  next_seq: number;
  first_seq: number;
  last_seq: number;
  pages: number;
  /** Times the link dropped during the read (each followed by a reconnect and a resume). */
  resumes: number;
  /** Records asked for but overwritten on the ring before they were read. */
  overwritten: number;
  /** Beats and per-beat HR below this sequence were evicted (rings with a flash log). */
  beats_first_seq?: number;
}

/** Pages one read may take beyond the records it returns (empty pages, retried pages). */
const EXTRA_PAGES_MAX = 1000;
/**
 * Records one read takes at most, whatever the ring's last_seq says: the host's own bound
 * on its loop (a ring answering with last_seq = 2^32-1 must not keep it reading for hours).
 */
export const HISTORY_READ_RECORDS_MAX = 1 << 22;
/** Pages in a row that bring no record: the ring is not making progress. */
export const HISTORY_EMPTY_PAGES_MAX = 4;
/**
 * Records a ring examines for one kind-filtered page unless it reaches the end of its log
 * (PROTOCOL.md 8.5, the scan budget). A filtered page without a record is progress when it
 * skipped that many: a long log holds thousands of records between two status records.
 */
export const HISTORY_SCAN_RECORDS = 1024;
/** Filtered pages without a record one read takes at most (its records bound over the scan budget). */
export const HISTORY_SKIP_PAGES_MAX = HISTORY_READ_RECORDS_MAX / HISTORY_SCAN_RECORDS;

interface InFlight {
  from_seq: number;
  max_records: number;
  /** Sequences the page is assumed to cover (more than max_records where the log has gaps). */
  span: number;
  page: Promise<HistoryPage>;
}

/**
 * Read the log from opts.from_seq on. Up to the client's in-flight limit (the ring's
 * buf_count) pages are requested at once: after the first page, the next ones are asked for
 * speculatively at the sequence where the previous request's records should end (the first
 * page tells how many records fill a frame). Pages are taken in order; a page that came back
 * shorter than assumed leaves a hole that is requested before anything after it is used,
 * and records already received are skipped, so the result is in order and exactly once.
 * When the link drops, the requests in flight are abandoned, the client reconnects and the
 * read resumes at the record after the last one received.
 */
export async function readHistory(client: RingClient, opts: HistoryReadOptions = {}): Promise<HistoryResult> {
  const from_seq = opts.from_seq ?? 1;
  const max_records = opts.max_records ?? Number.MAX_SAFE_INTEGER;
  const page_records = opts.page_records ?? client.page_max;
  if (!Number.isSafeInteger(from_seq) || from_seq < 0 || from_seq > 0xffffffff) throw new RangeError(`from_seq must be in 0..2^32-1, got ${from_seq}`);
  if (!Number.isSafeInteger(max_records) || max_records < 1) throw new RangeError(`max_records must be >= 1, got ${max_records}`);
  if (!Number.isSafeInteger(page_records) || page_records < 1 || page_records > 64) throw new RangeError(`page_records must be in 1..64, got ${page_records}`);
  const result: HistoryResult = { records: [], next_seq: from_seq, first_seq: 0, last_seq: 0, pages: 0, resumes: 0, overwritten: 0 };
  const reconnects_before = client.stats.reconnects;
  // Only whole-log reads are pipelined: with a kinds filter a page's span is unknown.
  const window = opts.kinds === undefined ? Math.max(1, client.inflight_limit) : 1;
  let next = from_seq;
  let per_page = page_records; // records a page holds, learned from full pages
  let span = page_records; // sequences a full page covers: more where evicted records left gaps
  let last_seq = -1; // unknown until the first page
  let drops = 0;
  let empty_pages = 0;
  let skip_pages = 0;
  let pages_max = EXTRA_PAGES_MAX;
  const queue: InFlight[] = [];
  const ask = (from: number, max: number): void => {
    const page = client.historyPage(from, max, opts.kinds);
    page.catch(() => undefined); // awaited in order below; never an unhandled rejection
    queue.push({ from_seq: from, max_records: max, span: Math.max(max, span), page });
  };
  const wanted = (): number => max_records - result.records.length;
  for (let round = 0; round < pages_max; round++) {
    if (queue.length === 0) ask(next, Math.min(page_records, wanted()));
    // Keep the window full with speculative pages beyond the last one asked for.
    while (last_seq >= 0 && queue.length < window) {
      const tail = queue[queue.length - 1];
      const from = tail.from_seq + tail.span;
      const room = wanted() - (from - next);
      if (from > last_seq || room <= 0) break;
      ask(from, Math.min(per_page, room));
    }
    const head = queue[0];
    let page: HistoryPage;
    try {
      if (!client.transport.connected) await client.connect();
      page = await head.page;
    } catch (err) {
      if (!(err instanceof DisconnectedError) || !client.reconnect || drops >= client.reconnects_max) throw err;
      drops++;
      queue.length = 0; // abandon what was in flight; resume at `next`
      await client.connect();
      continue;
    }
    queue.shift();
    result.pages++;
    if (last_seq < 0) pages_max = EXTRA_PAGES_MAX + Math.min(HISTORY_READ_RECORDS_MAX, max_records, Math.max(0, page.last_seq - next + 1));
    last_seq = page.last_seq;
    if (page.first_seq > next && page.records.length > 0) result.overwritten += page.records[0].seq - next;
    const before = result.records.length;
    const next_before = next;
    for (const r of page.records) {
      if (r.seq < next) continue; // already received: never twice
      result.records.push(r);
      next = r.seq + 1;
      if (result.records.length >= max_records) break;
    }
    if (result.records.length < max_records) {
      if (page.next_seq < head.from_seq) throw new ResponseError(`history read: next_seq ${page.next_seq} before from_seq ${head.from_seq}`);
      if (page.next_seq > next) next = page.next_seq;
    }
    // A full frame returned fewer records than asked: ask for that many from now on.
    const got = result.records.length - before;
    // No record from a page: allowed once in a while (a page that only skips overwritten
    // records), never many times in a row, whatever next_seq and last_seq claim.
    // The ring filters by kind when asked to, and for a viewer's session by its scopes.
    const role = client.session?.role;
    const filtered = opts.kinds !== undefined || (role !== undefined && role !== ROLE_OWNER);
    const skipped = got === 0 && filtered && page.next_seq - head.from_seq >= HISTORY_SCAN_RECORDS;
    if (skipped && ++skip_pages > HISTORY_SKIP_PAGES_MAX) {
      throw new ResponseError(`history read: ${skip_pages} pages skipped records without one of the kinds asked for (next_seq ${next}, the ring claims last_seq ${page.last_seq}): more than a log holds`);
    }
    // A speculative page asked for from behind where the read now is brought only records
    // already received: the guess of its span was short (records sparser than assumed, as
    // where beats were evicted), not the ring's fault.
    const behind = got === 0 && head.from_seq < next_before;
    if (!behind) empty_pages = got > 0 || skipped ? 0 : empty_pages + 1;
    if (empty_pages >= HISTORY_EMPTY_PAGES_MAX && next <= page.last_seq) {
      throw new ResponseError(`history read: ${empty_pages} pages in a row brought no record (next_seq ${next}, the ring claims last_seq ${page.last_seq}): the ring makes no progress`);
    }
    // (a little under it: records differ in size, and a short page costs a round trip)
    if (got > 0 && got < head.max_records && page.next_seq <= page.last_seq) per_page = Math.max(1, got - (got >> 4));
    // A page that skipped gaps (records the ring evicted) covered more sequences than records.
    if (got > 0 && page.next_seq <= page.last_seq) span = Math.max(per_page, Math.floor(((page.next_seq - head.from_seq) * per_page) / got));
    // A hole between this page's end and the next page in flight is asked for first.
    if (queue.length > 0 && queue[0].from_seq > next && next <= last_seq && wanted() > 0) {
      const hole = Math.min(queue[0].from_seq - next, page_records, wanted());
      const filler = client.historyPage(next, hole, opts.kinds);
      filler.catch(() => undefined);
      queue.unshift({ from_seq: next, max_records: hole, span: queue[0].from_seq - next, page: filler });
    }
    result.first_seq = page.first_seq;
    result.last_seq = page.last_seq;
    if (page.beats_first_seq !== undefined) result.beats_first_seq = page.beats_first_seq;
    result.resumes = client.stats.reconnects - reconnects_before;
    opts.onPage?.(page, result.records.length);
    if (result.records.length >= max_records || next > last_seq) {
      await Promise.allSettled(queue.map((q) => q.page)); // let speculative pages finish
      result.next_seq = next;
      return result;
    }
  }
  throw new TimeoutError(`history read: no end after ${pages_max} pages (next_seq ${next})`);
}
