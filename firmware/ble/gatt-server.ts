// ATT server (Bluetooth Core Vol 3 Part F 3.4): one PDU from the client in, at most one
// response out. Requests: Exchange MTU, Find Information, Find By Type Value, Read By
// Type, Read, Read Blob, Read By Group Type, Write Request (CCCDs, and the frame
// characteristic). Commands: Write Command (the frame characteristic's request path).
// Every PDU's length is checked first. A malformed or unsupported request gets an Error
// Response with the ATT code the Core specifies; commands, confirmations and PDUs only a
// server sends are dropped without an answer (ATT never answers those).
//
// Returns (ring_ble_rx): 0 when the PDU was taken, negative when it was refused (an Error
// Response went out, or it was dropped). Nothing is allocated per PDU.

import { ATT_MTU_MIN } from "../../protocol/ids.js";
import {
  ATT_DYN_BATTERY,
  ATT_DYN_CCCD_BATTERY,
  ATT_DYN_CCCD_FRAME,
  ATT_DYN_CCCD_HRM,
  ATT_DYN_FRAME,
  ATT_DYN_NONE,
  ATT_ERR_ATTRIBUTE_NOT_FOUND,
  ATT_ERR_CCCD_IMPROPERLY_CONFIGURED,
  ATT_ERR_INVALID_HANDLE,
  ATT_ERR_INVALID_OFFSET,
  ATT_ERR_INVALID_PDU,
  ATT_ERR_INVALID_VALUE_LENGTH,
  ATT_ERR_READ_NOT_PERMITTED,
  ATT_ERR_REQUEST_NOT_SUPPORTED,
  ATT_ERR_UNSUPPORTED_GROUP_TYPE,
  ATT_ERR_WRITE_NOT_PERMITTED,
  ATT_OP_COMMAND_FLAG,
  ATT_OP_CONFIRM,
  ATT_OP_ERROR_RSP,
  ATT_OP_FIND_BY_TYPE_REQ,
  ATT_OP_FIND_BY_TYPE_RSP,
  ATT_OP_FIND_INFO_REQ,
  ATT_OP_FIND_INFO_RSP,
  ATT_OP_MTU_REQ,
  ATT_OP_MTU_RSP,
  ATT_OP_READ_BLOB_REQ,
  ATT_OP_READ_BLOB_RSP,
  ATT_OP_READ_BY_GROUP_REQ,
  ATT_OP_READ_BY_GROUP_RSP,
  ATT_OP_READ_BY_TYPE_REQ,
  ATT_OP_READ_BY_TYPE_RSP,
  ATT_OP_READ_REQ,
  ATT_OP_READ_RSP,
  ATT_OP_WRITE_CMD,
  ATT_OP_WRITE_REQ,
  ATT_OP_WRITE_RSP,
  ATT_PERM_READ,
  ATT_PERM_WRITE_CMD,
  ATT_PERM_WRITE_REQ,
  ATT_SERVER_MTU_MAX,
  CCCD_BATTERY,
  CCCD_FRAME,
  CCCD_HRM,
  CCCD_NOTIFY,
  GATT_UUID_PRIMARY_SERVICE,
  GATT_UUID_SECONDARY_SERVICE,
  UUID128_SIZE,
  att_count,
  att_dyn,
  att_group_end,
  att_perm,
  att_pool,
  att_type128,
  att_type16,
  att_type_matches,
  att_valid,
  att_value_len,
  att_value_off,
  uuid128_base_short,
} from "./att.js";
import { frame_rx_piece, frame_rx_set_mtu } from "./frame-rx.js";
import {
  STAT_ATT_ERRORS,
  STAT_ATT_RX,
  link_cccd,
  link_count,
  link_exchange_mtu,
  link_mtu,
  link_send_rsp,
  link_set_cccd,
} from "./link.js";
import { battery_level_pct } from "../cmd/device-info.js";

/** Longest attribute value this server holds (DIS strings are at most 64 bytes). */
const ATT_VALUE_MAX = 64;
/** Read By Type / Read By Group Type carry at most 253 / 251 value bytes per entry. */
const READ_BY_TYPE_VALUE_MAX = 253;
const READ_BY_GROUP_VALUE_MAX = 251;

const ATT_RX_REFUSED = -1; // dropped without an answer

let server_booted = 0;
let rsp!: Uint8Array; // the response being built, ATT_SERVER_MTU_MAX bytes
let val!: Uint8Array; // one attribute value, ATT_VALUE_MAX bytes

export function gatt_server_ram_bytes(): number {
  return ATT_SERVER_MTU_MAX + ATT_VALUE_MAX;
}

export function gatt_server_boot(): void {
  if (server_booted !== 0) return;
  rsp = new Uint8Array(ATT_SERVER_MTU_MAX);
  val = new Uint8Array(ATT_VALUE_MAX);
  server_booted = 1;
}

