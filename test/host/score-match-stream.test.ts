// The streamed matcher (host/score/match-stream.ts) against matchBeats: the same counts and
// the same pairs in the same order for any sorted inputs, tolerances, spans, warm-up and
// cluster-size limit (the greedy fallback included); and scoreRecord, which uses it, gives
// scoreRecordDetailed's figures.

import t from 'tap';
import fc from 'fast-check';
import { matchBeats } from '../../host/score/match.js';
import { matchBeatsStreamed } from '../../host/score/match-stream.js';
import { scoreRecord, scoreRecordDetailed } from '../../host/score/score.js';
import { replayFixture } from '../../sim/replay.js';
import { loadFixture } from '../../sim/fixture/load.js';

const sorted = (max: number, len: number) => fc.array(fc.double({ min: -500, max, noNaN: true }), { maxLength: len }).map((a) => a.sort((x, y) => x - y));

t.test('streamed matching equals matchBeats: counts, pairs and their order', async (t) => {
  let checked = 0;
  fc.assert(
    fc.property(
      sorted(8000, 40), sorted(8000, 40), fc.constantFrom(50, 150, 400),
      fc.array(fc.record({ start_ms: fc.integer({ min: -100, max: 8000 }), len: fc.integer({ min: 0, max: 900 }) }), { maxLength: 3 }),
      fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }), fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
      (ref, det, tol_ms, raw, warmup_ms, cluster_cells_max) => {
        const excluded = raw.map((s) => ({ start_ms: s.start_ms, end_ms: s.start_ms + s.len }));
        const opts = { tol_ms, excluded, ...(warmup_ms !== undefined ? { warmup_ms } : {}), ...(cluster_cells_max !== undefined ? { cluster_cells_max } : {}) };
        const whole = matchBeats(ref, det, opts);
        const pairs: number[][] = [];
        const dets = det.map((time_ms, i) => ({ time_ms, emitted_ms: i }));
        const streamed = matchBeatsStreamed(ref, dets, opts, (r, d, e) => void pairs.push([r, d, e]));
        t.same(
          [streamed.tp, streamed.fp, streamed.fn, streamed.ref_ignored, streamed.det_ignored],
          [whole.tp, whole.fp, whole.fn, whole.ref_ignored, whole.det_ignored],
          'counts', { diagnostic: true, ref, det, opts },
        );
        t.same(pairs, whole.pairs.map((p) => [p.ref_ms, p.det_ms, p.det_index]), 'pairs in order', { ref, det, opts });
        checked++;
      },
    ),
    { numRuns: 300, seed: 8 },
  );
  t.equal(checked, 300, 'every generated case was compared');
});

t.test('scoreRecord (streamed) gives scoreRecordDetailed\'s figures, bit for bit', async (t) => {
  // Motion and no-contact stretches: excluded spans, false beats and misses all occur.
  const fx = loadFixture('fixtures/synth/synth-motion-nocontact.ringfx');
  const result = replayFixture(fx, { rate_hz: 50, seed: 2 });
  t.ok(result.beats.length > 200, `${result.beats.length} detections`);
  for (const opts of [{}, { warmup_ms: 30_000 }]) {
    t.same(scoreRecord(fx, result, opts), scoreRecordDetailed(fx, result, opts).score, `warm-up ${JSON.stringify(opts)}`);
  }
  // Detections out of time order take the sorting path: still the same figures.
  const shuffled = { ...result, beats: [...result.beats].reverse() };
  t.same(scoreRecord(fx, shuffled), scoreRecordDetailed(fx, shuffled).score, 'detections out of order');
});
