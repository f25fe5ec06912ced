// ATT (Bluetooth Core Vol 3 Part F) constants and the attribute table of the GATT server.
//
// The table is built once by gatt_db_boot (gatt-db.ts) through att_table_boot and the
// att_add_* functions here, and never changes afterwards: handles are 1..att_count().
// Per attribute it holds the type (a 16-bit SIG UUID, or a 128-bit UUID stored in the value
// pool), permissions, a static value (offset and length in the value pool) or a dynamic
// value id (ATT_DYN_*) served by the GATT server, and for service declarations the last
// handle of the service. UUIDs are stored little-endian, as they travel in ATT PDUs.

import { assert } from "../lib/assert.js";

// Opcodes (Core Vol 3 Part F 3.4.8)
export const ATT_OP_ERROR_RSP = 0x01;
export const ATT_OP_MTU_REQ = 0x02;
export const ATT_OP_MTU_RSP = 0x03;
export const ATT_OP_FIND_INFO_REQ = 0x04;
export const ATT_OP_FIND_INFO_RSP = 0x05;
export const ATT_OP_FIND_BY_TYPE_REQ = 0x06;
export const ATT_OP_FIND_BY_TYPE_RSP = 0x07;
export const ATT_OP_READ_BY_TYPE_REQ = 0x08;
export const ATT_OP_READ_BY_TYPE_RSP = 0x09;
export const ATT_OP_READ_REQ = 0x0a;
export const ATT_OP_READ_RSP = 0x0b;
export const ATT_OP_READ_BLOB_REQ = 0x0c;
export const ATT_OP_READ_BLOB_RSP = 0x0d;
export const ATT_OP_READ_MULTIPLE_REQ = 0x0e;
export const ATT_OP_READ_BY_GROUP_REQ = 0x10;
export const ATT_OP_READ_BY_GROUP_RSP = 0x11;
export const ATT_OP_WRITE_REQ = 0x12;
export const ATT_OP_WRITE_RSP = 0x13;
export const ATT_OP_PREPARE_WRITE_REQ = 0x16;
export const ATT_OP_EXECUTE_WRITE_REQ = 0x18;
export const ATT_OP_NOTIFY = 0x1b;
export const ATT_OP_INDICATE = 0x1d;
export const ATT_OP_CONFIRM = 0x1e;
export const ATT_OP_READ_MULTIPLE_VAR_REQ = 0x20;
export const ATT_OP_WRITE_CMD = 0x52;
export const ATT_OP_SIGNED_WRITE_CMD = 0xd2;
/** Bit 6 of an opcode: a command, never answered (not even with an error). */
export const ATT_OP_COMMAND_FLAG = 0x40;

// Error codes (Core Vol 3 Part F 3.4.1.1, and CSS Part B 1.2 for 0xFD)
export const ATT_ERR_INVALID_HANDLE = 0x01;
export const ATT_ERR_READ_NOT_PERMITTED = 0x02;
export const ATT_ERR_WRITE_NOT_PERMITTED = 0x03;
export const ATT_ERR_INVALID_PDU = 0x04;
export const ATT_ERR_REQUEST_NOT_SUPPORTED = 0x06;
export const ATT_ERR_INVALID_OFFSET = 0x07;
export const ATT_ERR_ATTRIBUTE_NOT_FOUND = 0x0a;
export const ATT_ERR_INVALID_VALUE_LENGTH = 0x0d;
export const ATT_ERR_UNSUPPORTED_GROUP_TYPE = 0x10;
export const ATT_ERR_CCCD_IMPROPERLY_CONFIGURED = 0xfd;

/** The ATT MTU this server offers in Exchange MTU; the negotiated MTU is min(client, this). */
export const ATT_SERVER_MTU_MAX = 247;

// GATT attribute types (16-bit SIG UUIDs)
export const GATT_UUID_PRIMARY_SERVICE = 0x2800;
export const GATT_UUID_SECONDARY_SERVICE = 0x2801;
export const GATT_UUID_CHARACTERISTIC = 0x2803;
export const GATT_UUID_CCCD = 0x2902;

// Characteristic properties (Core Vol 3 Part G 3.3.1.1)
export const GATT_PROP_READ = 0x02;
export const GATT_PROP_WRITE_NO_RSP = 0x04;
export const GATT_PROP_WRITE = 0x08;
export const GATT_PROP_NOTIFY = 0x10;
export const GATT_PROP_INDICATE = 0x20;

/** CCCD value bits. */
export const CCCD_NOTIFY = 0x0001;
export const CCCD_INDICATE = 0x0002;

// Permissions of an attribute (this server's own bits)
export const ATT_PERM_READ = 0x01;
export const ATT_PERM_WRITE_REQ = 0x02; // Write Request
export const ATT_PERM_WRITE_CMD = 0x04; // Write Command

