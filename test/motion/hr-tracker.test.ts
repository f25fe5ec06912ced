// The motion heart-rate tracker (firmware/dsp/hr-tracker.ts) on generated signals with a
// known heart rate, where motion puts a stronger peak into the PPG than the pulse.

import t from 'tap';
import { tracker_boot, tracker_push, tracker_seed, trk_confidence, trk_hr_bpm_x10, trk_moving } from '../../firmware/dsp/hr-tracker.js';

interface Case {
  rate_hz: number;
  hr_bpm: number;
  /** Motion frequency (bpm) and amplitudes: in the PPG (counts) and the accelerometer (mg). */
  motion_bpm: number;
  motion_ppg: number;
  motion_mg: number;
  seconds: number;
  seed_bpm_x10: number;
}

/** Feeds the tracker; returns every estimate as [time_s, bpm_x10, confidence, moving]. */
function run(c: Case, ppg_count = 1): [number, number, number, boolean][] {
  tracker_boot(c.rate_hz, ppg_count);
  if (c.seed_bpm_x10 > 0) tracker_seed(c.seed_bpm_x10);
  const out: [number, number, number, boolean][] = [];
  const n = c.seconds * c.rate_hz;
  for (let i = 0; i < n; i++) {
    const ts = i / c.rate_hz;
    const pulse = 400 * Math.sin((2 * Math.PI * c.hr_bpm * ts) / 60) + 120 * Math.sin((4 * Math.PI * c.hr_bpm * ts) / 60);
    const m = Math.sin((2 * Math.PI * c.motion_bpm * ts) / 60);
    const x = Math.round(200000 + pulse + c.motion_ppg * m);
    const ax = Math.round(c.motion_mg * m);
    const ay = Math.round(1000 + 0.3 * c.motion_mg * Math.sin((4 * Math.PI * c.motion_bpm * ts) / 60));
    // A second PPG channel sees the same pulse with its own motion coupling.
    const x2 = Math.round(150000 + 0.8 * pulse - 0.5 * c.motion_ppg * m);
    if (tracker_push(x, x2, ax, ay, 0) === 0) out.push([ts, trk_hr_bpm_x10, trk_confidence, trk_moving]);
  }
  return out;
}

t.test('a motion peak stronger than the pulse is taken off: the estimate stays on the heart', async (t) => {
  for (const rate_hz of [25, 50, 100]) {
    const est = run({ rate_hz, hr_bpm: 132, motion_bpm: 160, motion_ppg: 1500, motion_mg: 800, seconds: 60, seed_bpm_x10: 1250 });
    t.equal(est[0]![0] >= 7.9 && est[0]![0] < 8.1, true, `${rate_hz} Hz: first estimate once 8 s are buffered (${est[0]![0]} s)`);
    t.ok(est.length >= 26, `${rate_hz} Hz: an estimate every 2 s (${est.length})`);
    const late = est.filter(([s]) => s >= 20);
    t.ok(late.every(([, bpm_x10]) => Math.abs(bpm_x10 - 1320) <= 30), `${rate_hz} Hz: within 3 bpm of 132 after 20 s: ${late.map((e) => e[1]).join(' ')}`);
    t.ok(late.every(([, , , moving]) => moving), `${rate_hz} Hz: the wearer is moving`);
    t.ok(late.every(([, , conf]) => conf > 0 && conf <= 100), `${rate_hz} Hz: confidence in 1..100`);
  }
});

t.test('without a seed, the first window gives an estimate at the pulse, not at the stronger motion line', async (t) => {
  const est = run({ rate_hz: 25, hr_bpm: 96, motion_bpm: 150, motion_ppg: 1200, motion_mg: 600, seconds: 30, seed_bpm_x10: 0 });
  t.ok(Math.abs(est[0]![1] - 960) <= 20, `the first window's estimate ${est[0]![1]} is near 960`);
  t.ok(est.every(([, bpm]) => Math.abs(bpm - 960) <= 20), `all near 960: ${est.map((e) => e[1]).join(' ')}`);
});

t.test('two PPG channels: the estimate stays on the heart with either motion coupling', async (t) => {
  for (const rate_hz of [25, 50]) {
    const est = run({ rate_hz, hr_bpm: 118, motion_bpm: 84, motion_ppg: 2000, motion_mg: 700, seconds: 40, seed_bpm_x10: 0 }, 2);
    const late = est.filter(([s]) => s >= 12);
    t.ok(late.every(([, bpm]) => Math.abs(bpm - 1180) <= 30), `${rate_hz} Hz: within 3 bpm of 118: ${late.map((e) => e[1]).join(' ')}`);
  }
});

t.test('a wrong start is left for a persistent clean peak (re-acquisition)', async (t) => {
  const est = run({ rate_hz: 25, hr_bpm: 150, motion_bpm: 70, motion_ppg: 600, motion_mg: 500, seconds: 40, seed_bpm_x10: 800 });
  const last = est[est.length - 1]!;
  t.ok(Math.abs(last[1] - 1500) <= 20, `ends at ${last[1]} near 1500 (seeded at 80 bpm)`);
});

t.test('at rest the tracker reports no motion and keeps the seed', async (t) => {
  const est = run({ rate_hz: 50, hr_bpm: 70, motion_bpm: 100, motion_ppg: 0, motion_mg: 5, seconds: 20, seed_bpm_x10: 700 });
  t.ok(est.length > 0 && est.every(([, , , moving]) => !moving), 'not moving');
  t.ok(est.every(([, bpm]) => Math.abs(bpm - 700) <= 20), `estimates near 70 bpm: ${est.map((e) => e[1]).join(' ')}`);
});
