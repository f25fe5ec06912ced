// A scripted BLE session run both in Node and, bundled to ES5, in Duktape
// (ble-duktape.test.ts): boot, attach, connect, MTU exchange, discovery, CCCDs, every
// command, records streamed and logged, HRS, backpressure and a seeded burst of garbage
// PDUs. Every PDU the firmware sends and every return code become text lines, so the two
// engines' outputs can be compared for equality. Written for ES5 after transpiling: no
// Buffer, no padStart, no Map, no typed-array slice/fill.

import * as fw from '../../firmware/ring.js';
import { ble_on_record } from '../../firmware/ble/entry.js';
import { gatt_h_frame, gatt_h_frame_cccd, gatt_h_hrm_cccd, gatt_h_battery_cccd } from '../../firmware/ble/gatt-db.js';
import {
  cbor_write_bool,
  cbor_write_bytes,
  cbor_write_int,
  cbor_write_map,
  cbor_write_text,
} from '../../protocol/device/cbor.js';
import { FRAME_HDR_WORDS, frame_header_set, frame_header_write } from '../../protocol/device/frame.js';

const HEX = '0123456789abcdef';

function toHex(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += HEX.charAt(b[i] >> 4) + HEX.charAt(b[i] & 15);
  return s;
}

let lines: string[] = [];
let now_ms = 0;
let refuse = false;
let battery = 77;

const hal = {
  sensor_configure: (): number => 0,
  sensor_read: (): number => 0,
  sensor_overflow_count: (): number => 0,
  motion_activity_read: (): number => 0,
  imu_read: (): number => 0,
  imu_present: (): boolean => false,
  clock_ms: (): number => now_ms,
  emit: (): void => {},
};

const ble = {
  att_send: (pdu: Uint8Array, length: number): number => {
    if (refuse) {
      lines.push('refused ' + length);
      return -1;
    }
    lines.push('> ' + toHex(pdu, 0, length));
    return 0;
  },
  battery_percent: (): number => battery,
};

// The ring's flash for the history log: 1 MB of 4 KB sectors, 4-byte write units, writes
// only clear bits (the rules of sim/flash/nor-flash.ts, without its faults: this harness
// compares engines, the fault sweeps are test/store/).
const FLASH_BYTES = 1 << 20;
let flash_data: Uint8Array | null = null;
const flash = {
  flash_read: (addr: number, dst: Uint8Array, off: number, length: number): number => {
    for (let i = 0; i < length; i++) dst[off + i] = flash_data![addr + i];
    return 0;
  },
  flash_write: (addr: number, src: Uint8Array, off: number, length: number): number => {
    if (addr % 4 !== 0 || length % 4 !== 0) return -1;
    for (let i = 0; i < length; i++) flash_data![addr + i] &= src[off + i];
    return 0;
  },
  flash_erase: (addr: number): number => {
    for (let i = 0; i < 4096; i++) flash_data![addr + i] = 0xff;
    lines.push('erase ' + addr);
    return 0;
  },
  flash_sector_bytes: (): number => 4096,
  flash_write_unit_bytes: (): number => 4,
  flash_size_bytes: (): number => FLASH_BYTES,
};

function rx(bytes: number[]): void {
  const pdu = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pdu[i] = bytes[i] & 0xff;
  lines.push('< ' + toHex(pdu, 0, pdu.length) + ' rc ' + fw.ring_ble_rx(pdu, pdu.length));
}

function le16(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff];
}

type Value = number | boolean | string | Uint8Array | Pair[];
type Pair = [string, Value];

function textBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

function writeValue(buf: Uint8Array, pos: number, v: Value): number {
  if (typeof v === 'number') return cbor_write_int(buf, pos, buf.length, v);
  if (typeof v === 'boolean') return cbor_write_bool(buf, pos, buf.length, v ? 1 : 0);
  if (typeof v === 'string') return cbor_write_text(buf, pos, buf.length, textBytes(v), 0, v.length);
  if (v instanceof Uint8Array) return cbor_write_bytes(buf, pos, buf.length, v, 0, v.length);
  let p = cbor_write_map(buf, pos, buf.length, v.length);
  for (let i = 0; i < v.length; i++) {
    p = writeValue(buf, p, v[i][0]);
    p = writeValue(buf, p, v[i][1]);
  }
  return p;
}

let seq = 0;
/** One request frame, sent as Write Commands of mtu - 3 bytes. */
function request(mtu: number, op: number, group: number, cmd: number, body: Pair[]): void {
  const frame = new Uint8Array(1024);
  const end = writeValue(frame, 8, body);
  const hdr = new Int32Array(FRAME_HDR_WORDS);
  seq = (seq + 1) & 0xff;
  frame_header_set(hdr, op, 0, end - 8, group, seq, cmd);
  frame_header_write(frame, 0, hdr);
  for (let off = 0; off < end; off += mtu - 3) {
    const n = Math.min(mtu - 3, end - off);
    const pdu: number[] = [0x52, gatt_h_frame & 0xff, gatt_h_frame >> 8];
    for (let i = 0; i < n; i++) pdu.push(frame[off + i]);
    rx(pdu);
  }
}

const rec = new Int32Array(12);
function record(kind: number, fields: number[]): void {
  for (let i = 0; i < 12; i++) rec[i] = i < fields.length ? fields[i] : 0;
  ble_on_record(kind, rec, fields.length);
}

