// Rational-ratio resampling with an anti-aliasing low-pass (windowed sinc, Blackman
// window), as a sensor sampling the same analog signal at another rate would see it.
// Zero-phase: output sample k is the signal at time k / to_hz, so reference beat times
// stay valid. Host-side code: floats are fine here, the output is rounded to integers.

const ZERO_CROSSINGS = 12; // half-length of the kernel in units of the narrower band's period
const CUTOFF_FRACTION = 0.9; // pass band edge relative to the output Nyquist when decimating
const RATE_HZ_MAX = 100000;

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Kernel value at offset t (in input samples) for a low-pass at cutoff_cycles (cycles per input sample). */
function kernel(t: number, cutoff_cycles: number, half_width: number): number {
  if (Math.abs(t) >= half_width) return 0;
  const x = 2 * cutoff_cycles * t;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  const w = 0.42 + 0.5 * Math.cos((Math.PI * t) / half_width) + 0.08 * Math.cos((2 * Math.PI * t) / half_width);
  return 2 * cutoff_cycles * sinc * w;
}

export function resamplePpg(ppg: Int32Array, from_hz: number, to_hz: number): Int32Array {
  for (const [name, v] of [["from_hz", from_hz], ["to_hz", to_hz]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > RATE_HZ_MAX) {
      throw new RangeError(`${name} must be an integer in 1..${RATE_HZ_MAX}, got ${v}`);
    }
  }
  if (from_hz === to_hz) return Int32Array.from(ppg);
  const g = gcd(from_hz, to_hz);
  const up = to_hz / g;
  const down = from_hz / g;
  const out_count = ppg.length === 0 ? 0 : Math.floor(((ppg.length - 1) * up) / down) + 1;
  const out = new Int32Array(out_count);
  // Cutoff in cycles per input sample: the lower Nyquist, less a guard band when decimating.
  const cutoff_cycles = to_hz < from_hz ? (0.5 * CUTOFF_FRACTION * to_hz) / from_hz : 0.5 * CUTOFF_FRACTION;
  const half_width = ZERO_CROSSINGS / (2 * cutoff_cycles);
  const reach = Math.ceil(half_width);
  // One kernel per output phase (k*down mod up), each normalized to unit DC gain so a
  // constant input stays exactly constant.
  const phases: Float64Array[] = [];
  for (let p = 0; p < up; p++) {
    const frac = p / up;
    const taps = new Float64Array(2 * reach + 1);
    let sum = 0;
    for (let j = -reach; j <= reach; j++) {
      const v = kernel(j - frac, cutoff_cycles, half_width);
      taps[j + reach] = v;
      sum += v;
    }
    for (let j = 0; j < taps.length; j++) taps[j] /= sum;
    phases.push(taps);
  }
  const last = ppg.length - 1;
  for (let k = 0; k < out_count; k++) {
    const pos_num = k * down; // position in input samples = pos_num / up
    const base = Math.floor(pos_num / up);
    const taps = phases[pos_num - base * up];
    let acc = 0;
    for (let j = -reach; j <= reach; j++) {
      let i = base + j;
      // Mirror at the edges so the first and last samples see a plausible signal.
      if (i < 0) i = Math.min(-i, last);
      else if (i > last) i = Math.max(2 * last - i, 0);
      acc += taps[j + reach] * ppg[i];
    }
    out[k] = Math.round(acc);
  }
  return out;
}
