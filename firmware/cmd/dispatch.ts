// Request dispatch (PROTOCOL.md section 5.1): one complete request frame in, one response
// frame out (built in the codec's frame buffer), with the first failure answered:
//   header (a response op from the host is ERR_BAD_OP) -> body (cbor_validate, a map,
//   no duplicate key) -> group -> command and op -> fields -> execution.
// Success responses echo group, command and sequence with op read-rsp/write-rsp and flags
// 0; failures carry {"rc", "key"?} (section 5.2).

import { assert } from "../lib/assert.js";
import {
  ERR_BAD_OP,
  ERR_TOO_LARGE,
  ERR_UNKNOWN_GROUP,
  FRAME_HEADER_SIZE,
  GROUP_BATTERY,
  GROUP_CONFIG,
  GROUP_DEVICE,
  GROUP_HISTORY,
  GROUP_IMAGE,
  GROUP_STREAM,
  GROUP_TIME,
  CMD_TIME,
  ERR_UNKNOWN_COMMAND,
  OP_READ_RSP,
} from "../../protocol/ids.js";
import { cbor_validate } from "../../protocol/device/cbor.js";
import {
  FRAME_HDR_CMD,
  FRAME_HDR_GROUP,
  FRAME_HDR_OP,
  FRAME_HDR_SEQ,
  FRAME_HDR_WORDS,
  frame_check,
  frame_header_read,
  frame_response_op,
} from "../../protocol/device/frame.js";
import {
  enc_begin,
  enc_error_body,
  enc_finish,
  err_reset,
  req_begin,
  req_open,
} from "./codec.js";
import { cmd_config } from "./config.js";
import { cmd_battery, cmd_device } from "./device-info.js";
import { cmd_history } from "./history.js";
import { cmd_image } from "./image.js";
import { cmd_stream } from "./stream.js";
import { cmd_time } from "./time.js";
import { GROUP_AUTH } from "../../protocol/ids.js";
import { auth_gate, auth_seal_begin, auth_seal_end } from "../auth/auth.js";
import { cmd_auth } from "../auth/auth-cmd.js";

const FAULT_DISPATCH = 79;

let dispatch_booted = 0;
let hdr!: Int32Array;
let last_rc = 0; // rc of the last response built (0 success), for tests and counters

export function dispatch_ram_bytes(): number {
  return 4 * FRAME_HDR_WORDS;
}

export function dispatch_boot(): void {
  if (dispatch_booted !== 0) return;
  hdr = new Int32Array(FRAME_HDR_WORDS);
  dispatch_booted = 1;
}

/** rc (positive) of the last response built, 0 for success. */
export function dispatch_last_rc(): number {
  return last_rc;
}

/**
 * Build the error response for a request with this header's group, seq and cmd: op is the
 * request op's response, or read-rsp when op is not a request op. rc is positive. The
 * "key" is whatever the error state holds (err_reset first for none). Returns its size.
 */
export function dispatch_error(req_op: number, group: number, seq: number, cmd: number, rc: number): number {
  let op = frame_response_op(req_op);
  if (op < 0) op = OP_READ_RSP;
  enc_begin();
  enc_error_body(rc);
  const size = enc_finish(op, 0, group, seq, cmd);
  assert(size > FRAME_HEADER_SIZE, FAULT_DISPATCH); // an error body always fits
  last_rc = rc;
  return size;
}

/** Error response echoing the header in frame[0..8) (reassembly errors, BUSY). */
export function dispatch_error_for_header(frame: Uint8Array, rc: number): number {
  frame_header_read(frame, 0, FRAME_HEADER_SIZE, hdr);
  err_reset();
  return dispatch_error(hdr[FRAME_HDR_OP], hdr[FRAME_HDR_GROUP], hdr[FRAME_HDR_SEQ], hdr[FRAME_HDR_CMD], rc);
}

/**
 * Answer the complete request frame[0..size) (size >= 8). The response is in the codec's
 * frame buffer (enc_frame()); returns its size.
 */
export function dispatch_request(frame: Uint8Array, size: number): number {
  assert(size >= FRAME_HEADER_SIZE && size <= frame.length, FAULT_DISPATCH);
  err_reset();
  let rc = frame_check(frame, 0, size, hdr);
  if (rc < 0) {
    frame_header_read(frame, 0, FRAME_HEADER_SIZE, hdr); // judged by reassembly already; echo it
    return dispatch_error(hdr[FRAME_HDR_OP], hdr[FRAME_HDR_GROUP], hdr[FRAME_HDR_SEQ], hdr[FRAME_HDR_CMD], -rc);
  }
  const op = hdr[FRAME_HDR_OP];
  const group = hdr[FRAME_HDR_GROUP];
  const seq = hdr[FRAME_HDR_SEQ];
  const cmd = hdr[FRAME_HDR_CMD];
  const rsp_op = frame_response_op(op);
  if (rsp_op < 0) return dispatch_error(op, group, seq, cmd, ERR_BAD_OP);
  rc = cbor_validate(frame, FRAME_HEADER_SIZE, size);
  if (rc >= 0) {
    req_begin(frame, size);
    rc = req_open(0, FRAME_HEADER_SIZE);
  }
  if (rc >= 0) rc = auth_gate(op, group, cmd); // sessions, roles, scopes (firmware/auth)
  if (rc >= 0) {
    enc_begin();
    auth_seal_begin();
    rc = route(op, group, cmd);
    if (rc >= 0) rc = auth_seal_end(op, group, cmd);
  }
  if (rc < 0) return dispatch_error(op, group, seq, cmd, -rc);
  const rsp_size = enc_finish(rsp_op, 0, group, seq, cmd);
  if (rsp_size < 0) {
    err_reset();
    return dispatch_error(op, group, seq, cmd, ERR_TOO_LARGE);
  }
  last_rc = 0;
  return rsp_size;
}

function route(op: number, group: number, cmd: number): number {
  switch (group) {
    case GROUP_DEVICE:
      return cmd_device(op, cmd);
    case GROUP_TIME:
      return cmd === CMD_TIME ? cmd_time(op) : -ERR_UNKNOWN_COMMAND;
    case GROUP_CONFIG:
      return cmd_config(op, cmd);
    case GROUP_STREAM:
      return cmd_stream(op, cmd);
    case GROUP_HISTORY:
      return cmd_history(op, cmd);
    case GROUP_BATTERY:
      return cmd_battery(op, cmd);
    case GROUP_IMAGE:
      return cmd_image(op, cmd);
    case GROUP_AUTH:
      return cmd_auth(op, cmd);
    default:
      return -ERR_UNKNOWN_GROUP;
  }
}
