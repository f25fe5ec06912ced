// Replay records kept out of the way of a long recording: numbers in fixed-width rows of
// float64 (8 bytes a field, no object per record). A block of rows stays in memory; once it
// is full it goes to a temporary spool file, so a week-long replay holds a few blocks, not
// its records. The spool file is unlinked as soon as it is opened: nothing is left behind,
// whatever ends the process. A record is rebuilt as an object, with its fields in their
// declared order, when it is read.

import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BeatOut, HrOut, HrvOut, RecordList, ReplayView, StatusOut } from './replay-types.js';

/** Rows a block holds: a block of beats is 4096 x 7 x 8 = 224 KiB. */
export const SPOOL_BLOCK_ROWS = 1 << 12;

/** Field names in the order records are built with; booleans are stored as 0 / 1. */
type Fields<T> = readonly { key: keyof T & string; bool?: true }[];

/** An unlinked temporary file: it disappears with its descriptor. */
function openSpoolFile(): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ring-spool-'));
  const file = path.join(dir, 'rows.f64');
  const fd = openSync(file, 'wx+', 0o600);
  unlinkSync(file);
  rmdirSync(dir);
  return fd;
}

function readFully(fd: number, dst: Float64Array, rows_bytes: number, pos: number): void {
  const bytes = new Uint8Array(dst.buffer, dst.byteOffset, rows_bytes);
  let done = 0;
  while (done < rows_bytes) {
    const n = readSync(fd, bytes, done, rows_bytes - done, pos + done);
    if (n === 0) throw new Error(`replay spool: short read at byte ${pos + done}`);
    done += n;
  }
}

/**
 * A list of records in rows: appended in memory a block at a time, full blocks written to a
 * spool file, read back a block at a time (by index or in order).
 */
export class SpoolList<T> implements RecordList<T> {
  private readonly width: number;
  private readonly tail: Float64Array;
  /** Rows in the spool file (whole blocks), then rows in `tail`. */
  private spooled = 0;
  private tailRows = 0;
  private fd: number | null = null;
  /** The last block read back for at(): its first row and its rows. */
  private cacheStart = -1;
  private cache: Float64Array | null = null;

  constructor(private readonly fields: Fields<T>) {
    this.width = fields.length;
    this.tail = new Float64Array(SPOOL_BLOCK_ROWS * this.width);
  }

  get length(): number {
    return this.spooled + this.tailRows;
  }

  push(item: T): number {
    const row = item as Record<string, unknown>;
    let at = this.tailRows * this.width;
    for (const f of this.fields) {
      const v = row[f.key];
      this.tail[at++] = f.bool ? (v === true ? 1 : 0) : (v as number);
    }
    if (++this.tailRows === SPOOL_BLOCK_ROWS) this.flush();
    return this.length;
  }