function u16(pdu: Uint8Array, off: number): number {
  return pdu[off] | (pdu[off + 1] << 8);
}

function put_u16(dst: Uint8Array, off: number, v: number): void {
  dst[off] = v & 0xff;
  dst[off + 1] = (v >> 8) & 0xff;
}

function error_rsp(req_op: number, handle: number, code: number): number {
  rsp[0] = ATT_OP_ERROR_RSP;
  rsp[1] = req_op;
  put_u16(rsp, 2, handle);
  rsp[4] = code;
  link_send_rsp(rsp, 5);
  link_count(STAT_ATT_ERRORS);
  return -code;
}

/** Send the response built in rsp: 0, or -1 when it was dropped (one was already pending). */
function send_rsp(length: number): number {
  return link_send_rsp(rsp, length);
}

/** One ATT PDU from the client: pdu[0..length). */
export function att_rx(pdu: Uint8Array, length: number): number {
  if (!(length >= 1 && length <= pdu.length) || Math.floor(length) !== length) return ATT_RX_REFUSED;
  link_count(STAT_ATT_RX);
  const op = pdu[0];
  if (op === ATT_OP_WRITE_CMD) return write_cmd(pdu, length);
  if ((op & ATT_OP_COMMAND_FLAG) !== 0) return ATT_RX_REFUSED; // other commands (signed write): ignored
  if ((op & 1) === 1 || op === ATT_OP_CONFIRM) return ATT_RX_REFUSED; // responses, notifications: not for a server
  if (length > link_mtu()) return error_rsp(op, 0, ATT_ERR_INVALID_PDU);
  switch (op) {
    case ATT_OP_MTU_REQ:
      return exchange_mtu(pdu, length);
    case ATT_OP_FIND_INFO_REQ:
      return find_information(pdu, length);
    case ATT_OP_FIND_BY_TYPE_REQ:
      return find_by_type_value(pdu, length);
    case ATT_OP_READ_BY_TYPE_REQ:
      return read_by_type(pdu, length);
    case ATT_OP_READ_REQ:
      return read(pdu, length, 0);
    case ATT_OP_READ_BLOB_REQ:
      return read(pdu, length, 1);
    case ATT_OP_READ_BY_GROUP_REQ:
      return read_by_group_type(pdu, length);
    case ATT_OP_WRITE_REQ:
      return write_req(pdu, length);
    default:
      return error_rsp(op, 0, ATT_ERR_REQUEST_NOT_SUPPORTED); // prepare/execute write, read multiple, unknown
  }
}

function exchange_mtu(pdu: Uint8Array, length: number): number {
  if (length !== 3) return error_rsp(pdu[0], 0, ATT_ERR_INVALID_PDU);
  let client_mtu = u16(pdu, 1);
  if (client_mtu < ATT_MTU_MIN) client_mtu = ATT_MTU_MIN;
  rsp[0] = ATT_OP_MTU_RSP;
  put_u16(rsp, 1, ATT_SERVER_MTU_MAX);
  // Sent (or pending) at the old MTU; nothing else goes out before it. Dropped (the client
  // broke the sequential protocol): the MTU stays, as the client never learns the new one.
  if (send_rsp(3) !== 0) return ATT_RX_REFUSED;
  const mtu = client_mtu < ATT_SERVER_MTU_MAX ? client_mtu : ATT_SERVER_MTU_MAX;
  if (link_exchange_mtu(mtu) !== 0) frame_rx_set_mtu(link_mtu());
  return 0;
}

/** Whether a request's handle range is valid; when not, the Error Response has been sent. */
function range_ok(op: number, start: number, end: number): boolean {
  if (start !== 0 && start <= end) return true;
  error_rsp(op, start, ATT_ERR_INVALID_HANDLE);
  return false;
}

function range_last(end: number): number {
  const n = att_count();
  return end < n ? end : n;
}

function find_information(pdu: Uint8Array, length: number): number {
  const op = pdu[0];
  if (length !== 5) return error_rsp(op, 0, ATT_ERR_INVALID_PDU);
  const start = u16(pdu, 1);
  const end = u16(pdu, 3);
  if (!range_ok(op, start, end)) return -ATT_ERR_INVALID_HANDLE;
  const mtu = link_mtu();
  const last = range_last(end);
  const pool = att_pool();
  let n = 2;
  let format = 0; // 1: 16-bit UUIDs, 2: 128-bit UUIDs
  for (let h = start; h <= last; h++) {
    const t128 = att_type128(h);
    const f = t128 >= 0 ? 2 : 1;
    if (format === 0) format = f;
    else if (f !== format) break;
    const entry = f === 2 ? 2 + UUID128_SIZE : 4;
    if (n + entry > mtu) break;
    put_u16(rsp, n, h);
    if (f === 2) {
      for (let i = 0; i < UUID128_SIZE; i++) rsp[n + 2 + i] = pool[t128 + i];
    } else {
      put_u16(rsp, n + 2, att_type16(h));
    }
    n = n + entry;
  }
  if (format === 0) return error_rsp(op, start, ATT_ERR_ATTRIBUTE_NOT_FOUND);
  rsp[0] = ATT_OP_FIND_INFO_RSP;
  rsp[1] = format;
  return send_rsp(n);
}

