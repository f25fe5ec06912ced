// Heart rate while the wearer moves: spectral tracking with accelerometer-referenced
// artifact removal (in the manner of TROIKA / WFPV, reduced to what fits the ring).
//
// Motion moves blood and the sensor against the skin, so the PPG spectrum gains peaks at
// the movement's frequencies (arm swing, steps) and their harmonics, often stronger than
// the pulse. The accelerometer sees those movements but not the pulse. Every 2 s the
// tracker takes the last 8 s of PPG and of each accelerometer axis (decimated to 12.5 Hz,
// DC removed), computes their magnitude spectra over 40..220 bpm, lowers every PPG peak
// by how strongly an accelerometer axis peaks at the same frequency, and picks the
// strongest remaining peak near the previous estimate (heart rate is continuous: it moves
// a few bpm per 2 s at most). The estimate starts from the beat detector's heart rate when
// the wearer was still, or from the strongest clean peak of the first window.
//
// Integer-only, allocation-free after boot, causal, bounded: one analysis is
// BIN_COUNT x WINDOW x (4 channels) multiply-adds, run once per 2 s.

import { clamp, div_floor } from "../lib/imath.js";

const INTERNAL_RATE_X2 = 25; // internal rate 12.5 Hz (x2): covers 220 bpm (3.7 Hz) below Nyquist
const WINDOW = 100; // 8 s at 12.5 Hz
const STEP = 25; // 2 s
const CHANNELS = 4; // ppg, accel x, y, z
const BIN_COUNT = 91; // 40, 42, ..., 220 bpm
const BIN_FIRST_BPM = 40;
const BIN_STEP_BPM = 2;
// Twiddles in Q24 at the internal rate: the angle per sample of 40 bpm and of one bin step
// (2 bpm): 2 pi f / (60 x 12.5). Computed offline: cos, sin x 2^24, rounded.
const COS_FIRST_Q24 = 15844006;
const SIN_FIRST_Q24 = 5517467;
const COS_STEP_Q24 = 16774861;
const SIN_STEP_Q24 = 281092;
const Q24 = 16777216;
const MOTION_RMS_MG = 50; // accelerometer RMS (DC removed) above which the wearer is moving
const ACCEL_TOL_BINS = 1; // a PPG peak within +-1 bin (2 bpm) of an accelerometer peak is motion
const SUPPRESS_X100 = 100; // how much of the accelerometer's normalised peak is taken off
const RANGE_BPM = 15; // the next estimate lies within this of the previous one
const PRIOR_K_BPM2 = 128; // continuity prior 1 / (1 + d^2 / K): half weight at 11 bpm
// Heart rate rises faster than it falls: at exercise onset by up to ~3 bpm/s, while recovery
// takes a minute or more for 20-40 bpm. So the estimate rises at most 6 bpm and falls at
// most 3 bpm per 2 s step.
const RISE_MAX_X10 = 60;
const FALL_MAX_X10 = 30;
// Re-acquisition: a clean peak (nearly the strongest PPG peak, no accelerometer peak
// there) that stays put for REACQ_WINDOWS windows while the tracked one is weak is the
// heart, and the estimate moves to it (a wrong start, or a track lost in a transition).
const REACQ_CLEAN_X1024 = 500;
const REACQ_WINDOWS = 3;
// A tracked peak weaker than this (x1024 of the strongest peak after suppression) is no
// evidence: the estimate holds rather than follow noise.
const PEAK_MIN_X1024 = 300;
const ACQUIRE_BPM_MAX = 150;
const HR_MIN_X10 = 400;
const HR_MAX_X10 = 2200;

