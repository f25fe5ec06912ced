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
import fs from 'node:fs';
import path from 'node:path';
import { buildReport } from '../../host/wellness/report.js';
import { screenshot } from '../helpers/chromium.js';
import { decodePng, type Png } from '../helpers/png.js';

/** Pixels of exactly this colour (the report draws ring k's trace in its k-th colour). */
function pixelsOf(img: Png, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < img.width * img.height; i++) if (img.rgba[i * 4] === r && img.rgba[i * 4 + 1] === g && img.rgba[i * 4 + 2] === b) n++;
  return n;
}

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
  const result = await run();
  const one = JSON.stringify(result);
  const two = JSON.stringify(await run());
  t.ok(one === two, `the same recordings, seeds and drifts give the same ${one.length} bytes`);

  // The couple's page: both rings' traces on one time axis, with the pair's synchrony.
  const pages = buildReport(result.rings.map((r) => ({ record: r.record, hr: r.hr, rmssd: r.rmssd, wellness: r.wellness })), result.pairs);
  const page = pages.find((p) => p.file === 'day-1.html');
  if (page === undefined) {
    t.fail(`no day page among ${pages.map((p) => p.file)}`);
    return;
  }
  t.match(page.html, /HR synchrony/, 'the page states the synchrony');
  const dir = t.testdir();
  fs.writeFileSync(path.join(dir, 'day.html'), page.html);
  const shot = screenshot(path.join(dir, 'day.html'), path.join(dir, 'day.png'));
  t.equal(shot.status, 0, 'chromium took the screenshot', { stderr: shot.stderr.slice(-2000) });
  if (shot.status !== 0) return;
  const img = decodePng(fs.readFileSync(path.join(dir, 'day.png')));
  const first = pixelsOf(img, '#1f5fbf');
  const second = pixelsOf(img, '#c2410c');
  t.ok(first > 500 && second > 500, `both rings drawn: ${first} and ${second} pixels of their colours`);
});
