// btsnoop captures (what Wireshark and tshark open), datalink 1002: HCI packets as on an H4
// UART, seen from the host (the central). An ATT PDU travels as H4 type 0x02 (ACL data):
// ACL handle + flags (LE u16) | ACL length (LE u16) | L2CAP length (LE u16) | CID 0x0004 | PDU.
// File: "btsnoop\0", u32 BE version 1, u32 BE datalink; records: u32 BE original length,
// u32 BE included length, u32 BE flags (bit 0: received by the host, bit 1: command/event),
// u32 BE drops, i64 BE µs since year 0 (Unix µs + BTSNOOP_EPOCH_DELTA_US).

import { DecodeError } from './cbor-tree.js';

export const BTSNOOP_MAGIC = 'btsnoop\0';
export const BTSNOOP_VERSION = 1;
export const DATALINK_H4 = 1002;
/** Linux monitor (what `btmon -w` writes): the record flags hold an opcode, packets lack the H4 byte. */
export const DATALINK_MONITOR = 2001;
const MONITOR_ACL_TX = 5;
const MONITOR_ACL_RX = 6;
const MONITOR_NOTE = 12;
/** µs from 0000-01-01 to 1970-01-01 in btsnoop's calendar. */
export const BTSNOOP_EPOCH_DELTA_US = 0x00dcddb30f2f8000n;
const FILE_HEADER_SIZE = 16;
const RECORD_HEADER_SIZE = 24;
const H4_ACL = 0x02;
const H4_EVENT = 0x04;
const HCI_EVENT_VENDOR = 0xff;
const L2CAP_CID_ATT = 0x0004;
/** The ACL connection handle captures use (any 12-bit value; one connection per capture). */
export const ACL_HANDLE = 0x0040;
/** Packet boundary flag 0b10: first (automatically flushable) packet of an L2CAP PDU. */
const ACL_PB_FIRST = 0x2000;
const FLAG_RECEIVED = 0x01;
const FLAG_COMMAND_EVENT = 0x02;
/** A vendor event carries at most 255 - 0 parameter bytes. */
const NOTE_BYTES_MAX = 255;

/** Who sent an ATT PDU: the host (central, sends requests and writes) or the ring. */
export type AttDirection = 'host' | 'ring';

export interface AttRecord {
  from: AttDirection;
  /** Unix time, µs. */
  time_us: number;
  pdu: Uint8Array;
}

export interface CaptureContents {
  att: AttRecord[];
  /** Text of the vendor events the writer puts in as comments. */
  notes: string[];
  records: number;
}

/** Builds a capture in memory; bytes() gives the file. */
export class BtsnoopWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  records = 0;

  constructor() {
    const header = new Uint8Array(FILE_HEADER_SIZE);
    header.set(Buffer.from(BTSNOOP_MAGIC, 'latin1'), 0);
    const v = new DataView(header.buffer);
    v.setUint32(8, BTSNOOP_VERSION);
    v.setUint32(12, DATALINK_H4);
    this.push(header);
  }

  /** One ATT PDU over ACL/L2CAP at unix_us. */
  att(from: AttDirection, pdu: Uint8Array, unix_us: number): void {
    const packet = new Uint8Array(1 + 4 + 4 + pdu.length);
    const v = new DataView(packet.buffer);
    packet[0] = H4_ACL;
    v.setUint16(1, ACL_HANDLE | ACL_PB_FIRST, true);
    v.setUint16(3, 4 + pdu.length, true);
    v.setUint16(5, pdu.length, true);
    v.setUint16(7, L2CAP_CID_ATT, true);
    packet.set(pdu, 9);
    this.record(packet, from === 'ring' ? FLAG_RECEIVED : 0, unix_us);
  }

  /**
   * A comment: btsnoop has no comment field, so it travels as an HCI vendor-specific event
   * (0xFF) whose parameters are the text; Wireshark shows it as the event's data.
   */
  note(text: string, unix_us: number): void {
    const body = Buffer.from(text, 'utf8').subarray(0, NOTE_BYTES_MAX);
    const packet = new Uint8Array(3 + body.length);
    packet[0] = H4_EVENT;
    packet[1] = HCI_EVENT_VENDOR;
    packet[2] = body.length;
    packet.set(body, 3);
    this.record(packet, FLAG_RECEIVED | FLAG_COMMAND_EVENT, unix_us);
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.chunks, this.size);
  }

  private record(packet: Uint8Array, flags: number, unix_us: number): void {
    if (!Number.isSafeInteger(unix_us) || unix_us < 0) throw new RangeError(`capture time must be a non-negative integer µs, got ${unix_us}`);
    const head = new Uint8Array(RECORD_HEADER_SIZE);
    const v = new DataView(head.buffer);
    v.setUint32(0, packet.length);
    v.setUint32(4, packet.length);
    v.setUint32(8, flags);
    v.setUint32(12, 0);
    v.setBigInt64(16, BigInt(unix_us) + BTSNOOP_EPOCH_DELTA_US);
    this.push(head);
    this.push(packet);
    this.records++;
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }
}