// Decimation: the sum of `decim` input samples per channel, then one internal sample.
let decim = 2;
let decim_count = 0;
const acc_sum = new Int32Array(CHANNELS);
const dc_x16 = new Int32Array(CHANNELS); // each channel's DC level (EMA, 0.64 s), x16
// The last WINDOW internal samples, DC removed, channel-interleaved, circular.
const win = new Int16Array(WINDOW * CHANNELS);
let win_next = 0; // slot of the next sample
let win_filled = 0;
let step_count = 0;
let reacq_bin = -1; // the clean peak seen away from the estimate in the last window
let reacq_count = 0;
const spec_ppg = new Int32Array(BIN_COUNT); // PPG magnitude spectrum
const spec_acc = new Int16Array(BIN_COUNT); // max over axes of the normalised accelerometer spectra, x1024
// Each axis's spectral peak: [axis] in the previous window, [CHANNELS + axis] in this one.
const axis_max = new Int32Array(CHANNELS * 2);
// The cleaned spectrum: PPG normalised to its peak, lowered where an accelerometer axis
// peaks (within ACCEL_TOL_BINS), x1024. Candidates are its local maxima.
const spec_clean = new Int16Array(BIN_COUNT);

/** The estimate (bpm x10, 0 = none yet), its confidence 0..100, and whether the wearer moves. */
export let trk_hr_bpm_x10 = 0;
export let trk_confidence = 0;
export let trk_moving = false;

export function tracker_boot(sample_rate_hz: number): void {
  decim = div_floor(sample_rate_hz * 2, INTERNAL_RATE_X2);
  decim_count = 0;
  for (let c = 0; c < CHANNELS; c++) {
    acc_sum[c] = 0;
    dc_x16[c] = 0;
    axis_max[c] = 0;
    axis_max[CHANNELS + c] = 0;
  }
  win_next = 0;
  win_filled = 0;
  step_count = 0;
  reacq_bin = -1;
  reacq_count = 0;
  trk_hr_bpm_x10 = 0;
  trk_confidence = 0;
  trk_moving = false;
}

/** The beat detector's heart rate while the wearer is still: the estimate follows it. */
export function tracker_seed(hr_bpm_x10: number): void {
  if (!trk_moving) trk_hr_bpm_x10 = clamp(hr_bpm_x10, HR_MIN_X10, HR_MAX_X10);
}

/**
 * One input sample: PPG x and acceleration in mg. Returns 0 when a new estimate is in
 * trk_* (every 2 s once 8 s are buffered), else -1.
 */
export function tracker_push(x: number, ax_mg: number, ay_mg: number, az_mg: number): number {
  acc_sum[0] = acc_sum[0] + clamp(x, -8388608, 8388608);
  acc_sum[1] = acc_sum[1] + ax_mg;
  acc_sum[2] = acc_sum[2] + ay_mg;
  acc_sum[3] = acc_sum[3] + az_mg;
  decim_count = decim_count + 1;
  if (decim_count < decim) return -1;
  decim_count = 0;
  const base = win_next * CHANNELS;
  for (let c = 0; c < CHANNELS; c++) {
    const v = div_floor(acc_sum[c], decim);
    acc_sum[c] = 0;
    // The first sample sets the DC level, so a large offset does not ring through the window.
    if (win_filled === 0) dc_x16[c] = v * 16;
    dc_x16[c] = dc_x16[c] + ((v * 16 - dc_x16[c]) >> 3);
    win[base + c] = clamp(v - (dc_x16[c] >> 4), -32767, 32767);
  }
  win_next = win_next + 1 === WINDOW ? 0 : win_next + 1;
  if (win_filled < WINDOW) win_filled = win_filled + 1;
  step_count = step_count + 1;
  if (win_filled < WINDOW || step_count < STEP) return -1;
  step_count = 0;
  analyse();
  return 0;
}

