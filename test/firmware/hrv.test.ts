import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import * as hrv from '../../firmware/hr/hrv.js';
import { sharedDir } from '../helpers/shared.js';

/** Feed consecutive intervals starting at t0_ms; returns the end time of the last one. */
function feed(ibis: number[], valid: boolean[] | null, t0_ms: number): number {
  let t_ms = t0_ms;
  ibis.forEach((ibi, i) => {
    t_ms += ibi;
    hrv.hrv_add_interval(t_ms, ibi, valid ? valid[i] : true);
  });
  return t_ms;
}

t.test('hand-computed window', async (t) => {
  hrv.hrv_boot();
  // 8 intervals of a 5-second window: 800 820 780 810 790 800 830 770 (sum 6400).
  const ibis = [800, 820, 780, 810, 790, 800, 830, 770];
  const end = feed(ibis, null, 0);
  hrv.hrv_compute(end, 6400);
  // mean 800; deviations 0 20 -20 10 -10 0 30 -30 -> sum sq 2800; var 2800/7 = 400 -> SDNN 20.0 ms
  // successive diffs 20 -40 30 -20 10 30 -60 -> sum sq 7900; /7 = 1128.57 -> RMSSD 33.59 ms; >50 ms: 1 of 7
  t.equal(hrv.hrv_beat_count, 8);
  t.equal(hrv.hrv_valid_permille, 1000);
  t.equal(hrv.hrv_mean_ibi_ms_x10, 8000);
  t.equal(hrv.hrv_sdnn_ms_x10, 200);
  t.equal(hrv.hrv_rmssd_ms_x10, 335);
  t.equal(hrv.hrv_pnn50_permille, 143);
  t.equal(hrv.hrv_published, true);
});

t.test('invalid intervals are left out and break successive differences', async (t) => {
  hrv.hrv_boot();
  const ibis = [800, 820, 1600, 780, 810];
  const end = feed(ibis, [true, true, false, true, true], 0);
  hrv.hrv_compute(end, 4810);
  // valid: 800 820 780 810; diffs only 820-800 and 810-780 (the invalid one breaks the chain)
  t.equal(hrv.hrv_beat_count, 5);
  t.equal(hrv.hrv_valid_permille, Math.floor((3210 * 1000) / 4810));
  t.equal(hrv.hrv_published, false, 'below the 80% valid floor nothing is published');
  t.equal(hrv.hrv_rmssd_ms_x10, 0);
  hrv.hrv_compute(end, 3900);
  t.equal(hrv.hrv_published, false, 'intervals crossing the window start are not counted');
});

t.test('window covers [end - length, end)', async (t) => {
  hrv.hrv_boot();
  feed([1000, 1000, 1000, 1000, 1000, 1000], null, 0); // beats at 1000..6000
  hrv.hrv_compute(6000, 3000);
  t.equal(hrv.hrv_beat_count, 3, 'intervals ending at 4000, 5000, 6000');
  hrv.hrv_compute(5500, 3000);
  t.equal(hrv.hrv_beat_count, 2, 'the interval ending after the window end is excluded');
});

