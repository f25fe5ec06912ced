// The replay's output objects (host/replay/format.ts) are built by copying fields, not by
// object rest/spread: this checks they match the rest/spread forms' keys, order and values
// for any record, including keys that collide with the ones added (type, emitted_ms,
// beat_index, end_ms), integer-like and empty keys, and undefined values.

import fc from 'fast-check';
import t from 'tap';
import { beatOut, hrOut, hrvOut, replayNdjsonLines, statusOut } from '../../host/replay/format.js';
import type { ReplayView } from '../../sim/replay-types.js';

type Rec = Record<string, unknown> & { emitted_us: number };

// The forms the copies replace, as they were.
function emittedMsRef(r: Rec): Record<string, unknown> {
  const { emitted_us, ...rest } = r;
  return { ...rest, emitted_ms: Math.floor(emitted_us / 1000) };
}
function beatRef(b: Rec): object {
  const { index, ...rest } = emittedMsRef(b);
  const { emitted_ms, ...fields } = rest;
  return { ...fields, beat_index: index, emitted_ms };
}
function hrvRef(w: Rec): object {
  const { end_ms, window_s, ...rest } = emittedMsRef(w);
  return { end_ms, window_s, ...rest };
}

const value = fc.oneof(fc.integer(), fc.boolean(), fc.constant(undefined), fc.string({ maxLength: 3 }), fc.double({ noNaN: true }));
const key = fc.oneof(
  fc.constantFrom('type', 'emitted_ms', 'beat_index', 'index', 'end_ms', 'window_s', 'time_ms', '', '0', '7', 'x'),
  fc.string({ maxLength: 4 }).filter((k) => k !== '__proto__'),
);
const record = fc.tuple(fc.array(fc.tuple(key, value), { maxLength: 8 }), fc.nat({ max: 2 ** 40 }), fc.nat({ max: 8 })).map(([pairs, emitted_us, at]) => {
  const r: Record<string, unknown> = {};
  pairs.forEach(([k, v], i) => {
    if (i === at) r.emitted_us = emitted_us;
    if (k !== 'emitted_us') r[k] = v;
  });
  if (!('emitted_us' in r)) r.emitted_us = emitted_us;
  return r as Rec;
});

t.test('each record kind: the same JSON as the rest/spread form', async (t) => {
  fc.assert(fc.property(record, (r) => {
    const same = (a: object, b: object): boolean => JSON.stringify(a) === JSON.stringify(b) && Object.keys(a).join() === Object.keys(b).join();
    return same(beatOut(r as never), beatRef(r)) && same(hrOut(r as never), emittedMsRef(r)) &&
      same(hrvOut(r as never), hrvRef(r)) && same(statusOut(r as never), emittedMsRef(r));
  }), { seed: 9, numRuns: 2000 });
  t.pass('2000 seeded records of each kind');
});

t.test('NDJSON lines: the type first, then the record as before', async (t) => {
  const beats = [{ time_ms: 5, ibi_ms: 0, ibi_valid: false, sqi: 9, amplitude: 3, index: 1, emitted_us: 2080999 }];
  const hr = [{ time_ms: 5, hr_bpm_x10: 700, confidence: 90, emitted_us: 2080999 }];
  const hrv = [{ window_s: 60, end_ms: 60000, beat_count: 70, valid_permille: 1000, mean_ibi_ms_x10: 8000, sdnn_ms_x10: 1, rmssd_ms_x10: 2, pnn50_permille: 3, published: true, emitted_us: 60000001 }];
  const status = [{ time_ms: 0, code: 1, value: 50, emitted_us: 0 }];
  const view = { record: 'r', rate_hz: 50, seed: 1, duration_ms: 60000, sample_count: 3000, beats, hr, hrv, status } as unknown as ReplayView;
  const lines = replayNdjsonLines(view);
  t.same(lines.slice(0, 4), [
    JSON.stringify({ type: 'status', ...emittedMsRef(status[0]!) }),
    JSON.stringify({ type: 'beat', ...beatRef(beats[0]!) }),
    JSON.stringify({ type: 'hr', ...emittedMsRef(hr[0]!) }),
    JSON.stringify({ type: 'hrv', ...hrvRef(hrv[0]!) }),
  ]);
  t.equal(lines[1], '{"type":"beat","time_ms":5,"ibi_ms":0,"ibi_valid":false,"sqi":9,"amplitude":3,"beat_index":1,"emitted_ms":2080}');
});
