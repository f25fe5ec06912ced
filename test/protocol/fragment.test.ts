// Fragmentation at MTU 23/185/247/517 for every frame size, and each reassembly error with
// its code, followed by proof that the next good frame is accepted.

import fc from 'fast-check';
import t from 'tap';
import {
  ATT_MTU_MAX,
  ATT_MTU_MIN,
  ERR_BAD_FRAME,
  ERR_BAD_OP,
  ERR_BAD_VALUE,
  ERR_BAD_VERSION,
  ERR_INTERLEAVED,
  ERR_TIMEOUT,
  ERR_TOO_LARGE,
  FRAGMENTS_PER_FRAME_MAX,
  FRAME_BODY_MAX,
  FRAME_HEADER_SIZE,
  FRAME_SIZE_MAX,
  GROUP_HISTORY,
  OP_READ,
  REASM_TIMEOUT_MS,
} from '../../protocol/ids.js';
import { FRAME_HDR_WORDS, frame_header_set, frame_header_write } from '../../protocol/device/frame.js';
import {
  REASM_ST_CAPACITY,
  REASM_ST_ERR_HEADER,
  REASM_ST_ERRORS,
  REASM_ST_FRAMES,
  REASM_STATE_WORDS,
  frag_copy,
  frag_count,
  frag_payload_size,
  reasm_busy,
  reasm_expire,
  reasm_init,
  reasm_push,
  reasm_reset,
  reasm_set_mtu,
} from '../../protocol/device/fragment.js';
import { hex } from './helpers.js';

const MTUS = [23, 185, 247, 517];

/** A frame with a valid header, the given body size and a recognisable body pattern. */
function makeFrame(body_size: number, seq = 1, fill = 0): Uint8Array {
  const hdr = new Int32Array(FRAME_HDR_WORDS);
  frame_header_set(hdr, OP_READ, 0, body_size, GROUP_HISTORY, seq & 0xff, 0);
  const f = new Uint8Array(FRAME_HEADER_SIZE + body_size);
  frame_header_write(f, 0, hdr);
  for (let i = 0; i < body_size; i++) f[FRAME_HEADER_SIZE + i] = (i * 7 + seq + fill) & 0xff;
  return f;
}

function fragments(frame: Uint8Array, mtu: number): Uint8Array[] {
  const n = frag_count(frame.length, mtu);
  const out: Uint8Array[] = [];
  const scratch = new Uint8Array(ATT_MTU_MAX);
  for (let i = 0; i < n; i++) {
    const len = frag_copy(frame, 0, frame.length, mtu, i, scratch, 0);
    if (len < 0) throw new Error(`frag_copy ${i}: ${len}`);
    out.push(scratch.slice(0, len));
  }
  return out;
}

function newReasm(mtu: number, capacity = FRAME_SIZE_MAX) {
  const st = new Int32Array(REASM_STATE_WORDS);
  const buf = new Uint8Array(capacity);
  if (reasm_init(st, capacity, mtu) !== 0) throw new Error('init');
  const push = (frag: Uint8Array, now_ms = 0) => reasm_push(st, buf, frag, 0, frag.length, now_ms);
  /** Push a whole frame; returns the last push's result, failing if an earlier one was not 0. */
  const pushFrame = (frame: Uint8Array, now_ms = 0) => {
    const frags = fragments(frame, mtu);
    for (let i = 0; i < frags.length - 1; i++) {
      const r = push(frags[i], now_ms);
      if (r !== 0) return r;
    }
    return push(frags[frags.length - 1], now_ms);
  };
  return { st, buf, push, pushFrame };
}

t.test('fragment counts and sizes', async (t) => {
  t.equal(frag_payload_size(23), 20);
  t.equal(frag_payload_size(517), 514);
  for (const bad of [22, 518, 0, -1, 100.5, NaN]) t.equal(frag_payload_size(bad), -ERR_BAD_VALUE, `mtu ${bad}`);
  t.equal(frag_count(FRAME_SIZE_MAX, ATT_MTU_MIN), FRAGMENTS_PER_FRAME_MAX);
  t.equal(frag_count(FRAME_SIZE_MAX + 1, 23), -ERR_TOO_LARGE);
  t.equal(frag_count(0, 23), 0);
  t.equal(frag_count(20, 23), 1);
  t.equal(frag_count(21, 23), 2);
  const f = makeFrame(30);
  const dst = new Uint8Array(30);
  t.equal(frag_copy(f, 0, f.length, 23, 2, dst, 0), -ERR_BAD_VALUE, 'index past the last');
  t.equal(frag_copy(f, 0, f.length, 23, 0, dst, 15), -ERR_TOO_LARGE, 'dst too short');
  t.equal(frag_copy(f, 0, f.length, 23, 1, dst, 0), 18, 'last fragment is the remainder');
  t.equal(hex(dst.subarray(0, 18)), hex(f.subarray(20)));
});

