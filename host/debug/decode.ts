// Decode protocol frames for people and tools: the header's fields, then the CBOR body as a
// tree whose fields carry the names, units and scales of the spec (protocol/host/schema.ts).
// Malformed input is a DecodeError that names the byte offset and what was expected there.
// Used by `ring decode`, `ring trace` and the capture reader.

import {
  FLAG_UNSOLICITED,
  FLAGS_KNOWN,
  FRAME_BODY_MAX,
  FRAME_HEADER_SIZE,
  OP_MAX,
  PROTOCOL_VERSION,
  TIME_EPOCH_MS_MAX,
  TIME_EPOCH_MS_MIN,
} from '../../protocol/ids.js';
import { errorName } from '../../protocol/host/errors.js';
import {
  ERROR_RSP,
  GROUP_NAMES,
  HISTORY_RECORDS,
  OP_NAMES,
  findMessage,
  SEALED_CTR,
  SEALED_MAC,
  type FieldDef,
  type FieldType,
} from '../../protocol/host/schema.js';
import { DecodeError, nodeValue, parseCbor, type CborNode } from './cbor-tree.js';

export { DecodeError } from './cbor-tree.js';

export interface FrameHeaderFields {
  version: number;
  op: number;
  op_name: string;
  flags: number;
  unsolicited: boolean;
  length: number;
  group: number;
  group_name: string;
  seq: number;
  cmd: number;
}

/** One named value of a body: a leaf (value) or a container (children). */
export interface NamedField {
  name: string;
  /** Byte offset in the input and size of the CBOR item. */
  offset: number;
  size: number;
  cbor: CborNode['kind'];
  value?: number | boolean | string | null;
  /** Byte strings, as hex. */
  hex?: string;
  unit?: string;
  /** value / scale, for fixed-point fields (hr_bpm_x10 725 -> 72.5). */
  scaled?: number;
  /** Not in the spec for this message (kept, as section 10 allows for responses). */
  unknown?: boolean;
  children?: NamedField[];
}

export interface DecodedFrameView {
  offset: number;
  size: number;
  header: FrameHeaderFields;
  /** Schema name ("history.read.rsp"), "error.rsp" for a failed response, "unknown" otherwise. */
  message: string;
  /** For an error response: the code's name. */
  error?: string;
  /** A request or answer inside an authenticated session (PROTOCOL.md 11.3). */
  sealed?: boolean;
  body: NamedField;
  /** The body as plain JS (maps as objects, byte strings as Uint8Array). */
  value: unknown;
}

// ---------------------------------------------------------------------------------------
// Header

function parseHeader(buf: Uint8Array, base: number): FrameHeaderFields {
  if (buf.length < FRAME_HEADER_SIZE) {
    throw new DecodeError(base + buf.length, `an ${FRAME_HEADER_SIZE}-byte frame header`, `the end of the input after ${buf.length} bytes`);
  }
  const b0 = buf[0];
  if (b0 >> 5 !== 0) throw new DecodeError(base, 'reserved bits 7-5 of byte 0 clear', `byte 0x${b0.toString(16).padStart(2, '0')}`);
  const version = (b0 >> 3) & 3;
  if (version !== PROTOCOL_VERSION) throw new DecodeError(base, `protocol version ${PROTOCOL_VERSION} (byte 0 bits 4-3)`, `version ${version}`);
  const op = b0 & 7;
  if (op > OP_MAX) throw new DecodeError(base, 'op 0..3 (byte 0 bits 2-0)', `op ${op}`);
  const flags = buf[1];
  if ((flags & ~FLAGS_KNOWN) !== 0) throw new DecodeError(base + 1, `flags within 0x${FLAGS_KNOWN.toString(16).padStart(2, '0')}`, `0x${flags.toString(16).padStart(2, '0')}`);
  const length = (buf[2] << 8) | buf[3];
  if (length > FRAME_BODY_MAX) throw new DecodeError(base + 2, `a body length of at most ${FRAME_BODY_MAX}`, `${length}`);
  const group = (buf[4] << 8) | buf[5];
  return {
    version, op, op_name: OP_NAMES[op], flags, unsolicited: (flags & FLAG_UNSOLICITED) !== 0, length, group,
    group_name: GROUP_NAMES[group] ?? `group ${group}`, seq: buf[6], cmd: buf[7],
  };
}

// ---------------------------------------------------------------------------------------
// Body against the schema

