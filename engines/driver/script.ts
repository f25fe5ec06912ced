// Scripts for engines/driver/driver.ts: the sensor feed of a recording and, for the whole
// firmware, a scripted BLE central interleaved with it: connect, MTU exchange, discovery,
// CCCDs, device info, time, config, stream subscription, records streamed while samples
// flow, history pages (one cut off by a refusing link, then resumed), unsubscribe,
// disconnect. The central is not reactive (it never reads the ring's answers), so one
// script gives every engine the same inputs; its requests are chosen to succeed on a
// firmware running the script's recording.

import { encodeFrame } from '../../protocol/host/frame.js';
import {
  CMD_BATTERY,
  CMD_CONFIG,
  CMD_DEVICE_INFO,
  CMD_HISTORY_READ,
  CMD_STREAM_STATUS,
  CMD_STREAM_SUBSCRIBE,
  CMD_STREAM_UNSUBSCRIBE,
  CMD_TIME,
  GROUP_BATTERY,
  GROUP_CONFIG,
  GROUP_DEVICE,
  GROUP_HISTORY,
  GROUP_STREAM,
  GROUP_TIME,
} from '../../protocol/ids.js';
import {
  FLAG_FEED_ONLY,
  FLAG_NO_RADIO,
  OP_BATTERY,
  OP_CONNECT,
  OP_DISCONNECT,
  OP_END,
  OP_REFUSE,
  OP_RX,
  OP_SAMPLES,
  OP_TX_SPACE,
  SCRIPT_MAGIC,
  SCRIPT_VERSION,
} from './driver.js';

import { identity_boot } from '../../firmware/cmd/identity.js';
import { gatt_db_boot, gatt_h_battery_cccd, gatt_h_frame, gatt_h_frame_cccd, gatt_h_hrm_cccd } from '../../firmware/ble/gatt-db.js';

/** ATT handles of the firmware's GATT table, as the firmware's own gatt_db_boot assigns them. */
function handles(): { frame: number; frame_cccd: number; hrm_cccd: number; battery_cccd: number } {
  identity_boot();
  gatt_db_boot();
  return { frame: gatt_h_frame, frame_cccd: gatt_h_frame_cccd, hrm_cccd: gatt_h_hrm_cccd, battery_cccd: gatt_h_battery_cccd };
}

export interface ScriptOptions {
  rate_hz: number;
  /** The feed only, the firmware never called (its instruction count is subtracted). */
  feed_only?: boolean;
  /** No radio attached (the radio-less ring). */
  no_radio?: boolean;
}

class ScriptWriter {
  private words: number[] = [];
  private seq = 0;

  readonly h = handles();

  constructor(opts: ScriptOptions) {
    const flags = (opts.feed_only ? FLAG_FEED_ONLY : 0) | (opts.no_radio ? FLAG_NO_RADIO : 0);
    this.words.push(SCRIPT_MAGIC, SCRIPT_VERSION, opts.rate_hz, 0, flags); // header word 3: reserved
  }

  samples(stream: Int32Array, from: number, to: number): void {
    const end = Math.min(to, stream.length);
    if (end <= from) return;
    this.words.push(OP_SAMPLES, end - from);
    for (let i = from; i < end; i++) this.words.push(stream[i]!);
  }

  op(code: number, ...args: number[]): void {
    this.words.push(code, ...args);
  }

  rx(bytes: readonly number[]): void {
    this.words.push(OP_RX, bytes.length, ...bytes.map((b) => b & 0xff));
  }

  /** One request frame as Write Commands of (mtu - 3) bytes. */
  request(mtu: number, op: number, group: number, cmd: number, body: Record<string, unknown> = {}): void {
    this.seq = (this.seq + 1) & 0xff;
    const frame = encodeFrame({ op, group, seq: this.seq, cmd }, body);
    for (let off = 0; off < frame.length; off += mtu - 3) {
      const piece = Array.from(frame.subarray(off, Math.min(frame.length, off + mtu - 3)));
      this.rx([0x52, this.h.frame & 0xff, this.h.frame >> 8, ...piece]);
    }
  }

  finish(): Int32Array {
    this.words.push(OP_END);
    return Int32Array.from(this.words);
  }
}

/** The sensor feed alone: the whole stream, no central. */
export function feedScript(stream: Int32Array, opts: ScriptOptions): Int32Array {
  const w = new ScriptWriter(opts);
  w.samples(stream, 0, stream.length);
  return w.finish();
}

