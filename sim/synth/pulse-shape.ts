// One beat of the synthetic pulse: an asymmetric Gaussian systolic wave (fast rise, slower
// fall) plus a smaller, later diastolic (reflected) wave. Their timing and size follow the
// preceding interval: a shorter interval gives a narrower pulse and an earlier, smaller
// diastolic wave that merges into the systolic fall, as seen at high heart rates.
// The systolic half-Gaussians meet with zero slope at the centre, so the centre is the
// beat's own maximum; neighbours and the baseline shift the waveform maximum by a few ms,
// which the model resolves exactly (ring-ppg-model.ts).

export const IBI_S_MIN = 0.25;
export const IBI_S_MAX = 2.0;
/** A beat contributes nothing measurable more than this before its systolic centre. */
export const PULSE_SUPPORT_BEFORE_S = 6 * (0.03 + 0.03 * IBI_S_MAX);
/** ... or after it (diastolic wave's delay + 6 fall widths at the longest interval). */
export const PULSE_SUPPORT_AFTER_S = 0.1 + 0.22 * IBI_S_MAX + 6 * (0.06 + 0.14 * IBI_S_MAX);

export interface PulseShape {
  sigma_rise_s: number;
  sigma_fall_s: number;
  dia_delay_s: number;
  dia_ratio: number;
  sigma_dia_rise_s: number;
  sigma_dia_fall_s: number;
}

/** Shape for a beat that follows an interval of `ibi_s` (clamped to 0.25..2 s). */
export function shapeForInterval(ibi_s: number): PulseShape {
  const ibi = Math.min(IBI_S_MAX, Math.max(IBI_S_MIN, ibi_s));
  return {
    sigma_rise_s: 0.03 + 0.03 * ibi,
    sigma_fall_s: 0.045 + 0.055 * ibi,
    dia_delay_s: 0.1 + 0.22 * ibi,
    dia_ratio: Math.min(0.45, Math.max(0.08, 0.1 + 0.35 * (ibi - 0.35))),
    sigma_dia_rise_s: 0.035 + 0.045 * ibi,
    sigma_dia_fall_s: 0.06 + 0.14 * ibi,
  };
}

/** Beat parameters in parallel typed arrays, sized once. */
export class BeatTable {
  readonly center_s: Float64Array;
  readonly amplitude: Float64Array;
  readonly sigma_rise_s: Float64Array;
  readonly sigma_fall_s: Float64Array;
  readonly dia_delay_s: Float64Array;
  readonly dia_ratio: Float64Array;
  readonly sigma_dia_rise_s: Float64Array;
  readonly sigma_dia_fall_s: Float64Array;

  constructor(readonly count: number) {
    this.center_s = new Float64Array(count);
    this.amplitude = new Float64Array(count);
    this.sigma_rise_s = new Float64Array(count);
    this.sigma_fall_s = new Float64Array(count);
    this.dia_delay_s = new Float64Array(count);
    this.dia_ratio = new Float64Array(count);
    this.sigma_dia_rise_s = new Float64Array(count);
    this.sigma_dia_fall_s = new Float64Array(count);
  }

  set(k: number, center_s: number, amplitude: number, shape: PulseShape): void {
    this.center_s[k] = center_s;
    this.amplitude[k] = amplitude;
    this.sigma_rise_s[k] = shape.sigma_rise_s;
    this.sigma_fall_s[k] = shape.sigma_fall_s;
    this.dia_delay_s[k] = shape.dia_delay_s;
    this.dia_ratio[k] = shape.dia_ratio;
    this.sigma_dia_rise_s[k] = shape.sigma_dia_rise_s;
    this.sigma_dia_fall_s[k] = shape.sigma_dia_fall_s;
  }

  /** Value of beat k at time t (same units as amplitude). */
  pulseAt(k: number, t_s: number): number {
    const x = t_s - this.center_s[k];
    const s = x < 0 ? this.sigma_rise_s[k] : this.sigma_fall_s[k];
    const xd = x - this.dia_delay_s[k];
    const sd = xd < 0 ? this.sigma_dia_rise_s[k] : this.sigma_dia_fall_s[k];
    const systolic = Math.exp((-x * x) / (2 * s * s));
    const diastolic = this.dia_ratio[k] * Math.exp((-xd * xd) / (2 * sd * sd));
    return this.amplitude[k] * (systolic + diastolic);
  }

  /** Index of the first beat whose centre is >= t (binary search; centres ascend). */
  firstAtOrAfter(t_s: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.center_s[mid] < t_s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Sum of every beat's pulse at t. */
  sumAt(t_s: number): number {
    let sum = 0;
    const end = this.firstAtOrAfter(t_s + PULSE_SUPPORT_BEFORE_S);
    for (let k = this.firstAtOrAfter(t_s - PULSE_SUPPORT_AFTER_S); k < end; k++) sum += this.pulseAt(k, t_s);
    return sum;
  }
}
