// Streams (group 67; PROTOCOL.md section 8.4): subscribe / unsubscribe / status, and the
// unsolicited notification frames for beats, HR, HRV windows and raw PPG.
//
// Beats, HR and HRV items are staged as they are produced and flushed as one frame per
// batch: at once when the outgoing queue is empty (so normally one item per frame), in
// larger batches while the link is backed up (att_send refused, frames waiting). A full
// stage is sent if the queue admits it; otherwise new items are dropped and counted
// ("drops"). Raw PPG samples (after decimation) fill a batch of
// config ppg_batch samples; a full batch becomes one frame, or is dropped and counted
// (drops_link) when the queue refuses it. Every frame queued, and every PPG frame dropped,
// takes the next unsolicited sequence number (per connection, mod 256), so a dropped PPG
// batch shows as a gap; staged items are never dropped as a frame (only one by one).
//
// Raw sample times: while the PPG stream is on, the pipeline calls stream_on_raw for every
// sample, in order (ble/hook.ts raw_handler; off, it calls nothing); the sample's index
// since boot (counting samples the sensor FIFO lost, learned from the FIFO-overflow status
// record) times the sample period is its firmware time, as in firmware/main.ts. The index
// is the pipeline's sample count (ring_samples_counted) plus raw_base, so it needs no
// counting per sample.

import { assert } from "../lib/assert.js";
import * as out from "../output.js";
import {
  CMD_STREAM_BEATS,
  CMD_STREAM_HR,
  CMD_STREAM_HRV,
  CMD_STREAM_PPG,
  CMD_STREAM_STATUS,
  CMD_STREAM_SUBSCRIBE,
  CMD_STREAM_UNSUBSCRIBE,
  ERR_BAD_OP,
  ERR_MISSING_FIELD,
  ERR_UNKNOWN_COMMAND,
  FLAG_UNSOLICITED,
  GROUP_STREAM,
  OP_READ,
  OP_READ_RSP,
  OP_WRITE,
  PPG_BATCH_SAMPLES_MAX,
  PPG_SAMPLE_SIZE,
  STREAM_ALL,
  STREAM_BEATS,
  STREAM_HR,
  STREAM_HRV,
  STREAM_PPG,
} from "../../protocol/ids.js";
import { ring_sample_rate_hz, ring_samples_counted } from "../main.js";
import { raw_handler_set } from "../ble/hook.js";
import { TXQ_CLASS_STREAM, txq_frame_count, txq_push, txq_stream_fits } from "../ble/tx-queue.js";
import {
  enc_array,
  enc_begin,
  enc_bool,
  enc_bytes,
  enc_finish,
  enc_frame,
  enc_int,
  enc_key_uint,
  enc_map,
  enc_text,
  enc_uint,
  fail_key,
  fail_unknown,
  req_key_is,
  req_pair_count,
  req_uint,
  req_value,
} from "./codec.js";
import { config_hr_period_s, config_ppg_batch, config_ppg_decim } from "./settings.js";
import { time_device_ms } from "./time.js";

/** Items staged per kind while the link is backed up. */
export const STAGE_BEATS_MAX = 16;
export const STAGE_HR_MAX = 16;
export const STAGE_HRV_MAX = 4;
const BEAT_WORDS = 7; // time, ibi, valid, sqi, amplitude, beat_index, emitted
const HR_WORDS = 4; // time, hr_bpm_x10, confidence, emitted
const HRV_WORDS = 10; // wire order: end, window_s, beat_count, valid, mean, sdnn, rmssd, pnn50, published, emitted
const U32_MAX = 0xffffffff;
/** Smallest stream frame (header and a map with one item): below this much room, no flush. */
const STREAM_FRAME_SIZE_MIN = 24;
/** drops[] indexes, as in stream-status "drops". */
const DROP_BEATS = 0;
const DROP_HR = 1;
const DROP_HRV = 2;
const DROP_PPG = 3;

export function stream_ram_bytes(): number {
  return (
    4 * (STAGE_BEATS_MAX * BEAT_WORDS + STAGE_HR_MAX * HR_WORDS + STAGE_HRV_MAX * HRV_WORDS) +
    PPG_BATCH_SAMPLES_MAX * PPG_SAMPLE_SIZE + 8 * 4
  );
}

