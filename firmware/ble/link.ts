// The link as the GATT server sees it: the attached BleHal, whether a client is connected,
// the ATT MTU in force, the client's CCCD values, one pending ATT response, and counters.
//
// ATT is a sequential protocol: a client waits for the response to one request before it
// sends the next, so one pending response slot is enough. A response whose att_send is
// refused (-1, link queue full) waits in that slot and goes out first on the next
// ring_ble_tx_space(); nothing else is sent while it waits, so an Exchange MTU response
// always precedes the first PDU sized by the new MTU.

import type { BleHal } from "../hal.js";
import { assert } from "../lib/assert.js";
import { ATT_MTU_MIN } from "../../protocol/ids.js";
import { ATT_OP_NOTIFY, ATT_SERVER_MTU_MAX, CCCD_COUNT } from "./att.js";

const FAULT_LINK = 72;

// Counters (ble_stat ids); all wrap at 2^31.
export const STAT_ATT_RX = 0; // PDUs received
export const STAT_ATT_ERRORS = 1; // ATT Error Responses sent
export const STAT_ATT_TX = 2; // PDUs att_send accepted
export const STAT_ATT_TX_REFUSED = 3; // att_send returned -1
export const STAT_ATT_RSP_OVERRUN = 4; // a request arrived while a response was pending: dropped
export const STAT_NTF_NO_CCCD = 5; // frames dropped because the frame CCCD was off
export const STAT_FRAMES_RX = 6; // complete request frames
export const STAT_FRAME_ERRORS = 7; // error responses sent for frames
export const STAT_REASM_SILENT = 8; // reassembly errors with no header to answer
export const STAT_RSP_BUSY = 9; // requests answered ERR_BUSY (outgoing queue full)
export const STAT_RSP_DROPPED = 10; // error responses dropped: not even room for them
export const STAT_STREAM_FRAMES_DROPPED = 11; // stream frames the queue refused
export const STAT_HRS_SENT = 12;
export const STAT_HRS_REFUSED = 13; // HRS notifications refused by the link (RR kept)
export const STAT_BATTERY_SENT = 14;
export const STAT_RX_REENTERED = 15; // ring_ble_rx called from inside att_send: dropped
export const STAT_RX_NOT_CONNECTED = 16;
export const STAT_COUNT = 17;

let ble_hal: BleHal | null = null;
export let conn_up = 0; // 1 while connected (link_connected also needs a BLE HAL; entry.ts tests this first)
let conn_mtu = 23; // ATT_MTU_MIN (a literal: no top-level statement reaches the ES5 bundle)
let rsp_pending_len = 0; // bytes in rsp_pending, 0 when none
let mtu_exchanged = 0; // 1 after this connection's Exchange MTU
let link_booted = 0;
let rsp_pending!: Uint8Array; // ATT_SERVER_MTU_MAX
let cccd!: Uint16Array; // CCCD_COUNT values written by the client
let stats!: Int32Array;

/** Allocate (first call only) and reset: no client, MTU 23, counters zero. */
export function link_boot(ble: BleHal): void {
  if (link_booted === 0) {
    rsp_pending = new Uint8Array(ATT_SERVER_MTU_MAX);
    cccd = new Uint16Array(CCCD_COUNT);
    stats = new Int32Array(STAT_COUNT);
    link_booted = 1;
  }
  ble_hal = ble;
  for (let i = 0; i < STAT_COUNT; i++) stats[i] = 0;
  link_reset(0, ATT_MTU_MIN);
}

export function link_ram_bytes(): number {
  return ATT_SERVER_MTU_MAX + 2 * CCCD_COUNT + 4 * STAT_COUNT;
}

/** A connection went up (1) or down (0): CCCDs off, no pending response, MTU as given. */
export function link_reset(connected: number, mtu_bytes: number): void {
  conn_up = connected !== 0 ? 1 : 0;
  for (let i = 0; i < CCCD_COUNT; i++) cccd[i] = 0;
  rsp_pending_len = 0;
  mtu_exchanged = 0;
  link_set_mtu(mtu_bytes);
}

