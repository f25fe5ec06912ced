// Replay records kept compact: numbers in growable Float64Array columns (8 bytes a field,
// no object per record), so a day-long replay's records take about 10 MB outside the
// JavaScript heap instead of objects the collector has to walk. A record is rebuilt as an
// object, with its fields in their declared order, when it is read.

import type { BeatOut, HrOut, HrvOut, RecordList, ReplayView, StatusOut } from './replay-types.js';

const CAPACITY_RECORDS_MIN = 256;

/** Field names in the order records are built with; booleans are stored as 0 / 1. */
type Fields<T> = readonly { key: keyof T & string; bool?: true }[];

export class ColumnList<T> implements RecordList<T> {
  private values = new Float64Array(0);
  private count = 0;

  constructor(private readonly fields: Fields<T>) {}

  get length(): number {
    return this.count;
  }

  push(item: T): number {
    const width = this.fields.length;
    if ((this.count + 1) * width > this.values.length) {
      const grown = new Float64Array(Math.max(CAPACITY_RECORDS_MIN, this.count * 2) * width);
      grown.set(this.values);
      this.values = grown;
    }
    const row = item as Record<string, unknown>;
    let at = this.count * width;
    for (const f of this.fields) {
      const v = row[f.key];
      this.values[at++] = f.bool ? (v === true ? 1 : 0) : (v as number);
    }
    return ++this.count;
  }

  at(i: number): T | undefined {
    if (i < 0) i += this.count;
    if (!(i >= 0 && i < this.count)) return undefined;
    const out: Record<string, unknown> = {};
    let at = i * this.fields.length;
    for (const f of this.fields) {
      const v = this.values[at++];
      out[f.key] = f.bool ? v === 1 : v;
    }
    return out as T;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.count; i++) yield this.at(i)!;
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

/** An empty replay whose records go into columns (the head is filled in by the replay). */
export function compactReplay(): ReplayView {
  return {
    record: '', rate_hz: 0, seed: 0, duration_ms: 0, sample_count: 0,
    beats: new ColumnList(BEAT_FIELDS), hr: new ColumnList(HR_FIELDS), hrv: new ColumnList(HRV_FIELDS), status: new ColumnList(STATUS_FIELDS),
  };
}
