// Typed results of every command (PROTOCOL.md section 8) and the checks that turn a decoded
// CBOR body into them. Unknown response keys are ignored (section 10: hosts ignore keys
// they do not know); missing or mistyped keys are a ResponseError naming the key.

import {
  CAP_BATTERY,
  CAP_HISTORY,
  CAP_HRS,
  CAP_STREAM_BEATS,
  CAP_STREAM_HR,
  CAP_STREAM_HRV,
  CAP_STREAM_PPG,
  CAP_TIME_SET,
  PPG_SAMPLE_SIZE,
  RECORD_BEAT,
  RECORD_HR,
  RECORD_HRV,
  RECORD_STATUS,
} from '../../protocol/ids.js';
import { ResponseError } from './errors.js';
import type { HrOut, HrvOut } from '../../sim/replay-types.js';

type Obj = Record<string, unknown>;

export function asObject(v: unknown, what: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    throw new ResponseError(`${what}: expected a map, got ${describe(v)}`);
  }
  return v as Obj;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'a byte string';
  return typeof v;
}

export function int(o: Obj, key: string, what: string, lo = -Number.MAX_SAFE_INTEGER, hi = Number.MAX_SAFE_INTEGER): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < lo || v > hi) {
    throw new ResponseError(`${what}: "${key}" must be an integer in ${lo}..${hi}, got ${describe(v)} ${typeof v === 'number' ? v : ''}`.trim());
  }
  return v;
}

function optInt(o: Obj, key: string, what: string): number | undefined {
  return o[key] === undefined ? undefined : int(o, key, what);
}

export function bool(o: Obj, key: string, what: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new ResponseError(`${what}: "${key}" must be a bool, got ${describe(v)}`);
  return v;
}

function text(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new ResponseError(`${what}: "${key}" must be text, got ${describe(v)}`);
  return v;
}

export function bytes(o: Obj, key: string, what: string): Uint8Array {
  const v = o[key];
  if (!(v instanceof Uint8Array)) throw new ResponseError(`${what}: "${key}" must be a byte string, got ${describe(v)}`);
  return v;
}

function array(o: Obj, key: string, what: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new ResponseError(`${what}: "${key}" must be an array, got ${describe(v)}`);
  return v;
}

/** A positional record: every field an integer except the bools at `bool_at`. */
function tuple(v: unknown, what: string, length: number, bool_at: readonly number[]): (number | boolean)[] {
  if (!Array.isArray(v) || v.length < length) throw new ResponseError(`${what}: expected an array of at least ${length} fields`);
  return v.slice(0, length).map((x, i) => {
    if (bool_at.includes(i)) {
      if (typeof x !== 'boolean') throw new ResponseError(`${what}: field ${i} must be a bool`);
      return x;
    }
    if (typeof x !== 'number' || !Number.isSafeInteger(x)) throw new ResponseError(`${what}: field ${i} must be an integer`);
    return x;
  });
}

/**
 * The ring's clock (ms since boot, or UTC ms once its time is set) when it emitted the
 * record: the optional field after the record's own; null from a ring that omits it.
 */
function emittedAt(v: unknown, index: number, what: string): number | null {
  if (!Array.isArray(v) || v.length <= index) return null;
  const x = v[index];
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw new ResponseError(`${what}: field ${index} (emitted) must be an unsigned integer`);
  return x;
}

// ---------------------------------------------------------------------------------------
// 8.1 Device information

export const CAP_NAMES: readonly (readonly [number, string])[] = [
  [CAP_STREAM_BEATS, 'stream-beats'],
  [CAP_STREAM_HR, 'stream-hr'],
  [CAP_STREAM_HRV, 'stream-hrv'],
  [CAP_STREAM_PPG, 'stream-ppg'],
  [CAP_HISTORY, 'history'],
  [CAP_TIME_SET, 'time-set'],
  [CAP_HRS, 'hrs'],
  [CAP_BATTERY, 'battery'],
];

