// Test harness for the firmware's GATT server: boots the firmware with a fake HAL (a clock
// the test sets, no sensor samples), attaches a fake BleHal that records every PDU the
// firmware sends (and can refuse them, like a full link queue), and plays an ATT client:
// discovery, MTU exchange, CCCD writes, request frames cut into Write Commands, and
// notifications reassembled into frames decoded with cbor-x (protocol/host/frame.ts).
// Test code: allocates freely.

import type { BleHal, Hal } from '../../firmware/hal.js';
import * as fw from '../../firmware/ring.js';
import { ble_on_record, stream_on_raw_sample } from '../../firmware/ble/entry.js';
import { gatt_h_battery, gatt_h_battery_cccd, gatt_h_frame, gatt_h_frame_cccd, gatt_h_hrm, gatt_h_hrm_cccd } from '../../firmware/ble/gatt-db.js';
import * as out from '../../firmware/output.js';
import { NorFlash } from '../../sim/flash/nor-flash.js';
import { FRAME_HEADER_SIZE, OP_READ, OP_WRITE } from '../../protocol/ids.js';
import { decodeFrame, encodeFrame, encodeFrameBytes, type DecodedFrame } from '../../protocol/host/frame.js';

export const H = {
  get frame() { return gatt_h_frame; },
  get frameCccd() { return gatt_h_frame_cccd; },
  get hrm() { return gatt_h_hrm; },
  get hrmCccd() { return gatt_h_hrm_cccd; },
  get battery() { return gatt_h_battery; },
  get batteryCccd() { return gatt_h_battery_cccd; },
};

export class FakeHal implements Hal {
  now_ms = 0;
  sensor_configure(): number { return 0; }
  sensor_read(): number { return 0; }
  sensor_overflow_count(): number { return 0; }
  motion_activity_read(): number { return 0; }
  imu_read(): number { return 0; }
  imu_present(): boolean { return false; }
  clock_ms(): number { return this.now_ms; }
  emit(): void {}
}

export class FakeBle implements BleHal {
  /** Every PDU accepted, oldest first. */
  sent: Uint8Array[] = [];
  /** att_send refuses (-1) while this is true. */
  refuse = false;
  /** Accept this many more PDUs, then refuse (null: no limit). */
  budget: number | null = null;
  refused = 0;
  battery = 80;
  att_send(pdu: Uint8Array, length: number): number {
    if (this.refuse || (this.budget !== null && this.budget <= 0)) {
      this.refused++;
      return -1;
    }
    if (this.budget !== null) this.budget--;
    this.sent.push(pdu.slice(0, length));
    return 0;
  }
  battery_percent(): number { return this.battery; }
}

export const le16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
export const rd16 = (b: Uint8Array, off: number): number => b[off]! | (b[off + 1]! << 8);

export interface Ring {
  hal: FakeHal;
  ble: FakeBle;
  mtu: number;
  flash: NorFlash;
}

/** Boot the firmware at rate_hz, attach a fresh fake radio, connect at MTU 23. */
export function boot(rate_hz = 25, flash = new NorFlash()): Ring {
  const hal = new FakeHal();
  const ble = new FakeBle();
  if (fw.ring_boot(hal, rate_hz) !== 0) throw new Error('ring_boot failed');
  if (fw.ring_ble_attach(ble, flash) !== 0) throw new Error('attach failed');
  fw.ring_ble_connected(1, 23);
  return { hal, ble, mtu: 23, flash };
}

/** Send one ATT PDU; returns ring_ble_rx's result and the PDUs sent in answer. */
export function att(ring: Ring, bytes: number[] | Uint8Array): { rc: number; out: Uint8Array[] } {
  const before = ring.ble.sent.length;
  const pdu = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const rc = fw.ring_ble_rx(pdu, pdu.length);
  return { rc, out: ring.ble.sent.slice(before) };
}