t.test('matches a floating-point computation on real nsr2db intervals', async (t) => {
  const dir = sharedDir(t, 'datasets/nsr2db');
  if (dir === null) return;
  const rec = JSON.parse(fs.readFileSync(path.join(dir, 'nsr001.json'), 'utf8')) as { fs: number; ref_beats: number[]; ref_labels: string };
  const times_ms = rec.ref_beats.map((s) => (s * 1000) / rec.fs);
  let checked = 0;
  let worstSdnn = 0;
  let worstRmssd = 0;
  // Twenty 5-minute windows spread over the day.
  for (let w = 0; w < 20; w++) {
    const start_ms = times_ms[0] + w * 3600 * 1000;
    const end_ms = start_ms + 300000;
    hrv.hrv_boot();
    const nn: number[] = [];
    const diffs: number[] = [];
    let prev: number | null = null;
    for (let i = 1; i < times_ms.length; i++) {
      if (times_ms[i] < start_ms) continue;
      if (times_ms[i] > end_ms) break;
      const a = Math.round(times_ms[i - 1]);
      const b = Math.round(times_ms[i]);
      const ibi = b - a;
      const valid = rec.ref_labels[i] === 'N' && rec.ref_labels[i - 1] === 'N' && ibi >= 272 && ibi <= 2000;
      if (ibi < 1 || ibi > 2000) {
        prev = null;
        continue;
      }
      if (a < start_ms) continue;
      hrv.hrv_add_interval(b, ibi, valid);
      if (!valid) {
        prev = null;
        continue;
      }
      nn.push(ibi);
      if (prev !== null) diffs.push(ibi - prev);
      prev = ibi;
    }
    hrv.hrv_compute(end_ms, 300000);
    if (!hrv.hrv_published) continue;
    const mean = nn.reduce((s, v) => s + v, 0) / nn.length;
    const sdnn = Math.sqrt(nn.reduce((s, v) => s + (v - mean) ** 2, 0) / (nn.length - 1));
    const rmssd = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
    worstSdnn = Math.max(worstSdnn, Math.abs(hrv.hrv_sdnn_ms_x10 / 10 - sdnn));
    worstRmssd = Math.max(worstRmssd, Math.abs(hrv.hrv_rmssd_ms_x10 / 10 - rmssd));
    t.equal(hrv.hrv_beat_count >= nn.length, true);
    checked++;
  }
  t.ok(checked >= 15, `${checked} windows published`);
  // Integer results are floored to 0.1 ms.
  t.ok(worstSdnn <= 0.1, `SDNN within 0.1 ms of float (worst ${worstSdnn.toFixed(3)})`);
  t.ok(worstRmssd <= 0.1, `RMSSD within 0.1 ms of float (worst ${worstRmssd.toFixed(3)})`);
});

// The window's first interval is found by bisection while the history's end times never
// decrease, by a pass over all of it otherwise: both must give what a plain pass gives,
// also once the history has wrapped.
t.test('window start found in a wrapped history, sorted or not', async (t) => {
  const { IBI_HISTORY_CAPACITY } = await import('../../firmware/config.js');
  /** A plain pass over the kept intervals: beat count and the window's valid-ms sum. */
  const reference = (kept: Array<[number, number, boolean]>, end_ms: number, window_ms: number): [number, number] => {
    let beats = 0;
    let covered = 0;
    for (const [end, ibi, valid] of kept) {
      if (end - ibi < end_ms - window_ms || end > end_ms) continue;
      beats++;
      if (valid) covered += ibi;
    }
    return [beats, covered];
  };
  for (const sorted of [true, false]) {
    hrv.hrv_boot();
    const kept: Array<[number, number, boolean]> = [];
    let t_ms = 0;
    for (let i = 0; i < IBI_HISTORY_CAPACITY + 300; i++) {
      const ibi = 600 + ((i * 37) % 400);
      t_ms += ibi;
      // Unsorted: one beat, in the middle of the kept history (where a bisection looks
      // first), steps far back in time (an order the pipeline never produces).
      const end = !sorted && i === 300 + (IBI_HISTORY_CAPACITY >> 1) ? 1000 : t_ms;
      const valid = i % 11 !== 0;
      hrv.hrv_add_interval(end, ibi, valid);
      kept.push([end, ibi, valid]);
      if (kept.length > IBI_HISTORY_CAPACITY) kept.shift();
    }
    for (const [back_ms, window_ms] of [[0, 60000], [0, 300000], [20000, 60000], [400000, 300000], [t_ms, 60000]]) {
      const end_ms = t_ms - back_ms;
      hrv.hrv_compute(end_ms, window_ms);
      const [beats, covered] = reference(kept, end_ms, window_ms);
      t.equal(hrv.hrv_beat_count, beats, `${sorted ? 'sorted' : 'unsorted'} history, window ${window_ms} ms ending ${back_ms} ms before the last beat: ${beats} intervals`);
      t.equal(hrv.hrv_valid_permille, Math.min(1000, Math.floor((covered * 1000) / window_ms)), 'valid share as a plain pass gives it');
    }
  }
});