export interface DeviceInfo {
  fw: string;
  /** Build hash as lowercase hex. */
  build: string;
  proto: number;
  caps: number;
  cap_names: string[];
  limits: {
    frame_max: number;
    buf_count: number;
    depth_max: number;
    text_max: number;
    page_max: number;
    ppg_batch_max: number;
  };
  mtu: number;
  model?: string;
  serial?: string;
  /** The history log (rings with a flash log). */
  log?: LogInfo;
}

export interface LogInfo {
  capacity_bytes: number;
  used_bytes: number;
  first_seq: number;
  last_seq: number;
  beats_first_seq: number;
  summary_capacity_bytes: number;
  beats_capacity_bytes: number;
  summary_bytes_per_day: number;
  beats_bytes_per_day: number;
  /** Days of HRV windows and status records the log holds at the current rate (null: rate unknown yet). */
  summary_days_held: number | null;
  /** Hours of beats and per-beat HR the log holds at the current rate. */
  beats_hours_held: number | null;
}

function decodeLogInfo(v: unknown, w: string): LogInfo {
  const o = asObject(v, `${w} log`);
  const u = (k: string): number => int(o, k, w, 0, 0xffffffff);
  const l = {
    capacity_bytes: u('capacity_bytes'), used_bytes: u('used_bytes'), first_seq: u('first_seq'), last_seq: u('last_seq'),
    beats_first_seq: u('beats_first_seq'), summary_capacity_bytes: u('summary_capacity_bytes'), beats_capacity_bytes: u('beats_capacity_bytes'),
    summary_bytes_per_day: u('summary_bytes_per_day'), beats_bytes_per_day: u('beats_bytes_per_day'),
  };
  return {
    ...l,
    summary_days_held: l.summary_bytes_per_day > 0 ? Math.round((l.summary_capacity_bytes / l.summary_bytes_per_day) * 10) / 10 : null,
    beats_hours_held: l.beats_bytes_per_day > 0 ? Math.round((l.beats_capacity_bytes / l.beats_bytes_per_day) * 240) / 10 : null,
  };
}

export function decodeDeviceInfo(body: unknown): DeviceInfo {
  const w = 'device info';
  const o = asObject(body, w);
  const l = asObject(o.limits, `${w} limits`);
  const caps = int(o, 'caps', w, 0, 255);
  const info: DeviceInfo = {
    fw: text(o, 'fw', w),
    build: Buffer.from(bytes(o, 'build', w)).toString('hex'),
    proto: int(o, 'proto', w, 0, 3),
    caps,
    cap_names: CAP_NAMES.filter(([bit]) => (caps & bit) !== 0).map(([, name]) => name),
    limits: {
      frame_max: int(l, 'frame_max', w, 8, 1024),
      buf_count: int(l, 'buf_count', w, 1, 8),
      depth_max: int(l, 'depth_max', w, 1, 16),
      text_max: int(l, 'text_max', w, 1, 64),
      page_max: int(l, 'page_max', w, 1, 64),
      ppg_batch_max: int(l, 'ppg_batch_max', w, 1, 128),
    },
    mtu: int(o, 'mtu', w, 23, 517),
  };
  if (o.model !== undefined) info.model = text(o, 'model', w);
  if (o.serial !== undefined) info.serial = text(o, 'serial', w);
  if (o.log !== undefined) info.log = decodeLogInfo(o.log, w);
  return info;
}

// ---------------------------------------------------------------------------------------
// 8.2 Time

export interface TimeInfo {
  now_ms: number;
  uptime_ms: number;
  synced: boolean;
  last_sync_ms?: number;
  drift_ppm_x10?: number;
}

export function decodeTimeGet(body: unknown): TimeInfo {
  const w = 'time get';
  const o = asObject(body, w);
  const t: TimeInfo = { now_ms: int(o, 'now_ms', w, 0), uptime_ms: int(o, 'uptime_ms', w, 0), synced: bool(o, 'synced', w) };
  const last = optInt(o, 'last_sync_ms', w);
  if (last !== undefined) t.last_sync_ms = last;
  const drift = optInt(o, 'drift_ppm_x10', w);
  if (drift !== undefined) t.drift_ppm_x10 = drift;
  return t;
}

