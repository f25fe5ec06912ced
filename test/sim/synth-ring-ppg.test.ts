// The synthetic ring PPG: deterministic from its seed, and its truth beats are exactly
// the systolic maxima of the waveform it generates.

import t from 'tap';
import { encodeFixture } from '../../sim/fixture/container.js';
import type { Fixture } from '../../sim/fixture/types.js';
import { buildRingPpgModel, generateRingPpg, type RingPpgOptions } from '../../sim/synth/ring-ppg.js';
import { shapeForInterval } from '../../sim/synth/pulse-shape.js';
import { generateRrSeries } from '../../sim/synth/rr-series.js';

const RATE_HZ = 100;
const QUIET = { white_noise_counts: 0, pink_noise_counts: 0 };

function options(over: Partial<RingPpgOptions> = {}, hr_bpm = 72): RingPpgOptions {
  const duration_s = over.duration_s ?? 60;
  const rr = generateRrSeries({ seed: 11, duration_s: duration_s + 5, hr_bpm });
  return { seed: 5, rr_ms: rr.rr_ms, rr_source: rr.source, duration_s, sample_rate_hz: RATE_HZ, ...over };
}

const WITH_EVERYTHING: Partial<RingPpgOptions> = {
  motion: [{ start_s: 10, duration_s: 6 }, { start_s: 40, duration_s: 4, intensity: 2 }],
  no_contact: [{ start_s: 22, duration_s: 8 }],
};

function inSpan(t_ms: number, spans: { start_ms: number; end_ms: number }[]): boolean {
  return spans.some((s) => t_ms >= s.start_ms && t_ms < s.end_ms);
}

t.test('same seed gives identical bytes, another seed different ones', async (t) => {
  const a = encodeFixture(generateRingPpg(options(WITH_EVERYTHING)));
  const b = encodeFixture(generateRingPpg(options(WITH_EVERYTHING)));
  const c = encodeFixture(generateRingPpg(options({ ...WITH_EVERYTHING, seed: 6 })));
  t.same(Buffer.from(a), Buffer.from(b), 'same seed: byte-identical');
  t.not(Buffer.compare(Buffer.from(a), Buffer.from(c)), 0, 'other seed: different bytes');
});

t.test('truth beats are the local maxima of the noise-free waveform, to within a sample', async (t) => {
  for (const hr_bpm of [50, 72, 160]) {
    const o = options({}, hr_bpm);
    const model = buildRingPpgModel(o);
    const f = generateRingPpg(o);
    const truth_s = Array.from(f.ref_beats_us!, (us) => us / 1e6);
    t.ok(truth_s.length > (hr_bpm * 60) / 60 - 5, `${hr_bpm} bpm: ${truth_s.length} truth beats`);
    let worst_s = 0;
    let dense_ok = true;
    for (const tb of truth_s) {
      // Continuous check: nothing within +-10 ms is higher.
      const peak = model.cleanAt(tb);
      for (let d_s = 1e-4; d_s <= 0.01; d_s += 1e-4) {
        if (model.cleanAt(tb - d_s) > peak || model.cleanAt(tb + d_s) > peak) dense_ok = false;
      }
      // Sampled check: the sampled noise-free waveform has a local maximum within 1 sample.
      const i0 = Math.round(tb * RATE_HZ);
      let best = i0;
      for (let i = i0 - 1; i <= i0 + 1; i++) if (model.cleanAt(i / RATE_HZ) > model.cleanAt(best / RATE_HZ)) best = i;
      const is_local_max = model.cleanAt(best / RATE_HZ) >= model.cleanAt((best - 1) / RATE_HZ) && model.cleanAt(best / RATE_HZ) >= model.cleanAt((best + 1) / RATE_HZ);
      t.ok(is_local_max || best === 0, `beat at ${tb.toFixed(4)} s: sampled local max at sample ${best}`);
      worst_s = Math.max(worst_s, Math.abs(best / RATE_HZ - tb));
    }
    t.ok(dense_ok, `${hr_bpm} bpm: each truth time beats every point within 10 ms`);
    t.ok(worst_s <= 1 / RATE_HZ, `${hr_bpm} bpm: sampled maxima within one sample (worst ${(worst_s * 1000).toFixed(2)} ms)`);
  }
});

t.test('without sensor noise, the emitted integers peak at the truth beats', async (t) => {
  const f = generateRingPpg(options({ params: QUIET }));
  let misses = 0;
  for (const us of f.ref_beats_us!) {
    const i0 = Math.round((us / 1e6) * RATE_HZ);
    if (i0 < 2 || i0 > f.ppg.length - 3) continue;
    let best = i0 - 1;
    for (let i = i0 - 1; i <= i0 + 1; i++) if (f.ppg[i] > f.ppg[best]) best = i;
    if (!(f.ppg[best] >= f.ppg[best - 1] && f.ppg[best] >= f.ppg[best + 1])) misses++;
  }
  t.equal(misses, 0, 'every truth beat has an integer local maximum within one sample');
});

