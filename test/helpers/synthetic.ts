// A small, self-contained synthetic recording for tests that need a known signal
// without depending on the generator's fixtures: a Gaussian-pulse train at 100 Hz
// with respiration wander, whose true peak times are known exactly.

import type { Fixture } from '../../sim/fixture/types.js';
import { Prng } from '../../sim/prng.js';

export function syntheticFixture(duration_s: number, seed: number): Fixture {
  const rate = 100;
  const n = duration_s * rate;
  const prng = new Prng(seed);
  const ppg = new Float64Array(n);
  const beats: number[] = [];
  let t = 0.4;
  while (t < duration_s - 0.5) {
    beats.push(t);
    t += 0.8 + 0.05 * Math.sin(t * 0.9) + (prng.nextUnit() - 0.5) * 0.04;
  }
  for (let i = 0; i < n; i++) {
    const ts = i / rate;
    let v = 100000 + 300 * Math.sin(2 * Math.PI * 0.25 * ts);
    for (const b of beats) {
      const d = ts - b;
      if (d < -0.5 || d > 0.8) continue;
      v += 1000 * Math.exp(-(d * d) / (2 * 0.06 * 0.06)) + 350 * Math.exp(-((d - 0.3) ** 2) / (2 * 0.07 * 0.07));
    }
    ppg[i] = v + prng.nextGaussian() * 5;
  }
  return {
    format_version: 1,
    meta: { record: `test-synth-${seed}`, source: 'test:gaussian-pulses', sample_rate_hz: rate, ppg_units: 'counts' },
    ppg: Int32Array.from(ppg, (v) => Math.round(v)),
    events: [],
    ref_beats_us: Float64Array.from(beats, (b) => Math.round(b * 1e6)),
    ref_kind: 'synthetic-truth-peaks',
    artifacts: [],
  };
}