export interface TimeSetResult {
  offset_ms: number;
  drift_ppm_x10?: number;
}

export function decodeTimeSet(body: unknown): TimeSetResult {
  const w = 'time set';
  const o = asObject(body, w);
  const r: TimeSetResult = { offset_ms: int(o, 'offset_ms', w) };
  const drift = optInt(o, 'drift_ppm_x10', w);
  if (drift !== undefined) r.drift_ppm_x10 = drift;
  return r;
}

// ---------------------------------------------------------------------------------------
// 8.3 Configuration

export interface StreamOptions {
  ppg_decim: number;
  ppg_batch: number;
  hr_period_s: number;
}

export interface RingConfig {
  sample_rate_hz: number;
  hrv_short_s: number;
  hrv_long_s: number;
  stream: StreamOptions;
  hrs: boolean;
  /** The running pipeline differs from this configuration (it is applied on a set, so normally false). */
  reboot_required: boolean;
}

export interface ConfigChange {
  sample_rate_hz?: number;
  hrv_short_s?: number;
  hrv_long_s?: number;
  stream?: Partial<StreamOptions>;
  hrs?: boolean;
}

export function decodeConfig(body: unknown): RingConfig {
  const w = 'config';
  const o = asObject(body, w);
  const s = asObject(o.stream, `${w} stream`);
  return {
    sample_rate_hz: int(o, 'sample_rate_hz', w, 1),
    hrv_short_s: int(o, 'hrv_short_s', w, 0),
    hrv_long_s: int(o, 'hrv_long_s', w, 0),
    stream: {
      ppg_decim: int(s, 'ppg_decim', `${w} stream`, 1),
      ppg_batch: int(s, 'ppg_batch', `${w} stream`, 1),
      hr_period_s: int(s, 'hr_period_s', `${w} stream`, 0),
    },
    hrs: bool(o, 'hrs', w),
    reboot_required: bool(o, 'reboot_required', w),
  };
}

// ---------------------------------------------------------------------------------------
// 8.4 Streams

export interface StreamStatus {
  kinds: number;
  /** Items dropped since subscribe: beats, hr, hrv, ppg samples. */
  drops: [number, number, number, number];
}

export function decodeStreamStatus(body: unknown): StreamStatus {
  const w = 'stream status';
  const o = asObject(body, w);
  const d = array(o, 'drops', w);
  if (d.length !== 4 || !d.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
    throw new ResponseError(`${w}: "drops" must be 4 unsigned integers`);
  }
  return { kinds: int(o, 'kinds', w, 0, 15), drops: d as [number, number, number, number] };
}

export interface StreamBeat {
  type: 'beat';
  time_ms: number;
  ibi_ms: number;
  ibi_valid: boolean;
  sqi: number;
  amplitude: number;
  index: number;
  /** The ring's clock when it emitted the beat (see emittedAt). */
  emitted_ms: number | null;
  /** Host clock (µs) when the notification carrying it completed. */
  received_us: number;
}

/** The fields of the firmware's HR and HRV records (firmware/output.ts), as replays hold them. */
type HrFields = Omit<HrOut, 'emitted_us'>;
type HrvFields = Omit<HrvOut, 'emitted_us'>;

export interface StreamHr extends HrFields {
  type: 'hr';
  emitted_ms: number | null;
  received_us: number;
}

export interface StreamHrv extends HrvFields {
  type: 'hrv';
  emitted_ms: number | null;
  received_us: number;
}

export interface StreamPpg {
  type: 'ppg';
  /** Index (after decimation) of samples[0] since subscribe. */
  first: number;
  t_ms: number;
  period_us: number;
  samples: Int32Array;
  drops_sensor: number;
  drops_link: number;
  received_us: number;
}

/** Items the ring could not deliver: a jump in the notification sequence or the drop counters. */
export interface StreamGap {
  type: 'gap';
  /** What showed it: "sequence", "drops", "disconnect". */
  cause: string;
  /** Stream notifications (sequence) or items (drops) missed, when known. */
  missed: number;
  received_us: number;
}

