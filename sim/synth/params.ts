// Parameters of the synthetic ring PPG model, with units, defaults and bounds. Every value
// used by a run is written into the fixture's meta.notes so the run can be reproduced.

export interface RingPpgParams {
  /** ADC resolution; samples lie in 0..2^adc_bits-1. */
  adc_bits: number;
  /** Raw photodiode level with the ring on the skin (DC of the reflected light). */
  dc_raw_counts: number;
  /** Raw level with no skin contact: ambient light and AFE offset only. */
  ambient_raw_counts: number;
  /** Pulse amplitude / DC (perfusion); ring PPG is about 0.5-2 %. */
  perfusion_ratio: number;
  /** Beat-to-beat amplitude variation, standard deviation relative to the mean pulse. */
  amplitude_jitter_ratio: number;
  /** Respiratory amplitude modulation of the pulse, relative. */
  amplitude_resp_ratio: number;
  /** Mean breathing rate; the instantaneous rate wobbles by resp_rate_wobble_ratio. */
  resp_rate_hz: number;
  resp_rate_wobble_ratio: number;
  /** Respiratory baseline wander amplitude, in mean pulse amplitudes. */
  resp_wander_ratio: number;
  /** Slow baseline drift (minutes) amplitude, in mean pulse amplitudes. */
  drift_ratio: number;
  /** White sensor noise, standard deviation. */
  white_noise_counts: number;
  /** 1/f-like sensor noise (sum of three first-order processes), standard deviation. */
  pink_noise_counts: number;
  /** Slow wander of the ambient level while there is no contact. */
  ambient_wander_counts: number;
  /** Change of coupling (DC and pulse gain) each time the ring is put back on, std. */
  contact_gain_jitter_ratio: number;
  /** Motion artifact amplitude at intensity 1, in mean pulse amplitudes. */
  motion_ppg_ratio: number;
  /** Motion acceleration amplitude at intensity 1. */
  motion_accel_mg: number;
  accel_noise_mg: number;
}

export const DEFAULT_RING_PPG_PARAMS: Readonly<RingPpgParams> = Object.freeze({
  adc_bits: 19,
  dc_raw_counts: 350000,
  ambient_raw_counts: 6000,
  perfusion_ratio: 0.01,
  amplitude_jitter_ratio: 0.05,
  amplitude_resp_ratio: 0.08,
  resp_rate_hz: 0.25,
  resp_rate_wobble_ratio: 0.12,
  resp_wander_ratio: 0.8,
  drift_ratio: 0.6,
  white_noise_counts: 20,
  pink_noise_counts: 40,
  ambient_wander_counts: 300,
  contact_gain_jitter_ratio: 0.05,
  motion_ppg_ratio: 6,
  motion_accel_mg: 350,
  accel_noise_mg: 4,
});

/** [min, max] of each parameter; outside them the model is not meaningful. */
const BOUNDS: Record<keyof RingPpgParams, [number, number]> = {
  adc_bits: [12, 24],
  dc_raw_counts: [1, 2 ** 24],
  ambient_raw_counts: [0, 2 ** 24],
  perfusion_ratio: [0.0005, 0.2],
  amplitude_jitter_ratio: [0, 0.5],
  amplitude_resp_ratio: [0, 0.5],
  resp_rate_hz: [0.05, 1],
  resp_rate_wobble_ratio: [0, 0.5],
  resp_wander_ratio: [0, 20],
  drift_ratio: [0, 20],
  white_noise_counts: [0, 1e5],
  pink_noise_counts: [0, 1e5],
  ambient_wander_counts: [0, 1e5],
  contact_gain_jitter_ratio: [0, 0.3],
  motion_ppg_ratio: [0, 100],
  motion_accel_mg: [0, 4000],
  accel_noise_mg: [0, 500],
};

/** Defaults overridden by `given`, each value checked against its bounds. */
export function resolveParams(given: Partial<RingPpgParams> = {}): RingPpgParams {
  const p: RingPpgParams = { ...DEFAULT_RING_PPG_PARAMS };
  for (const [key, value] of Object.entries(given) as [keyof RingPpgParams, number | undefined][]) {
    if (!(key in BOUNDS)) throw new RangeError(`unknown ring PPG parameter "${key}"`);
    if (value === undefined) continue;
    const [lo, hi] = BOUNDS[key];
    if (typeof value !== 'number' || !(value >= lo && value <= hi)) {
      throw new RangeError(`ring PPG parameter ${key} must be in ${lo}..${hi}, got ${value}`);
    }
    p[key] = value;
  }
  if (!Number.isInteger(p.adc_bits)) throw new RangeError(`adc_bits must be an integer, got ${p.adc_bits}`);
  const full_scale = 2 ** p.adc_bits - 1;
  if (p.dc_raw_counts >= full_scale || p.ambient_raw_counts >= p.dc_raw_counts) {
    throw new RangeError(`need ambient_raw_counts < dc_raw_counts < 2^adc_bits-1 (${full_scale})`);
  }
  return p;
}
