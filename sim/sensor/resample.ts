// Rational-ratio resampling with an anti-aliasing low-pass (windowed sinc, Blackman
// window), as a sensor sampling the same analog signal at another rate would see it.
// Zero-phase: output sample k is the signal at time k / to_hz, so reference beat times
// stay valid. Host-side code: floats are fine here, the output is rounded to integers.

import { asSource } from "../fixture/samples.js";
import type { SampleSource } from "../fixture/types.js";

const ZERO_CROSSINGS = 12; // half-length of the kernel in units of the narrower band's period
const CUTOFF_FRACTION = 0.9; // pass band edge relative to the output Nyquist when decimating
const RATE_HZ_MAX = 100000;
const BLOCK_SAMPLES = 4; // output samples computed together (ResampledStream.fillBlock)
// Blocks only where a kernel is at most this long either side: their four windows then span
// at most about 4 x 4096 input samples, well within a file source's window (64 Ki samples).
const BLOCK_REACH_MAX = 4096;

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

/** A sensor stream read sample by sample: the whole resampled recording is never held. */
export interface SampleStream {
  readonly length: number;
  at(k: number): number;
}

/**
 * The resampling of ppg from from_hz to to_hz, computed when a sample is read (each output
 * sample needs 2 * reach + 1 input samples): the same values as resamplePpg, bit for bit,
 * without an output array as long as the recording.
 */
export class ResampledStream implements SampleStream {
  readonly length: number;
  private readonly up: number;
  private readonly down: number;
  private readonly reach: number;
  private readonly phases: Float64Array[];
  private readonly same: boolean;
  /** The input, read a window at a time (a file: its own window, so readers do not compete). */
  private readonly src: SampleSource;
  /** Output samples block_k0 .. block_k0 + block_n - 1, computed together (fillBlock). */
  private readonly block = new Float64Array(BLOCK_SAMPLES);
  private block_k0 = 0;
  private block_n = 0;

  constructor(ppg: Int32Array | Int16Array | SampleSource, from_hz: number, to_hz: number) {
    this.src = asSource(ppg).reader();
    for (const [name, v] of [["from_hz", from_hz], ["to_hz", to_hz]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > RATE_HZ_MAX) {
        throw new RangeError(`${name} must be an integer in 1..${RATE_HZ_MAX}, got ${v}`);
      }
    }
    this.same = from_hz === to_hz;
    const g = gcd(from_hz, to_hz);
    this.up = to_hz / g;
    this.down = from_hz / g;
    this.length = this.same ? ppg.length : ppg.length === 0 ? 0 : Math.floor(((ppg.length - 1) * this.up) / this.down) + 1;
    // Cutoff in cycles per input sample: the lower Nyquist, less a guard band when decimating.
    const cutoff_cycles = to_hz < from_hz ? (0.5 * CUTOFF_FRACTION * to_hz) / from_hz : 0.5 * CUTOFF_FRACTION;
    const half_width = ZERO_CROSSINGS / (2 * cutoff_cycles);
    this.reach = Math.ceil(half_width);
    // One kernel per output phase (k*down mod up), each normalized to unit DC gain so a
    // constant input stays exactly constant.
    this.phases = [];
    if (this.same) return;
    for (let p = 0; p < this.up; p++) {
      const frac = p / this.up;
      const taps = new Float64Array(2 * this.reach + 1);
      let sum = 0;
      for (let j = -this.reach; j <= this.reach; j++) {
        const v = kernel(j - frac, cutoff_cycles, half_width);
        taps[j + this.reach] = v;
        sum += v;
      }
      for (let j = 0; j < taps.length; j++) taps[j] /= sum;
      this.phases.push(taps);
    }
  }

  at(k: number): number {
    if (this.same) {
      const src = this.src;
      src.need(k, k);
      return src.data[k - src.base];
    }
    const i = k - this.block_k0;
    if (i >= 0 && i < this.block_n) return this.block[i];
    this.fillBlock(k);
    return this.block[0];
  }

