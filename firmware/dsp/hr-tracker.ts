// Heart rate while the wearer moves: spectral tracking with accelerometer-referenced
// artifact masking and a Bayesian (hidden-Markov) tracker over heart-rate bins.
//
// Motion moves blood and the sensor against the skin, so the PPG spectrum gains peaks at
// the movement's frequencies (steps, arm swing) and their harmonics, often much stronger
// than the pulse. The accelerometer sees those movements but not the pulse. Every 2 s the
// tracker takes the last 8 s of PPG and of each accelerometer axis at 12.5 Hz (the box sum
// of 2, 4 or 8 input samples), removes each window's mean, and computes power spectra with
// one fixed-point 256-point FFT (the 8 s window zero-padded) per pair of channels (two real signals in one complex FFT),
// 2.93 bpm per bin (refined between bins below) over 40..220 bpm. Then, after the published methods:
//  - artifact removal (the spectral subtraction of TROIKA, Zhang 2015, and the
//    accelerometer-referenced Wiener-style suppression of WFPV, Temko 2017): from the PPG
//    spectrum, normalised to its peak, each axis's normalised spectrum is subtracted with
//    its least-squares coupling, and the rest is multiplied by 1 - A, A the strongest
//    axis's normalised spectrum (a bin is 2.9 bpm wide), so a bin where the wrist's motion
//    peaks keeps little of its PPG power however strong that is;
//  - tracking (the spectral HMM of e.g. Fujita 2017, forward pass only, so causal): a
//    belief over the bins is spread by a heart-rate change of about 6 bpm per 2 s (a
//    heart cannot jump 30 bpm in one step, while exercise onset changes it ~3 bpm/s),
//    kept from collapsing by a small uniform share (0.1%, re-acquisition after a wrong
//    start or a lost track), then weighted by the masked spectrum plus a floor (a masked
//    bin loses evidence, it is not ruled out);
//  - estimate: the belief's strongest bin refined by parabolic interpolation on the masked
//    spectrum, smoothed 0.8 new / 0.2 previous.
// A rectangular 8 s window: its narrow main lobe separates the pulse from a motion line a
// few bpm away, which matters more here than the side lobes a taper would lower.
// The belief starts around the beat detector's heart rate when the wearer was still
// (sd 20 bpm), else around 80 bpm (sd 30 bpm). While the wearer is still (accelerometer RMS
// over the window below 50 mg) no spectrum is computed at all: heart rate then comes from
// beats, and the next bout of motion starts a fresh belief.
//
// Integer-only, allocation-free after boot, causal, bounded: per 2 s step two (three with
// a second PPG channel) 256-point FFTs, 8 x 128 butterflies each; twiddles are computed at
// boot by rotating one Q26 phasor.

import { clamp, div_floor } from "../lib/imath.js";

const DECIM_RATE_X2 = 25; // analysis rate 12.5 Hz (x2): 220 bpm (3.7 Hz) lies below its Nyquist
const WINDOW = 100; // 8 s at 12.5 Hz
const STEP = 25; // 2 s
const FFT_N = 256;
const FFT_HALF = 128;
const FFT_QUARTER = 64;
const FFT_STAGES = 8;
// cos and sin of 2 pi / 256 in Q26: the one rotation the twiddle table is built from.
const ROT_COS_Q26 = 67088652;
const ROT_SIN_Q26 = 1646934;
const Q26 = 67108864;
const TWIDDLE_SHIFT = 14; // twiddles in Q14
const INPUT_PEAK = 8191; // each channel's window is scaled to |x| <= 2^13 before its FFT
// One bin is 12.5 x 60 / 256 = 2.9296875 bpm = 46875 / 16 millibpm; bins per bpm x10 = 2560 / 750.
const BIN_MBPM_NUM = 46875;
const BIN_MBPM_DEN = 16;
const BINS_X10_PER_BPM_NUM = 2560;
const BINS_PER_BPM_DEN = 750;
const BIN_LO = 14; // 41.0 bpm: the first bin at or above 40 bpm
const BIN_HI = 75; // 219.7 bpm
const BINS = BIN_HI - BIN_LO + 1;
const CHANNELS_MAX = 5; // ppg, accel x, y, z, second ppg
const PPG_LIMIT = 16777216; // 2^24: a box sum of 8 stays below 2^27
const Q10 = 1024;
const MOTION_RMS_MG = 50; // accelerometer RMS (window mean removed) above which the wearer moves
const MASK_MIN_Q10 = 51; // a masked bin keeps at least 5% of its PPG power
const EVIDENCE_FLOOR_Q10 = 102; // likelihood floor: 10% of the strongest masked peak
const STEP_SD_BPM = 6; // heart-rate change per 2 s step (sd of the transition kernel)
const KERNEL_RADIUS = 7; // bins: beyond 3 sd
const UNIFORM_SHARE_DIV = 1000; // 0.1% of the belief spread evenly every step
const PRIOR_BPM = 80;
const PRIOR_SD_BPM = 30;
const SEED_SD_BPM = 20;
const BELIEF_PEAK = 65536; // the belief is rescaled to this peak every step
const SMOOTH_NEW_X5 = 4; // estimate <- previous + 4/5 (new - previous)
const HR_MIN_X10 = 400;
const HR_MAX_X10 = 2200;