export type StreamItem = StreamBeat | StreamHr | StreamHrv | StreamPpg | StreamGap;

export interface StreamBatch {
  items: StreamItem[];
  /** The notification's cumulative drop counter (beats, hr, hrv) or drops_sensor + drops_link (ppg). */
  drops: number;
}

export function decodeBeatsNtf(body: unknown, received_us: number): StreamBatch {
  const w = 'beats notification';
  const o = asObject(body, w);
  const first = int(o, 'first', w, 0);
  const items = array(o, 'beats', w).map((b, i): StreamBeat => {
    const f = tuple(b, `${w} beat ${i}`, 5, [2]);
    return {
      type: 'beat', time_ms: f[0] as number, ibi_ms: f[1] as number, ibi_valid: f[2] as boolean, sqi: f[3] as number,
      amplitude: f[4] as number, index: first + i, emitted_ms: emittedAt(b, 5, `${w} beat ${i}`), received_us,
    };
  });
  return { items, drops: int(o, 'drops', w, 0) };
}

export function decodeHrNtf(body: unknown, received_us: number): StreamBatch {
  const w = 'hr notification';
  const o = asObject(body, w);
  const items = array(o, 'hr', w).map((h, i): StreamHr => {
    const f = tuple(h, `${w} item ${i}`, 3, []);
    return {
      type: 'hr', time_ms: f[0] as number, hr_bpm_x10: f[1] as number, confidence: f[2] as number,
      emitted_ms: emittedAt(h, 3, `${w} item ${i}`), received_us,
    };
  });
  return { items, drops: int(o, 'drops', w, 0) };
}

export function decodeHrvNtf(body: unknown, received_us: number): StreamBatch {
  const w = 'hrv notification';
  const o = asObject(body, w);
  const items = array(o, 'windows', w).map((h, i): StreamHrv => {
    const f = tuple(h, `${w} window ${i}`, 9, [8]);
    return {
      type: 'hrv', end_ms: f[0] as number, window_s: f[1] as number, beat_count: f[2] as number,
      valid_permille: f[3] as number, mean_ibi_ms_x10: f[4] as number, sdnn_ms_x10: f[5] as number,
      rmssd_ms_x10: f[6] as number, pnn50_permille: f[7] as number, published: f[8] as boolean,
      emitted_ms: emittedAt(h, 9, `${w} window ${i}`), received_us,
    };
  });
  return { items, drops: int(o, 'drops', w, 0) };
}

