// The history record codec (firmware/store/record-codec.ts) at the edges of its fast paths:
// field values whose zigzag form needs one, two or more varint bytes, either side of the
// small-integer bound (2^27) and up to the largest differences a 32-bit field makes. The
// bytes are checked against the format as docs/storage.md states it (zigzag, then
// little-endian base-128 groups), written here independently, and decoded back.

import t from 'tap';
import { CODEC_POS, CODEC_STATE_WORDS, rec_decode, rec_encode, rec_state_reset } from '../../firmware/store/record-codec.js';

/** The format's bytes for one value, by plain arithmetic. */
function varint(z: number): number[] {
  const out: number[] = [];
  let x = z;
  while (x >= 128) {
    out.push((x % 128) + 128);
    x = Math.floor(x / 128);
  }
  out.push(x);
  return out;
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

const EDGES = [0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, -8193, 2 ** 26 - 1, -(2 ** 26), 2 ** 26, 2 ** 27, -(2 ** 31), 2 ** 31 - 1];

t.test('each field value is written as its zigzag varint and read back', async (t) => {
  // Kind 4 (status) has field 0 stored relative to emitted_ms: the others are written as given.
  const kind = 4;
  for (const v of EDGES) {
    const fields = Int32Array.from([0, v, -v | 0]);
    const buf = new Uint8Array(128);
    const state = new Float64Array(CODEC_STATE_WORDS);
    rec_state_reset(state, 7, 0);
    const end = rec_encode(buf, buf.length, state, 7, kind, fields, fields.length, 1000);
    const want = [kind, fields.length, ...varint(0), ...varint(zigzag(1000)), ...varint(zigzag(-1000)), ...varint(zigzag(fields[1]!)), ...varint(zigzag(fields[2]!))];
    t.same(Array.from(buf.subarray(0, end)), want, `value ${v}: the format's bytes`);
    const back = new Int32Array(12);
    const rstate = new Float64Array(CODEC_STATE_WORDS);
    rec_state_reset(rstate, 7, 0);
    t.equal(rec_decode(buf, end, rstate, back), 7, `value ${v}: decodes as sequence 7`);
    t.same(Array.from(back.subarray(0, 3)), Array.from(fields), `value ${v}: the same fields`);
    t.equal(rstate[CODEC_POS], end, `value ${v}: the decoder ends where the encoder did`);
  }
});
