// Outgoing frames on the ring frame characteristic: a bounded byte ring of whole frames
// (2-byte length, then the frame), sent as notifications of at most MTU - 3 bytes each
// (PROTOCOL.md section 3). When att_send refuses a piece (-1: link queue full) the rest
// waits here and txq_pump() resumes on ring_ble_tx_space().
//
// Admission policy (TXQ_BYTES = 4096):
// - a request is executed only when a full-size response still fits beside the small
//   reserve (txq_can_respond); otherwise it is answered ERR_BUSY without being executed.
//   So responses are never dropped for lack of room;
// - small error responses (ERR_BUSY, reassembly errors: at most TXQ_SMALL_FRAME_MAX bytes)
//   may use the small reserve; when even that is full they are dropped and counted
//   (the host broke the buf_count limit by far; its request times out);
// - stream frames are admitted only while RX_BUFFER_COUNT full responses and the small
//   reserve stay free; otherwise the stream layer keeps or drops its items and counts them.
// Frames are never interleaved: one frame's pieces all go before the next frame's.

import { assert } from "../lib/assert.js";
import { FRAME_SIZE_MAX, RX_BUFFER_COUNT } from "../../protocol/ids.js";
import { ATT_OP_NOTIFY, ATT_SERVER_MTU_MAX, CCCD_FRAME, CCCD_NOTIFY } from "./att.js";
import {
  STAT_NTF_NO_CCCD,
  STAT_RSP_DROPPED,
  STAT_STREAM_FRAMES_DROPPED,
  link_cccd,
  link_connected,
  link_count,
  link_flush_rsp,
  link_mtu,
  link_send,
} from "./link.js";

export const TXQ_BYTES = 4096;
const TXQ_LEN_SIZE = 2; // length prefix of each queued frame
/** Largest frame that may use the small reserve (error responses). */
export const TXQ_SMALL_FRAME_MAX = 96;
// Derived sizes as literals (checked in txq_boot), so that no top-level statement of this
// module reaches a bundle that does not use it.
/** Room for two small error responses. */
export const TXQ_SMALL_RESERVE = 196; // 2 * (TXQ_SMALL_FRAME_MAX + TXQ_LEN_SIZE)
const TXQ_RESPONSE_ROOM = 1026; // FRAME_SIZE_MAX + TXQ_LEN_SIZE
const TXQ_STREAM_RESERVE = 2248; // RX_BUFFER_COUNT * TXQ_RESPONSE_ROOM + TXQ_SMALL_RESERVE
/** Bytes stream frames may occupy at most. */
export const TXQ_STREAM_BYTES_MAX = 1848; // TXQ_BYTES - TXQ_STREAM_RESERVE
/** Every pump call ends within this many rounds: each round sends >= 1 byte or returns. */
const TXQ_PUMP_ROUNDS_MAX = 4096; // TXQ_BYTES

export const TXQ_CLASS_RESPONSE = 0;
export const TXQ_CLASS_SMALL = 1;
export const TXQ_CLASS_STREAM = 2;

export function txq_ram_bytes(): number {
  return TXQ_BYTES + ATT_SERVER_MTU_MAX;
}

const FAULT_TXQ = 73;

let txq_buf!: Uint8Array;
let txq_pdu!: Uint8Array; // one notification being built
let txq_booted = 0;
let txq_head = 0; // offset of the head frame's length prefix
let txq_used = 0; // bytes held (prefixes included)
let txq_frames = 0;
let txq_sent = 0; // bytes of the head frame already notified
let txq_piece_max = 0; // piece size of the head frame, fixed by its first piece
let txq_handle = 0; // value handle of the frame characteristic
let txq_pumping = 0; // reentrancy guard (att_send calling back into the firmware)

/** Allocate (first call only) and empty the queue; handle is the frame characteristic's. */
export function txq_boot(frame_value_handle: number): void {
  assert(TXQ_SMALL_RESERVE === 2 * (TXQ_SMALL_FRAME_MAX + TXQ_LEN_SIZE), FAULT_TXQ);
  assert(TXQ_RESPONSE_ROOM === FRAME_SIZE_MAX + TXQ_LEN_SIZE, FAULT_TXQ);
  assert(TXQ_STREAM_RESERVE === RX_BUFFER_COUNT * TXQ_RESPONSE_ROOM + TXQ_SMALL_RESERVE, FAULT_TXQ);
  assert(TXQ_STREAM_BYTES_MAX === TXQ_BYTES - TXQ_STREAM_RESERVE && TXQ_PUMP_ROUNDS_MAX === TXQ_BYTES, FAULT_TXQ);
  assert(TXQ_STREAM_BYTES_MAX >= 600, FAULT_TXQ); // a full PPG batch (128 samples, ~590 bytes) fits beside the reserve
  assert(TXQ_SMALL_FRAME_MAX < FRAME_SIZE_MAX, FAULT_TXQ);
  if (txq_booted === 0) {
    txq_buf = new Uint8Array(TXQ_BYTES);
    txq_pdu = new Uint8Array(ATT_SERVER_MTU_MAX);
    txq_booted = 1;
  }
  txq_handle = frame_value_handle;
  txq_reset();
}

/** Drop every queued frame (disconnect). */
export function txq_reset(): void {
  txq_head = 0;
  txq_used = 0;
  txq_frames = 0;
  txq_sent = 0;
  txq_piece_max = 0;
  txq_pumping = 0;
}