export function decodePpgNtf(body: unknown, received_us: number): StreamBatch {
  const w = 'ppg notification';
  const o = asObject(body, w);
  const raw = bytes(o, 'samples', w);
  if (raw.length === 0 || raw.length % PPG_SAMPLE_SIZE !== 0) {
    throw new ResponseError(`${w}: "samples" must hold whole int32 samples, got ${raw.length} bytes`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const samples = new Int32Array(raw.length / PPG_SAMPLE_SIZE);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt32(i * PPG_SAMPLE_SIZE, true);
  const item: StreamPpg = {
    type: 'ppg', first: int(o, 'first', w, 0), t_ms: int(o, 't_ms', w, 0), period_us: int(o, 'period_us', w, 1),
    samples, drops_sensor: int(o, 'drops_sensor', w, 0), drops_link: int(o, 'drops_link', w, 0), received_us,
  };
  return { items: [item], drops: item.drops_sensor + item.drops_link };
}

// ---------------------------------------------------------------------------------------
// 8.5 History

export interface HistoryBeat {
  seq: number;
  type: 'beat';
  time_ms: number;
  ibi_ms: number;
  ibi_valid: boolean;
  sqi: number;
  amplitude: number;
  beat_index: number;
  emitted_ms: number | null;
}

export interface HistoryHr extends HrFields {
  seq: number;
  type: 'hr';
  emitted_ms: number | null;
}

export interface HistoryHrv extends HrvFields {
  seq: number;
  type: 'hrv';
  emitted_ms: number | null;
}

export interface HistoryStatus {
  seq: number;
  type: 'status';
  time_ms: number;
  code: number;
  value: number;
  emitted_ms: number | null;
}

/** A record of a kind this host does not know (a later protocol version): kept as is. */
export interface HistoryOther {
  seq: number;
  type: 'other';
  kind: number;
  fields: unknown[];
}

export type HistoryRecord = HistoryBeat | HistoryHr | HistoryHrv | HistoryStatus | HistoryOther;

export interface HistoryPage {
  records: HistoryRecord[];
  next_seq: number;
  first_seq: number;
  last_seq: number;
  /** Oldest beat / per-beat HR record kept (flash log): such records below it were evicted. */
  beats_first_seq?: number;
}

export function decodeHistoryRecord(v: unknown, what: string): HistoryRecord {
  if (!Array.isArray(v) || v.length < 2) throw new ResponseError(`${what}: expected [seq, kind, ...]`);
  const head = tuple(v, what, 2, []);
  const seq = head[0] as number;
  const kind = head[1] as number;
  switch (kind) {
    case RECORD_BEAT: {
      const f = tuple(v, what, 8, [4]);
      return {
        seq, type: 'beat', time_ms: f[2] as number, ibi_ms: f[3] as number, ibi_valid: f[4] as boolean,
        sqi: f[5] as number, amplitude: f[6] as number, beat_index: f[7] as number, emitted_ms: emittedAt(v, 8, what),
      };
    }
    case RECORD_HR: {
      const f = tuple(v, what, 5, []);
      return {
        seq, type: 'hr', time_ms: f[2] as number, hr_bpm_x10: f[3] as number, confidence: f[4] as number,
        emitted_ms: emittedAt(v, 5, what),
      };
    }
    case RECORD_HRV: {
      const f = tuple(v, what, 11, [10]);
      return {
        seq, type: 'hrv', end_ms: f[2] as number, window_s: f[3] as number, beat_count: f[4] as number,
        valid_permille: f[5] as number, mean_ibi_ms_x10: f[6] as number, sdnn_ms_x10: f[7] as number,
        rmssd_ms_x10: f[8] as number, pnn50_permille: f[9] as number, published: f[10] as boolean,
        emitted_ms: emittedAt(v, 11, what),
      };
    }
    case RECORD_STATUS: {
      const f = tuple(v, what, 5, []);
      return {
        seq, type: 'status', time_ms: f[2] as number, code: f[3] as number, value: f[4] as number,
        emitted_ms: emittedAt(v, 5, what),
      };
    }
    default:
      return { seq, type: 'other', kind, fields: v.slice(2) };
  }
}

export function decodeHistoryPage(body: unknown): HistoryPage {
  const w = 'history read';
  const o = asObject(body, w);
  const records = array(o, 'records', w).map((r, i) => decodeHistoryRecord(r, `${w} record ${i}`));
  for (let i = 1; i < records.length; i++) {
    if (records[i].seq <= records[i - 1].seq) throw new ResponseError(`${w}: record sequence numbers must increase`);
  }
  const page: HistoryPage = {
    records,
    next_seq: int(o, 'next_seq', w, 0, 0xffffffff),
    first_seq: int(o, 'first_seq', w, 0, 0xffffffff),
    last_seq: int(o, 'last_seq', w, 0, 0xffffffff),
  };
  if (o.beats_first_seq !== undefined) page.beats_first_seq = int(o, 'beats_first_seq', w, 0, 0xffffffff);
  return page;
}

// ---------------------------------------------------------------------------------------
// 8.6 Battery

export interface BatteryInfo {
  level_pct: number;
  mv: number;
  charging: boolean;
}

export function decodeBattery(body: unknown): BatteryInfo {
  const w = 'battery';
  const o = asObject(body, w);
  return { level_pct: int(o, 'level_pct', w, 0, 100), mv: int(o, 'mv', w, 0, 5000), charging: bool(o, 'charging', w) };
}