t.test('every frame size at MTU 23, 185, 247, 517 fragments and reassembles', async (t) => {
  for (const mtu of MTUS) {
    const r = newReasm(mtu);
    const payload = mtu - 3;
    let failures = 0;
    for (let body = 0; body <= FRAME_BODY_MAX; body++) {
      const frame = makeFrame(body, body);
      const frags = fragments(frame, mtu);
      const expectedCount = Math.ceil(frame.length / payload);
      if (frags.length !== expectedCount) failures++;
      for (let i = 0; i < frags.length; i++) {
        const last = i === frags.length - 1;
        if (!last && frags[i].length !== payload) failures++;
        const rc = r.push(frags[i], body);
        if (last ? rc !== frame.length : rc !== 0) failures++;
      }
      if (hex(r.buf.subarray(0, frame.length)) !== hex(frame)) failures++;
      if (reasm_busy(r.st) !== 0) failures++;
    }
    t.equal(failures, 0, `MTU ${mtu}: ${FRAME_BODY_MAX + 1} frame sizes`);
    t.equal(r.st[REASM_ST_FRAMES], FRAME_BODY_MAX + 1, 'frames counted');
    t.equal(r.st[REASM_ST_ERRORS], 0, 'no errors');
  }
});

t.test('random frames and MTUs round trip', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: ATT_MTU_MIN, max: ATT_MTU_MAX }),
      fc.array(fc.uint8Array({ maxLength: FRAME_BODY_MAX }), { minLength: 1, maxLength: 4 }),
      (mtu, bodies) => {
        const r = newReasm(mtu);
        for (const body of bodies) {
          const frame = makeFrame(body.length);
          frame.set(body, FRAME_HEADER_SIZE);
          if (r.pushFrame(frame) !== frame.length) throw new Error('frame not completed');
          if (hex(r.buf.subarray(0, frame.length)) !== hex(frame)) throw new Error('bytes differ');
        }
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});