/**
 * Read a btsnoop file (H4, or btmon's monitor format): the ATT PDUs of its ACL packets and
 * its notes. Malformed files are a DecodeError naming the file offset. HCI commands and
 * other events are skipped. ACL packets are taken whole (continuation fragments are not
 * joined: captures of the ring use one ACL packet per PDU).
 */
export function readBtsnoop(file: Uint8Array): CaptureContents {
  if (file.length < FILE_HEADER_SIZE) throw new DecodeError(file.length, 'a 16-byte btsnoop file header', `${file.length} bytes`);
  if (Buffer.from(file.subarray(0, 8)).toString('latin1') !== BTSNOOP_MAGIC) {
    throw new DecodeError(0, 'the btsnoop magic "btsnoop\\0"', JSON.stringify(Buffer.from(file.subarray(0, 8)).toString('latin1')));
  }
  const fv = new DataView(file.buffer, file.byteOffset, file.length);
  const datalink = fv.getUint32(12);
  if (datalink !== DATALINK_H4 && datalink !== DATALINK_MONITOR) {
    throw new DecodeError(12, `datalink ${DATALINK_H4} (HCI H4) or ${DATALINK_MONITOR} (btmon)`, `datalink ${datalink}`);
  }
  const out: CaptureContents = { att: [], notes: [], records: 0 };
  let at = FILE_HEADER_SIZE;
  while (at < file.length) {
    if (at + RECORD_HEADER_SIZE > file.length) throw new DecodeError(at, 'a 24-byte record header', `${file.length - at} bytes`);
    const included = fv.getUint32(at + 4);
    const flags = fv.getUint32(at + 8);
    const unix_us = Number(fv.getBigInt64(at + 16) - BTSNOOP_EPOCH_DELTA_US);
    const start = at + RECORD_HEADER_SIZE;
    if (start + included > file.length) throw new DecodeError(start, `${included} packet bytes`, `${file.length - start}`);
    let p = file.subarray(start, start + included);
    out.records++;
    let received = (flags & FLAG_RECEIVED) !== 0;
    if (datalink === DATALINK_MONITOR) {
      // Monitor records: re-shape ACL packets as H4 ones, keep notes, skip the rest.
      const opcode = flags & 0xffff;
      if (opcode === MONITOR_NOTE) out.notes.push(Buffer.from(p).toString('utf8').replace(/\0+$/, ''));
      if (opcode === MONITOR_ACL_TX || opcode === MONITOR_ACL_RX) {
        received = opcode === MONITOR_ACL_RX;
        p = Buffer.concat([Uint8Array.of(H4_ACL), p]);
      } else {
        at = start + included;
        continue;
      }
    }
    if (p.length >= 9 && p[0] === H4_ACL) {
      const pv = new DataView(p.buffer, p.byteOffset, p.length);
      const l2cap_len = pv.getUint16(5, true);
      const cid = pv.getUint16(7, true);
      if (cid === L2CAP_CID_ATT && 9 + l2cap_len <= p.length) {
        out.att.push({ from: received ? 'ring' : 'host', time_us: unix_us, pdu: p.slice(9, 9 + l2cap_len) });
      }
    } else if (p.length >= 3 && p[0] === H4_EVENT && p[1] === HCI_EVENT_VENDOR) {
      out.notes.push(Buffer.from(p.subarray(3, 3 + p[2])).toString('utf8'));
    }
    at = start + included;
  }
  return out;
}
