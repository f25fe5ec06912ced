// The history record codec (firmware/store/record-codec.ts) at the edges of its fast paths:
// field values whose zigzag form needs one, two or more varint bytes, either side of the
// small-integer bound (2^27) and up to the largest differences a 32-bit field makes. The
// bytes are checked against the format as docs/storage.md states it (zigzag, then
// little-endian base-128 groups), written here independently, and decoded back.

import t from 'tap';
import type { Test } from 'tap';
import { CODEC_POS, CODEC_STATE_WORDS, REC_BYTES_MAX, rec_decode, rec_encode, rec_state_reset, rec_std_count } from '../../firmware/store/record-codec.js';
import * as out from '../../firmware/output.js';
import { Prng } from '../../sim/prng.js';

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
    // Three fields is a status record's usual count: the kind byte carries 128, no count byte.
    const want = [kind + 128, ...varint(0), ...varint(zigzag(1000)), ...varint(zigzag(-1000)), ...varint(zigzag(fields[1]!)), ...varint(zigzag(fields[2]!))];
    t.same(Array.from(buf.subarray(0, end)), want, `value ${v}: the format's bytes`);
    const back = new Int32Array(12);
    const rstate = new Float64Array(CODEC_STATE_WORDS);
    rec_state_reset(rstate, 7, 0);
    t.equal(rec_decode(buf, end, rstate, back), 7, `value ${v}: decodes as sequence 7`);
    t.same(Array.from(back.subarray(0, 3)), Array.from(fields), `value ${v}: the same fields`);
    t.equal(rstate[CODEC_POS], end, `value ${v}: the decoder ends where the encoder did`);
  }
});

interface Rec {
  seq: number;
  kind: number;
  fields: number[];
  emitted_ms: number;
}

/** Encode recs into one block (as many as fit in `payload` bytes) and decode them back. */
function roundTrip(t: Test, recs: Rec[], payload: number): { encoded: number; bytes: number } {
  const buf = new Uint8Array(payload + REC_BYTES_MAX);
  const state = new Float64Array(CODEC_STATE_WORDS);
  rec_state_reset(state, recs[0]!.seq, 0);
  let n = 0;
  for (const r of recs) {
    const before = state[CODEC_POS]!;
    const end = rec_encode(buf, payload, state, r.seq, r.kind, Int32Array.from(r.fields), r.fields.length, r.emitted_ms);
    if (end < 0) {
      t.equal(state[CODEC_POS], before, 'a record that does not fit leaves the block where it was');
      break;
    }
    t.ok(end <= payload, 'a record kept ends within the payload');
    n++;
  }
  const rstate = new Float64Array(CODEC_STATE_WORDS);
  rec_state_reset(rstate, recs[0]!.seq, 0);
  const back = new Int32Array(12);
  let same = 0;
  for (let i = 0; i < n; i++) {
    const r = recs[i]!;
    const seq = rec_decode(buf, state[CODEC_POS]!, rstate, back);
    const got = { seq, fields: Array.from(back.subarray(0, r.fields.length)) };
    if (seq === r.seq && JSON.stringify(got.fields) === JSON.stringify(r.fields)) same++;
    else t.same(got, { seq: r.seq, fields: r.fields }, `record ${i} (kind ${r.kind}) decodes as written`);
  }
  t.equal(same, n, `${n} records decode to what was written`);
  t.equal(rstate[CODEC_POS], state[CODEC_POS], 'the decoder ends where the encoder did');
  return { encoded: n, bytes: state[CODEC_POS]! };
}


t.test('HRV windows: statistics against the same window, emission against its rhythm', async (t) => {
  // A steady night: a 60 s window every 30 s and a 300 s one every minute, as the ring emits.
  const recs: Rec[] = [];
  const prng = new Prng(7);
  let seq = 100;
  for (let k = 0; k < 40; k++) {
    const end = 600_000 + k * 30_000;
    const emitted = end - 40;
    const stats = (w: number): number[] => [
      w, end, w === 60 ? 70 + prng.nextBelow(5) : 350 + prng.nextBelow(10), 980 + prng.nextBelow(20),
      8000 + prng.nextBelow(200), 300 + prng.nextBelow(100), 250 + prng.nextBelow(50), 40 + prng.nextBelow(40), 1,
    ];
    recs.push({ seq: (seq += 70), kind: out.OUT_KIND_HRV, fields: stats(60), emitted_ms: emitted });
    if (k % 2 === 0) recs.push({ seq: (seq += 1), kind: out.OUT_KIND_HRV, fields: stats(300), emitted_ms: emitted });
  }
  const r = roundTrip(t, recs, 4096);
  t.equal(r.encoded, recs.length, 'all fit in a large block');
  const per = r.bytes / r.encoded;
  t.ok(per <= 15, `a steady window takes ${per.toFixed(1)} bytes on average (the format's claim: 13 to 15)`);
});

t.test('mixed records, odd counts, a third window size and unknown kinds decode exactly', async (t) => {
  const prng = new Prng(11);
  const field = (): number => {
    const r = prng.nextBelow(4);
    if (r === 0) return prng.nextBelow(100);
    if (r === 1) return prng.nextBelow(1 << 20) - (1 << 19);
    if (r === 2) return (prng.nextBelow(1 << 16) * 65536 + prng.nextBelow(1 << 16)) | 0;
    return -1;
  };
  for (let trial = 0; trial < 40; trial++) {
    const recs: Rec[] = [];
    let seq = 1 + prng.nextBelow(1000);
    let emitted = prng.nextBelow(1 << 30);
    for (let i = 0; i < 60; i++) {
      const pick = prng.nextBelow(6);
      const kind = pick <= 1 ? out.OUT_KIND_HRV : pick === 2 ? out.OUT_KIND_BEAT : pick === 3 ? out.OUT_KIND_STATUS : pick === 4 ? out.OUT_KIND_HR : 5 + prng.nextBelow(123);
      // Usual counts mostly; HRV windows cut short and status records with extra fields too.
      const usual = rec_std_count(kind) >= 0 ? rec_std_count(kind) : 4;
      const count = prng.nextBelow(4) === 0 ? prng.nextBelow(13) : usual;
      const fields = Array.from({ length: count }, field);
      if (kind === out.OUT_KIND_HRV && count > 0) fields[0] = [60, 300, 120, 0][prng.nextBelow(4)]!;
      emitted += prng.nextBelow(3) === 0 ? 0 : prng.nextBelow(60_000);
      recs.push({ seq: (seq += 1 + prng.nextBelow(200)), kind, fields, emitted_ms: emitted });
    }
    roundTrip(t, recs, 240);
  }
});

t.test('a record whose count is not its kind usual one keeps its count byte', async (t) => {
  const buf = new Uint8Array(128);
  const state = new Float64Array(CODEC_STATE_WORDS);
  rec_state_reset(state, 3, 0);
  rec_encode(buf, 128, state, 3, out.OUT_KIND_STATUS, Int32Array.from([1000, 2]), 2, 1000);
  t.same(Array.from(buf.subarray(0, 2)), [out.OUT_KIND_STATUS, 2], 'kind, then the count');
  const bad = new Uint8Array([out.OUT_KIND_HRV + 128 + 100, 0, 0]);
  const rs = new Float64Array(CODEC_STATE_WORDS);
  rec_state_reset(rs, 1, 0);
  t.equal(rec_decode(bad, 3, rs, new Int32Array(12)), -1, 'a flagged kind without a usual count is not a record');
});
