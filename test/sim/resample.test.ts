// The sensor-rate resampler (sim/sensor/resample.ts): every output sample is the kernel sum
// over its 2 * reach + 1 neighbours, mirrored at the recording's edges. The loop that skips
// the mirroring away from the edges must give the same value bit for bit, as replays and
// goldens depend on it; a constant stays exactly constant.

import t from 'tap';
import { Prng } from '../../sim/prng.js';
import { ResampledAccel, ResampledStream, resamplePpg } from '../../sim/sensor/resample.js';

/** The resampler's sum written out for one output sample, with the edge mirroring at every index. */
function reference(ppg: Int32Array, from_hz: number, to_hz: number, k: number): number {
  if (from_hz === to_hz) return ppg[k]!; // the same rate: the samples as they are
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(from_hz, to_hz);
  const up = to_hz / g;
  const down = from_hz / g;
  const cutoff = to_hz < from_hz ? (0.5 * 0.9 * to_hz) / from_hz : 0.5 * 0.9;
  const half = 12 / (2 * cutoff);
  const reach = Math.ceil(half);
  const kern = (x: number): number => {
    if (Math.abs(x) >= half) return 0;
    const y = 2 * cutoff * x;
    const sinc = y === 0 ? 1 : Math.sin(Math.PI * y) / (Math.PI * y);
    return 2 * cutoff * sinc * (0.42 + 0.5 * Math.cos((Math.PI * x) / half) + 0.08 * Math.cos((2 * Math.PI * x) / half));
  };
  const base = Math.floor((k * down) / up);
  const frac = (k * down - base * up) / up;
  const taps: number[] = [];
  let sum = 0;
  for (let j = -reach; j <= reach; j++) {
    taps.push(kern(j - frac));
    sum += taps[taps.length - 1]!;
  }
  const last = ppg.length - 1;
  let acc = 0;
  for (let j = -reach; j <= reach; j++) {
    let i = base + j;
    if (i < 0) i = Math.min(-i, last);
    else if (i > last) i = Math.max(2 * last - i, 0);
    acc += (taps[j + reach]! / sum) * ppg[i]!;
  }
  return Math.round(acc);
}

t.test('every output sample equals the written-out sum, edges and middle', async (t) => {
  const prng = new Prng(7);
  for (const [from_hz, to_hz, n] of [[100, 50, 900], [100, 25, 700], [50, 25, 400], [25, 50, 300], [100, 100, 50], [64, 25, 500], [3, 2, 40]] as const) {
    const ppg = new Int32Array(n);
    for (let i = 0; i < n; i++) ppg[i] = 350000 + prng.nextInt(-40000, 40000);
    const out = resamplePpg(ppg, from_hz, to_hz);
    let mismatches = 0;
    for (let k = 0; k < out.length; k++) if (out[k] !== reference(ppg, from_hz, to_hz, k)) mismatches++;
    t.equal(mismatches, 0, `${from_hz} -> ${to_hz} Hz: all ${out.length} samples equal the reference`);
    t.ok(out.length > 0, `${from_hz} -> ${to_hz} Hz: some output`);
  }
});

t.test('a constant stays exactly constant; accel is clamped to int16', async (t) => {
  const flat = new Int32Array(500).fill(123456);
  t.ok(resamplePpg(flat, 100, 50).every((v) => v === 123456), 'a flat PPG stays flat at 50 Hz');
  const axis = new Int16Array(200).fill(32767);
  const acc = new ResampledAccel(axis, axis, axis, 25, 50);
  let max = 0;
  for (let k = 0; k < acc.length; k++) for (let a = 0; a < 3; a++) max = Math.max(max, acc.at(k, a));
  t.equal(max, 32767, 'a full-scale axis stays within int16');
  t.throws(() => new ResampledStream(flat, 0, 50), /from_hz must be an integer in 1\.\.100000, got 0/, 'a rate of 0 is refused');
});