/** The single ATT response to a request (throws when there is not exactly one non-notification). */
export function attRsp(ring: Ring, bytes: number[]): Uint8Array {
  const r = att(ring, bytes);
  const rsps = r.out.filter((p) => p[0] !== 0x1b);
  if (rsps.length !== 1) throw new Error(`expected one ATT response, got ${rsps.length}`);
  return rsps[0]!;
}

export function exchangeMtu(ring: Ring, client_mtu: number): number {
  const rsp = attRsp(ring, [0x02, ...le16(client_mtu)]);
  if (rsp[0] !== 0x03) throw new Error('no MTU response');
  ring.mtu = Math.min(Math.max(client_mtu, 23), rd16(rsp, 1));
  return rd16(rsp, 1);
}

export function writeCccd(ring: Ring, handle: number, value: number): Uint8Array {
  return attRsp(ring, [0x12, ...le16(handle), ...le16(value)]);
}

/** Connect and enable notifications on the frame characteristic. */
export function ready(rate_hz = 25, mtu = 23): Ring {
  const ring = boot(rate_hz);
  if (mtu !== 23) exchangeMtu(ring, mtu);
  writeCccd(ring, H.frameCccd, 1);
  ring.ble.sent.length = 0;
  return ring;
}

/** Cut a frame into Write Commands of at most MTU - 3 bytes. */
export function pieces(frame: Uint8Array, mtu: number): Uint8Array[] {
  const n = mtu - 3;
  const outp: Uint8Array[] = [];
  for (let off = 0; off < frame.length; off += n) outp.push(frame.subarray(off, Math.min(frame.length, off + n)));
  return outp;
}

export function writeCmd(ring: Ring, payload: Uint8Array | number[]): number {
  const p = payload instanceof Uint8Array ? payload : new Uint8Array(payload);
  const pdu = new Uint8Array(3 + p.length);
  pdu[0] = 0x52;
  pdu[1] = H.frame & 0xff;
  pdu[2] = H.frame >> 8;
  pdu.set(p, 3);
  return fw.ring_ble_rx(pdu, pdu.length);
}

/** Send a whole frame as Write Commands. */
export function sendFrame(ring: Ring, frame: Uint8Array): void {
  for (const p of pieces(frame, ring.mtu)) writeCmd(ring, p);
}

/** Reassembles the frame characteristic's notifications (a host's receive side). */
export class FrameCollector {
  private buf: number[] = [];
  private taken: number;
  frames: DecodedFrame[] = [];
  raw: Uint8Array[] = [];
  pieceSizes: number[] = [];
  /** Collects the notifications sent from now on. */
  constructor(private readonly ring: Ring) {
    this.taken = ring.ble.sent.length;
  }
  /** Take new notifications; returns the frames completed by them. */
  poll(): DecodedFrame[] {
    const done: DecodedFrame[] = [];
    const sent = this.ring.ble.sent;
    for (; this.taken < sent.length; this.taken++) {
      const p = sent[this.taken]!;
      if (p[0] !== 0x1b || rd16(p, 1) !== H.frame) continue;
      if (p.length > this.ring.mtu) throw new Error(`notification of ${p.length} bytes at MTU ${this.ring.mtu}`);
      this.pieceSizes.push(p.length - 3);
      for (let i = 3; i < p.length; i++) this.buf.push(p[i]!);
      for (;;) {
        if (this.buf.length < FRAME_HEADER_SIZE) break;
        const size = FRAME_HEADER_SIZE + ((this.buf[2]! << 8) | this.buf[3]!);
        if (this.buf.length < size) break;
        const bytes = new Uint8Array(this.buf.splice(0, size));
        this.raw.push(bytes);
        const f = decodeFrame(bytes);
        this.frames.push(f);
        done.push(f);
      }
    }
    return done;
  }
  pending(): number {
    return this.buf.length;
  }
}

let seq = 0;
export function nextSeq(): number {
  seq = (seq + 1) & 0xff;
  return seq;
}