// Dynamic values: served by the GATT server instead of the static pool
export const ATT_DYN_NONE = 0;
export const ATT_DYN_FRAME = 1; // ring frame characteristic value: requests in, never read
export const ATT_DYN_HRM = 2; // Heart Rate Measurement: notify only
export const ATT_DYN_BATTERY = 3; // Battery Level: read from BleHal.battery_percent()
export const ATT_DYN_CCCD_FRAME = 4;
export const ATT_DYN_CCCD_HRM = 5;
export const ATT_DYN_CCCD_BATTERY = 6;
export const ATT_DYN_MAX = 6;
/** CCCD index (per-connection state) of a CCCD dynamic value id. */
export const CCCD_FRAME = 0;
export const CCCD_HRM = 1;
export const CCCD_BATTERY = 2;
export const CCCD_COUNT = 3;

/** Table bounds: attributes and bytes of static values (UUIDs, declarations, strings). */
export const ATT_ATTR_MAX = 40;
export const ATT_POOL_BYTES = 512;
export const UUID128_SIZE = 16;

const FAULT_ATT = 71;

let attr_type16!: Uint16Array; // 16-bit type, 0 when the type is 128-bit
let attr_type128!: Int16Array; // pool offset of a 128-bit type, -1 for 16-bit types
let attr_perm!: Uint8Array;
let attr_dyn!: Uint8Array;
let attr_value_off!: Uint16Array;
let attr_value_len!: Uint16Array;
let attr_group_end!: Uint16Array; // service declarations: last handle of the service
let pool!: Uint8Array;
let attr_count = 0;
let pool_used = 0;
let table_booted = 0;

/** Allocate the table (first call only) and empty it. */
export function att_table_boot(): void {
  if (table_booted === 0) {
    attr_type16 = new Uint16Array(ATT_ATTR_MAX + 1); // index = handle; 0 unused
    attr_type128 = new Int16Array(ATT_ATTR_MAX + 1);
    attr_perm = new Uint8Array(ATT_ATTR_MAX + 1);
    attr_dyn = new Uint8Array(ATT_ATTR_MAX + 1);
    attr_value_off = new Uint16Array(ATT_ATTR_MAX + 1);
    attr_value_len = new Uint16Array(ATT_ATTR_MAX + 1);
    attr_group_end = new Uint16Array(ATT_ATTR_MAX + 1);
    pool = new Uint8Array(ATT_POOL_BYTES);
    table_booted = 1;
  }
  attr_count = 0;
  pool_used = 0;
}

/** RAM of the table's buffers in bytes. */
export function att_table_ram_bytes(): number {
  return (ATT_ATTR_MAX + 1) * (2 + 2 + 1 + 1 + 2 + 2 + 2) + ATT_POOL_BYTES;
}

// ---------------------------------------------------------------------------------------
// Building (boot only)

/** Append bytes to the value pool; returns their offset. */
export function att_pool_put_u8(v: number): number {
  assert(pool_used + 1 <= ATT_POOL_BYTES, FAULT_ATT);
  pool[pool_used] = v & 0xff;
  pool_used = pool_used + 1;
  return pool_used - 1;
}

export function att_pool_put_u16(v: number): number {
  const off = att_pool_put_u8(v & 0xff);
  att_pool_put_u8((v >> 8) & 0xff);
  return off;
}

/** ASCII text (device strings, at most 64 characters) as bytes in the pool. */
export function att_pool_put_text(text: string): number {
  assert(text.length >= 1 && text.length <= 64, FAULT_ATT);
  const off = pool_used;
  for (let i = 0; i < text.length; i++) att_pool_put_u8(text.charCodeAt(i) & 0x7f);
  return off;
}

function hex_digit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * A 128-bit UUID in its text form ("7a3e0001-5b1c-4c6e-9d2f-52494e475349") into the pool,
 * little-endian (the last byte of the text first), as ATT carries it. Returns the offset.
 */
export function att_pool_put_uuid128(text: string): number {
  assert(text.length === 36, FAULT_ATT);
  const off = pool_used;
  assert(off + UUID128_SIZE <= ATT_POOL_BYTES, FAULT_ATT);
  let nibbles = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 45) continue; // '-'
    const d = hex_digit(c);
    assert(d >= 0 && nibbles < 32, FAULT_ATT);
    const byte_index = UUID128_SIZE - 1 - (nibbles >> 1); // big-endian text, little-endian bytes
    if ((nibbles & 1) === 0) pool[off + byte_index] = d << 4;
    else pool[off + byte_index] = pool[off + byte_index] | d;
    nibbles = nibbles + 1;
  }
  assert(nibbles === 32, FAULT_ATT);
  pool_used = pool_used + UUID128_SIZE;
  return off;
}