t.test('pulses point up and sit at the documented DC level', async (t) => {
  const o = options({ params: QUIET });
  const f = generateRingPpg(o);
  const full = 2 ** 19 - 1;
  let higher = 0;
  for (const us of f.ref_beats_us!) {
    const i = Math.round((us / 1e6) * RATE_HZ);
    if (i < 40 || i > f.ppg.length - 41) continue;
    if (f.ppg[i] > f.ppg[i - 25]) higher++; // 250 ms before the peak is the pulse foot
  }
  t.ok(higher >= f.ref_beats_us!.length - 3, `peaks above their feet (${higher}/${f.ref_beats_us!.length})`);
  const mean = f.ppg.reduce((s, v) => s + v, 0) / f.ppg.length;
  t.ok(Math.abs(mean - (full - 350000)) < 5000, `mean ${mean.toFixed(0)} near 524287 - 350000`);
  t.match(f.meta.ppg_units, /inverted channel \(524287 - raw photodiode count\) so pulses point up/);
  t.ok(f.ppg.every((v) => v >= 0 && v <= full), 'inside the 19-bit ADC range');
});

t.test('motion and no-contact: listed in events and artifacts, no truth beats off the skin', async (t) => {
  const f: Fixture = generateRingPpg(options(WITH_EVERYTHING));
  t.same(f.events.map((e) => [e.kind, e.time_ms, e.duration_ms]), [
    ['motion', 10000, 6000],
    ['no-contact', 22000, 8000],
    ['motion', 40000, 4000],
  ]);
  t.same(f.artifacts, [
    { start_ms: 10000, end_ms: 16000 },
    { start_ms: 22000, end_ms: 30000 },
    { start_ms: 40000, end_ms: 44000 },
  ]);
  const off = [{ start_ms: 22000, end_ms: 30000 }];
  const truth_ms = Array.from(f.ref_beats_us!, (us) => us / 1000);
  t.equal(truth_ms.filter((ms) => inSpan(ms, off)).length, 0, 'no truth beats inside the no-contact period');
  t.ok(truth_ms.filter((ms) => ms >= 10000 && ms < 16000).length > 3, 'the heart keeps beating during motion');
  // Off the skin the level jumps to the ambient level and the pulses vanish.
  const seg = f.ppg.subarray(2300, 2900);
  const seg_min = Math.min(...seg);
  const seg_max = Math.max(...seg);
  t.ok(seg_min > 2 ** 19 - 1 - 6000 - 2000, `no-contact level near the ambient level (min ${seg_min})`);
  t.ok(seg_max - seg_min < 1500, `no pulses off the skin (range ${seg_max - seg_min} counts)`);
  // The accelerometer shows the motion.
  const a = f.accel!;
  const energy = (from_s: number, to_s: number): number => {
    let e = 0;
    for (let j = from_s * a.sample_rate_hz; j < to_s * a.sample_rate_hz; j++) e += Math.abs(a.x_mg[j] - a.x_mg[j - 1]) + Math.abs(a.z_mg[j] - a.z_mg[j - 1]);
    return e / ((to_s - from_s) * a.sample_rate_hz);
  };
  t.ok(energy(11, 15) > 10 * energy(1, 9), `accel moves during the burst (${energy(11, 15).toFixed(0)} vs ${energy(1, 9).toFixed(0)} mg/sample)`);
});

t.test('shorter intervals give an earlier, smaller diastolic wave', async (t) => {
  const slow = shapeForInterval(1.2);
  const fast = shapeForInterval(0.4);
  t.ok(fast.dia_delay_s < slow.dia_delay_s, 'earlier');
  t.ok(fast.dia_ratio < slow.dia_ratio, 'smaller');
  t.ok(fast.sigma_fall_s < slow.sigma_fall_s, 'narrower systolic wave');
});

t.test('the generator checks its options', async (t) => {
  t.throws(() => generateRingPpg(options({ seed: -1 })), /seed must be an integer/);
  t.throws(() => generateRingPpg(options({ duration_s: 0 })), /duration_s must be in/);
  t.throws(() => generateRingPpg(options({ no_contact: [{ start_s: 55, duration_s: 10 }] })), /no-contact period \[55, \+10\] s must lie inside 0..60 s/);
  t.throws(() => generateRingPpg(options({ no_contact: [{ start_s: 5, duration_s: 10 }, { start_s: 10, duration_s: 5 }] })), /no-contact periods overlap/);
  t.throws(() => generateRingPpg(options({ params: { perfusion_ratio: 5 } })), /perfusion_ratio must be in/);
  const short = generateRrSeries({ seed: 1, duration_s: 10, hr_bpm: 60 });
  t.throws(() => generateRingPpg({ seed: 1, rr_ms: short.rr_ms, rr_source: 'short', duration_s: 60 }), /rr series covers .* s, need 61 s/);
});