const FAULT_STREAM = 77;

let stream_booted = 0;
let st_beats!: Int32Array;
let st_hr!: Int32Array;
let st_hrv!: Int32Array;
let ppg_bytes!: Uint8Array; // the PPG batch, int32 little-endian
let drops!: Float64Array; // items dropped since subscribe, per kind (u32, saturating)
let st_beats_n = 0;
let st_hr_n = 0;
let st_hrv_n = 0;
export let kinds = 0; // active subscriptions (STREAM_* bits; ble/entry.ts reads it)
let seq = 0; // next unsolicited sequence
let hr_last_ms = 0; // time of the last HR item staged (hr_period_s)
let hr_have_last = 0;
// The index since boot of the next raw sample is ring_samples_counted() + raw_base: the
// boot record, lost samples and samples fed from outside the pipeline
// (stream_on_raw_external) move it.
let raw_base = 0;
let ppg_in = 0; // raw samples since the PPG subscription (lost ones included)
let ppg_n = 0; // samples in the batch
let ppg_first = 0; // decimated index of the batch's first sample
let ppg_first_raw = 0; // raw index of the batch's first sample
let ppg_drops_sensor = 0;

/** Allocate (first call only) and reset everything, raw sample index included. */
export function stream_boot(): void {
  if (stream_booted === 0) {
    st_beats = new Int32Array(STAGE_BEATS_MAX * BEAT_WORDS);
    st_hr = new Int32Array(STAGE_HR_MAX * HR_WORDS);
    st_hrv = new Int32Array(STAGE_HRV_MAX * HRV_WORDS);
    ppg_bytes = new Uint8Array(PPG_BATCH_SAMPLES_MAX * PPG_SAMPLE_SIZE);
    drops = new Float64Array(4);
    stream_booted = 1;
  }
  raw_base = -ring_samples_counted();
  stream_reset();
}

/** End every subscription and forget staged items (connect, disconnect). */
export function stream_reset(): void {
  kinds = 0;
  seq = 0;
  for (let i = 0; i < 4; i++) drops[i] = 0;
  st_beats_n = 0;
  st_hr_n = 0;
  st_hrv_n = 0;
  hr_have_last = 0;
  ppg_restart();
  raw_handler_set(null);
}

function ppg_restart(): void {
  ppg_in = 0;
  ppg_n = 0;
  ppg_drops_sensor = 0;
}

/** Active subscriptions (STREAM_* bits). */
export function stream_kinds(): number {
  return kinds;
}

/** Items dropped since subscribe: DROP index 0 beats, 1 hr, 2 hrv, 3 ppg samples. */
export function stream_drops(index: number): number {
  return drops[index];
}

function count_drop(index: number, n: number): void {
  const v = drops[index] + n;
  drops[index] = v > U32_MAX ? U32_MAX : v;
}

// ---------------------------------------------------------------------------------------
// Commands

/** Handle a stream command. Writes the response body; returns 0 or -rc. */
export function cmd_stream(op: number, cmd: number): number {
  if (cmd === CMD_STREAM_SUBSCRIBE || cmd === CMD_STREAM_UNSUBSCRIBE) {
    if (op !== OP_WRITE) return -ERR_BAD_OP;
    const n = req_pair_count(0);
    for (let i = 0; i < n; i++) {
      if (!req_key_is(0, i, "kinds")) return fail_unknown(0, i, "");
    }
    const rc = req_uint(0, "", "kinds", 1, STREAM_ALL);
    if (rc < 0) return rc;
    if (rc === 0) return fail_key(-ERR_MISSING_FIELD, "", "kinds");
    const mask = req_value();
    if (cmd === CMD_STREAM_SUBSCRIBE) subscribe(mask);
    else unsubscribe(mask);
  } else if (cmd === CMD_STREAM_STATUS) {
    if (op !== OP_READ) return -ERR_BAD_OP;
    if (req_pair_count(0) > 0) return fail_unknown(0, 0, "");
  } else if (cmd >= CMD_STREAM_BEATS && cmd <= CMD_STREAM_PPG) {
    return -ERR_BAD_OP; // notifications: the device sends them, nobody requests them
  } else {
    return -ERR_UNKNOWN_COMMAND;
  }
  enc_map(2);
  enc_key_uint("kinds", kinds);
  enc_text("drops");
  enc_array(4);
  for (let i = 0; i < 4; i++) enc_uint(drops[i]);
  return 0;
}

