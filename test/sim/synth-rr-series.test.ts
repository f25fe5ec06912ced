// RR series for the generator: NN intervals from nsr2db, windows, and the seeded fallback.

import t from 'tap';
import { generateRrSeries, loadNsrRrSeries, meanHrBpm, nnIntervals, rrWindow } from '../../sim/synth/rr-series.js';
import { needsShared, sharedPath } from '../helpers/shared.js';



t.test('NN intervals: only N-to-N pairs, none longer than 2 s', async (t) => {
  // beats at 128 Hz: N N V N N (gap) N
  const idx = [0, 128, 256, 300, 428, 1000];
  const nn = nnIntervals(idx, 'NNVNNN', 128);
  t.same(Array.from(nn.rr_ms), [1000, 1000], 'N-N intervals kept; the V beat and the 4.5 s gap dropped');
  t.same(Array.from(nn.start_s), [0, 300 / 128]);
  t.throws(() => nnIntervals([0, 1], 'N', 128), /1 labels for 2 beats/);
});

t.test('nsr001 and nsr004 give long clean NN series', needsShared('datasets'), async (t) => {
  const datasets = sharedPath(t, 'datasets');
  if (datasets === null) return;
  const nsr001 = loadNsrRrSeries('nsr001', datasets);
  t.equal(nsr001.rr_ms.length, 106295, 'nsr001: 106295 NN intervals');
  t.ok(nsr001.rr_ms.every((ms) => ms > 0 && ms <= 2000), 'all in (0, 2000] ms');
  t.equal(nsr001.source, 'nsr2db:nsr001');
  t.match(nsr001.license, /ODC-By/);
  const w = rrWindow(nsr001, 10800, 360);
  t.ok(w.start_s[0] >= 10800, 'window starts at the offset');
  t.ok(w.rr_ms.reduce((s, v) => s + v, 0) > 360000, 'covers the duration');
  t.equal(w.source, 'nsr2db:nsr001@10800s');
  t.throws(() => rrWindow(nsr001, 81000, 3600), /has .* s of intervals after 81000 s, need 3600 s/);
  const nsr004 = loadNsrRrSeries('nsr004', datasets);
  t.ok(meanHrBpm(rrWindow(nsr004, 55800, 360).rr_ms) < 60, 'the sleep window of nsr004 is below 60 bpm');
  t.throws(() => loadNsrRrSeries('nsr999', datasets), /nsr999\.json: no such nsr2db record/);
});

t.test('the generated series is seeded, near the asked rate and bounded', async (t) => {
  const a = generateRrSeries({ seed: 3, duration_s: 120, hr_bpm: 150, drift_bpm: 12, rsa_ms: 8 });
  const b = generateRrSeries({ seed: 3, duration_s: 120, hr_bpm: 150, drift_bpm: 12, rsa_ms: 8 });
  const c = generateRrSeries({ seed: 4, duration_s: 120, hr_bpm: 150, drift_bpm: 12, rsa_ms: 8 });
  t.same(Array.from(a.rr_ms), Array.from(b.rr_ms), 'same seed, same series');
  t.notSame(Array.from(a.rr_ms), Array.from(c.rr_ms), 'other seed, other series');
  t.ok(Math.abs(meanHrBpm(a.rr_ms) - 150) < 8, `mean ${meanHrBpm(a.rr_ms).toFixed(1)} bpm`);
  t.ok(a.rr_ms.every((ms) => ms >= 60000 / 175 && ms <= 60000 / 125), 'stays within 125-175 bpm');
  t.ok(a.rr_ms.reduce((s, v) => s + v, 0) >= 120000, 'covers the duration');
  const rest = generateRrSeries({ seed: 1, duration_s: 300, hr_bpm: 60, rsa_ms: 80, resp_rate_hz: 0.0731, jitter_ms: 0, mayer_ms: 0, drift_bpm: 0 });
  const swing = Math.max(...rest.rr_ms) - Math.min(...rest.rr_ms);
  t.ok(swing > 75 && swing <= 80.001, `RSA gives the asked peak-to-peak swing (${swing.toFixed(1)} ms)`);
  t.throws(() => generateRrSeries({ seed: 1, duration_s: 10, hr_bpm: 300 }), /hr_bpm must be in 30..240/);
});