// Twiddles: cos(2 pi k / 256) in Q14 for k = 0..128; sin(2 pi k / 256) = cos at |k - 64|.
const cos_q14 = new Int16Array(FFT_HALF + 1);
const bitrev = new Uint8Array(FFT_N); // indices below 256
const kernel_q10 = new Int32Array(2 * KERNEL_RADIUS + 1);
let kernel_sum = 1;

let decim = 2;
let decim_count = 0;
let ppg_channels = 1;
const acc_sum = new Int32Array(CHANNELS_MAX);
// The last WINDOW analysis samples (box sums), channel-interleaved, circular.
const win = new Int32Array(WINDOW * CHANNELS_MAX);
let win_next = 0;
let win_filled = 0;
let step_count = 0;
const fft_re = new Int16Array(FFT_N); // every stage stays below 2^14 (see fft)
const fft_im = new Int16Array(FFT_N);
const spec = new Int32Array(BINS * CHANNELS_MAX); // power per channel, bins BIN_LO..BIN_HI
const masked = new Int32Array(BINS); // masked PPG spectrum, Q10 of its peak
const belief = new Int32Array(BINS);
const spread = new Int32Array(BINS);
let belief_live = false;
let seed_bpm_x10 = 0;
let hr_mbpm = 0;

/** The estimate (bpm x10, 0 = none yet), its confidence 0..100, and whether the wearer moves. */
export let trk_hr_bpm_x10 = 0;
export let trk_confidence = 0;
export let trk_moving = false;

/** Start afresh at a sample rate, with one or two PPG channels. */
export function tracker_boot(sample_rate_hz: number, ppg_count: number): void {
  decim = Math.max(1, div_floor(sample_rate_hz * 2, DECIM_RATE_X2));
  ppg_channels = ppg_count >= 2 ? 2 : 1;
  build_tables();
  decim_count = 0;
  for (let c = 0; c < CHANNELS_MAX; c++) acc_sum[c] = 0;
  win_next = 0;
  win_filled = 0;
  step_count = 0;
  belief_live = false;
  seed_bpm_x10 = 0;
  hr_mbpm = 0;
  trk_hr_bpm_x10 = 0;
  trk_confidence = 0;
  trk_moving = false;
}

/** The beat detector's heart rate while the wearer is still: the estimate follows it. */
export function tracker_seed(hr_bpm_x10: number): void {
  if (trk_moving) return;
  seed_bpm_x10 = clamp(hr_bpm_x10, HR_MIN_X10, HR_MAX_X10);
  trk_hr_bpm_x10 = seed_bpm_x10;
}

/**
 * One input sample: PPG x (and x2, a second PPG channel, read when booted with two) and
 * acceleration in mg. Returns 0 when a new estimate is in trk_* (every 2 s once 8 s are
 * buffered), else -1.
 */
export function tracker_push(x: number, x2: number, ax_mg: number, ay_mg: number, az_mg: number): number {
  // Called for every sample: no calls, module arrays read once.
  const sums = acc_sum;
  sums[0] = sums[0] + (x > PPG_LIMIT ? PPG_LIMIT : x < -PPG_LIMIT ? -PPG_LIMIT : x);
  sums[1] = sums[1] + ax_mg;
  sums[2] = sums[2] + ay_mg;
  sums[3] = sums[3] + az_mg;
  sums[4] = sums[4] + (x2 > PPG_LIMIT ? PPG_LIMIT : x2 < -PPG_LIMIT ? -PPG_LIMIT : x2);
  decim_count = decim_count + 1;
  if (decim_count < decim) return -1;
  decim_count = 0;
  const base = win_next * CHANNELS_MAX;
  const w = win;
  for (let c = 0; c < CHANNELS_MAX; c++) {
    w[base + c] = sums[c];
    sums[c] = 0;
  }
  win_next = win_next + 1 === WINDOW ? 0 : win_next + 1;
  if (win_filled < WINDOW) win_filled = win_filled + 1;
  step_count = step_count + 1;
  if (win_filled < WINDOW || step_count < STEP) return -1;
  step_count = 0;
  analyse();
  return 0;
}