function subscribe(mask: number): void {
  if ((mask & STREAM_BEATS) !== 0) drops[DROP_BEATS] = 0;
  if ((mask & STREAM_HR) !== 0) {
    drops[DROP_HR] = 0;
    if ((kinds & STREAM_HR) === 0) hr_have_last = 0;
  }
  if ((mask & STREAM_HRV) !== 0) drops[DROP_HRV] = 0;
  if ((mask & STREAM_PPG) !== 0) {
    drops[DROP_PPG] = 0;
    if ((kinds & STREAM_PPG) === 0) ppg_restart();
    ppg_drops_sensor = 0;
    raw_handler_set(stream_on_raw);
  }
  kinds = kinds | mask;
}

function unsubscribe(mask: number): void {
  kinds = kinds & ~mask & STREAM_ALL;
  if ((mask & STREAM_BEATS) !== 0) st_beats_n = 0;
  if ((mask & STREAM_HR) !== 0) st_hr_n = 0;
  if ((mask & STREAM_HRV) !== 0) st_hrv_n = 0;
  if ((mask & STREAM_PPG) !== 0) {
    ppg_restart();
    raw_handler_set(null);
  }
}

// ---------------------------------------------------------------------------------------
// Records in

/**
 * Every record the firmware emits (whether or not a client listens): raw sample index
 * bookkeeping, then staging for the active subscriptions and a flush.
 */
export function stream_on_record(kind: number, record: Int32Array, field_count: number, emitted_ms: number): void {
  if (kind === out.OUT_KIND_STATUS && field_count >= out.STATUS_FIELDS) {
    const code = record[out.STATUS_CODE];
    if (code === out.STATUS_BOOT) {
      raw_base = -ring_samples_counted(); // ring_boot restarted the sample count
      ppg_n = 0;
    } else if (code === out.STATUS_FIFO_OVERFLOW && record[out.STATUS_VALUE] > 0) {
      const lost = record[out.STATUS_VALUE];
      raw_base = raw_base + lost;
      if ((kinds & STREAM_PPG) !== 0) {
        ppg_flush(); // the batch's samples must be consecutive
        ppg_in = ppg_in + lost;
        ppg_drops_sensor = ppg_drops_sensor + lost > U32_MAX ? U32_MAX : ppg_drops_sensor + lost;
      }
    }
    return;
  }
  // Nothing subscribed: nothing is staged either (a kind's stage empties when it is
  // unsubscribed), so there is nothing to stage or flush.
  if (kinds === 0) return;
  if (kind === out.OUT_KIND_BEAT && field_count >= out.BEAT_FIELDS && (kinds & STREAM_BEATS) !== 0) {
    stage_beat(record, emitted_ms);
  } else if (kind === out.OUT_KIND_HR && field_count >= out.HR_FIELDS && (kinds & STREAM_HR) !== 0) {
    stage_hr(record, emitted_ms);
  } else if (kind === out.OUT_KIND_HRV && field_count >= out.HRV_FIELDS && (kinds & STREAM_HRV) !== 0) {
    stage_hrv(record, emitted_ms);
  }
  stream_flush();
}

function stage_beat(record: Int32Array, emitted_ms: number): void {
  const index = record[out.BEAT_INDEX];
  // A batch holds consecutive beats: after a gap (dropped beats, a reboot) a new one starts.
  if (st_beats_n > 0 && (st_beats_n === STAGE_BEATS_MAX || index !== staged_beat_index_next())) flush_beats();
  if (st_beats_n > 0 && (st_beats_n === STAGE_BEATS_MAX || index !== staged_beat_index_next())) {
    count_drop(DROP_BEATS, 1); // the link is backed up: the newest beat goes
    return;
  }
  const b = st_beats_n * BEAT_WORDS;
  st_beats[b] = record[out.BEAT_TIME_MS];
  st_beats[b + 1] = record[out.BEAT_IBI_MS];
  st_beats[b + 2] = record[out.BEAT_IBI_VALID];
  st_beats[b + 3] = record[out.BEAT_SQI];
  st_beats[b + 4] = record[out.BEAT_AMPLITUDE];
  st_beats[b + 5] = record[out.BEAT_INDEX];
  st_beats[b + 6] = emitted_ms;
  st_beats_n = st_beats_n + 1;
}

