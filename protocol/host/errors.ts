// Names and descriptions of the protocol's error codes, for humans (host side only).
// The numbers live in protocol/ids.ts; test/protocol/errors.test.ts checks that every
// ERR_* constant there has an entry here and that no two share a number.

import * as ids from '../ids.js';

export interface ErrorInfo {
  readonly code: number;
  readonly name: string; // the constant's name in ids.ts, e.g. "ERR_BAD_CBOR"
  readonly description: string;
}

const TABLE: readonly ErrorInfo[] = [
  { code: ids.ERR_OK, name: 'ERR_OK', description: 'success' },
  { code: ids.ERR_UNKNOWN, name: 'ERR_UNKNOWN', description: 'unexpected failure with no better code' },
  { code: ids.ERR_NO_MEMORY, name: 'ERR_NO_MEMORY', description: 'a fixed pool, queue or buffer is exhausted' },
  {
    code: ids.ERR_BAD_FRAME,
    name: 'ERR_BAD_FRAME',
    description: 'malformed frame header (short, reserved bits or unknown flags set, length mismatch)',
  },
  { code: ids.ERR_BAD_VERSION, name: 'ERR_BAD_VERSION', description: 'unsupported protocol version in the header' },
  { code: ids.ERR_BAD_OP, name: 'ERR_BAD_OP', description: 'reserved op (4..7), a response op sent as a request, or an op the command does not define' },
  { code: ids.ERR_UNKNOWN_GROUP, name: 'ERR_UNKNOWN_GROUP', description: 'unknown group' },
  { code: ids.ERR_UNKNOWN_COMMAND, name: 'ERR_UNKNOWN_COMMAND', description: 'unknown command in a known group' },
  {
    code: ids.ERR_TOO_LARGE,
    name: 'ERR_TOO_LARGE',
    description: 'too large for a limit or buffer (frame, fragment, string, or response)',
  },
  { code: ids.ERR_MISSING_FIELD, name: 'ERR_MISSING_FIELD', description: 'a required field is missing' },
  { code: ids.ERR_BAD_VALUE, name: 'ERR_BAD_VALUE', description: 'a field value is out of range or not allowed' },
  { code: ids.ERR_BAD_TYPE, name: 'ERR_BAD_TYPE', description: 'a field or body has the wrong CBOR type' },
  { code: ids.ERR_UNKNOWN_FIELD, name: 'ERR_UNKNOWN_FIELD', description: 'the request has a field this command does not define' },
  { code: ids.ERR_BUSY, name: 'ERR_BUSY', description: 'busy with conflicting work; retry later' },
  { code: ids.ERR_TIMEOUT, name: 'ERR_TIMEOUT', description: 'a partial frame timed out during reassembly' },
  {
    code: ids.ERR_INTERLEAVED,
    name: 'ERR_INTERLEAVED',
    description: 'fragments disagree with the declared frame length (interleaved, lost or extra fragment)',
  },
  { code: ids.ERR_NOT_SUPPORTED, name: 'ERR_NOT_SUPPORTED', description: 'not supported by this device or op' },
  { code: ids.ERR_BAD_CBOR, name: 'ERR_BAD_CBOR', description: 'malformed CBOR (stray break, bad integer head, duplicate map key)' },
  { code: ids.ERR_CBOR_TRUNCATED, name: 'ERR_CBOR_TRUNCATED', description: 'CBOR input ends inside an item' },
  { code: ids.ERR_CBOR_RESERVED, name: 'ERR_CBOR_RESERVED', description: 'CBOR reserved additional information (28..30)' },
  { code: ids.ERR_CBOR_INDEFINITE, name: 'ERR_CBOR_INDEFINITE', description: 'CBOR indefinite length is not supported' },
  { code: ids.ERR_CBOR_TAG, name: 'ERR_CBOR_TAG', description: 'CBOR tags (including bignums) are not supported' },
  { code: ids.ERR_CBOR_FLOAT, name: 'ERR_CBOR_FLOAT', description: 'CBOR floating-point values are not supported' },
  {
    code: ids.ERR_CBOR_SIMPLE,
    name: 'ERR_CBOR_SIMPLE',
    description: 'CBOR simple value other than false, true or null (e.g. undefined)',
  },
  { code: ids.ERR_CBOR_INT_RANGE, name: 'ERR_CBOR_INT_RANGE', description: 'CBOR integer outside -(2^53-1)..2^53-1' },
  { code: ids.ERR_CBOR_DEPTH, name: 'ERR_CBOR_DEPTH', description: 'CBOR nesting deeper than the limit' },
  { code: ids.ERR_CBOR_TRAILING, name: 'ERR_CBOR_TRAILING', description: 'bytes after the CBOR body item' },
];

const BY_CODE = new Map<number, ErrorInfo>(TABLE.map((e) => [e.code, e]));

/** Every known error code, ascending. */
export function errorTable(): readonly ErrorInfo[] {
  return [...TABLE].sort((a, b) => a.code - b.code);
}

/** Name of an rc (positive, as on the wire, or negative, as device functions return it). */
export function errorName(rc: number): string {
  const info = BY_CODE.get(Math.abs(rc));
  return info ? info.name : `ERR_${Math.abs(rc)}`;
}

/** "ERR_BAD_CBOR (32): malformed CBOR ..." for any rc, known or not, either sign. */
export function describeError(rc: number): string {
  if (!Number.isInteger(rc)) return `not an error code: ${String(rc)}`;
  const code = Math.abs(rc);
  const info = BY_CODE.get(code);
  if (!info) return `unknown error code ${code}`;
  return `${info.name} (${code}): ${info.description}`;
}
