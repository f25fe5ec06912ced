// Errors the protocol client raises. A device's error response becomes a ProtocolError
// (protocol/host/frame.ts) carrying the code's name; a response that breaks the spec is a
// ResponseError; a request with no answer is a TimeoutError. Link failures are the
// transport's (TransportError, DisconnectedError).

import { ProtocolError } from '../../protocol/host/frame.js';
import { errorName } from '../../protocol/host/errors.js';

/** The ring answered a request with an error response {rc, key?, off?}. */
export class DeviceError extends ProtocolError {
  /** The code's name, e.g. "ERR_BAD_VALUE". */
  readonly code: string;
  /** The request field at fault, when the ring named it. */
  readonly key: string | undefined;
  /** Byte offset in the request body where CBOR decoding failed, when given. */
  readonly off: number | undefined;
  /** Which request failed, e.g. "config set". */
  readonly request: string;

  constructor(rc: number, request: string, key?: string, off?: number) {
    const where = [key !== undefined ? `key "${key}"` : '', off !== undefined ? `offset ${off}` : ''].filter(Boolean).join(', ');
    super(rc, `${request}${where ? ` (${where})` : ''}`);
    this.name = 'ProtocolError';
    this.code = errorName(rc);
    this.key = key;
    this.off = off;
    this.request = request;
  }
}

/** The ring's answer does not follow PROTOCOL.md (missing key, wrong type, bad frame). */
export class ResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponseError';
  }
}

/** No response within the request's timeout (after any retries). */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

export { ProtocolError };