/**
 * Add an attribute. type16 is its 16-bit type (0 with type128_off >= 0 for a 128-bit type
 * in the pool); the static value is pool[value_off..+value_len) unless dyn != ATT_DYN_NONE.
 * Returns its handle.
 */
export function att_add(
  type16: number,
  type128_off: number,
  perm: number,
  dyn: number,
  value_off: number,
  value_len: number,
): number {
  assert(attr_count < ATT_ATTR_MAX, FAULT_ATT);
  assert((type16 !== 0) !== (type128_off >= 0), FAULT_ATT);
  assert(dyn >= 0 && dyn <= ATT_DYN_MAX, FAULT_ATT);
  assert(value_off >= 0 && value_len >= 0 && value_off + value_len <= pool_used, FAULT_ATT);
  attr_count = attr_count + 1;
  const h = attr_count;
  attr_type16[h] = type16;
  attr_type128[h] = type128_off;
  attr_perm[h] = perm;
  attr_dyn[h] = dyn;
  attr_value_off[h] = value_off;
  attr_value_len[h] = value_len;
  attr_group_end[h] = h;
  return h;
}

/** Set the last handle of the service declared at service_handle. */
export function att_set_group_end(service_handle: number, end_handle: number): void {
  assert(service_handle >= 1 && end_handle >= service_handle && end_handle <= attr_count, FAULT_ATT);
  attr_group_end[service_handle] = end_handle;
}

// ---------------------------------------------------------------------------------------
// Queries (run path)

export function att_count(): number {
  return attr_count;
}

export function att_pool(): Uint8Array {
  return pool;
}

/** 1 when handle names an attribute. */
export function att_valid(handle: number): boolean {
  return handle >= 1 && handle <= attr_count;
}

export function att_type16(handle: number): number {
  return attr_type16[handle];
}

/** Pool offset of a 128-bit type, -1 for a 16-bit type. */
export function att_type128(handle: number): number {
  return attr_type128[handle];
}

export function att_perm(handle: number): number {
  return attr_perm[handle];
}

export function att_dyn(handle: number): number {
  return attr_dyn[handle];
}

export function att_value_off(handle: number): number {
  return attr_value_off[handle];
}

export function att_value_len(handle: number): number {
  return attr_value_len[handle];
}

export function att_group_end(handle: number): number {
  return attr_group_end[handle];
}

/**
 * 1 when the attribute's type equals the UUID in src[off..+len) (len 2 or 16, little-endian).
 * A 16-byte UUID in the Bluetooth Base form matches the 16-bit type it stands for.
 */
export function att_type_matches(handle: number, src: Uint8Array, off: number, len: number): boolean {
  const t128 = attr_type128[handle];
  if (len === 2) {
    return t128 < 0 && attr_type16[handle] === (src[off] | (src[off + 1] << 8));
  }
  if (len !== UUID128_SIZE) return false;
  if (t128 >= 0) {
    for (let i = 0; i < UUID128_SIZE; i++) {
      if (pool[t128 + i] !== src[off + i]) return false;
    }
    return true;
  }
  const short = uuid128_base_short(src, off);
  return short >= 0 && short === attr_type16[handle];
}

// Bluetooth Base UUID 00000000-0000-1000-8000-00805F9B34FB, little-endian; bytes 12-13 carry
// the 16-bit value and 14-15 are zero for 16-bit UUIDs.
const BASE_UUID_LE_0 = 0xfb;
const BASE_UUID_LE_1 = 0x34;
const BASE_UUID_LE_2 = 0x9b;
const BASE_UUID_LE_3 = 0x5f;
const BASE_UUID_LE_4 = 0x80;
const BASE_UUID_LE_9 = 0x10;

/** The 16-bit UUID a 128-bit UUID in the Base form stands for, or -1. */
export function uuid128_base_short(src: Uint8Array, off: number): number {
  if (src[off] !== BASE_UUID_LE_0 || src[off + 1] !== BASE_UUID_LE_1) return -1;
  if (src[off + 2] !== BASE_UUID_LE_2 || src[off + 3] !== BASE_UUID_LE_3) return -1;
  if (src[off + 4] !== BASE_UUID_LE_4 || src[off + 5] !== 0 || src[off + 6] !== 0) return -1;
  if (src[off + 7] !== BASE_UUID_LE_4 || src[off + 8] !== 0 || src[off + 9] !== BASE_UUID_LE_9) return -1;
  if (src[off + 10] !== 0 || src[off + 11] !== 0 || src[off + 14] !== 0 || src[off + 15] !== 0) return -1;
  return src[off + 12] | (src[off + 13] << 8);
}