  private flush(): void {
    this.fd ??= openSpoolFile();
    const bytes = new Uint8Array(this.tail.buffer, 0, this.tail.byteLength);
    const pos = this.spooled * this.width * 8;
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, pos + done);
    this.spooled += SPOOL_BLOCK_ROWS;
    this.tailRows = 0;
  }

  /** Reads the spooled block that starts at row `start` into dst. */
  private readBlock(start: number, dst: Float64Array): void {
    readFully(this.fd!, dst, SPOOL_BLOCK_ROWS * this.width * 8, start * this.width * 8);
  }

  private build(values: Float64Array, row: number): T {
    const out: Record<string, unknown> = {};
    let at = row * this.width;
    for (const f of this.fields) {
      const v = values[at++]!;
      out[f.key] = f.bool ? v === 1 : v;
    }
    return out as T;
  }

  at(i: number): T | undefined {
    if (i < 0) i += this.length;
    if (!(i >= 0 && i < this.length)) return undefined;
    if (i >= this.spooled) return this.build(this.tail, i - this.spooled);
    const start = i - (i % SPOOL_BLOCK_ROWS);
    if (start !== this.cacheStart) {
      this.cache ??= new Float64Array(SPOOL_BLOCK_ROWS * this.width);
      this.readBlock(start, this.cache);
      this.cacheStart = start;
    }
    return this.build(this.cache!, i - start);
  }

  /** In order, one block read at a time (each iteration has its own block). */
  *[Symbol.iterator](): Iterator<T> {
    for (const { values, rows } of this.blocks()) {
      for (let r = 0; r < rows; r++) yield this.build(values, r);
    }
  }

  /** Every block in order, those in the file read into one reused buffer (valid until the next step). */
  private *blocks(): Generator<{ values: Float64Array; rows: number }> {
    const count = this.length;
    let block: Float64Array | null = null;
    for (let start = 0; start < count; start += SPOOL_BLOCK_ROWS) {
      const inFile = start < this.spooled;
      if (inFile) this.readBlock(start, (block ??= new Float64Array(SPOOL_BLOCK_ROWS * this.width)));
      yield { values: inFile ? block! : this.tail, rows: Math.min(SPOOL_BLOCK_ROWS, count - start) };
    }
  }

  /**
   * Two fields of every record in order, through one reused object (valid until the next
   * step): a long scan that needs a couple of numbers makes no garbage per record.
   */
  *pairs<A extends keyof T & string, B extends keyof T & string>(a: A, b: B): Generator<{ a: number; b: number }> {
    const ia = this.fields.findIndex((f) => f.key === a);
    const ib = this.fields.findIndex((f) => f.key === b);
    if (ia < 0 || ib < 0 || this.fields[ia]!.bool || this.fields[ib]!.bool) throw new RangeError(`no numeric fields ${a}, ${b}`);
    const out = { a: 0, b: 0 };
    for (const { values, rows } of this.blocks()) {
      for (let r = 0, at = 0; r < rows; r++, at += this.width) {
        out.a = values[at + ia]!;
        out.b = values[at + ib]!;
        yield out;
      }
    }
  }

  /** Lets the spool file go; the list is empty afterwards. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.spooled = 0;
    this.tailRows = 0;
    this.cacheStart = -1;
    this.cache = null;
  }
}

const BEAT_FIELDS: Fields<BeatOut> = [
  { key: 'time_ms' }, { key: 'ibi_ms' }, { key: 'ibi_valid', bool: true }, { key: 'sqi' }, { key: 'amplitude' }, { key: 'index' },
  { key: 'emitted_us' },
];
const HR_FIELDS: Fields<HrOut> = [{ key: 'time_ms' }, { key: 'hr_bpm_x10' }, { key: 'confidence' }, { key: 'emitted_us' }];
const HRV_FIELDS: Fields<HrvOut> = [
  { key: 'window_s' }, { key: 'end_ms' }, { key: 'beat_count' }, { key: 'valid_permille' }, { key: 'mean_ibi_ms_x10' },
  { key: 'sdnn_ms_x10' }, { key: 'rmssd_ms_x10' }, { key: 'pnn50_permille' }, { key: 'published', bool: true }, { key: 'emitted_us' },
];
const STATUS_FIELDS: Fields<StatusOut> = [{ key: 'time_ms' }, { key: 'code' }, { key: 'value' }, { key: 'emitted_us' }];

/** An empty replay whose records go into plain arrays (a ReplayResult once filled). */
export function arrayReplay(): ReplayView {
  return { record: '', rate_hz: 0, seed: 0, duration_ms: 0, sample_count: 0, beats: [], hr: [], hrv: [], status: [] };
}

/** A replay whose lists are spooled: closeReplay() lets their files go. */
export type CompactReplay = ReplayView & {
  beats: SpoolList<BeatOut>; hr: SpoolList<HrOut>; hrv: SpoolList<HrvOut>; status: SpoolList<StatusOut>;
};

/** An empty replay whose records go into spooled rows (the head is filled in by the replay). */
export function compactReplay(): CompactReplay {
  return {
    record: '', rate_hz: 0, seed: 0, duration_ms: 0, sample_count: 0,
    beats: new SpoolList(BEAT_FIELDS), hr: new SpoolList(HR_FIELDS), hrv: new SpoolList(HRV_FIELDS), status: new SpoolList(STATUS_FIELDS),
  };
}

/** Closes the spool files of a compactReplay (once its output is written). */
export function closeReplay(view: CompactReplay): void {
  view.beats.close();
  view.hr.close();
  view.hrv.close();
  view.status.close();
}