function staged_beat_index_next(): number {
  return st_beats[(st_beats_n - 1) * BEAT_WORDS + 5] + 1;
}

function stage_hr(record: Int32Array, emitted_ms: number): void {
  const t_ms = record[out.HR_TIME_MS];
  const period_ms = config_hr_period_s() * 1000;
  if (period_ms > 0 && hr_have_last !== 0 && t_ms - hr_last_ms < period_ms && t_ms >= hr_last_ms) return;
  if (st_hr_n === STAGE_HR_MAX) flush_hr();
  if (st_hr_n === STAGE_HR_MAX) {
    count_drop(DROP_HR, 1);
    return;
  }
  const b = st_hr_n * HR_WORDS;
  st_hr[b] = t_ms;
  st_hr[b + 1] = record[out.HR_BPM_X10];
  st_hr[b + 2] = record[out.HR_CONFIDENCE];
  st_hr[b + 3] = emitted_ms;
  st_hr_n = st_hr_n + 1;
  hr_last_ms = t_ms;
  hr_have_last = 1;
}

function stage_hrv(record: Int32Array, emitted_ms: number): void {
  if (st_hrv_n === STAGE_HRV_MAX) flush_hrv();
  if (st_hrv_n === STAGE_HRV_MAX) {
    count_drop(DROP_HRV, 1);
    return;
  }
  const b = st_hrv_n * HRV_WORDS;
  st_hrv[b] = record[out.HRV_END_MS];
  st_hrv[b + 1] = record[out.HRV_WINDOW_S];
  st_hrv[b + 2] = record[out.HRV_BEAT_COUNT];
  st_hrv[b + 3] = record[out.HRV_VALID_PERMILLE];
  st_hrv[b + 4] = record[out.HRV_MEAN_IBI_MS_X10];
  st_hrv[b + 5] = record[out.HRV_SDNN_MS_X10];
  st_hrv[b + 6] = record[out.HRV_RMSSD_MS_X10];
  st_hrv[b + 7] = record[out.HRV_PNN50_PERMILLE];
  st_hrv[b + 8] = record[out.HRV_PUBLISHED];
  st_hrv[b + 9] = emitted_ms;
  st_hrv_n = st_hrv_n + 1;
}

/** One raw PPG sample from the pipeline (its hook while the stream is on), before it counts it. */
export function stream_on_raw(x: number): void {
  ppg_take(x, ring_samples_counted() + raw_base);
}

/** One raw PPG sample fed from outside the pipeline: it takes the next index. */
export function stream_on_raw_external(x: number): void {
  const index = ring_samples_counted() + raw_base;
  raw_base = raw_base + 1;
  ppg_take(x, index);
}

function ppg_take(x: number, index: number): void {
  if ((kinds & STREAM_PPG) === 0) return;
  const decim = config_ppg_decim();
  const take = ppg_in % decim === 0;
  ppg_in = ppg_in + 1;
  if (!take) return;
  if (ppg_n === 0) {
    ppg_first = Math.floor((ppg_in - 1) / decim);
    ppg_first_raw = index;
  }
  const b = ppg_n * PPG_SAMPLE_SIZE;
  ppg_bytes[b] = x & 0xff;
  ppg_bytes[b + 1] = (x >> 8) & 0xff;
  ppg_bytes[b + 2] = (x >> 16) & 0xff;
  ppg_bytes[b + 3] = (x >> 24) & 0xff;
  ppg_n = ppg_n + 1;
  if (ppg_n >= config_ppg_batch() || ppg_n === PPG_BATCH_SAMPLES_MAX) ppg_flush();
}

// ---------------------------------------------------------------------------------------
// Frames out

/**
 * Send the staged items (after each record and on TX space) once the outgoing queue is
 * empty: while the link is backed up they keep collecting into larger batches. A full
 * stage is flushed at once (stage_*), if the queue admits the frame.
 */
export function stream_flush(): void {
  if (txq_frame_count() !== 0) return;
  if (!txq_stream_fits(STREAM_FRAME_SIZE_MIN)) return;
  if (st_beats_n > 0) flush_beats();
  if (st_hr_n > 0) flush_hr();
  if (st_hrv_n > 0) flush_hrv();
}

