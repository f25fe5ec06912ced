// Harness run both in Node and, bundled to ES5, in the Duktape engine (duktape.test.ts): it
// drives the device codecs and reports results as plain strings, so the two engines' outputs
// can be compared for equality. Written for ES5 after transpiling: no padStart, no Buffer,
// no TextDecoder, no Number.isInteger.

import {
  CBOR_HEAD_ARG_LO,
  CBOR_HEAD_MAJOR,
  CBOR_HEAD_WORDS,
  cbor_head_int,
  cbor_read_head,
  cbor_validate,
  cbor_write_array,
  cbor_write_bool,
  cbor_write_bytes,
  cbor_write_int,
  cbor_write_map,
  cbor_write_null,
  cbor_write_text,
} from '../../protocol/device/cbor.js';
import { frag_copy, frag_count, reasm_init, reasm_push, REASM_STATE_WORDS } from '../../protocol/device/fragment.js';
import { FRAME_HDR_WORDS, frame_header_set, frame_header_write } from '../../protocol/device/frame.js';
import { hrs_measurement_encode } from '../../protocol/device/hrs.js';

const HEX = '0123456789abcdef';

function toHex(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += HEX.charAt(b[i] >> 4) + HEX.charAt(b[i] & 15);
  return s;
}

function fromHex(h: string): Uint8Array {
  const out = new Uint8Array(h.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

/**
 * Decode with the device decoder and re-encode with the device encoder in one walk.
 * Returns "<canonical value> => <re-encoded hex>" or "err <rc>".
 */
function roundTrip(h: string): string {
  const buf = fromHex(h);
  const rc = cbor_validate(buf, 0, buf.length);
  if (rc < 0) return 'err ' + rc;
  const head = new Int32Array(CBOR_HEAD_WORDS);
  const out = new Uint8Array(buf.length + 16);
  const st = { pos: 0, w: 0 };
  const item = (): string => {
    st.pos = cbor_read_head(buf, st.pos, buf.length, head);
    const major = head[CBOR_HEAD_MAJOR];
    const arg = head[CBOR_HEAD_ARG_LO];
    if (major <= 1) {
      const v = cbor_head_int(head);
      st.w = cbor_write_int(out, st.w, out.length, v);
      return 'i' + String(v);
    }
    if (major === 2 || major === 3) {
      const s = toHex(buf, st.pos, st.pos + arg);
      st.w = (major === 2 ? cbor_write_bytes : cbor_write_text)(out, st.w, out.length, buf, st.pos, arg);
      st.pos += arg;
      return (major === 2 ? 'b' : 't') + s;
    }
    if (major === 4) {
      st.w = cbor_write_array(out, st.w, out.length, arg);
      const parts: string[] = [];
      for (let i = 0; i < arg; i++) parts.push(item());
      return '[' + parts.join(',') + ']';
    }
    if (major === 5) {
      st.w = cbor_write_map(out, st.w, out.length, arg);
      const parts: string[] = [];
      for (let i = 0; i < arg; i++) parts.push(item() + ':' + item());
      return '{' + parts.join(',') + '}';
    }
    if (arg === 22) st.w = cbor_write_null(out, st.w, out.length);
    else st.w = cbor_write_bool(out, st.w, out.length, arg === 21 ? 1 : 0);
    return 's' + arg;
  };
  const v = item();
  return v + ' => ' + (st.w < 0 ? 'err ' + st.w : toHex(out, 0, st.w));
}

/** Fragment and reassemble frames of several sizes at several MTUs; one line per case. */
function fragments(): string[] {
  const lines: string[] = [];
  const hdr = new Int32Array(FRAME_HDR_WORDS);
  const frame = new Uint8Array(1024);
  const frag = new Uint8Array(517);
  const st = new Int32Array(REASM_STATE_WORDS);
  const buf = new Uint8Array(1024);
  const mtus = [23, 185, 247, 517];
  const sizes = [0, 1, 12, 13, 100, 505, 506, 1015, 1016];
  for (let m = 0; m < mtus.length; m++) {
    reasm_init(st, 1024, mtus[m]);
    for (let s = 0; s < sizes.length; s++) {
      frame_header_set(hdr, 2, 0, sizes[s], 66, s, 0);
      frame_header_write(frame, 0, hdr);
      for (let i = 0; i < sizes[s]; i++) frame[8 + i] = (i * 13 + s) & 255;
      const n = frag_count(8 + sizes[s], mtus[m]);
      const results: number[] = [];
      for (let k = 0; k < n; k++) {
        const len = frag_copy(frame, 0, 8 + sizes[s], mtus[m], k, frag, 0);
        results.push(reasm_push(st, buf, frag, 0, len, 1000 * k));
      }
      let sum = 0;
      for (let i = 0; i < 8 + sizes[s]; i++) sum = (sum * 31 + buf[i]) % 65521;
      lines.push(mtus[m] + '/' + sizes[s] + ': ' + results.join(' ') + ' sum ' + sum);
    }
  }
  return lines;
}

function hrs(): string[] {
  const out = new Uint8Array(514);
  const rr = new Int32Array(300);
  for (let i = 0; i < rr.length; i++) rr[i] = 300 + i * 211;
  const n = new Int32Array(1);
  const lines: string[] = [];
  const mtus = [23, 131, 517];
  for (let m = 0; m < mtus.length; m++) {
    const len = hrs_measurement_encode(out, mtus[m], 64 + m * 200, 2, m === 1 ? 1234 : -1, rr, m, 250, n);
    lines.push(mtus[m] + ': ' + n[0] + ' ' + toHex(out, 0, len));
  }
  return lines;
}

/** Everything the engines must agree on. */
export function run(hexes: string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < hexes.length; i++) lines.push(hexes[i] + ' -> ' + roundTrip(hexes[i]));
  return lines.concat(fragments(), hrs());
}