function build_tables(): void {
  // cos for k = 0..64 by repeated rotation in Q26 (products below 2^53: exact), the rest
  // by symmetry; rounding drifts by ~64 x 2^-26, far below one Q14 step.
  let c = Q26;
  let s = 0;
  for (let k = 0; k <= FFT_QUARTER; k++) {
    cos_q14[k] = Math.floor((c + 2048) / 4096);
    cos_q14[FFT_HALF - k] = -cos_q14[k];
    const nc = Math.floor((c * ROT_COS_Q26 - s * ROT_SIN_Q26 + 33554432) / Q26);
    s = Math.floor((s * ROT_COS_Q26 + c * ROT_SIN_Q26 + 33554432) / Q26);
    c = nc;
  }
  cos_q14[FFT_QUARTER] = 0;
  for (let i = 0; i < FFT_N; i++) {
    let r = 0;
    let v = i;
    for (let b = 0; b < FFT_STAGES; b++) {
      r = (r << 1) | (v & 1);
      v = v >> 1;
    }
    bitrev[i] = r;
  }
  const v = two_var_x100(STEP_SD_BPM);
  kernel_sum = 0;
  for (let j = -KERNEL_RADIUS; j <= KERNEL_RADIUS; j++) {
    const w = gauss_like(j * 10, v, Q10);
    kernel_q10[j + KERNEL_RADIUS] = w;
    kernel_sum = kernel_sum + w;
  }
}

/** 2 sd^2 in (bins x 10)^2 for an sd in bpm. */
function two_var_x100(sd_bpm: number): number {
  return div_floor(2 * sd_bpm * sd_bpm * BINS_X10_PER_BPM_NUM * BINS_X10_PER_BPM_NUM, BINS_PER_BPM_DEN * BINS_PER_BPM_DEN);
}

/**
 * scale / (1 + u + u^2 / 2) with u = d^2 / v (d in bins x 10, v from two_var_x100): the
 * reciprocal of exp's second-order expansion, a Gaussian-like bump with heavier tails
 * (integer, no exp).
 */
function gauss_like(d_x10: number, v: number, scale: number): number {
  const dd = d_x10 * d_x10;
  return div_floor(scale * v, v + dd + div_floor(dd * dd, 2 * v));
}

function analyse(): void {
  // Motion: the accelerometer's power around each axis's window mean.
  let power = 0;
  for (let c = 1; c <= 3; c++) power = power + window_power(c);
  trk_moving = power > WINDOW * MOTION_RMS_MG * MOTION_RMS_MG * decim * decim; // the box sums are x decim
  if (!trk_moving) {
    // Still: beats give the heart rate; the costly spectra are skipped.
    belief_live = false;
    hr_mbpm = 0;
    trk_confidence = 0;
    return;
  }
  // Spectra: (ppg, accel x) and (accel y, accel z) share an FFT; a second PPG its own.
  spectra_pair(0, 1);
  spectra_pair(2, 3);
  if (ppg_channels === 2) spectra_pair(4, -1);
  mask_ppg();
  track();
}

/** Channel c's power around its window mean, in box-sum units squared. */
function window_power(c: number): number {
  const w = win;
  let sum = 0;
  for (let n = 0; n < WINDOW; n++) sum = sum + w[n * CHANNELS_MAX + c];
  const mean = Math.floor(sum / WINDOW);
  let p = 0;
  for (let n = 0; n < WINDOW; n++) {
    const d = w[n * CHANNELS_MAX + c] - mean;
    p = p + d * d;
  }
  return p;
}

/** Loads channel c's window, mean removed and scaled to |x| <= INPUT_PEAK, into dst[0..WINDOW). */
function load_channel(c: number, dst: Int16Array): void {
  const w = win;
  let sum = 0;
  for (let n = 0; n < WINDOW; n++) sum = sum + w[n * CHANNELS_MAX + c];
  const mean = Math.floor(sum / WINDOW);
  let peak = 1;
  for (let n = 0; n < WINDOW; n++) {
    const d = w[n * CHANNELS_MAX + c] - mean;
    if (d > peak) peak = d;
    else if (-d > peak) peak = -d;
  }
  // One division: |d| <= peak, so d x scale stays below 2^29 and the shift is exact.
  const scale = Math.floor((INPUT_PEAK * 65536) / peak);
  // Oldest sample first: the window starts at win_next.
  let slot = win_next;
  for (let n = 0; n < WINDOW; n++) {
    dst[n] = ((w[slot * CHANNELS_MAX + c] - mean) * scale) >> 16;
    slot = slot + 1 === WINDOW ? 0 : slot + 1;
  }
  for (let n = WINDOW; n < FFT_N; n++) dst[n] = 0;
}

