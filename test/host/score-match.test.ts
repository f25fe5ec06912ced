import t from 'tap';
import fc from 'fast-check';
import { matchBeats } from '../../host/score/match.js';

const tol_ms = 150;

t.test('exact matches', async (t) => {
  const m = matchBeats([1000, 2000, 3000], [1000, 2000, 3000], { tol_ms });
  t.equal(m.tp, 3);
  t.equal(m.fp, 0);
  t.equal(m.fn, 0);
  t.same(m.pairs.map((p) => p.error_ms), [0, 0, 0]);
  t.same(m.fn_ms, []);
  t.same(m.fp_ms, []);
});

t.test('tolerance boundary is inclusive', async (t) => {
  const m = matchBeats([1000, 2000, 3000, 4000], [1150, 1850, 3150.001, 3849.999], { tol_ms });
  t.equal(m.tp, 2);
  t.same(m.pairs.map((p) => [p.ref_ms, p.det_ms, p.error_ms]), [
    [1000, 1150, 150],
    [2000, 1850, -150],
  ]);
  t.same(m.fn_ms, [3000, 4000]);
  t.same(m.fp_ms, [3150.001, 3849.999]);
});

t.test('two detections around one reference: one TP (the nearer), one FP', async (t) => {
  const m = matchBeats([1000], [940, 1020], { tol_ms });
  t.equal(m.tp, 1);
  t.equal(m.fp, 1);
  t.equal(m.pairs[0]!.det_ms, 1020);
  t.same(m.fp_ms, [940]);
});

t.test('duplicate detections at the same time count once', async (t) => {
  const m = matchBeats([1000, 2000], [1000, 1000, 2000], { tol_ms });
  t.same([m.tp, m.fp, m.fn], [2, 1, 0]);
});

t.test('nearest-first would lose a match here; we keep both', async (t) => {
  // Nearest-first pairs 60 with 100 (40 ms) and strands 160 (160 ms from 0).
  const m = matchBeats([0, 100], [60, 160], { tol_ms });
  t.equal(m.tp, 2);
  t.same(m.pairs.map((p) => [p.ref_ms, p.det_ms]), [
    [0, 60],
    [100, 160],
  ]);
});

t.test('among maximum matchings, the least total error wins', async (t) => {
  // A detection between two close references: pair with the nearer one.
  const m = matchBeats([0, 100], [90], { tol_ms });
  t.same(m.pairs.map((p) => [p.ref_ms, p.det_ms]), [[100, 90]]);
  t.same(m.fn_ms, [0]);
  // A chain where shifting every pair by one reduces the error.
  const c = matchBeats([0, 200, 400], [190, 390], { tol_ms });
  t.same(c.pairs.map((p) => p.ref_ms), [200, 400]);
});

t.test('exclusion spans and warm-up drop beats from both sides', async (t) => {
  const ref = [500, 1000, 2000, 3000, 4000];
  const det = [510, 1010, 2100, 2990, 3900];
  const excluded = [{ start_ms: 1950, end_ms: 2050 }];
  const m = matchBeats(ref, det, { tol_ms, excluded, warmup_ms: 800 });
  // 500/510 are in warm-up; ref 2000 is excluded, det 2100 is not (span used as given).
  t.equal(m.ref_ignored, 2);
  t.equal(m.det_ignored, 1);
  t.same([m.tp, m.fp, m.fn], [3, 1, 0]);
  t.same(m.fp_ms, [2100]);
  // Span end is exclusive, start inclusive.
  const e = matchBeats([1000, 2000], [1000, 2000], { tol_ms, excluded: [{ start_ms: 1000, end_ms: 2000 }] });
  t.same([e.tp, e.ref_ignored, e.det_ignored], [1, 1, 1]);
});

t.test('pair indices point into the given arrays', async (t) => {
  const m = matchBeats([100, 1000, 2000], [50, 990, 2010], { tol_ms, warmup_ms: 500 });
  t.same(m.pairs.map((p) => [p.ref_index, p.det_index]), [
    [1, 1],
    [2, 2],
  ]);
});

t.test('rejects unsorted input and bad tolerance', async (t) => {
  t.throws(() => matchBeats([2, 1], [], { tol_ms }), /ref_ms must be ascending/);
  t.throws(() => matchBeats([], [1, NaN], { tol_ms }), /det_ms\[1\] is not a finite time/);
  t.throws(() => matchBeats([], [], { tol_ms: 0 }), /tol_ms must be > 0/);
});

/** Maximum bipartite matching by augmenting paths: an independent count to compare. */
function bruteMaxMatching(ref: number[], det: number[], tol: number): number {
  const owner = new Array<number>(ref.length).fill(-1);
  const tryDet = (d: number, seen: boolean[]): boolean => {
    for (let r = 0; r < ref.length; r++) {
      if (seen[r] || Math.abs(ref[r]! - det[d]!) > tol) continue;
      seen[r] = true;
      if (owner[r] === -1 || tryDet(owner[r]!, seen)) {
        owner[r] = d;
        return true;
      }
    }
    return false;
  };
  let count = 0;
  for (let d = 0; d < det.length; d++) if (tryDet(d, new Array<boolean>(ref.length).fill(false))) count++;
  return count;
}

const times = fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 14 }).map((a) => a.sort((x, y) => x - y));

t.test('finds as many pairs as a brute-force maximum matching', async (t) => {
  fc.assert(
    fc.property(times, times, (ref, det) => {
      const want = bruteMaxMatching(ref, det, tol_ms);
      const exact = matchBeats(ref, det, { tol_ms });
      const greedy = matchBeats(ref, det, { tol_ms, cluster_cells_max: 0 });
      return exact.tp === want && greedy.tp === want;
    }),
    { seed: 1234, numRuns: 500 },
  );
  t.pass('property held');
});

t.test('no warm-up by default: even a beat stamped before 0 is scored', async (t) => {
  const m = matchBeats([10], [-20], { tol_ms });
  t.same([m.tp, m.ref_ignored, m.det_ignored], [1, 0, 0]);
});
