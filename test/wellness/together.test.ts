// Two (three) simulated rings, one host: each ring replays its own recording with its own
// seed, crystal drift and link; the host aligns their clocks and computes co-regulation
// figures. Recordings generated with a known coupling (shared bedtimes and a shared slow
// heart-rate fluctuation, weight 0.9) must show more heart-rate synchrony than independent
// ones, by HR_SYNCHRONY_MARGIN. `make test` uses 3-hour evenings; `make test-long` whole nights,
// where the coupled pair's rest overlap must also be the larger one.

import t from 'tap';
import { generateDaylife } from '../../sim/synth/daylife.js';
import { replayTogether } from '../../host/wellness/together.js';
import { LONG } from '../helpers/long.js';

const HR_SYNCHRONY_MARGIN = 0.25;
const COUPLING = 0.9;

function person(seed: number, shared_seed: number, short_s = 3 * 3600) {
  return generateDaylife({
    seed, nights: 1, start_clock_s: 22 * 3600, end_clock_s: 9 * 3600,
    duration_s: LONG ? undefined : short_s, shared: { seed: shared_seed, coupling: COUPLING },
  });
}

t.test('coupled recordings are more synchronous than independent ones', async (t) => {
  const a = person(1, 100);
  const b = person(2, 100); // a's partner
  const c = person(3, 200); // shares nothing with a or b
  const drift_ppm = [30, -20, 5];
  const r = await replayTogether([a, b, c].map((fixture, i) => ({ fixture, seed: i + 1, drift_ppm: drift_ppm[i] })), 25);
  const duration_s = a.ppg.length / a.meta.sample_rate_hz;
  for (const [i, ring] of r.rings.entries()) {
    // The host's offset comes from the ring's drifting clock: off by at most drift x duration, plus the link.
    const bound_ms = Math.abs(drift_ppm[i]) * 1e-6 * duration_s * 1000 + 100;
    t.ok(Math.abs(ring.alignment_error_ms) <= bound_ms, `${ring.record}: clock aligned within ${ring.alignment_error_ms} ms (<= ${bound_ms.toFixed(0)})`);
    t.ok(ring.hr.length > (duration_s / 30) * 0.5, `${ring.record}: ${ring.hr.length} HR points from its history`);
  }
  const [ab, ac, bc] = r.pairs;
  t.comment(JSON.stringify(r.pairs));
  const independent = Math.max(ac!.hr_synchrony!, bc!.hr_synchrony!);
  t.ok(ab!.hr_synchrony! - independent >= HR_SYNCHRONY_MARGIN,
    `HR synchrony coupled ${ab!.hr_synchrony!.toFixed(3)} vs independent ${independent.toFixed(3)}: margin >= ${HR_SYNCHRONY_MARGIN}`);
  t.ok(ab!.windows >= 10, `${ab!.windows} windows compared`);
  if (LONG) {
    t.ok(ab!.rest_overlap! > Math.max(ac!.rest_overlap!, bc!.rest_overlap!), `rest overlap coupled ${ab!.rest_overlap} > independent ${ac!.rest_overlap}, ${bc!.rest_overlap}`);
  }
});

t.test('rings replay together deterministically', async (t) => {
  const a = person(4, 300, 3600);
  const b = person(5, 300, 3600);
  const run = () => replayTogether([{ fixture: a, seed: 7, drift_ppm: 40 }, { fixture: b, seed: 8 }], 25);
  const one = JSON.stringify(await run());
  const two = JSON.stringify(await run());
  t.ok(one === two, `the same recordings, seeds and drifts give the same ${one.length} bytes`);
});