/** Power spectra of channels a and b (b < 0: none) into spec, through one complex FFT. */
function spectra_pair(a: number, b: number): void {
  load_channel(a, fft_re);
  if (b >= 0) load_channel(b, fft_im);
  else for (let n = 0; n < FFT_N; n++) fft_im[n] = 0;
  fft();
  // Z = X_a + j X_b with X_a, X_b the spectra of real signals: X_a[k] = (Z[k] + Z*[N-k]) / 2,
  // X_b[k] = (Z[k] - Z*[N-k]) / 2j. The powers below are 4 |X|^2 (the 1/2 dropped).
  const re = fft_re;
  const im = fft_im;
  const out = spec;
  for (let i = 0; i < BINS; i++) {
    const k = BIN_LO + i;
    const zr = re[k];
    const zi = im[k];
    const wr = re[FFT_N - k];
    const wi = im[FFT_N - k];
    const ar = zr + wr;
    const ai = zi - wi;
    out[a * BINS + i] = ar * ar + ai * ai;
    if (b >= 0) {
      const br = zi + wi;
      const bi = zr - wr;
      out[b * BINS + i] = br * br + bi * bi;
    }
  }
}

/**
 * In-place radix-2 decimation-in-time FFT of fft_re + j fft_im, halved at every stage.
 * The arrays are read through locals: an engine resolves a local in a register, a
 * module-level name through its scope chain (Duktape: twice the cost of the whole FFT).
 */
function fft(): void {
  const re = fft_re;
  const im = fft_im;
  const cs = cos_q14;
  const rev = bitrev;
  for (let i = 0; i < FFT_N; i++) {
    const r = rev[i];
    if (r > i) {
      const tr = re[i];
      re[i] = re[r];
      re[r] = tr;
      const ti = im[i];
      im[i] = im[r];
      im[r] = ti;
    }
  }
  // |x| <= 2^13 in, halving keeps every stage's values below 2^14 (Int16), so each product
  // is below 2^28: 32-bit shifts are exact.
  let half = 1;
  let stride = FFT_HALF;
  for (let stage = 0; stage < FFT_STAGES; stage++) {
    const span = 2 * half;
    for (let j = 0; j < half; j++) {
      const t = j * stride;
      const wr = cs[t];
      const u = t - FFT_QUARTER;
      const wi = -cs[u < 0 ? -u : u]; // e^{-j 2 pi t / N}: -sin
      for (let g = 0; g < stride; g++) {
        const p = j + g * span;
        const q = p + half;
        const xr = re[q];
        const xi = im[q];
        const tr = (xr * wr - xi * wi) >> TWIDDLE_SHIFT;
        const ti = (xr * wi + xi * wr) >> TWIDDLE_SHIFT;
        const pr = re[p];
        const pi = im[p];
        re[q] = (pr - tr) >> 1;
        im[q] = (pi - ti) >> 1;
        re[p] = (pr + tr) >> 1;
        im[p] = (pi + ti) >> 1;
      }
    }
    half = half << 1;
    stride = stride >> 1;
  }
}

/**
 * masked[i]: the PPG power (mean of the channels' spectra, each normalised to its peak)
 * with the accelerometer's share taken off, Q10 of its peak. Two steps:
 *  - subtraction: for each axis in turn, its normalised spectrum scaled by the least-squares
 *    coupling c = <R, A> / <A, A> (c >= 0) is subtracted from the remainder R, which removes
 *    a motion line together with its side lobes however much stronger than the pulse it is;
 *  - mask: what remains is multiplied by 1 - A, A the strongest axis's normalised power at
 *    the bin (at least 5% kept), for motion the linear fit leaves behind.
 */
function mask_ppg(): void {
  normalise(0);
  normalise(1);
  normalise(2);
  normalise(3);
  if (ppg_channels === 2) {
    normalise(4);
    for (let i = 0; i < BINS; i++) spec[i] = (spec[i] + spec[4 * BINS + i]) >> 1;
  }
  for (let i = 0; i < BINS; i++) masked[i] = spec[i];
  for (let c = 1; c <= 3; c++) {
    let ra = 0;
    let aa = 0;
    for (let i = 0; i < BINS; i++) {
      const a = spec[c * BINS + i];
      ra = ra + masked[i] * a;
      aa = aa + a * a;
    }
    if (ra <= 0 || aa <= 0) continue;
    const c_q10 = div_floor(ra * Q10, aa);
    for (let i = 0; i < BINS; i++) masked[i] = masked[i] - ((c_q10 * spec[c * BINS + i]) >> 10);
  }
  let top = 1;
  for (let i = 0; i < BINS; i++) {
    const acc = Math.max(spec[BINS + i], spec[2 * BINS + i], spec[3 * BINS + i]);
    const m = (Math.max(0, masked[i]) * Math.max(MASK_MIN_Q10, Q10 - acc)) >> 10;
    masked[i] = m;
    if (m > top) top = m;
  }
  for (let i = 0; i < BINS; i++) masked[i] = div_floor(masked[i] * Q10, top);
}