export function txq_free_bytes(): number {
  return TXQ_BYTES - txq_used;
}

export function txq_frame_count(): number {
  return txq_frames;
}

/** Whether a request may run: its response, whatever its size, will be admitted. */
export function txq_can_respond(): boolean {
  return TXQ_BYTES - txq_used >= TXQ_RESPONSE_ROOM + TXQ_SMALL_RESERVE;
}

/** Whether a stream frame of size bytes would be admitted now. */
export function txq_stream_fits(size: number): boolean {
  return TXQ_BYTES - txq_used >= size + TXQ_LEN_SIZE + TXQ_STREAM_RESERVE;
}

/** Whether the frame characteristic's CCCD has notifications on. */
export function txq_client_listens(): boolean {
  return link_connected() && (link_cccd(CCCD_FRAME) & CCCD_NOTIFY) !== 0;
}

/**
 * Queue frame[0..size) of the given class and start sending it. Returns 0, or -1 when it
 * was dropped (not connected, notifications off, or no room for its class; counted).
 */
export function txq_push(frame: Uint8Array, size: number, cls: number): number {
  assert(size >= 8 && size <= FRAME_SIZE_MAX && size <= frame.length, FAULT_TXQ);
  if (!txq_client_listens()) {
    link_count(STAT_NTF_NO_CCCD);
    return -1;
  }
  const free = TXQ_BYTES - txq_used;
  let ok = false;
  if (cls === TXQ_CLASS_RESPONSE) ok = free >= size + TXQ_LEN_SIZE + TXQ_SMALL_RESERVE;
  else if (cls === TXQ_CLASS_SMALL) ok = size <= TXQ_SMALL_FRAME_MAX && free >= size + TXQ_LEN_SIZE;
  else ok = txq_stream_fits(size);
  if (!ok) {
    // Responses were admitted by txq_can_respond before they ran, so this is not reached for them.
    assert(cls !== TXQ_CLASS_RESPONSE, FAULT_TXQ);
    link_count(cls === TXQ_CLASS_STREAM ? STAT_STREAM_FRAMES_DROPPED : STAT_RSP_DROPPED);
    return -1;
  }
  let w = txq_head + txq_used;
  if (w >= TXQ_BYTES) w = w - TXQ_BYTES;
  txq_buf[w] = size >> 8;
  w = w + 1 === TXQ_BYTES ? 0 : w + 1;
  txq_buf[w] = size & 0xff;
  w = w + 1 === TXQ_BYTES ? 0 : w + 1;
  for (let i = 0; i < size; i++) {
    txq_buf[w] = frame[i];
    w = w + 1 === TXQ_BYTES ? 0 : w + 1;
  }
  txq_used = txq_used + size + TXQ_LEN_SIZE;
  txq_frames = txq_frames + 1;
  assert(txq_used <= TXQ_BYTES, FAULT_TXQ);
  txq_pump();
  return 0;
}

function txq_byte(offset_from_head: number): number {
  let r = txq_head + offset_from_head;
  if (r >= TXQ_BYTES) r = r - TXQ_BYTES;
  return txq_buf[r];
}

function txq_pop(size: number): void {
  txq_head = txq_head + size + TXQ_LEN_SIZE;
  if (txq_head >= TXQ_BYTES) txq_head = txq_head - TXQ_BYTES;
  txq_used = txq_used - size - TXQ_LEN_SIZE;
  txq_frames = txq_frames - 1;
  txq_sent = 0;
  txq_piece_max = 0;
  assert(txq_used >= 0 && txq_frames >= 0 && (txq_frames === 0) === (txq_used === 0), FAULT_TXQ);
}

/**
 * Send what the link takes: first a pending ATT response, then the queued frames' pieces,
 * until the queue is empty or att_send refuses. Frames queued while the client has
 * notifications off are dropped (counted).
 */
export function txq_pump(): void {
  if (txq_pumping !== 0) return; // called back from inside att_send: the outer loop goes on
  txq_pumping = 1;
  for (let round = 0; round < TXQ_PUMP_ROUNDS_MAX; round++) {
    if (link_flush_rsp() !== 0) break;
    if (txq_frames === 0) break;
    const size = (txq_byte(0) << 8) | txq_byte(1);
    assert(size >= 8 && size <= FRAME_SIZE_MAX, FAULT_TXQ);
    if (!txq_client_listens()) {
      link_count(STAT_NTF_NO_CCCD);
      txq_pop(size);
      continue;
    }
    if (txq_sent === 0) txq_piece_max = link_mtu() - 3;
    let n = size - txq_sent;
    if (n > txq_piece_max) n = txq_piece_max;
    if (n > link_mtu() - 3) break; // the MTU shrank mid-frame (new connection): wait for reset
    txq_pdu[0] = ATT_OP_NOTIFY;
    txq_pdu[1] = txq_handle & 0xff;
    txq_pdu[2] = txq_handle >> 8;
    for (let i = 0; i < n; i++) txq_pdu[3 + i] = txq_byte(TXQ_LEN_SIZE + txq_sent + i);
    if (link_send(txq_pdu, 3 + n) !== 0) break;
    txq_sent = txq_sent + n;
    if (txq_sent === size) txq_pop(size);
  }
  txq_pumping = 0;
}