/** Everything the engines must agree on. */
export function run(): string[] {
  lines = [];
  now_ms = 0;
  refuse = false;
  battery = 77;
  lines.push('boot ' + fw.ring_boot(hal, 25));
  flash_data = new Uint8Array(FLASH_BYTES);
  for (let i = 0; i < FLASH_BYTES; i++) flash_data[i] = 0xff;
  lines.push('attach ' + fw.ring_ble_attach(ble, flash));
  fw.ring_ble_connected(1, 23);
  // Discovery and reads at MTU 23.
  rx([0x10, 1, 0, 0xff, 0xff, 0x00, 0x28]);
  rx([0x10, 7, 0, 0xff, 0xff, 0x00, 0x28]);
  rx([0x08, 1, 0, 0xff, 0xff, 0x03, 0x28]);
  rx([0x04, 1, 0, 0xff, 0xff]);
  rx([0x0a, 0x17, 0]);
  rx([0x0c, 0x17, 0, 4, 0]);
  rx([0x0a, 0x13, 0]);
  rx([0x02, 185, 0]);
  rx([0x12].concat(le16(gatt_h_frame_cccd), [1, 0]));
  rx([0x12].concat(le16(gatt_h_hrm_cccd), [1, 0]));
  rx([0x12].concat(le16(gatt_h_battery_cccd), [1, 0]));
  const mtu = 185;
  // Commands.
  request(mtu, 0, 64, 0, []);
  now_ms = 4000;
  request(mtu, 2, 65, 0, [['now_ms', 1735689600000]]);
  now_ms = 70000;
  request(mtu, 2, 65, 0, [['now_ms', 1735689666010]]);
  request(mtu, 0, 65, 0, []);
  request(mtu, 2, 66, 0, [['sample_rate_hz', 50], ['stream', [['ppg_batch', 5], ['hr_period_s', 2]]], ['hrs', true]]);
  request(mtu, 2, 66, 0, [['hrv_long_s', 45]]);
  request(mtu, 2, 67, 0, [['kinds', 15]]);
  request(mtu, 0, 69, 0, []);
  // Records: streamed, logged, HRS.
  for (let i = 1; i <= 40; i++) {
    now_ms += 800;
    record(1, [i * 800, 800 + (i % 7), i % 5 === 0 ? 0 : 1, 90, 1000 - i, i]);
    record(2, [i * 800, 700 + i, 80]);
    for (let k = 0; k < 20; k++) fw.stream_on_raw_sample(i * 1000 - k * 37);
    if (i % 10 === 0) record(3, [60, i * 800, 70, 950, 8571, 421, 388, 120, 1]);
    if (i === 20) record(4, [i * 800, 2, 7]);
    if (i === 25) battery = 76;
  }
  // Backpressure: a history page cut off, then resumed.
  refuse = true;
  request(mtu, 0, 68, 0, [['from_seq', 1], ['max_records', 64]]);
  refuse = false;
  fw.ring_ble_tx_space();
  request(mtu, 0, 68, 0, [['from_seq', 30], ['max_records', 64], ['kinds', 2]]);
  // Errors.
  request(mtu, 0, 70, 0, []);
  request(mtu, 0, 68, 0, [['from_seq', 1]]);
  request(mtu, 2, 67, 1, [['kinds', 0]]);
  // Unknown keys that are not printable ASCII (raw bytes, a terminal escape, a backslash),
  // one cut at the 64-byte limit: the ring names them with \xHH escapes.
  request(mtu, 2, 66, 0, [['\u00c3\u00a9\u00ff\u001b[31m\\', 1]]);
  request(mtu, 2, 66, 0, [['stream', [['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz1234\u00c3\u00a9', 1]]]]);
  rx([0x52, gatt_h_frame & 0xff, gatt_h_frame >> 8, 0x08, 0, 0, 5, 0, 64, 1, 0, 0xa0]);
  now_ms += 6000;
  rx([0x52, gatt_h_frame & 0xff, gatt_h_frame >> 8, 0x08, 0, 0, 1, 0, 64, 2, 0, 0xa0]);
  // Seeded garbage (a 32-bit LCG: the same numbers in both engines).
  let x = 12345;
  for (let i = 0; i < 400; i++) {
    const pdu: number[] = [];
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const n = 1 + (x >>> 24) % 40;
    for (let k = 0; k < n; k++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      pdu.push(x >>> 16);
    }
    if (i % 3 === 0) pdu[0] = 0x52;
    if (i % 3 === 0 && pdu.length > 2) {
      pdu[1] = gatt_h_frame & 0xff;
      pdu[2] = 0;
    }
    rx(pdu);
    if (i % 50 === 0) now_ms += 7000;
  }
  fw.ring_ble_tx_space();
  request(mtu, 0, 64, 0, []);
  fw.ring_ble_connected(0, 23);
  // A reset: RAM starts over, the log is scanned from flash and carries on (a recovery
  // status record, then new records after the newest stored one); then the erase command.
  lines.push('reattach ' + fw.ring_ble_attach(ble, flash));
  fw.ring_ble_connected(1, 23);
  record(1, [99000, 812, 1, 91, 999, 41]);
  request(23, 0, 68, 0, [['from_seq', 100], ['max_records', 8]]);
  request(23, 2, 68, 1, []);
  request(23, 0, 68, 0, [['from_seq', 1], ['max_records', 8]]);
  fw.ring_ble_connected(0, 23);
  return lines;
}
