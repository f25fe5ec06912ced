// Motion bursts: hand movement seen by the PPG as large, irregular 1-4 Hz swings plus
// pressure shifts, and by the accelerometer as the same oscillations. Both channels are
// built from the same oscillators so they correlate, as on a real ring.

import type { Prng } from '../prng.js';

export interface MotionBurst {
  start_s: number;
  duration_s: number;
  /** Scales both the PPG artifact and the acceleration; 1 = brisk hand movement. */
  intensity?: number;
}

export const MOTION_OSCILLATOR_COUNT = 3;
export const MOTION_FREQ_HZ_MIN = 1;
export const MOTION_FREQ_HZ_MAX = 4;
/** Pressure shifts (ring pressed or tilted) per burst. */
export const MOTION_SHIFT_COUNT_MAX = 4;
const RAMP_S = 0.4;
const WOBBLE_RATIO = 0.15;
const WOBBLE_HZ = 0.37;
const SHIFT_EDGE_S = 0.05;

/** One burst with every random choice drawn up front. */
export interface MotionPlan {
  start_s: number;
  end_s: number;
  intensity: number;
  freq_hz: number[];
  weight: number[];
  phase: number[];
  wobble_phase: number[];
  /** Coupling of each oscillator into the PPG (sign and size differ per oscillator). */
  ppg_coupling: number[];
  /** Unit direction of each oscillator in the accelerometer frame. */
  axis: [number, number, number][];
  shift_time_s: number[];
  /** Pressure shift heights, in motion amplitudes. */
  shift_height: number[];
}

export function planMotion(bursts: MotionBurst[], prng: Prng): MotionPlan[] {
  return bursts.map((b) => {
    const n = MOTION_OSCILLATOR_COUNT;
    const draw = (f: () => number): number[] => Array.from({ length: n }, f);
    const shift_count = prng.nextInt(1, MOTION_SHIFT_COUNT_MAX);
    return {
      start_s: b.start_s,
      end_s: b.start_s + b.duration_s,
      intensity: b.intensity ?? 1,
      freq_hz: draw(() => MOTION_FREQ_HZ_MIN + (MOTION_FREQ_HZ_MAX - MOTION_FREQ_HZ_MIN) * prng.nextUnit()),
      weight: draw(() => 0.4 + 0.6 * prng.nextUnit()),
      phase: draw(() => 2 * Math.PI * prng.nextUnit()),
      wobble_phase: draw(() => 2 * Math.PI * prng.nextUnit()),
      ppg_coupling: draw(() => 2 * prng.nextUnit() - 1),
      axis: draw(() => 0).map(() => unitVector(prng)),
      shift_time_s: Array.from({ length: shift_count }, () => b.start_s + b.duration_s * prng.nextUnit()),
      shift_height: Array.from({ length: shift_count }, () => 1.0 * (2 * prng.nextUnit() - 1)),
    };
  });
}

function unitVector(prng: Prng): [number, number, number] {
  const x = prng.nextGaussian();
  const y = prng.nextGaussian();
  const z = prng.nextGaussian();
  const n = Math.hypot(x, y, z) || 1;
  return [x / n, y / n, z / n];
}

/** Raised-cosine on/off ramps; 0 outside the burst. */
function envelope(p: MotionPlan, t_s: number): number {
  if (t_s <= p.start_s || t_s >= p.end_s) return 0;
  const ramp_s = Math.min(RAMP_S, (p.end_s - p.start_s) / 2);
  const edge_s = Math.min(t_s - p.start_s, p.end_s - t_s);
  return edge_s >= ramp_s ? 1 : 0.5 * (1 - Math.cos((Math.PI * edge_s) / ramp_s));
}

/** Phase of oscillator i: its frequency wobbles by +-15 % at 0.37 Hz (closed form). */
function phaseAt(p: MotionPlan, i: number, t_s: number): number {
  const w = 2 * Math.PI * WOBBLE_HZ;
  const wobble = (WOBBLE_RATIO / w) * (Math.sin(w * t_s + p.wobble_phase[i]) - Math.sin(p.wobble_phase[i]));
  return 2 * Math.PI * p.freq_hz[i] * (t_s + wobble) + p.phase[i];
}

/** PPG artifact of all bursts at t, in units of `amplitude` (counts at intensity 1). */
export function motionPpgAt(plans: MotionPlan[], amplitude: number, t_s: number): number {
  let v = 0;
  for (const p of plans) {
    const e = envelope(p, t_s);
    if (e === 0) continue;
    let osc = 0;
    for (let i = 0; i < MOTION_OSCILLATOR_COUNT; i++) osc += p.ppg_coupling[i] * p.weight[i] * Math.sin(phaseAt(p, i, t_s));
    let shift = 0;
    for (let j = 0; j < p.shift_time_s.length; j++) {
      shift += p.shift_height[j] * 0.5 * (1 + Math.tanh((t_s - p.shift_time_s[j]) / SHIFT_EDGE_S));
    }
    v += p.intensity * amplitude * e * (osc + shift);
  }
  return v;
}

/** Adds the bursts' acceleration at t (mg) to out[0..2]. */
export function addMotionAccel(plans: MotionPlan[], accel_mg: number, t_s: number, out: Float64Array): void {
  for (const p of plans) {
    const e = envelope(p, t_s);
    if (e === 0) continue;
    for (let i = 0; i < MOTION_OSCILLATOR_COUNT; i++) {
      const a = p.intensity * accel_mg * e * p.weight[i] * Math.sin(phaseAt(p, i, t_s));
      out[0] += a * p.axis[i][0];
      out[1] += a * p.axis[i][1];
      out[2] += a * p.axis[i][2];
    }
    // A pressure shift is a quick push: the accelerometer sees a short pulse (the step's slope).
    for (let j = 0; j < p.shift_time_s.length; j++) {
      const u = (t_s - p.shift_time_s[j]) / SHIFT_EDGE_S;
      const sech = 1 / Math.cosh(u);
      out[0] += p.intensity * accel_mg * p.shift_height[j] * sech * sech * p.axis[0][0];
      out[1] += p.intensity * accel_mg * p.shift_height[j] * sech * sech * p.axis[0][1];
      out[2] += p.intensity * accel_mg * p.shift_height[j] * sech * sech * p.axis[0][2];
    }
  }
}