/** Each case leaves the reassembler after an error; then a good frame must go through. */
t.test('each reassembly error returns its code, and the next good frame is accepted', async (t) => {
  const mtu = 23;
  const good = makeFrame(45, 9); // 53 bytes: fragments of 20, 20, 13
  const goodFrags = fragments(good, mtu);
  const other = makeFrame(4, 10); // 12 bytes: one short fragment
  const bigger = makeFrame(60, 11); // 68 bytes: 20, 20, 20, 8

  const recoverAfter = (t: Tap, r: ReturnType<typeof newReasm>, now_ms: number) => {
    t.equal(reasm_busy(r.st), 0, 'idle after the error');
    t.equal(r.pushFrame(good, now_ms), good.length, 'next good frame accepted');
    t.equal(hex(r.buf.subarray(0, good.length)), hex(good), 'with the right bytes');
  };
  type Tap = typeof t;

  t.test('oversize: header length beyond the buffer', async (t) => {
    const r = newReasm(mtu, 64);
    t.equal(r.push(bigger.subarray(0, 20)), -ERR_TOO_LARGE, '68-byte frame into a 64-byte buffer');
    t.equal(r.st[REASM_ST_ERR_HEADER], 1, 'header kept for the error reply');
    t.equal(hex(r.buf.subarray(0, 8)), hex(bigger.subarray(0, 8)));
    recoverAfter(t, r, 0);
  });

  t.test('oversize: header length beyond FRAME_BODY_MAX', async (t) => {
    const r = newReasm(mtu);
    const f = makeFrame(20);
    f[2] = 0x03;
    f[3] = 0xf9; // body length 1017
    t.equal(r.push(f.subarray(0, 20)), -ERR_TOO_LARGE);
    recoverAfter(t, r, 0);
  });

  t.test('oversize: fragment longer than MTU - 3', async (t) => {
    const r = newReasm(mtu);
    t.equal(r.push(good.subarray(0, 21)), -ERR_TOO_LARGE, 'first fragment of 21 bytes at MTU 23');
    recoverAfter(t, r, 0);
    t.equal(r.push(goodFrags[0]), 0);
    t.equal(r.push(good.subarray(20, 41)), -ERR_TOO_LARGE, 'continuation of 21 bytes');
    recoverAfter(t, r, 0);
  });

  t.test('timeout: a partial frame older than REASM_TIMEOUT_MS', async (t) => {
    const r = newReasm(mtu);
    t.equal(r.push(goodFrags[0], 1000), 0);
    t.equal(r.push(goodFrags[1], 1000 + REASM_TIMEOUT_MS), 0, 'exactly the limit is still in time');
    t.equal(r.push(goodFrags[2], 1000 + 2 * REASM_TIMEOUT_MS + 1), -ERR_TIMEOUT, 'limit + 1 after the last fragment');
    t.equal(r.st[REASM_ST_ERR_HEADER], 1);
    t.equal(hex(r.buf.subarray(0, 8)), hex(good.subarray(0, 8)), 'stale header kept for the error reply');
    recoverAfter(t, r, 1000 + 2 * REASM_TIMEOUT_MS + 2);
  });

  t.test('timeout via reasm_expire keeps the new fragment', async (t) => {
    const r = newReasm(mtu);
    t.equal(r.push(goodFrags[0], 0), 0);
    t.equal(reasm_expire(r.st, REASM_TIMEOUT_MS), 0, 'not yet');
    t.equal(reasm_expire(r.st, REASM_TIMEOUT_MS + 1), -ERR_TIMEOUT);
    t.equal(reasm_expire(r.st, REASM_TIMEOUT_MS + 2), 0, 'reported once');
    t.equal(r.pushFrame(good, REASM_TIMEOUT_MS + 2), good.length, 'the fragment after expiry starts a frame');
  });

  t.test('timeout: clock wrap and epoch-sized clocks', async (t) => {
    const r = newReasm(mtu);
    const t0 = 2 ** 32 - 10; // (now | 0) wraps to negative here
    t.equal(r.push(goodFrags[0], t0), 0);
    t.equal(r.push(goodFrags[1], t0 + 20), 0, 'across the 2^32 wrap');
    t.equal(r.push(goodFrags[2], t0 + 40), good.length);
    const e0 = 1_700_000_000_000;
    t.equal(r.push(goodFrags[0], e0), 0);
    t.equal(r.push(goodFrags[1], e0 + REASM_TIMEOUT_MS + 1), -ERR_TIMEOUT, 'epoch ms');
    t.equal(r.push(goodFrags[0], e0), 0);
    t.equal(r.push(goodFrags[1], e0 - 1), -ERR_TIMEOUT, 'a clock going backwards counts as stale');
    recoverAfter(t, r, e0);
  });

  t.test('interleaved: a short frame starts while one is in progress', async (t) => {
    const r = newReasm(mtu);
    t.equal(r.push(goodFrags[0]), 0);
    t.equal(r.push(other), -ERR_INTERLEAVED);
    t.equal(r.st[REASM_ST_ERR_HEADER], 1);
    recoverAfter(t, r, 0);
  });

  t.test('interleaved: a long frame starts while one is in progress', async (t) => {
    const r = newReasm(mtu);
    const bf = fragments(bigger, mtu);
    t.equal(r.push(goodFrags[0]), 0);
    t.equal(r.push(bf[0]), 0, 'a full-size fragment cannot be told from a continuation');
    t.equal(r.push(bf[1]), -ERR_INTERLEAVED, 'but it runs past the declared end');
    recoverAfter(t, r, 0);
  });

  t.test('interleaved: bytes beyond the declared length in one fragment', async (t) => {
    const r = newReasm(mtu);
    const extra = new Uint8Array(other.length + 1);
    extra.set(other);
    t.equal(r.push(extra), -ERR_INTERLEAVED);
    recoverAfter(t, r, 0);
  });

  t.test('interleaved: a short fragment before the end (lost or split)', async (t) => {
    const r = newReasm(mtu);
    t.equal(r.push(goodFrags[0].subarray(0, 19)), -ERR_INTERLEAVED, 'short first fragment of a longer frame');
    recoverAfter(t, r, 0);
    t.equal(r.push(goodFrags[0]), 0);
    t.equal(r.push(goodFrags[2]), -ERR_INTERLEAVED, 'middle fragment lost: the last one arrives early');
    recoverAfter(t, r, 0);
  });

  t.test('bad header: each code', async (t) => {
    const cases: [string, (f: Uint8Array) => Uint8Array, number][] = [
      ['shorter than a header', (f) => f.subarray(0, 7), ERR_BAD_FRAME],
      ['reserved bits', (f) => ((f[0] |= 0x80), f), ERR_BAD_FRAME],
      ['unknown flag', (f) => ((f[1] = 0x40), f), ERR_BAD_FRAME],
      ['version 0', (f) => ((f[0] &= ~0x18), f), ERR_BAD_VERSION],
      ['op 6', (f) => ((f[0] = (f[0] & ~7) | 6), f), ERR_BAD_OP],
    ];
    for (const [name, spoil, code] of cases) {
      const r = newReasm(mtu);
      const f = spoil(other.slice());
      t.equal(r.push(f), -code, name);
      t.equal(r.st[REASM_ST_ERR_HEADER], f.length >= 8 ? 1 : 0, `${name}: header bytes held`);
      recoverAfter(t, r, 0);
    }
  });

  t.test('a continuation arriving when idle is judged as a header', async (t) => {
    const r = newReasm(mtu);
    const junk = new Uint8Array(20).fill(0xff);
    t.equal(r.push(junk), -ERR_BAD_FRAME);
    recoverAfter(t, r, 0);
  });

  t.test('counters, empty fragments, bad arguments, reset', async (t) => {
    const r = newReasm(mtu);
    t.equal(r.push(new Uint8Array(0)), 0, 'empty fragment ignored');
    t.equal(r.push(goodFrags[0]), 0);
    t.equal(r.push(new Uint8Array(0)), 0, 'also mid-frame');
    t.equal(reasm_push(r.st, r.buf, goodFrags[1], 5, 20, 0), -ERR_BAD_VALUE, 'range beyond src');
    t.equal(reasm_push(r.st, new Uint8Array(10), goodFrags[1], 0, 20, 0), -ERR_BAD_VALUE, 'buffer below capacity');
    t.equal(reasm_busy(r.st), 1, 'bad arguments leave the frame in progress');
    t.equal(r.push(goodFrags[1]), 0);
    t.equal(r.push(goodFrags[2]), good.length);
    reasm_reset(r.st);
    t.equal(r.push(goodFrags[0]), 0);
    reasm_reset(r.st);
    t.equal(reasm_busy(r.st), 0, 'reset drops the partial frame');
    t.equal(r.st[REASM_ST_ERRORS], 0, 'reset is not an error');
    t.equal(r.push(goodFrags[1]), -ERR_BAD_FRAME, 'a continuation after reset is not a header');
    t.equal(r.st[REASM_ST_ERRORS], 1);
    t.equal(r.st[REASM_ST_FRAMES], 1);
  });

  t.test('init and MTU changes', async (t) => {
    const st = new Int32Array(REASM_STATE_WORDS);
    t.equal(reasm_init(st, 7, 23), -ERR_BAD_VALUE, 'capacity below a header');
    t.equal(reasm_init(st, FRAME_SIZE_MAX + 1, 23), -ERR_BAD_VALUE, 'capacity above the frame limit');
    t.equal(reasm_init(st, 64, 22), -ERR_BAD_VALUE, 'MTU below 23');
    t.equal(reasm_init(new Int32Array(3), 64, 23), -ERR_BAD_VALUE, 'state too short');
    const buf = new Uint8Array(4);
    t.equal(reasm_push(new Int32Array(REASM_STATE_WORDS), buf, good, 0, 20, 0), -ERR_BAD_VALUE, 'uninitialised');
    t.equal(reasm_init(st, 64, 23), 0);
    t.equal(st[REASM_ST_CAPACITY], 64);
    t.equal(reasm_set_mtu(st, 600), -ERR_BAD_VALUE);
    t.equal(reasm_set_mtu(st, 247), 0);
    const b = new Uint8Array(64);
    t.equal(reasm_push(st, b, good, 0, good.length, 0), good.length, 'a larger MTU takes the frame in one piece');
  });
});
