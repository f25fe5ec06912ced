import t from 'tap';
import { referenceHrv } from '../../host/score/metrics.js';
import { mergeSpans } from '../../host/score/spans.js';

const noSpans = mergeSpans([]);

/** Beat times from a list of intervals, starting at 1000 ms. */
function beats(ibis: number[]): number[] {
  const out = [1000];
  for (const ibi of ibis) out.push(out[out.length - 1] + ibi);
  return out;
}

t.test('reference HRV uses NN intervals: a missing annotation does not count', async (t) => {
  const clean = [800, 820, 780, 810, 790, 800, 830, 770, 800, 810];
  const a = referenceHrv(beats(clean), noSpans, 0, 1e9)!;
  // One annotation missing: 780 + 810 merge into a 1590 ms interval.
  const missing = [800, 820, 1590, 790, 800, 830, 770, 800, 810];
  const b = referenceHrv(beats(missing), noSpans, 0, 1e9)!;
  t.equal(a.interval_count, 10);
  t.equal(b.interval_count, 8, 'the 1590 ms interval is not an NN interval');
  t.ok(b.rmssd_ms < 40, `RMSSD stays physiological (${b.rmssd_ms.toFixed(1)} ms), not ~560 ms`);
});

t.test('a jump of more than 20% from the previous NN interval is not NN', async (t) => {
  const jumpy = [800, 810, 800, 805, 620, 990, 800, 810];
  const r = referenceHrv(beats(jumpy), noSpans, 0, 1e9)!;
  // 620 is 23% below 805: not NN. 990 follows a rejected interval, so only the median
  // rule applies to it (24% above 805, within 30%): NN, as the ring would judge it.
  t.equal(r.interval_count, 7, 'only the 620 ms interval is left out');
});
