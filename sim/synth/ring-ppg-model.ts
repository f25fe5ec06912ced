// The noise-free ring PPG as a continuous function of time, and the exact times of its
// systolic peaks (the generator's truth). Orientation: the AFE's inverted channel,
// emitted = (2^adc_bits - 1) - raw photodiode count. Blood volume absorbs light, so the raw
// count falls with each pulse; the inverted channel makes pulses point up.

import type { Prng } from '../prng.js';
import type { RingPpgParams } from './params.js';
import { BeatTable, shapeForInterval } from './pulse-shape.js';

export interface NoContactPeriod {
  start_s: number;
  duration_s: number;
}

/** Lift-off and put-back take this long; the blend is a raised cosine over it. */
export const CONTACT_RAMP_S = 0.3;
export const NO_CONTACT_S_MIN = 2 * CONTACT_RAMP_S + 0.4;
/** Golden-section search stops when the bracket is this narrow (0.1 µs). */
const PEAK_TOLERANCE_S = 1e-7;
const PEAK_SEARCH_STEPS_MAX = 100;
const DRIFT_PERIODS_S = [170, 61, 23] as const;
const DRIFT_WEIGHTS = [0.5, 0.3, 0.2] as const;
const RESP_WOBBLE_HZ = 1 / 40;
const AMBIENT_WANDER_HZ = 0.05;
const GOLDEN = (Math.sqrt(5) - 1) / 2;

export interface ModelInputs {
  params: RingPpgParams;
  /** Intervals that place the beats; must cover the duration plus a few seconds. */
  rr_ms: Float64Array;
  duration_s: number;
  no_contact: NoContactPeriod[];
}

export class RingPpgModel {
  readonly full_scale_counts: number;
  /** Mean pulse amplitude in counts (perfusion x DC). */
  readonly pulse_counts: number;
  readonly beats: BeatTable;
  readonly resp_rate_hz: number;
  private readonly p: RingPpgParams;
  private readonly no_contact: { start_s: number; end_s: number; gain_after: number }[];
  private readonly resp_phase0: number;
  private readonly resp_wobble_phase: number;
  private readonly resp_harmonic_phase: number;
  private readonly drift_phase: Float64Array;
  private readonly ambient_phase: number;

  constructor(inputs: ModelInputs, prng: Prng) {
    const p = (this.p = inputs.params);
    this.full_scale_counts = 2 ** p.adc_bits - 1;
    this.pulse_counts = p.perfusion_ratio * p.dc_raw_counts;
    this.resp_rate_hz = p.resp_rate_hz;
    // Draw order is fixed: phases first, then contact gains, then beats.
    this.resp_phase0 = 2 * Math.PI * prng.nextUnit();
    this.resp_wobble_phase = 2 * Math.PI * prng.nextUnit();
    this.resp_harmonic_phase = 2 * Math.PI * prng.nextUnit();
    this.drift_phase = Float64Array.from(DRIFT_PERIODS_S, () => 2 * Math.PI * prng.nextUnit());
    this.ambient_phase = 2 * Math.PI * prng.nextUnit();
    let gain = 1;
    this.no_contact = inputs.no_contact
      .map((n) => ({ start_s: n.start_s, end_s: n.start_s + n.duration_s }))
      .sort((a, b) => a.start_s - b.start_s)
      .map((n) => {
        gain *= 1 + p.contact_gain_jitter_ratio * prng.nextGaussian();
        return { ...n, gain_after: gain };
      });
    this.beats = placeBeats(inputs, this, prng);
  }

  /** Instantaneous breathing phase; the rate wobbles slowly (closed form of its integral). */
  respPhase(t_s: number): number {
    const w = 2 * Math.PI * RESP_WOBBLE_HZ;
    const swing = Math.sin(w * t_s + this.resp_wobble_phase) - Math.sin(this.resp_wobble_phase);
    const wobble = (this.p.resp_rate_wobble_ratio / w) * swing;
    return 2 * Math.PI * this.p.resp_rate_hz * (t_s + wobble) + this.resp_phase0;
  }

  /** Respiratory wander (with a second harmonic: breathing is not a sine) plus slow drift. */
  baselineAt(t_s: number): number {
    const phase = this.respPhase(t_s);
    const resp = Math.sin(phase) + 0.25 * Math.sin(2 * phase + this.resp_harmonic_phase);
    let drift = 0;
    for (let j = 0; j < DRIFT_PERIODS_S.length; j++) {
      drift += DRIFT_WEIGHTS[j] * Math.sin((2 * Math.PI * t_s) / DRIFT_PERIODS_S[j] + this.drift_phase[j]);
    }
    return this.pulse_counts * (this.p.resp_wander_ratio * resp + this.p.drift_ratio * drift);
  }

  /** Coupling gain at t: changes only while the ring is off (mid no-contact period). */
  gainAt(t_s: number): number {
    let gain = 1;
    for (const n of this.no_contact) if (t_s >= (n.start_s + n.end_s) / 2) gain = n.gain_after;
    return gain;
  }

  /** Weight of the on-skin signal: 1 in contact, 0 off, raised-cosine ramps inside each period. */
  contactWeight(t_s: number): number {
    for (const n of this.no_contact) {
      if (t_s < n.start_s || t_s >= n.end_s) continue;
      const edge_s = Math.min(t_s - n.start_s, n.end_s - t_s);
      return edge_s >= CONTACT_RAMP_S ? 0 : 0.5 * (1 + Math.cos((Math.PI * edge_s) / CONTACT_RAMP_S));
    }
    return 1;
  }

