// ATT PDUs the host's client side speaks (Bluetooth Core Vol 3 Part F 3.4): opcodes,
// encoders for requests, decoders for responses, and UUID byte order. Handles, MTUs and
// UUIDs are little-endian on the wire; a 128-bit UUID travels with its bytes reversed
// relative to its text form.

export const ATT_ERROR_RSP = 0x01;
export const ATT_EXCHANGE_MTU_REQ = 0x02;
export const ATT_EXCHANGE_MTU_RSP = 0x03;
export const ATT_FIND_INFORMATION_REQ = 0x04;
export const ATT_FIND_INFORMATION_RSP = 0x05;
export const ATT_READ_BY_TYPE_REQ = 0x08;
export const ATT_READ_BY_TYPE_RSP = 0x09;
export const ATT_READ_REQ = 0x0a;
export const ATT_READ_RSP = 0x0b;
export const ATT_READ_BY_GROUP_TYPE_REQ = 0x10;
export const ATT_READ_BY_GROUP_TYPE_RSP = 0x11;
export const ATT_WRITE_REQ = 0x12;
export const ATT_WRITE_RSP = 0x13;
export const ATT_WRITE_CMD = 0x52;
export const ATT_HANDLE_VALUE_NTF = 0x1b;
export const ATT_HANDLE_VALUE_IND = 0x1d;
export const ATT_HANDLE_VALUE_CFM = 0x1e;

/** ATT error codes (Vol 3 Part F 3.4.1.1) the client tells apart. */
export const ATT_ECODE_INVALID_HANDLE = 0x01;
export const ATT_ECODE_REQUEST_NOT_SUPPORTED = 0x06;
export const ATT_ECODE_ATTRIBUTE_NOT_FOUND = 0x0a;

/** GATT declarations and descriptors (Assigned Numbers). */
export const UUID16_PRIMARY_SERVICE = 0x2800;
export const UUID16_CHARACTERISTIC = 0x2803;
export const UUID16_CCCD = 0x2902;
export const CCCD_NOTIFY = 0x0001;

/** Characteristic properties (Vol 3 Part G 3.3.1.1). */
export const PROP_READ = 0x02;
export const PROP_WRITE_WITHOUT_RESPONSE = 0x04;
export const PROP_WRITE = 0x08;
export const PROP_NOTIFY = 0x10;

export const HANDLE_MIN = 0x0001;
export const HANDLE_MAX = 0xffff;

const OPCODE_NAMES: Record<number, string> = {
  [ATT_ERROR_RSP]: 'Error Response',
  [ATT_EXCHANGE_MTU_REQ]: 'Exchange MTU Request',
  [ATT_EXCHANGE_MTU_RSP]: 'Exchange MTU Response',
  [ATT_FIND_INFORMATION_REQ]: 'Find Information Request',
  [ATT_FIND_INFORMATION_RSP]: 'Find Information Response',
  [ATT_READ_BY_TYPE_REQ]: 'Read By Type Request',
  [ATT_READ_BY_TYPE_RSP]: 'Read By Type Response',
  [ATT_READ_REQ]: 'Read Request',
  [ATT_READ_RSP]: 'Read Response',
  [ATT_READ_BY_GROUP_TYPE_REQ]: 'Read By Group Type Request',
  [ATT_READ_BY_GROUP_TYPE_RSP]: 'Read By Group Type Response',
  [ATT_WRITE_REQ]: 'Write Request',
  [ATT_WRITE_RSP]: 'Write Response',
  [ATT_WRITE_CMD]: 'Write Command',
  [ATT_HANDLE_VALUE_NTF]: 'Handle Value Notification',
  [ATT_HANDLE_VALUE_IND]: 'Handle Value Indication',
  [ATT_HANDLE_VALUE_CFM]: 'Handle Value Confirmation',
};

export function attOpcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `opcode 0x${opcode.toString(16).padStart(2, '0')}`;
}

/** A failed ATT exchange: an Error Response, a malformed answer, or no answer. */
export class AttError extends Error {
  constructor(
    message: string,
    /** The ATT error code of an Error Response, else 0. */
    readonly att_ecode = 0,
  ) {
    super(message);
    this.name = 'AttError';
  }
}

// ---------------------------------------------------------------------------------------
// UUIDs: kept as lowercase text ("2800" for 16-bit, the dashed form for 128-bit).

