// Request path (PROTOCOL.md sections 3 and 5): pieces written to the frame characteristic
// go through the reassembler (protocol/device/fragment.ts; per connection, MTU-aware,
// timeouts on the HAL clock); a complete frame is dispatched (firmware/cmd/dispatch.ts)
// and its response queued for notification (tx-queue.ts).
//
// Every failure whose header could be read is answered with an error response echoing that
// header's group, command and sequence: reassembly errors (ERR_TOO_LARGE, ERR_INTERLEAVED,
// ERR_TIMEOUT, bad headers), and ERR_BUSY when the outgoing queue could not take a full
// response (the request is then not executed). A partial frame that goes stale is answered
// ERR_TIMEOUT when the next piece arrives or at the next record (frame_rx_expire).

import { ERR_BUSY, FRAME_SIZE_MAX } from "../../protocol/ids.js";
import {
  REASM_STATE_WORDS,
  REASM_ST_ERR_HEADER,
  reasm_expire,
  reasm_init,
  reasm_push,
  reasm_reset,
  reasm_set_mtu,
} from "../../protocol/device/fragment.js";
import { ring_clock_ms } from "../main.js";
import { enc_frame } from "../cmd/codec.js";
import { dispatch_error_for_header, dispatch_last_rc, dispatch_request } from "../cmd/dispatch.js";
import {
  STAT_FRAMES_RX,
  STAT_FRAME_ERRORS,
  STAT_REASM_SILENT,
  STAT_RSP_BUSY,
  link_count,
  link_mtu,
} from "./link.js";
import { TXQ_CLASS_RESPONSE, TXQ_CLASS_SMALL, txq_can_respond, txq_push } from "./tx-queue.js";

let rx_booted = 0;
let reasm_st!: Int32Array;
let reasm_buf!: Uint8Array;

export function frame_rx_ram_bytes(): number {
  return FRAME_SIZE_MAX + 4 * REASM_STATE_WORDS;
}

export function frame_rx_boot(): void {
  if (rx_booted === 0) {
    reasm_st = new Int32Array(REASM_STATE_WORDS);
    reasm_buf = new Uint8Array(FRAME_SIZE_MAX);
    rx_booted = 1;
  }
  reasm_init(reasm_st, FRAME_SIZE_MAX, link_mtu());
}

/** New connection or disconnect: drop any partial frame, take the MTU. */
export function frame_rx_reset(mtu: number): void {
  reasm_reset(reasm_st);
  reasm_set_mtu(reasm_st, mtu);
}

export function frame_rx_set_mtu(mtu: number): void {
  reasm_set_mtu(reasm_st, mtu);
}

/** Reassembler state word (REASM_ST_*), for tests and diagnostics. */
export function frame_rx_state(word: number): number {
  return reasm_st[word];
}

/** Answer a reassembly error (rc positive) when the dropped frame's header is known. */
function reply_reasm_error(rc: number): void {
  if (reasm_st[REASM_ST_ERR_HEADER] !== 1) {
    link_count(STAT_REASM_SILENT); // no header to echo: the host's request times out
    return;
  }
  const size = dispatch_error_for_header(reasm_buf, rc);
  link_count(STAT_FRAME_ERRORS);
  txq_push(enc_frame(), size, TXQ_CLASS_SMALL);
}

/** Drop a stale partial frame and answer it (ERR_TIMEOUT). Call now and then (each record). */
export function frame_rx_expire(): void {
  const rc = reasm_expire(reasm_st, ring_clock_ms());
  if (rc < 0) reply_reasm_error(-rc);
}

/** One piece src[off..+len) written to the frame characteristic. 0, or -rc when refused. */
export function frame_rx_piece(src: Uint8Array, off: number, len: number): number {
  const now_ms = ring_clock_ms();
  const stale = reasm_expire(reasm_st, now_ms); // keeps this piece as a new frame's start
  if (stale < 0) reply_reasm_error(-stale);
  const r = reasm_push(reasm_st, reasm_buf, src, off, len, now_ms);
  if (r === 0) return 0;
  if (r < 0) {
    reply_reasm_error(-r);
    return r;
  }
  handle_frame(r);
  return 0;
}

function handle_frame(size: number): void {
  link_count(STAT_FRAMES_RX);
  if (!txq_can_respond()) {
    // The outgoing queue cannot take a full response: answer BUSY, do not execute.
    link_count(STAT_RSP_BUSY);
    const busy = dispatch_error_for_header(reasm_buf, ERR_BUSY);
    txq_push(enc_frame(), busy, TXQ_CLASS_SMALL);
    return;
  }
  const rsp_size = dispatch_request(reasm_buf, size);
  if (dispatch_last_rc() !== 0) link_count(STAT_FRAME_ERRORS);
  txq_push(enc_frame(), rsp_size, TXQ_CLASS_RESPONSE);
}