/** One request (body encoded with the host's encoder) and its response, which must come at once. */
export function request(
  ring: Ring,
  group: number,
  cmd: number,
  op: number,
  body: unknown = {},
  collector?: FrameCollector,
): DecodedFrame {
  const s = nextSeq();
  const c = collector ?? new FrameCollector(ring);
  c.poll();
  sendFrame(ring, encodeFrame({ op, group, seq: s, cmd }, body));
  const got = c.poll().filter((f) => (f.header.flags & 1) === 0);
  if (got.length !== 1) throw new Error(`expected one response, got ${got.length}`);
  const f = got[0]!;
  if (f.header.seq !== s || f.header.group !== group || f.header.cmd !== cmd) throw new Error('response does not echo the request');
  return f;
}

/** As request, with raw body bytes (bad CBOR etc.). */
export function requestRaw(ring: Ring, group: number, cmd: number, op: number, body: Uint8Array, version?: number): DecodedFrame {
  const s = nextSeq();
  const c = new FrameCollector(ring);
  c.poll();
  const frame = encodeFrameBytes({ op, group, seq: s, cmd, ...(version === undefined ? {} : { version }) }, body);
  sendFrame(ring, frame);
  const got = c.poll().filter((f) => (f.header.flags & 1) === 0);
  if (got.length !== 1) throw new Error(`expected one response, got ${got.length}`);
  return got[0]!;
}

export const read = (ring: Ring, group: number, cmd: number, body: unknown = {}): DecodedFrame =>
  request(ring, group, cmd, OP_READ, body);
export const write = (ring: Ring, group: number, cmd: number, body: unknown = {}): DecodedFrame =>
  request(ring, group, cmd, OP_WRITE, body);

export function body(f: DecodedFrame): Record<string, unknown> {
  return f.body as Record<string, unknown>;
}

// Records as the firmware emits them (firmware/output.ts layouts).
const rec = new Int32Array(out.OUT_RECORD_FIELDS_MAX);
export function emitBeat(time_ms: number, ibi_ms: number, valid: number, sqi: number, amp: number, index: number): void {
  rec.fill(0);
  rec[out.BEAT_TIME_MS] = time_ms;
  rec[out.BEAT_IBI_MS] = ibi_ms;
  rec[out.BEAT_IBI_VALID] = valid;
  rec[out.BEAT_SQI] = sqi;
  rec[out.BEAT_AMPLITUDE] = amp;
  rec[out.BEAT_INDEX] = index;
  ble_on_record(out.OUT_KIND_BEAT, rec, out.BEAT_FIELDS);
}
export function emitHr(time_ms: number, bpm_x10: number, conf: number): void {
  rec.fill(0);
  rec[out.HR_TIME_MS] = time_ms;
  rec[out.HR_BPM_X10] = bpm_x10;
  rec[out.HR_CONFIDENCE] = conf;
  ble_on_record(out.OUT_KIND_HR, rec, out.HR_FIELDS);
}
export function emitHrv(end_ms: number, window_s: number, published: number): void {
  rec.fill(0);
  rec[out.HRV_WINDOW_S] = window_s;
  rec[out.HRV_END_MS] = end_ms;
  rec[out.HRV_BEAT_COUNT] = 70;
  rec[out.HRV_VALID_PERMILLE] = 950;
  rec[out.HRV_MEAN_IBI_MS_X10] = 8571;
  rec[out.HRV_SDNN_MS_X10] = 421;
  rec[out.HRV_RMSSD_MS_X10] = 388;
  rec[out.HRV_PNN50_PERMILLE] = 120;
  rec[out.HRV_PUBLISHED] = published;
  ble_on_record(out.OUT_KIND_HRV, rec, out.HRV_FIELDS);
}
export function emitStatus(time_ms: number, code: number, value: number): void {
  rec.fill(0);
  rec[out.STATUS_TIME_MS] = time_ms;
  rec[out.STATUS_CODE] = code;
  rec[out.STATUS_VALUE] = value;
  ble_on_record(out.OUT_KIND_STATUS, rec, out.STATUS_FIELDS);
}

export { stream_on_raw_sample };