function typeName(t: FieldType): string {
  switch (t.t) {
    case 'int':
      return `an integer in ${t.min}..${t.max}`;
    case 'bool':
      return 'a bool';
    case 'text':
      return 'text';
    case 'bytes':
      return `a byte string of ${t.min_bytes}..${t.max_bytes} bytes${t.multiple_of ? ` (a multiple of ${t.multiple_of})` : ''}`;
    case 'map':
      return 'a map';
    case 'list':
      return `an array of ${t.min_items}..${t.max_items} items`;
    case 'tuple':
      return `an array of ${t.fields.filter((d) => !d.optional).length}..${t.fields.length} fields`;
    case 'record':
      return 'a history record (array: seq, kind, fields)';
  }
}

function found(node: CborNode): string {
  switch (node.kind) {
    case 'int':
    case 'bool':
      return `${node.kind === 'int' ? 'the integer' : ''} ${node.value}`.trim();
    case 'text':
      return `the text ${JSON.stringify(node.value)}`;
    case 'bytes':
      return `a byte string of ${node.value.length} bytes`;
    case 'null':
      return 'null';
    case 'array':
      return `an array of ${node.items.length} items`;
    case 'map':
      return `a map of ${node.entries.length} entries`;
  }
}

function expectFail(def: { name: string; type: FieldType }, node: CborNode): never {
  throw new DecodeError(node.offset, `${typeName(def.type)} for "${def.name}"`, found(node));
}

function leaf(name: string, node: CborNode, extra: Partial<NamedField> = {}): NamedField {
  const out: NamedField = { name, offset: node.offset, size: node.size, cbor: node.kind, ...extra };
  if (node.kind === 'int' || node.kind === 'bool' || node.kind === 'text') out.value = node.value;
  else if (node.kind === 'null') out.value = null;
  else if (node.kind === 'bytes') out.hex = Buffer.from(node.value).toString('hex');
  return out;
}

/** A node of no known meaning: its raw tree. */
function raw(name: string, node: CborNode, unknown: boolean): NamedField {
  const base = leaf(name, node, unknown ? { unknown } : {});
  if (node.kind === 'array') base.children = node.items.map((n, i) => raw(`[${i}]`, n, false));
  if (node.kind === 'map') base.children = node.entries.map((e) => raw(String(nodeValue(e.key)), e.value, false));
  return base;
}

function named(def: FieldDef, node: CborNode): NamedField {
  const t = def.type;
  const units = { ...(def.unit ? { unit: def.unit } : {}) };
  switch (t.t) {
    case 'int': {
      if (node.kind !== 'int' || node.value < t.min || node.value > t.max) expectFail(def, node);
      return leaf(def.name, node, { ...units, ...(def.scale ? { scaled: node.value / def.scale } : {}) });
    }
    case 'bool':
      if (node.kind !== 'bool') expectFail(def, node);
      return leaf(def.name, node);
    case 'text':
      if (node.kind !== 'text' || Buffer.byteLength(node.value) > t.max_bytes) expectFail(def, node);
      return leaf(def.name, node);
    case 'bytes':
      if (node.kind !== 'bytes' || node.value.length < t.min_bytes || node.value.length > t.max_bytes || node.value.length % (t.multiple_of ?? 1) !== 0) {
        expectFail(def, node);
      }
      return leaf(def.name, node);
    case 'map':
      if (node.kind !== 'map') expectFail(def, node);
      return { ...leaf(def.name, node), children: mapFields(t.fields, node) };
    case 'list':
      if (node.kind !== 'array' || node.items.length < t.min_items || node.items.length > t.max_items) expectFail(def, node);
      return { ...leaf(def.name, node), children: node.items.map((n, i) => named({ name: `[${i}]`, type: t.item, ...units }, n)) };
    case 'tuple':
      if (node.kind !== 'array') expectFail(def, node);
      return { ...leaf(def.name, node), children: tupleFields(def.name, t.fields, node) };
    case 'record':
      return historyRecord(def.name, node);
  }
}

function tupleFields(name: string, defs: readonly FieldDef[], node: Extract<CborNode, { kind: 'array' }>): NamedField[] {
  const required = defs.filter((d) => !d.optional).length;
  if (node.items.length < required) {
    throw new DecodeError(node.offset, `an array of at least ${required} fields for "${name}" (${defs.slice(0, required).map((d) => d.name).join(', ')})`, found(node));
  }
  return node.items.map((n, i) => (i < defs.length ? named(defs[i], n) : raw(`[${i}]`, n, true)));
}

