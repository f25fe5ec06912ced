// Sensor noise, one value per sample: white Gaussian noise plus a 1/f-like component made
// of three first-order (AR(1)) processes with corner frequencies a decade apart. Each has a
// flat spectrum below its corner and 1/f^2 above; equal variances spaced by decades sum to
// roughly 1/f between the lowest and highest corner.

import type { Prng } from '../prng.js';

const PINK_CORNERS_HZ = [0.02, 0.2, 2] as const;

export class SensorNoise {
  private readonly alpha: Float64Array;
  private readonly drive: Float64Array;
  private readonly state: Float64Array;

  constructor(
    private readonly prng: Prng,
    sample_rate_hz: number,
    private readonly white_counts: number,
    pink_counts: number,
  ) {
    const n = PINK_CORNERS_HZ.length;
    this.alpha = new Float64Array(n);
    this.drive = new Float64Array(n);
    this.state = new Float64Array(n);
    const sigma_each = pink_counts / Math.sqrt(n);
    for (let j = 0; j < n; j++) {
      // Corners above Nyquist make no sense at low rates: cap at a quarter of the rate.
      const corner_hz = Math.min(PINK_CORNERS_HZ[j], sample_rate_hz / 4);
      const a = Math.exp((-2 * Math.PI * corner_hz) / sample_rate_hz);
      this.alpha[j] = a;
      // Stationary variance of x <- a x + b e is b^2 / (1 - a^2): pick b for sigma_each.
      this.drive[j] = sigma_each * Math.sqrt(1 - a * a);
      this.state[j] = sigma_each * prng.nextGaussian(); // start in the stationary state
    }
  }

  next(): number {
    let v = this.white_counts * this.prng.nextGaussian();
    for (let j = 0; j < this.state.length; j++) {
      this.state[j] = this.alpha[j] * this.state[j] + this.drive[j] * this.prng.nextGaussian();
      v += this.state[j];
    }
    return v;
  }
}
