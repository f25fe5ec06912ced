// Names and descriptions of the protocol's error codes, for humans (host side only).
// The numbers live in protocol/ids.ts; test/protocol/host.test.ts checks that every
// ERR_* constant there has an entry here and that no two share a number.

import * as ids from '../ids.js';

export interface ErrorInfo {
  readonly code: number;
  readonly name: string; // the constant's name in ids.ts, e.g. "ERR_BAD_CBOR"
  readonly description: string;
}

/** [name in ids.ts, description], in code order. */
const DESCRIPTIONS: readonly (readonly [string, string])[] = [
  ['ERR_OK', 'success'],
  ['ERR_UNKNOWN', 'unexpected failure with no better code'],
  ['ERR_NO_MEMORY', 'a fixed pool, queue or buffer is exhausted'],
  ['ERR_BAD_FRAME', 'malformed frame header (short, reserved bits or unknown flags set, length mismatch)'],
  ['ERR_BAD_VERSION', 'unsupported protocol version in the header'],
  ['ERR_BAD_OP', 'reserved op (4..7), a response op sent as a request, or an op the command does not define'],
  ['ERR_UNKNOWN_GROUP', 'unknown group'],
  ['ERR_UNKNOWN_COMMAND', 'unknown command in a known group'],
  ['ERR_TOO_LARGE', 'too large for a limit or buffer (frame, fragment, string, or response)'],
  ['ERR_MISSING_FIELD', 'a required field is missing'],
  ['ERR_BAD_VALUE', 'a field value is out of range or not allowed'],
  ['ERR_BAD_TYPE', 'a field or body has the wrong CBOR type'],
  ['ERR_UNKNOWN_FIELD', 'the request has a field this command does not define'],
  ['ERR_BUSY', 'busy with conflicting work; retry later'],
  ['ERR_TIMEOUT', 'a partial frame timed out during reassembly'],
  ['ERR_INTERLEAVED', 'fragments disagree with the declared frame length (interleaved, lost or extra fragment)'],
  ['ERR_NOT_SUPPORTED', 'not supported by this device'],
  ['ERR_AUTH_REQUIRED', 'the ring has an owner: this request needs an authenticated session (ring pair, or a key from the owner)'],
  ['ERR_NOT_PERMITTED', "the session's role or scopes do not allow this request"],
  ['ERR_AUTH_FAILED', 'unknown host, or a session proof that does not verify'],
  ['ERR_REPLAY', 'a counter not above the last one accepted (replayed or rolled-back frame)'],
  ['ERR_BAD_MAC', 'the MAC does not verify over this header and body'],
  ['ERR_RATE_LIMITED', 'too many failed authentications: retry after the back-off'],
  ['ERR_PAIRING_CLOSED', 'pairing is only accepted in the pairing window (after a factory reset, or on the charger)'],
  ['ERR_IMAGE_STATE', 'the image command does not fit the update state (no upload, incomplete, other image, not on trial)'],
  ['ERR_IMAGE_INVALID', "the uploaded image's header is malformed or disagrees with its size"],
  ['ERR_IMAGE_TARGET', 'the image is built for another target'],
  ['ERR_IMAGE_DOWNGRADE', "the image's security counter is below the ring's minimum"],
  ['ERR_FLASH', 'a flash operation failed'],
  ['ERR_REVOKED', "this host's access was revoked by the owner"],
  ['ERR_EXPIRED', "this host's grant has expired"],
  ['ERR_BAD_CBOR', 'malformed CBOR (stray break, bad integer head, duplicate map key)'],
  ['ERR_CBOR_TRUNCATED', 'CBOR input ends inside an item'],
  ['ERR_CBOR_RESERVED', 'CBOR reserved additional information (28..30)'],
  ['ERR_CBOR_INDEFINITE', 'CBOR indefinite length is not supported'],
  ['ERR_CBOR_TAG', 'CBOR tags (including bignums) are not supported'],
  ['ERR_CBOR_FLOAT', 'CBOR floating-point values are not supported'],
  ['ERR_CBOR_SIMPLE', 'CBOR simple value other than false, true or null (e.g. undefined)'],
  ['ERR_CBOR_INT_RANGE', 'CBOR integer outside -(2^53-1)..2^53-1'],
  ['ERR_CBOR_DEPTH', 'CBOR nesting deeper than the limit'],
  ['ERR_CBOR_TRAILING', 'bytes after the CBOR body item'],
];

const TABLE: readonly ErrorInfo[] = DESCRIPTIONS.map(([name, description]) => {
  const code = (ids as unknown as Record<string, unknown>)[name];
  if (typeof code !== 'number') throw new Error(`protocol/host/errors.ts: ${name} is not in protocol/ids.ts`);
  return { code, name, description };
});

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