/** The attribute's current value into val[0..); returns its full length (0 for none). */
function value_of(h: number): number {
  const dyn = att_dyn(h);
  if (dyn === ATT_DYN_NONE) {
    const pool = att_pool();
    const off = att_value_off(h);
    let len = att_value_len(h);
    if (len > ATT_VALUE_MAX) len = ATT_VALUE_MAX;
    for (let i = 0; i < len; i++) val[i] = pool[off + i];
    return len;
  }
  if (dyn === ATT_DYN_BATTERY) {
    val[0] = battery_level_pct();
    return 1;
  }
  const c = cccd_index(dyn);
  if (c >= 0) {
    put_u16(val, 0, link_cccd(c));
    return 2;
  }
  return 0;
}

function cccd_index(dyn: number): number {
  if (dyn === ATT_DYN_CCCD_FRAME) return CCCD_FRAME;
  if (dyn === ATT_DYN_CCCD_HRM) return CCCD_HRM;
  if (dyn === ATT_DYN_CCCD_BATTERY) return CCCD_BATTERY;
  return -1;
}

function find_by_type_value(pdu: Uint8Array, length: number): number {
  const op = pdu[0];
  if (length < 7) return error_rsp(op, 0, ATT_ERR_INVALID_PDU);
  const start = u16(pdu, 1);
  const end = u16(pdu, 3);
  if (!range_ok(op, start, end)) return -ATT_ERR_INVALID_HANDLE;
  const type16 = u16(pdu, 5);
  const want_len = length - 7;
  const mtu = link_mtu();
  const last = range_last(end);
  let n = 1;
  for (let h = start; h <= last; h++) {
    if (att_type128(h) >= 0 || att_type16(h) !== type16) continue;
    if ((att_perm(h) & ATT_PERM_READ) === 0) continue;
    const len = value_of(h);
    if (len !== want_len) continue;
    let same = true;
    for (let i = 0; i < len; i++) {
      if (val[i] !== pdu[7 + i]) same = false;
    }
    if (!same) continue;
    if (n + 4 > mtu) break;
    const grouping = type16 === GATT_UUID_PRIMARY_SERVICE || type16 === GATT_UUID_SECONDARY_SERVICE;
    put_u16(rsp, n, h);
    put_u16(rsp, n + 2, grouping ? att_group_end(h) : h);
    n = n + 4;
  }
  if (n === 1) return error_rsp(op, start, ATT_ERR_ATTRIBUTE_NOT_FOUND);
  rsp[0] = ATT_OP_FIND_BY_TYPE_RSP;
  return send_rsp(n);
}

function read_by_type(pdu: Uint8Array, length: number): number {
  const op = pdu[0];
  if (length !== 7 && length !== 5 + UUID128_SIZE) return error_rsp(op, 0, ATT_ERR_INVALID_PDU);
  const start = u16(pdu, 1);
  const end = u16(pdu, 3);
  if (!range_ok(op, start, end)) return -ATT_ERR_INVALID_HANDLE;
  const type_len = length - 5;
  const mtu = link_mtu();
  let value_max = mtu - 4;
  if (value_max > READ_BY_TYPE_VALUE_MAX) value_max = READ_BY_TYPE_VALUE_MAX;
  const last = range_last(end);
  let n = 2;
  let entry_value_len = -1;
  for (let h = start; h <= last; h++) {
    if (!att_type_matches(h, pdu, 5, type_len)) continue;
    if ((att_perm(h) & ATT_PERM_READ) === 0) {
      if (entry_value_len < 0) return error_rsp(op, h, ATT_ERR_READ_NOT_PERMITTED);
      break;
    }
    let len = value_of(h);
    if (len > value_max) len = value_max;
    if (entry_value_len < 0) entry_value_len = len;
    else if (len !== entry_value_len) break;
    if (n + 2 + len > mtu) break;
    put_u16(rsp, n, h);
    for (let i = 0; i < len; i++) rsp[n + 2 + i] = val[i];
    n = n + 2 + len;
  }
  if (entry_value_len < 0) return error_rsp(op, start, ATT_ERR_ATTRIBUTE_NOT_FOUND);
  rsp[0] = ATT_OP_READ_BY_TYPE_RSP;
  rsp[1] = 2 + entry_value_len;
  return send_rsp(n);
}