  /** True inside a no-contact period (ramps included). */
  inNoContact(t_s: number): boolean {
    return this.no_contact.some((n) => t_s >= n.start_s && t_s < n.end_s);
  }

  /** Noise-free signal with the ring on the skin (inverted channel, float counts). */
  contactAt(t_s: number): number {
    const gain = this.gainAt(t_s);
    return this.full_scale_counts - gain * this.p.dc_raw_counts + gain * (this.baselineAt(t_s) + this.beats.sumAt(t_s));
  }

  /** Noise-free signal with no contact: ambient light and offset, no pulses. */
  offSkinAt(t_s: number): number {
    const wander = this.p.ambient_wander_counts * Math.sin(2 * Math.PI * AMBIENT_WANDER_HZ * t_s + this.ambient_phase);
    return this.full_scale_counts - this.p.ambient_raw_counts + wander;
  }

  /** The noise-free waveform the generator samples (before motion, noise and rounding). */
  cleanAt(t_s: number): number {
    const w = this.contactWeight(t_s);
    if (w === 1) return this.contactAt(t_s);
    return w * this.contactAt(t_s) + (1 - w) * this.offSkinAt(t_s);
  }

  /**
   * Exact systolic peak times (s): for each beat, the maximum of the noise-free contact
   * waveform near its systolic centre, by golden-section search to 0.1 µs. Beats outside
   * [0, duration) or inside a no-contact period have no truth.
   */
  truthPeaks(duration_s: number): Float64Array {
    const out: number[] = [];
    for (let k = 0; k < this.beats.count; k++) {
      const c = this.beats.center_s[k];
      const lo_s = c - this.beats.sigma_rise_s[k];
      const hi_s = c + this.beats.sigma_fall_s[k];
      // The coupling gain steps mid no-contact; a beat there has no truth and no smooth peak.
      if (this.no_contact.some((n) => (n.start_s + n.end_s) / 2 >= lo_s && (n.start_s + n.end_s) / 2 <= hi_s)) continue;
      const t = this.peakNear(lo_s, hi_s);
      if (t >= 0 && t < duration_s && !this.inNoContact(t)) out.push(t);
    }
    return Float64Array.from(out);
  }

  private peakNear(lo_s: number, hi_s: number): number {
    let a = lo_s;
    let b = hi_s;
    let x1 = b - GOLDEN * (b - a);
    let x2 = a + GOLDEN * (b - a);
    let f1 = this.contactAt(x1);
    let f2 = this.contactAt(x2);
    for (let step = 0; step < PEAK_SEARCH_STEPS_MAX && b - a > PEAK_TOLERANCE_S; step++) {
      if (f1 < f2) {
        a = x1;
        x1 = x2;
        f1 = f2;
        x2 = a + GOLDEN * (b - a);
        f2 = this.contactAt(x2);
      } else {
        b = x2;
        x2 = x1;
        f2 = f1;
        x1 = b - GOLDEN * (b - a);
        f1 = this.contactAt(x1);
      }
    }
    const t = (a + b) / 2;
    // The search assumes one maximum inside the bracket: a peak on its edge means it was not.
    if (!(this.contactAt(t) > this.contactAt(lo_s) && this.contactAt(t) > this.contactAt(hi_s))) {
      throw new Error(`model bug: no interior systolic maximum in [${lo_s}, ${hi_s}] s`);
    }
    return t;
  }
}

/**
 * Beat k's systolic centre follows the RR series; the first sits at a random phase before
 * t = 0 so the recording starts mid-cycle. Amplitude varies beat to beat (jitter), with
 * breathing, and with the preceding interval (longer filling, larger pulse).
 */
function placeBeats(inputs: ModelInputs, model: RingPpgModel, prng: Prng): BeatTable {
  const rr_s = Array.from(inputs.rr_ms, (ms) => ms / 1000);
  if (rr_s.length < 2) throw new RangeError('rr series needs at least 2 intervals');
  const mean_rr_s = rr_s.reduce((s, v) => s + v, 0) / rr_s.length;
  const first_s = -rr_s[0] * prng.nextUnit();
  const centers: number[] = [first_s];
  let covered_s = first_s;
  for (let i = 0; i < rr_s.length && covered_s < inputs.duration_s + 1; i++) {
    covered_s += rr_s[i];
    centers.push(covered_s);
  }
  if (covered_s < inputs.duration_s + 1) {
    throw new RangeError(`rr series covers ${covered_s.toFixed(1)} s, need ${inputs.duration_s + 1} s`);
  }
  const p = inputs.params;
  const table = new BeatTable(centers.length);
  for (let k = 0; k < centers.length; k++) {
    const ibi_s = k === 0 ? rr_s[0] : centers[k] - centers[k - 1];
    const jitter = 1 + p.amplitude_jitter_ratio * prng.nextGaussian();
    const resp = 1 + p.amplitude_resp_ratio * Math.sin(model.respPhase(centers[k]));
    const filling = 1 + 0.25 * ((ibi_s - mean_rr_s) / mean_rr_s);
    const scale = Math.min(2, Math.max(0.3, jitter * resp * filling));
    table.set(k, centers[k], model.pulse_counts * scale, shapeForInterval(ibi_s));
  }
  return table;
}
