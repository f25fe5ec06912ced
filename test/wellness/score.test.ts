// Wellness summaries on generated day/night recordings with ground truth (sim/synth/daylife.ts):
// sleep onset and wake within 15 minutes (median), stress-episode sensitivity >= 0.9 with
// <= 1 false alarm per day, nightly RMSSD within 3 ms of the same windows over the true
// beats. `make test` replays one seeded one-night recording (RING_TEST_SEED picks it);
// `make test-long` replays every seed over three nights and two days.

import t from 'tap';
import { generateDaylife } from '../../sim/synth/daylife.js';
import { replayFixture } from '../../sim/replay.js';
import { wellnessFromRecords } from '../../host/wellness/records.js';
import { scoreWellness, median } from '../../host/wellness/score.js';
import { LONG, sweep } from '../helpers/long.js';
import fs from 'node:fs';
import path from 'node:path';
import type { Fixture } from '../../sim/fixture/types.js';
import type { ReplayResult } from '../../sim/replay-types.js';
import { daylifeTruth } from '../../sim/synth/daylife.js';
import { buildReport, ringFromReplay } from '../../host/wellness/report.js';
import { screenshotAsync } from '../helpers/chromium.js';
import { decodePng, nonBackgroundPixels } from '../helpers/png.js';

/** A rendered page must draw on at least this share of its pixels. */
const DRAWN_SHARE_MIN = 0.03;
let first: { f: Fixture; r: ReplayResult } | null = null;

const SEEDS = [1, 2, 3, 4];
const ONSET_WAKE_MEDIAN_MIN_MAX = 15;
const ASLEEP_MEDIAN_MIN_MAX = 30;
const RMSSD_ERROR_MS_MAX = 3;
const SENSITIVITY_MIN = 0.9;
const FALSE_ALARMS_PER_DAY_MAX = 1;

t.test('wellness summaries against the recordings\' ground truth', { timeout: 900000 }, async (t) => {
  const seeds = sweep(t, 'daylife seeds', SEEDS, 1);
  const onset: number[] = [];
  const wake: number[] = [];
  const asleep: number[] = [];
  let stress_true = 0;
  let stress_detected = 0;
  let false_alarms = 0;
  let days = 0;
  for (const seed of seeds) {
    // One night, then a morning and early afternoon (stress is scored once a night has given a baseline).
    const f = generateDaylife({ seed, nights: LONG ? 3 : 1, end_clock_s: LONG ? 20 * 3600 : 15 * 3600 });
    const r = replayFixture(f, { rate_hz: 25, seed });
    first ??= { f, r };
    const w = wellnessFromRecords(r.wellness ?? []);
    const s = scoreWellness(f, w);
    t.comment(`seed ${seed}: ${JSON.stringify(s)}`);
    t.equal(w.periods.filter((p) => p.type === 'sleep').length, s.nights.length, `seed ${seed}: one sleep period per night`);
    for (const [i, n] of s.nights.entries()) {
      t.not(n.onset_error_min, null, `seed ${seed} night ${i}: found`);
      onset.push(Math.abs(n.onset_error_min ?? Infinity));
      wake.push(Math.abs(n.wake_error_min ?? Infinity));
      asleep.push(Math.abs(n.asleep_error_min ?? Infinity));
      t.ok(n.rmssd_error_ms !== null && Math.abs(n.rmssd_error_ms) <= RMSSD_ERROR_MS_MAX,
        `seed ${seed} night ${i}: nightly RMSSD ${n.rmssd_ms} ms vs ${n.rmssd_true_ms?.toFixed(2)} ms from the true beats (<= ${RMSSD_ERROR_MS_MAX} ms)`);
    }
    const night = w.periods.find((p) => p.type === 'sleep');
    t.ok(night && night.lowest_hr_bpm !== null && night.avg_hr_bpm !== null && night.lowest_hr_bpm <= night.avg_hr_bpm,
      `seed ${seed}: lowest HR ${night?.lowest_hr_bpm} <= average ${night?.avg_hr_bpm}`);
    stress_true += s.stress_true;
    stress_detected += s.stress_detected;
    false_alarms += s.stress_false_alarms;
    days += s.days;
  }
  t.ok(median(onset)! <= ONSET_WAKE_MEDIAN_MIN_MAX, `onset error median ${median(onset)} min <= ${ONSET_WAKE_MEDIAN_MIN_MAX}`);
  t.ok(median(wake)! <= ONSET_WAKE_MEDIAN_MIN_MAX, `wake error median ${median(wake)} min <= ${ONSET_WAKE_MEDIAN_MIN_MAX}`);
  t.ok(median(asleep)! <= ASLEEP_MEDIAN_MIN_MAX, `time-asleep error median ${median(asleep)} min <= ${ASLEEP_MEDIAN_MIN_MAX}`);
  t.ok(stress_true > 0, `${stress_true} true stress episodes`);
  t.ok(stress_detected / stress_true >= SENSITIVITY_MIN, `stress sensitivity ${stress_detected}/${stress_true} >= ${SENSITIVITY_MIN}`);
  t.ok(false_alarms / days <= FALSE_ALARMS_PER_DAY_MAX, `${false_alarms} false alarms over ${days.toFixed(2)} days <= ${FALSE_ALARMS_PER_DAY_MAX}/day`);
});

t.test('a night and a day as self-contained HTML pages, rendered in headless Chromium', async (t) => {
  if (first === null) {
    t.fail('no recording was replayed');
    return;
  }
  const { f, r } = first;
  const pages = buildReport([ringFromReplay(r, f.meta.start_time_unix_ms!, daylifeTruth(f))], []);
  const nights = daylifeTruth(f)!.sleeps.length;
  const files = pages.map((p) => p.file);
  t.same(files.filter((x) => x.startsWith('night-')), Array.from({ length: nights }, (_, i) => `night-${i + 1}.html`), 'a page per night');
  // The evening before the first night, each day between nights and the one after the last.
  t.same(files.filter((x) => x.startsWith('day-')), Array.from({ length: nights + 1 }, (_, i) => `day-${i + 1}.html`), 'a page per day');
  const dir = t.testdir();
  const shown = [pages[0]!, pages[pages.length - 1]!];
  for (const p of shown) fs.writeFileSync(path.join(dir, p.file), p.html);
  // Both pages render at once.
  const shots = await Promise.all(shown.map((p) => screenshotAsync(path.join(dir, p.file), path.join(dir, p.file.replace('.html', '.png')))));
  for (const [i, p] of shown.entries()) {
    t.notMatch(p.html, /<script|\bsrc=|<link/i, `${p.file}: self-contained (no scripts, no external files)`);
    t.match(p.html, /<svg[\s\S]*<polyline/, `${p.file}: draws its traces as inline SVG`);
    const png = path.join(dir, p.file.replace('.html', '.png'));
    const shot = shots[i]!;
    t.equal(shot.status, 0, `${p.file}: chromium took the screenshot`, { stderr: shot.stderr.slice(-2000) });
    if (shot.status !== 0) continue;
    const img = decodePng(fs.readFileSync(png));
    const share = nonBackgroundPixels(img) / (img.width * img.height);
    t.ok(share >= DRAWN_SHARE_MIN, `${p.file}: ${(share * 100).toFixed(1)} % of ${img.width}x${img.height} pixels drawn (>= ${DRAWN_SHARE_MIN * 100} %)`);
  }
});