/** Channel c's spectrum in place as Q10 of its peak. */
function normalise(c: number): void {
  let p = 1;
  for (let i = 0; i < BINS; i++) p = Math.max(p, spec[c * BINS + i]);
  for (let i = 0; i < BINS; i++) spec[c * BINS + i] = div_floor(spec[c * BINS + i] * Q10, p);
}

function track(): void {
  if (!belief_live) {
    // A fresh belief: around the beat detector's rate if the wearer was still before.
    const mu_x10 = seed_bpm_x10 > 0 ? div_floor(seed_bpm_x10 * BINS_X10_PER_BPM_NUM, 10 * BINS_PER_BPM_DEN) : div_floor(PRIOR_BPM * BINS_X10_PER_BPM_NUM, BINS_PER_BPM_DEN);
    const v = two_var_x100(seed_bpm_x10 > 0 ? SEED_SD_BPM : PRIOR_SD_BPM);
    for (let i = 0; i < BINS; i++) belief[i] = gauss_like((BIN_LO + i) * 10 - mu_x10, v, BELIEF_PEAK) + 65;
    belief_live = true;
  } else {
    // Predict: spread by the heart rate's possible change, plus a uniform share.
    let total = 0;
    const bel = belief;
    const ker = kernel_q10;
    for (let i = 0; i < BINS; i++) {
      let s = 0;
      const lo = i < KERNEL_RADIUS ? 0 : i - KERNEL_RADIUS;
      const hi = i + KERNEL_RADIUS >= BINS ? BINS - 1 : i + KERNEL_RADIUS;
      for (let j = lo; j <= hi; j++) s = s + bel[j] * ker[j - i + KERNEL_RADIUS];
      const v = Math.floor(s / kernel_sum);
      spread[i] = v;
      total = total + v;
    }
    const share = Math.max(1, div_floor(total, BINS * UNIFORM_SHARE_DIV));
    for (let i = 0; i < BINS; i++) belief[i] = spread[i] - div_floor(spread[i], UNIFORM_SHARE_DIV) + share;
  }
  // Update with the masked spectrum's evidence, rescale to a fixed peak.
  let top = 1;
  let best = 0;
  for (let i = 0; i < BINS; i++) {
    const b = belief[i] * (masked[i] + EVIDENCE_FLOOR_Q10);
    belief[i] = b >> 10;
    if (b > top) {
      top = b;
      best = i;
    }
  }
  let total = 0;
  let near = 0;
  for (let i = 0; i < BINS; i++) {
    belief[i] = Math.floor(((belief[i] + 1) * BELIEF_PEAK) / ((top >> 10) + 1));
    total = total + belief[i];
    if (i >= best - 2 && i <= best + 2) near = near + belief[i];
  }
  // Sub-bin: parabola through the masked spectrum at the chosen bin and its neighbours.
  let frac_q10 = 0;
  if (best > 0 && best < BINS - 1) {
    const y0 = masked[best - 1];
    const y1 = masked[best];
    const y2 = masked[best + 1];
    const den = y0 - 2 * y1 + y2;
    if (den < 0) frac_q10 = clamp(Math.floor(((y0 - y2) * 512) / den), -512, 512);
  }
  const new_mbpm = Math.floor((((BIN_LO + best) * Q10 + frac_q10) * BIN_MBPM_NUM) / (BIN_MBPM_DEN * Q10));
  if (hr_mbpm === 0) hr_mbpm = new_mbpm;
  else hr_mbpm = hr_mbpm + Math.floor(((new_mbpm - hr_mbpm) * SMOOTH_NEW_X5) / 5);
  trk_hr_bpm_x10 = clamp(div_floor(hr_mbpm + 50, 100), HR_MIN_X10, HR_MAX_X10);
  // Confidence: the belief's share within +-2 bins (3 bpm) of the estimate.
  trk_confidence = clamp(div_floor(near * 100, Math.max(1, total)), 0, 100);
}