function read_by_group_type(pdu: Uint8Array, length: number): number {
  const op = pdu[0];
  if (length !== 7 && length !== 5 + UUID128_SIZE) return error_rsp(op, 0, ATT_ERR_INVALID_PDU);
  const start = u16(pdu, 1);
  const end = u16(pdu, 3);
  if (!range_ok(op, start, end)) return -ATT_ERR_INVALID_HANDLE;
  const group_type = length === 7 ? u16(pdu, 5) : uuid128_base_short(pdu, 5);
  if (group_type !== GATT_UUID_PRIMARY_SERVICE && group_type !== GATT_UUID_SECONDARY_SERVICE) {
    return error_rsp(op, start, ATT_ERR_UNSUPPORTED_GROUP_TYPE);
  }
  const mtu = link_mtu();
  let value_max = mtu - 6;
  if (value_max > READ_BY_GROUP_VALUE_MAX) value_max = READ_BY_GROUP_VALUE_MAX;
  const last = range_last(end);
  let n = 2;
  let entry_value_len = -1;
  for (let h = start; h <= last; h++) {
    if (att_type128(h) >= 0 || att_type16(h) !== group_type) continue;
    let len = value_of(h);
    if (len > value_max) len = value_max;
    if (entry_value_len < 0) entry_value_len = len;
    else if (len !== entry_value_len) break;
    if (n + 4 + len > mtu) break;
    put_u16(rsp, n, h);
    put_u16(rsp, n + 2, att_group_end(h));
    for (let i = 0; i < len; i++) rsp[n + 4 + i] = val[i];
    n = n + 4 + len;
  }
  if (entry_value_len < 0) return error_rsp(op, start, ATT_ERR_ATTRIBUTE_NOT_FOUND);
  rsp[0] = ATT_OP_READ_BY_GROUP_RSP;
  rsp[1] = 4 + entry_value_len;
  return send_rsp(n);
}

/** Read (blob = 0) or Read Blob (blob = 1). */
function read(pdu: Uint8Array, length: number, blob: number): number {
  const op = pdu[0];
  if (length !== (blob !== 0 ? 5 : 3)) return error_rsp(op, 0, ATT_ERR_INVALID_PDU);
  const h = u16(pdu, 1);
  if (!att_valid(h)) return error_rsp(op, h, ATT_ERR_INVALID_HANDLE);
  if ((att_perm(h) & ATT_PERM_READ) === 0) return error_rsp(op, h, ATT_ERR_READ_NOT_PERMITTED);
  const offset = blob !== 0 ? u16(pdu, 3) : 0;
  const len = value_of(h);
  if (offset > len) return error_rsp(op, h, ATT_ERR_INVALID_OFFSET);
  let n = len - offset;
  if (n > link_mtu() - 1) n = link_mtu() - 1;
  rsp[0] = blob !== 0 ? ATT_OP_READ_BLOB_RSP : ATT_OP_READ_RSP;
  for (let i = 0; i < n; i++) rsp[1 + i] = val[offset + i];
  return send_rsp(1 + n);
}

function write_req(pdu: Uint8Array, length: number): number {
  const op = pdu[0];
  if (length < 3) return error_rsp(op, 0, ATT_ERR_INVALID_PDU);
  const h = u16(pdu, 1);
  if (!att_valid(h)) return error_rsp(op, h, ATT_ERR_INVALID_HANDLE);
  if ((att_perm(h) & ATT_PERM_WRITE_REQ) === 0) return error_rsp(op, h, ATT_ERR_WRITE_NOT_PERMITTED);
  const dyn = att_dyn(h);
  const c = cccd_index(dyn);
  if (c >= 0) {
    if (length !== 5) return error_rsp(op, h, ATT_ERR_INVALID_VALUE_LENGTH);
    const v = u16(pdu, 3);
    if ((v & ~CCCD_NOTIFY) !== 0) return error_rsp(op, h, ATT_ERR_CCCD_IMPROPERLY_CONFIGURED); // no indications
    link_set_cccd(c, v);
    rsp[0] = ATT_OP_WRITE_RSP;
    return send_rsp(1);
  }
  if (dyn === ATT_DYN_FRAME) {
    rsp[0] = ATT_OP_WRITE_RSP;
    send_rsp(1);
    return frame_rx_piece(pdu, 3, length - 3);
  }
  return error_rsp(op, h, ATT_ERR_WRITE_NOT_PERMITTED);
}

function write_cmd(pdu: Uint8Array, length: number): number {
  if (length < 3) return ATT_RX_REFUSED;
  const h = u16(pdu, 1);
  if (!att_valid(h) || (att_perm(h) & ATT_PERM_WRITE_CMD) === 0 || att_dyn(h) !== ATT_DYN_FRAME) return ATT_RX_REFUSED;
  return frame_rx_piece(pdu, 3, length - 3);
}