/** Wire bytes of a UUID: 2 (16-bit, LE) or 16 (128-bit, reversed). */
export function uuidBytes(uuid: string | number): Uint8Array {
  if (typeof uuid === 'number') {
    if (!Number.isInteger(uuid) || uuid < 0 || uuid > 0xffff) throw new RangeError(`16-bit UUID out of range: ${uuid}`);
    return Uint8Array.of(uuid & 0xff, uuid >> 8);
  }
  const hex = uuid.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new RangeError(`not a 128-bit UUID: '${uuid}'`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[15 - i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Text form of UUID wire bytes (2 or 16 bytes). */
export function uuidText(bytes: Uint8Array): string {
  if (bytes.length === 2) return (bytes[0] | (bytes[1] << 8)).toString(16).padStart(4, '0');
  if (bytes.length !== 16) throw new AttError(`UUID of ${bytes.length} bytes (2 or 16 expected)`);
  let hex = '';
  for (let i = 15; i >= 0; i--) hex += bytes[i].toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidEquals(a: string | number, b: string | number): boolean {
  const ta = typeof a === 'number' ? uuidText(uuidBytes(a)) : a.toLowerCase();
  const tb = typeof b === 'number' ? uuidText(uuidBytes(b)) : b.toLowerCase();
  return ta === tb;
}

// ---------------------------------------------------------------------------------------
// Requests

function u16(out: Uint8Array, off: number, v: number): void {
  out[off] = v & 0xff;
  out[off + 1] = (v >> 8) & 0xff;
}

export function readU16(src: Uint8Array, off: number): number {
  return src[off] | (src[off + 1] << 8);
}

export function exchangeMtuReq(client_rx_mtu: number): Uint8Array {
  const pdu = new Uint8Array(3);
  pdu[0] = ATT_EXCHANGE_MTU_REQ;
  u16(pdu, 1, client_rx_mtu);
  return pdu;
}

function rangeTypeReq(opcode: number, start: number, end: number, type: string | number): Uint8Array {
  const t = uuidBytes(type);
  const pdu = new Uint8Array(5 + t.length);
  pdu[0] = opcode;
  u16(pdu, 1, start);
  u16(pdu, 3, end);
  pdu.set(t, 5);
  return pdu;
}

export function readByGroupTypeReq(start: number, end: number, type: string | number): Uint8Array {
  return rangeTypeReq(ATT_READ_BY_GROUP_TYPE_REQ, start, end, type);
}

export function readByTypeReq(start: number, end: number, type: string | number): Uint8Array {
  return rangeTypeReq(ATT_READ_BY_TYPE_REQ, start, end, type);
}

export function writeReq(handle: number, value: Uint8Array): Uint8Array {
  return handleValue(ATT_WRITE_REQ, handle, value);
}

export function writeCmd(handle: number, value: Uint8Array): Uint8Array {
  return handleValue(ATT_WRITE_CMD, handle, value);
}

export function handleValue(opcode: number, handle: number, value: Uint8Array): Uint8Array {
  const pdu = new Uint8Array(3 + value.length);
  pdu[0] = opcode;
  u16(pdu, 1, handle);
  pdu.set(value, 3);
  return pdu;
}

// ---------------------------------------------------------------------------------------
// Responses

/** The response opcode a request expects (the request opcode + 1 for the ones used here). */
export function responseOpcode(request_opcode: number): number {
  return request_opcode + 1;
}

export interface AttErrorRsp {
  request_opcode: number;
  handle: number;
  ecode: number;
}

export function parseErrorRsp(pdu: Uint8Array): AttErrorRsp {
  if (pdu.length !== 5 || pdu[0] !== ATT_ERROR_RSP) throw new AttError(`malformed Error Response (${pdu.length} bytes)`);
  return { request_opcode: pdu[1], handle: readU16(pdu, 2), ecode: pdu[4] };
}

export function parseExchangeMtuRsp(pdu: Uint8Array): number {
  if (pdu.length !== 3) throw new AttError(`malformed Exchange MTU Response (${pdu.length} bytes)`);
  return readU16(pdu, 1);
}

export interface GroupEntry {
  handle: number;
  end_handle: number;
  uuid: string;
}

export function parseReadByGroupTypeRsp(pdu: Uint8Array): GroupEntry[] {
  const len = pdu[1];
  if (pdu.length < 2 || (len !== 6 && len !== 20) || (pdu.length - 2) % len !== 0 || pdu.length === 2) {
    throw new AttError(`malformed Read By Group Type Response (${pdu.length} bytes, entry ${len})`);
  }
  const out: GroupEntry[] = [];
  for (let off = 2; off < pdu.length; off += len) {
    out.push({ handle: readU16(pdu, off), end_handle: readU16(pdu, off + 2), uuid: uuidText(pdu.subarray(off + 4, off + len)) });
  }
  return out;
}

export interface TypeEntry {
  handle: number;
  value: Uint8Array;
}

export function parseReadByTypeRsp(pdu: Uint8Array): TypeEntry[] {
  const len = pdu[1];
  if (pdu.length < 2 + 2 || len < 2 || (pdu.length - 2) % len !== 0) {
    throw new AttError(`malformed Read By Type Response (${pdu.length} bytes, entry ${len})`);
  }
  const out: TypeEntry[] = [];
  for (let off = 2; off < pdu.length; off += len) {
    out.push({ handle: readU16(pdu, off), value: pdu.slice(off + 2, off + len) });
  }
  return out;
}

export interface CharacteristicDecl {
  /** Handle of the declaration itself. */
  decl_handle: number;
  properties: number;
  value_handle: number;
  uuid: string;
}

/** A characteristic declaration value: properties, value handle, UUID (2 or 16 bytes). */
export function parseCharacteristicDecl(entry: TypeEntry): CharacteristicDecl {
  const v = entry.value;
  if (v.length !== 5 && v.length !== 19) throw new AttError(`malformed characteristic declaration at 0x${entry.handle.toString(16)}`);
  return { decl_handle: entry.handle, properties: v[0], value_handle: readU16(v, 1), uuid: uuidText(v.subarray(3)) };
}