/**
 * Apply the MTU of this connection's Exchange MTU. Only the first exchange counts (Core
 * Vol 3 Part F 3.4.2.1: a client sends it once per connection): the MTU never changes
 * under frames already being cut into pieces. Returns 1 when applied.
 */
export function link_exchange_mtu(mtu_bytes: number): number {
  if (mtu_exchanged !== 0) return 0;
  mtu_exchanged = 1;
  link_set_mtu(mtu_bytes);
  return 1;
}

/** Set the ATT MTU, clamped to 23..ATT_SERVER_MTU_MAX. */
export function link_set_mtu(mtu_bytes: number): void {
  let m = Math.floor(mtu_bytes);
  if (!(m >= ATT_MTU_MIN)) m = ATT_MTU_MIN; // also NaN
  if (m > ATT_SERVER_MTU_MAX) m = ATT_SERVER_MTU_MAX;
  conn_mtu = m;
}

export function link_mtu(): number {
  return conn_mtu;
}

export function link_connected(): boolean {
  return conn_up !== 0 && ble_hal !== null;
}

export function link_ble(): BleHal | null {
  return ble_hal;
}

export function link_cccd(index: number): number {
  return cccd[index];
}

export function link_set_cccd(index: number, value: number): void {
  assert(index >= 0 && index < CCCD_COUNT, FAULT_LINK);
  cccd[index] = value & 0xffff;
}

export function link_stat(id: number): number {
  return id >= 0 && id < STAT_COUNT ? stats[id] : 0;
}

export function link_count(id: number): void {
  stats[id] = (stats[id] + 1) & 0x7fffffff;
}

/** 1 while an ATT response waits for link space. */
export function link_rsp_pending(): boolean {
  return rsp_pending_len > 0;
}

/** Hand one PDU to the controller. 0 when accepted, -1 when refused or not connected. */
export function link_send(pdu: Uint8Array, length: number): number {
  const ble = ble_hal;
  if (ble === null || conn_up === 0) return -1;
  assert(length >= 1 && length <= conn_mtu && length <= pdu.length, FAULT_LINK);
  if (ble.att_send(pdu, length) !== 0) {
    link_count(STAT_ATT_TX_REFUSED);
    return -1;
  }
  link_count(STAT_ATT_TX);
  return 0;
}

/**
 * Send an ATT response (or Error Response): at once when the link takes it, else it waits
 * in the pending slot. A second response while one waits means the client broke the
 * sequential protocol: the new one is dropped (counted). Returns 0 or -1 (dropped).
 */
export function link_send_rsp(pdu: Uint8Array, length: number): number {
  assert(length >= 1 && length <= ATT_SERVER_MTU_MAX, FAULT_LINK);
  if (rsp_pending_len > 0) {
    link_count(STAT_ATT_RSP_OVERRUN);
    return -1;
  }
  if (link_send(pdu, length) === 0) return 0;
  if (conn_up === 0) return -1;
  for (let i = 0; i < length; i++) rsp_pending[i] = pdu[i];
  rsp_pending_len = length;
  return 0;
}

/** Retry the pending response. 0 when nothing waits any more, -1 when it still waits. */
export function link_flush_rsp(): number {
  if (rsp_pending_len === 0) return 0;
  if (link_send(rsp_pending, rsp_pending_len) !== 0) return -1;
  rsp_pending_len = 0;
  return 0;
}

/**
 * Notify value[0..len) on handle, building the PDU in pdu (ATT_SERVER_MTU_MAX bytes).
 * Nothing goes out while an ATT response waits. Returns 0 or -1 (refused: caller decides).
 */
export function link_notify(pdu: Uint8Array, handle: number, value: Uint8Array, value_off: number, len: number): number {
  if (rsp_pending_len > 0) return -1;
  assert(len >= 0 && len <= conn_mtu - 3, FAULT_LINK);
  pdu[0] = ATT_OP_NOTIFY;
  pdu[1] = handle & 0xff;
  pdu[2] = handle >> 8;
  for (let i = 0; i < len; i++) pdu[3 + i] = value[value_off + i];
  return link_send(pdu, 3 + len);
}