function historyRecord(name: string, node: CborNode): NamedField {
  if (node.kind !== 'array' || node.items.length < 2) {
    throw new DecodeError(node.offset, `a history record for "${name}" (an array: seq, kind, fields)`, found(node));
  }
  const kind = node.items[1];
  if (kind.kind !== 'int' || kind.value < 1 || kind.value > 255) throw new DecodeError(kind.offset, 'a record kind in 1..255', found(kind));
  const layout = HISTORY_RECORDS[kind.value];
  if (layout === undefined) {
    // A kind this version does not know: raw integer fields (PROTOCOL.md 8.5 other-rec).
    const children = node.items.map((n, i) => {
      if (n.kind !== 'int') throw new DecodeError(n.offset, `an integer field in the record of unknown kind ${kind.value}`, found(n));
      return leaf(i === 0 ? 'seq' : i === 1 ? 'kind' : `[${i}]`, n);
    });
    return { ...leaf(name, node), value: `kind ${kind.value}`, children };
  }
  return { ...leaf(name, node), value: layout.name, children: tupleFields(`${name} (${layout.name})`, layout.fields, node) };
}

function mapFields(defs: readonly FieldDef[], node: Extract<CborNode, { kind: 'map' }>): NamedField[] {
  const out: NamedField[] = [];
  for (const e of node.entries) {
    const key = e.key.kind === 'text' ? e.key.value : String(nodeValue(e.key));
    const def = e.key.kind === 'text' ? defs.find((d) => d.name === key) : undefined;
    out.push(def ? named(def, e.value) : raw(key, e.value, true));
  }
  for (const d of defs) {
    if (!d.optional && !node.entries.some((e) => e.key.kind === 'text' && e.key.value === d.name)) {
      throw new DecodeError(node.offset, `the key "${d.name}" in this map`, `keys ${node.entries.map((e) => JSON.stringify(nodeValue(e.key))).join(', ') || '(none)'}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Frames

/**
 * One frame at the start of `buf` (whose first byte is at `base` in the user's input).
 * Returns the view and the frame's size; the input may hold more frames after it.
 */
export function decodeFrameAt(buf: Uint8Array, base = 0): DecodedFrameView {
  const header = parseHeader(buf, base);
  const end = FRAME_HEADER_SIZE + header.length;
  if (buf.length < end) {
    throw new DecodeError(base + buf.length, `${header.length} body bytes (the header's length)`, `${buf.length - FRAME_HEADER_SIZE} bytes before the end of the input`);
  }
  if (header.length === 0) throw new DecodeError(base + FRAME_HEADER_SIZE, 'a CBOR body (at least {}: one byte)', 'a length of 0');
  const root = parseCbor(buf.subarray(FRAME_HEADER_SIZE, end), base + FRAME_HEADER_SIZE);
  const view = { offset: base, size: end, header, value: nodeValue(root) };
  const is_rsp = header.op === 1 || header.op === 3;
  if (root.kind !== 'map') throw new DecodeError(root.offset, 'a map as the body', found(root));
  if (is_rsp && !header.unsolicited && root.entries.some((e) => e.key.kind === 'text' && e.key.value === 'rc')) {
    const children = mapFields(ERROR_RSP, root);
    const rc = root.entries.find((e) => e.key.kind === 'text' && e.key.value === 'rc')?.value;
    const name = rc && rc.kind === 'int' ? errorName(rc.value) : 'error';
    return { ...view, message: 'error.rsp', error: name, body: { ...leaf('body', root), children } };
  }
  const def = findMessage(header.group, header.cmd, header.op);
  if (def === null) return { ...view, message: 'unknown', body: raw('body', root, false) };
  if (def.unsolicited !== header.unsolicited) {
    throw new DecodeError(base + 1, `flags 0x${(def.unsolicited ? FLAG_UNSOLICITED : 0).toString(16).padStart(2, '0')} for ${def.name}`, `0x${header.flags.toString(16).padStart(2, '0')}`);
  }
  const inner = is_rsp ? 'rsp' : 'req';
  const has = (k: string) => root.entries.some((e) => e.key.kind === 'text' && e.key.value === k);
  if (has('ctr') && has('mac') && has(inner)) {
    // Sealed: the envelope's counter and MAC, and the command's own body under req / rsp.
    const children = root.entries.map((e) => {
      const key = e.key.kind === 'text' ? e.key.value : String(nodeValue(e.key));
      if (key === 'ctr') return named(SEALED_CTR, e.value);
      if (key === 'mac') return named(SEALED_MAC, e.value);
      if (key === inner && e.value.kind === 'map') return { ...leaf(inner, e.value), children: mapFields(def.fields, e.value) };
      if (key === inner) return expectFail({ name: inner, type: { t: 'map', fields: def.fields } }, e.value);
      return raw(key, e.value, true);
    });
    return { ...view, message: def.name, sealed: true, body: { ...leaf('body', root), children } };
  }
  return { ...view, message: def.name, body: { ...leaf('body', root), children: mapFields(def.fields, root) } };
}

/** Every frame in `buf`, back to back (one frame is the usual case). */
export function decodeFrames(buf: Uint8Array): DecodedFrameView[] {
  if (buf.length === 0) throw new DecodeError(0, 'a frame', 'no bytes');
  const out: DecodedFrameView[] = [];
  let at = 0;
  while (at < buf.length) {
    const view = decodeFrameAt(buf.subarray(at), at);
    out.push(view);
    at += view.size;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Text

function leafText(f: NamedField): string {
  if (f.hex !== undefined) return f.hex.length > 64 ? `${f.hex.slice(0, 64)}... (${f.hex.length / 2} bytes)` : `${f.hex} (${f.hex.length / 2} bytes)`;
  if (typeof f.value === 'string' && f.cbor === 'text') return JSON.stringify(f.value);
  let s = String(f.value);
  if (f.scaled !== undefined) s += ` (${f.scaled} ${f.unit ?? ''})`.replace(' )', ')');
  else if (f.unit) s += ` ${f.unit}`;
  if (f.unit === 'ms' && typeof f.value === 'number' && f.value >= TIME_EPOCH_MS_MIN && f.value < TIME_EPOCH_MS_MAX) {
    s += ` (${new Date(f.value).toISOString()})`;
  }
  return s;
}

/** The body tree as indented lines. */
export function fieldLines(f: NamedField, indent = ''): string[] {
  const mark = f.unknown ? ' (not in the spec)' : '';
  if (f.children === undefined) return [`${indent}${f.name}: ${leafText(f)}${mark}`];
  const what = f.cbor === 'map' ? `{${f.children.length}}` : `[${f.children.length}]`;
  const label = typeof f.value === 'string' ? ` ${f.value}` : '';
  const lines = [`${indent}${f.name}:${label} ${what}${mark}`];
  for (const c of f.children) lines.push(...fieldLines(c, `${indent}  `));
  return lines;
}

export function headerText(h: FrameHeaderFields): string {
  return `version ${h.version}, op ${h.op_name} (${h.op}), flags 0x${h.flags.toString(16).padStart(2, '0')}${h.unsolicited ? ' (unsolicited)' : ''}, ` +
    `length ${h.length}, group ${h.group_name} (${h.group}), seq ${h.seq}, command ${h.cmd}`;
}

export function frameText(v: DecodedFrameView): string {
  const title = v.error ? `${v.message} ${v.error}` : v.sealed ? `${v.message} (sealed)` : v.message;
  return [
    `frame at byte ${v.offset}, ${v.size} bytes: ${title}`,
    `  header: ${headerText(v.header)}`,
    ...fieldLines(v.body, '  '),
  ].join('\n');
}

/** A JSON-friendly view (byte strings as hex). */
export function frameJson(v: DecodedFrameView): unknown {
  return {
    offset: v.offset, size: v.size, message: v.message, ...(v.error ? { error: v.error } : {}), ...(v.sealed ? { sealed: true } : {}),
    header: v.header, body: v.body,
    value: JSON.parse(JSON.stringify(v.value, (_k, x: unknown) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x))),
  };
}

// ---------------------------------------------------------------------------------------
// Input text

/**
 * Bytes from what a user pastes: hex (spaces, colons and a 0x prefix allowed) or base64.
 * Throws DecodeError naming the character offset that is neither.
 */
export function parseFrameText(text: string): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new DecodeError(0, 'hex or base64 frame bytes', 'empty input');
  const hex = trimmed.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (/^[0-9a-fA-F]*$/.test(hex)) {
    if (hex.length % 2 !== 0) throw new DecodeError(hex.length >> 1, 'an even number of hex digits', `${hex.length} digits`);
    return Uint8Array.from(Buffer.from(hex, 'hex'));
  }
  const b64 = trimmed.replace(/\s/g, '');
  const bad = b64.search(/[^A-Za-z0-9+/=_-]/);
  if (bad >= 0) throw new DecodeError(bad, 'hex digits or base64 characters (input character offset)', JSON.stringify(b64[bad]));
  if (/=[^=]/.test(b64) || (b64.replace(/=+$/, '').length % 4 === 1)) {
    throw new DecodeError(b64.length, 'base64 of a whole number of bytes', `${b64.length} characters`);
  }
  return Uint8Array.from(Buffer.from(b64, b64.includes('-') || b64.includes('_') ? 'base64url' : 'base64'));
}