const OP_READ = 0;
const OP_WRITE = 2;

/**
 * The whole-firmware session over a stream (at least 60 s of it is used; the rest follows
 * after the central disconnects). Samples flow in 1 s steps, each followed by the
 * controller freeing its queue (a connection event's worth of space).
 */
export function sessionScript(stream: Int32Array, opts: ScriptOptions): Int32Array {
  const w = new ScriptWriter(opts);
  const rate = opts.rate_hz;
  let pos = 0;
  const step = (seconds: number, connected: boolean): void => {
    for (let s = 0; s < seconds; s++) {
      w.samples(stream, pos, pos + rate);
      pos += rate;
      if (connected) w.op(OP_TX_SPACE);
    }
  };
  step(8, false);
  w.op(OP_CONNECT, 23);
  w.rx([0x02, 185, 0]); // Exchange MTU
  w.rx([0x10, 1, 0, 0xff, 0xff, 0x00, 0x28]); // Read By Group Type: primary services
  w.rx([0x08, 1, 0, 0xff, 0xff, 0x03, 0x28]); // Read By Type: characteristics
  w.rx([0x04, 1, 0, 0xff, 0xff]); // Find Information
  w.rx([0x12, w.h.frame_cccd & 0xff, w.h.frame_cccd >> 8, 1, 0]); // notifications on: frames, HRM, battery
  w.rx([0x12, w.h.hrm_cccd & 0xff, w.h.hrm_cccd >> 8, 1, 0]);
  w.rx([0x12, w.h.battery_cccd & 0xff, w.h.battery_cccd >> 8, 1, 0]);
  w.op(OP_TX_SPACE);
  const mtu = 185;
  w.request(mtu, OP_READ, GROUP_DEVICE, CMD_DEVICE_INFO);
  w.request(mtu, OP_WRITE, GROUP_TIME, CMD_TIME, { now_ms: 1735689600000 });
  w.request(mtu, OP_WRITE, GROUP_CONFIG, CMD_CONFIG, { stream: { ppg_batch: 25, hr_period_s: 2 }, hrs: true });
  w.request(mtu, OP_WRITE, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: 15 });
  w.op(OP_TX_SPACE);
  step(20, true);
  w.request(mtu, OP_READ, GROUP_STREAM, CMD_STREAM_STATUS);
  w.request(mtu, OP_READ, GROUP_BATTERY, CMD_BATTERY);
  w.op(OP_BATTERY, 76);
  step(10, true);
  // A history page while the link refuses: the rest goes out once it has room.
  w.op(OP_REFUSE, 1);
  w.request(mtu, OP_READ, GROUP_HISTORY, CMD_HISTORY_READ, { from_seq: 1, max_records: 32 });
  w.op(OP_REFUSE, 0);
  w.op(OP_TX_SPACE);
  w.op(OP_TX_SPACE);
  w.request(mtu, OP_READ, GROUP_HISTORY, CMD_HISTORY_READ, { from_seq: 20, max_records: 16, kinds: 2 });
  w.op(OP_TX_SPACE);
  w.request(mtu, OP_WRITE, GROUP_CONFIG, CMD_CONFIG, { hrv_long_s: 60, hrv_short_s: 30 });
  w.op(OP_TX_SPACE);
  step(20, true);
  w.request(mtu, OP_READ, GROUP_CONFIG, CMD_CONFIG);
  w.request(mtu, OP_WRITE, GROUP_STREAM, CMD_STREAM_UNSUBSCRIBE, { kinds: 15 });
  w.request(mtu, OP_READ, GROUP_HISTORY, CMD_HISTORY_READ, { from_seq: 1, max_records: 64 });
  for (let i = 0; i < 8; i++) w.op(OP_TX_SPACE);
  w.rx([0x52, w.h.frame & 0xff, w.h.frame >> 8, 0x08, 0, 0, 5, 0, 64, 1, 0, 0xa0]); // a torn frame: timed out later
  step(2, true);
  w.op(OP_DISCONNECT);
  w.samples(stream, pos, stream.length);
  return w.finish();
}

/** The script as the file the engine hosts read: int32 little-endian words. */
export function encodeScript(words: Int32Array): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words.length; i++) view.setInt32(i * 4, words[i]!, true);
  return bytes;
}

export { OP_END };