  /**
   * Output samples k .. k + BLOCK_SAMPLES - 1 into `block` (readers go forward). Away from
   * the edges the four sums run side by side: each is still its own sum in its own order
   * (the same value bit for bit), but four independent chains of additions keep the CPU
   * busy where one waits on each addition before the next (about 2x faster).
   */
  private fillBlock(k: number): void {
    const { up, down, reach } = this;
    const src = this.src;
    const last = src.length - 1;
    const n = Math.min(BLOCK_SAMPLES, this.length - k);
    const b0 = Math.floor((k * down) / up);
    const b3 = Math.floor(((k + 3) * down) / up);
    this.block_k0 = k;
    this.block_n = n;
    // The four windows overlap (they lie within about two windows' span), read at once.
    if (n === BLOCK_SAMPLES && reach <= BLOCK_REACH_MAX && b0 - reach >= 0 && b3 + reach <= last && b3 - b0 <= 2 * reach + 1) {
      src.need(b0 - reach, b3 + reach);
      const ppg = src.data;
      const off = src.base;
      const b1 = Math.floor(((k + 1) * down) / up);
      const b2 = Math.floor(((k + 2) * down) / up);
      const t0 = this.phases[k * down - b0 * up];
      const t1 = this.phases[(k + 1) * down - b1 * up];
      const t2 = this.phases[(k + 2) * down - b2 * up];
      const t3 = this.phases[(k + 3) * down - b3 * up];
      const f0 = b0 - reach - off;
      const f1 = b1 - reach - off;
      const f2 = b2 - reach - off;
      const f3 = b3 - reach - off;
      const taps_n = t0.length;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0; j < taps_n; j++) {
        a0 += t0[j] * ppg[f0 + j];
        a1 += t1[j] * ppg[f1 + j];
        a2 += t2[j] * ppg[f2 + j];
        a3 += t3[j] * ppg[f3 + j];
      }
      this.block[0] = Math.round(a0);
      this.block[1] = Math.round(a1);
      this.block[2] = Math.round(a2);
      this.block[3] = Math.round(a3);
      return;
    }
    for (let i = 0; i < n; i++) this.block[i] = this.one(k + i);
  }

  /** One output sample: the kernel sum over its neighbours, mirrored at the edges. */
  private one(k: number): number {
    const src = this.src;
    const { up, down, reach } = this;
    const last = src.length - 1;
    const pos_num = k * down; // position in input samples = pos_num / up
    const base = Math.floor(pos_num / up);
    const taps = this.phases[pos_num - base * up];
    // Every index below, mirrored or not, lies in base - reach .. base + reach, within the recording.
    src.need(Math.max(0, base - reach), Math.min(last, base + reach));
    const ppg = src.data;
    const off = src.base;
    let acc = 0;
    if (base - reach >= 0 && base + reach <= last) {
      // Away from the edges (nearly every sample): no mirroring, the same sum in the same order.
      const first = base - reach - off;
      const n = taps.length;
      for (let j = 0; j < n; j++) acc += taps[j] * ppg[first + j];
      return Math.round(acc);
    }
    for (let j = -reach; j <= reach; j++) {
      let i = base + j;
      // Mirror at the edges so the first and last samples see a plausible signal.
      if (i < 0) i = Math.min(-i, last);
      else if (i > last) i = Math.max(2 * last - i, 0);
      acc += taps[j + reach] * ppg[i - off];
    }
    return Math.round(acc);
  }
}

/** Accelerometer samples at a sensor rate, read one by one: axis 0, 1, 2 = x, y, z in mg. */
export interface AccelSamples {
  readonly length: number;
  at(k: number, axis: number): number;
}

/** The three axes resampled as resamplePpg would, clamped to int16, computed when read. */
export class ResampledAccel implements AccelSamples {
  readonly length: number;
  private readonly axes: ResampledStream[];

  constructor(x: Int16Array | SampleSource, y: Int16Array | SampleSource, z: Int16Array | SampleSource, from_hz: number, to_hz: number) {
    this.axes = [x, y, z].map((a) => new ResampledStream(a, from_hz, to_hz));
    this.length = Math.min(this.axes[0].length, this.axes[1].length, this.axes[2].length);
  }

  at(k: number, axis: number): number {
    return Math.max(-32768, Math.min(32767, this.axes[axis].at(k)));
  }
}

/** The whole resampled recording as one array (tools and benches that want it at once). */
export function resamplePpg(ppg: Int32Array, from_hz: number, to_hz: number): Int32Array {
  const stream = new ResampledStream(ppg, from_hz, to_hz);
  const out = new Int32Array(stream.length);
  for (let k = 0; k < out.length; k++) out[k] = stream.at(k);
  return out;
}