function begin(): void {
  enc_begin();
}

/** Header and push; returns 1 when the queue took the frame (the sequence is then used). */
function send(cmd: number): number {
  const size = enc_finish(OP_READ_RSP, FLAG_UNSOLICITED, GROUP_STREAM, seq, cmd);
  assert(size > 0, FAULT_STREAM); // stages are sized so that a full one fits a frame
  if (txq_push(enc_frame(), size, TXQ_CLASS_STREAM) !== 0) return 0;
  seq = (seq + 1) & 0xff;
  return 1;
}

function flush_beats(): void {
  begin();
  enc_map(3);
  enc_key_uint("first", st_beats[5] >>> 0);
  enc_key_uint("drops", drops[DROP_BEATS]);
  enc_text("beats");
  enc_array(st_beats_n);
  for (let i = 0; i < st_beats_n; i++) {
    const b = i * BEAT_WORDS;
    enc_array(6);
    enc_uint(time_device_ms(st_beats[b]));
    enc_uint(st_beats[b + 1] > 0 ? st_beats[b + 1] : 0);
    enc_bool(st_beats[b + 2]);
    enc_uint(st_beats[b + 3] > 0 ? st_beats[b + 3] : 0);
    enc_int(st_beats[b + 4]);
    enc_uint(time_device_ms(st_beats[b + 6]));
  }
  if (send(CMD_STREAM_BEATS) !== 0) st_beats_n = 0;
}

function flush_hr(): void {
  begin();
  enc_map(2);
  enc_key_uint("drops", drops[DROP_HR]);
  enc_text("hr");
  enc_array(st_hr_n);
  for (let i = 0; i < st_hr_n; i++) {
    const b = i * HR_WORDS;
    enc_array(4);
    enc_uint(time_device_ms(st_hr[b]));
    enc_uint(st_hr[b + 1] > 0 ? st_hr[b + 1] : 0);
    enc_uint(st_hr[b + 2] > 0 ? st_hr[b + 2] : 0);
    enc_uint(time_device_ms(st_hr[b + 3]));
  }
  if (send(CMD_STREAM_HR) !== 0) st_hr_n = 0;
}

function flush_hrv(): void {
  begin();
  enc_map(2);
  enc_key_uint("drops", drops[DROP_HRV]);
  enc_text("windows");
  enc_array(st_hrv_n);
  for (let i = 0; i < st_hrv_n; i++) {
    const b = i * HRV_WORDS;
    enc_array(10);
    enc_uint(time_device_ms(st_hrv[b]));
    for (let k = 1; k < 8; k++) enc_uint(st_hrv[b + k] > 0 ? st_hrv[b + k] : 0);
    enc_bool(st_hrv[b + 8]);
    enc_uint(time_device_ms(st_hrv[b + 9]));
  }
  if (send(CMD_STREAM_HRV) !== 0) st_hrv_n = 0;
}

/** Send the PPG batch, or drop it (counted) when the queue refuses it. */
function ppg_flush(): void {
  if (ppg_n === 0) return;
  const rate_hz = ring_sample_rate_hz();
  const period_ms = rate_hz > 0 ? Math.floor(1000 / rate_hz) : 0;
  const period_us = rate_hz > 0 ? Math.floor(1000000 / rate_hz) * config_ppg_decim() : 0;
  begin();
  enc_map(6);
  enc_key_uint("first", ppg_first > U32_MAX ? U32_MAX : ppg_first);
  enc_key_uint("t_ms", time_device_ms(ppg_first_raw * period_ms));
  enc_key_uint("period_us", period_us);
  enc_text("samples");
  enc_bytes(ppg_bytes, 0, ppg_n * PPG_SAMPLE_SIZE);
  enc_key_uint("drops_sensor", ppg_drops_sensor);
  enc_key_uint("drops_link", drops[DROP_PPG]);
  if (send(CMD_STREAM_PPG) === 0) {
    count_drop(DROP_PPG, ppg_n);
    seq = (seq + 1) & 0xff; // a dropped frame leaves a gap in the sequence (PROTOCOL.md 8.4)
  }
  ppg_n = 0;
}