/** Spectra of the window, artifact suppression, peak choice. */
function analyse(): void {
  // Motion: the accelerometer's power (DC removed) over the window.
  let power = 0;
  for (let n = 0; n < WINDOW; n++) {
    const b = n * CHANNELS;
    power = power + win[b + 1] * win[b + 1] + win[b + 2] * win[b + 2] + win[b + 3] * win[b + 3];
  }
  trk_moving = power > WINDOW * MOTION_RMS_MG * MOTION_RMS_MG;
  // Still: heart rate comes from beats (the estimate follows their seed), so the spectra,
  // the costly part, are not needed; the accelerometer's peaks are forgotten.
  if (!trk_moving) {
    for (let ax = 1; ax < CHANNELS; ax++) axis_max[ax] = 0;
    return;
  }
  // Per bin: rotate a Q14 phasor sample by sample (the bin's own angle step, itself
  // rotated from the previous bin's in Q24) and correlate all four channels with it.
  // Window: a squared triangle (smooth like Hann, no table), w <= 2500, so a product
  // stays below 2^41 and a sum below 2^48: exact in every engine.
  let tc = COS_FIRST_Q24;
  let ts = SIN_FIRST_Q24;
  let ppg_max = 1;
  for (let ax = 1; ax < CHANNELS; ax++) axis_max[CHANNELS + ax] = 0;
  for (let k = 0; k < BIN_COUNT; k++) {
    const sc = (tc + 512) >> 10;
    const ss = (ts + 512) >> 10;
    let c = 16384;
    let s = 0;
    let r0 = 0;
    let i0 = 0;
    let r1 = 0;
    let i1 = 0;
    let r2 = 0;
    let i2 = 0;
    let r3 = 0;
    let i3 = 0;
    for (let n = 0; n < WINDOW; n++) {
      const t = Math.min(n + 1, WINDOW - n);
      const w = t * t;
      let slot = win_next + n;
      if (slot >= WINDOW) slot = slot - WINDOW;
      const b = slot * CHANNELS;
      const x0 = win[b] * w;
      const x1 = win[b + 1] * w;
      const x2 = win[b + 2] * w;
      const x3 = win[b + 3] * w;
      r0 = r0 + x0 * c;
      i0 = i0 + x0 * s;
      r1 = r1 + x1 * c;
      i1 = i1 + x1 * s;
      r2 = r2 + x2 * c;
      i2 = i2 + x2 * s;
      r3 = r3 + x3 * c;
      i3 = i3 + x3 * s;
      const nc = (c * sc - s * ss + 8192) >> 14;
      s = (s * sc + c * ss + 8192) >> 14;
      c = nc;
    }
    const m0 = magnitude(r0, i0);
    spec_ppg[k] = m0;
    if (m0 > ppg_max) ppg_max = m0;
    // Each axis normalised by its peak in the previous window (2 s ago): the spectra need
    // not be stored to know their peaks first.
    let a = 0;
    for (let ax = 1; ax < CHANNELS; ax++) {
      const m = ax === 1 ? magnitude(r1, i1) : ax === 2 ? magnitude(r2, i2) : magnitude(r3, i3);
      if (m > axis_max[CHANNELS + ax]) axis_max[CHANNELS + ax] = m;
      if (axis_max[ax] > 0) a = Math.max(a, Math.min(1024, div_floor(m * 1024, axis_max[ax])));
    }
    spec_acc[k] = trk_moving ? a : 0;
    const nt = Math.floor((tc * COS_STEP_Q24 - ts * SIN_STEP_Q24) / Q24);
    ts = Math.floor((ts * COS_STEP_Q24 + tc * SIN_STEP_Q24) / Q24);
    tc = nt;
  }
  // Accelerometer peaks are known from the second window on (each axis is normalised by its
  // previous peak): until then a moving wearer's spectrum cannot be cleaned, so no start.
  const accel_known = axis_max[1] > 0 || axis_max[2] > 0 || axis_max[3] > 0;
  for (let ax = 1; ax < CHANNELS; ax++) axis_max[ax] = axis_max[CHANNELS + ax];
  if (trk_hr_bpm_x10 === 0 && trk_moving && !accel_known) return;
  // Candidates: local maxima of the PPG spectrum, each scaled down by the accelerometer's
  // strongest normalised peak within ACCEL_TOL_BINS, then weighted by closeness to the
  // previous estimate. Without an estimate yet, the strongest clean peak anywhere.
  const prev = trk_hr_bpm_x10;
  let best = -1;
  let best_score = 0;
  let best_clean = 0;
  let far = -1; // the strongest clean peak outside the tracking range
  let far_clean = 0;
  let clean_max = 1;
  for (let k = 0; k < BIN_COUNT; k++) {
    let am = 0;
    for (let j = k - ACCEL_TOL_BINS; j <= k + ACCEL_TOL_BINS; j++) {
      if (j >= 0 && j < BIN_COUNT && spec_acc[j] > am) am = spec_acc[j];
    }
    const c = div_floor(div_floor(spec_ppg[k] * 1024, ppg_max) * Math.max(0, 1024 - div_floor(am * SUPPRESS_X100, 100)), 1024);
    spec_clean[k] = c;
    if (c > clean_max) clean_max = c;
  }
  for (let k = 1; k < BIN_COUNT - 1; k++) {
    // Candidates are the PPG spectrum's own peaks (lowering a peak where the accelerometer
    // peaks must not turn its shoulder into a new one).
    if (spec_ppg[k] < spec_ppg[k - 1] || spec_ppg[k] < spec_ppg[k + 1]) continue;
    // Evidence relative to the strongest clean peak: motion may be ten times the pulse.
    const clean = div_floor(spec_clean[k] * 1024, clean_max);
    let score = clean;
    const bpm = BIN_FIRST_BPM + k * BIN_STEP_BPM;
    // A first estimate comes from the fundamental's range: a harmonic is often as strong.
    if (prev === 0 && bpm > ACQUIRE_BPM_MAX) continue;
    if (prev > 0) {
      const d = bpm - div_floor(prev, 10);
      if (d > RANGE_BPM || d < -RANGE_BPM) {
        if (clean > far_clean) {
          far_clean = clean;
          far = k;
        }
        continue;
      }
      score = div_floor(clean * PRIOR_K_BPM2, PRIOR_K_BPM2 + d * d);
    }
    if (score > best_score) {
      best_score = score;
      best_clean = clean;
      best = k;
    }
  }
  if (prev > 0 && far >= 0 && far_clean >= REACQ_CLEAN_X1024 && best_clean * 3 < far_clean) {
    reacq_count = reacq_bin >= 0 && far - reacq_bin <= 2 && reacq_bin - far <= 2 ? reacq_count + 1 : 1;
    reacq_bin = far;
  } else {
    reacq_count = 0;
    reacq_bin = -1;
  }
  if (reacq_count >= REACQ_WINDOWS) {
    trk_hr_bpm_x10 = (BIN_FIRST_BPM + far * BIN_STEP_BPM) * 10;
    trk_confidence = clamp(div_floor(far_clean * 50, 1024), 0, 100);
    reacq_count = 0;
    reacq_bin = -1;
    return;
  }
  if (best < 0 || best_clean < PEAK_MIN_X1024) {
    // No evidence: hold the estimate, trust it less.
    trk_confidence = trk_confidence >> 1;
    return;
  }
  // Parabolic interpolation between bins, on the PPG spectrum.
  const y0 = spec_ppg[best - 1];
  const y1 = spec_ppg[best];
  const y2 = spec_ppg[best + 1];
  const den = y0 - 2 * y1 + y2;
  let hr_x10 = (BIN_FIRST_BPM + best * BIN_STEP_BPM) * 10;
  if (den < 0) hr_x10 = hr_x10 + clamp(Math.floor(((y0 - y2) * 10 * BIN_STEP_BPM) / (2 * den)), -10, 10);
  if (prev > 0) hr_x10 = prev + clamp(hr_x10 - prev, -FALL_MAX_X10, RISE_MAX_X10);
  trk_hr_bpm_x10 = clamp(hr_x10, HR_MIN_X10, HR_MAX_X10);
  trk_confidence = clamp(div_floor(best_clean * 100, 1024), 0, 100);
}

/** |re + j im| / 2^16, within 4% (max + 0.4 min, never below max). */
function magnitude(re: number, im: number): number {
  const a = Math.floor(Math.abs(re) / 65536);
  const b = Math.floor(Math.abs(im) / 65536);
  const mx = Math.max(a, b);
  const mn = Math.min(a, b);
  return Math.max(mx, div_floor(mx * 123 + mn * 51, 128));
}
