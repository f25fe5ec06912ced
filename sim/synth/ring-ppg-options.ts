// Options of the synthetic ring PPG generator and their checks. Resolved once, before any
// sample is generated, so a bad option fails fast with a message naming it.

import { resolveParams, type RingPpgParams } from './params.js';
import type { MotionBurst } from './motion.js';
import { NO_CONTACT_S_MIN, type NoContactPeriod } from './ring-ppg-model.js';

export const SAMPLE_RATE_HZ_DEFAULT = 100;
export const ACCEL_RATE_HZ_DEFAULT = 25;
/** 24 h; bounds the sample loops (8.6 M samples at 100 Hz). */
export const SYNTH_DURATION_S_MAX = 86400;
export const MOTION_BURST_S_MIN = 1;
export const MOTION_INTENSITY_MAX = 5;

/**
 * A stretch where the sensor shows something other than a clean pulse, the ring staying on:
 *  - "flat": the AFE output stuck at its on-skin level (no pulse, no noise);
 *  - "saturated": the photodiode at full scale (strong ambient light), the output pinned;
 *  - "noise": a loose ring seeing no pulse, only sensor noise of `level` pulse amplitudes
 *    (default 0.05) around the on-skin level;
 *  - "weak": a loose fit, every swing of the signal scaled by `level` (default 0.2).
 */
export interface SensorEpisode {
  kind: 'flat' | 'saturated' | 'noise' | 'weak';
  start_s: number;
  duration_s: number;
  level?: number;
}
export const SENSOR_EPISODE_KINDS = ['flat', 'saturated', 'noise', 'weak'] as const;

export interface RingPpgOptions {
  seed: number;
  /** Beat-to-beat intervals (ms) placing the pulses; must cover duration_s + 1 s. */
  rr_ms: Float64Array;
  /** Where rr_ms came from, e.g. "nsr2db:nsr001@10800s"; goes into meta.source. */
  rr_source: string;
  rr_license?: string;
  duration_s: number;
  /** Output rate; default 100 Hz. */
  sample_rate_hz?: number;
  /** Accelerometer rate; default 25 Hz; 0 leaves the accel channel out. */
  accel_rate_hz?: number;
  /** Default "synth-<seed>". */
  record?: string;
  motion?: MotionBurst[];
  no_contact?: NoContactPeriod[];
  episodes?: SensorEpisode[];
  /** Samples as raw photodiode counts (the pulse lowers them) instead of the inverted channel. */
  raw_counts?: boolean;
  /** Overrides of the model parameters (params.ts). */
  params?: Partial<RingPpgParams>;
}

export interface ResolvedOptions {
  seed: number;
  duration_s: number;
  sample_rate_hz: number;
  accel_rate_hz: number;
  record: string;
  motion: MotionBurst[];
  /** Sorted by start, non-overlapping. */
  no_contact: NoContactPeriod[];
  episodes: SensorEpisode[];
  raw_counts: boolean;
  params: RingPpgParams;
}

/** Defaults filled in and every option checked; throws RangeError/TypeError naming the option. */
export function resolveOptions(opts: RingPpgOptions): ResolvedOptions {
  const { seed, duration_s } = opts;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in 0..4294967295, got ${seed}`);
  }
  if (!(duration_s > 0 && duration_s <= SYNTH_DURATION_S_MAX)) {
    throw new RangeError(`duration_s must be in (0, ${SYNTH_DURATION_S_MAX}], got ${duration_s}`);
  }
  if (!(opts.rr_ms instanceof Float64Array)) throw new TypeError('rr_ms must be a Float64Array');
  const sample_rate_hz = opts.sample_rate_hz ?? SAMPLE_RATE_HZ_DEFAULT;
  if (!(sample_rate_hz >= 1 && sample_rate_hz <= 10000)) {
    throw new RangeError(`sample_rate_hz must be in 1..10000, got ${sample_rate_hz}`);
  }
  const accel_rate_hz = opts.accel_rate_hz ?? ACCEL_RATE_HZ_DEFAULT;
  if (!(accel_rate_hz === 0 || (accel_rate_hz >= 1 && accel_rate_hz <= 10000))) {
    throw new RangeError(`accel_rate_hz must be 0 or in 1..10000, got ${accel_rate_hz}`);
  }
  return {
    seed,
    duration_s,
    sample_rate_hz,
    accel_rate_hz,
    record: opts.record ?? `synth-${seed}`,
    motion: checkMotion(opts.motion ?? [], duration_s),
    no_contact: checkNoContact(opts.no_contact ?? [], duration_s),
    episodes: checkEpisodes(opts.episodes ?? [], duration_s),
    raw_counts: opts.raw_counts ?? false,
    params: resolveParams(opts.params),
  };
}

function checkMotion(bursts: MotionBurst[], duration_s: number): MotionBurst[] {
  return bursts.map((m) => {
    checkSpan('motion burst', m.start_s, m.duration_s, duration_s, MOTION_BURST_S_MIN);
    if (m.intensity !== undefined && !(m.intensity > 0 && m.intensity <= MOTION_INTENSITY_MAX)) {
      throw new RangeError(`motion intensity must be in (0, ${MOTION_INTENSITY_MAX}], got ${m.intensity}`);
    }
    return { ...m };
  });
}

function checkEpisodes(episodes: SensorEpisode[], duration_s: number): SensorEpisode[] {
  return episodes.map((e) => {
    if (!(SENSOR_EPISODE_KINDS as readonly string[]).includes(e.kind)) {
      throw new RangeError(`sensor episode kind must be one of ${SENSOR_EPISODE_KINDS.join(', ')}, got "${String(e.kind)}"`);
    }
    checkSpan(`${e.kind} episode`, e.start_s, e.duration_s, duration_s, 1);
    if (e.level !== undefined && !(e.level > 0 && e.level <= 1)) throw new RangeError(`${e.kind} episode level must be in (0, 1], got ${e.level}`);
    return { ...e };
  });
}

function checkNoContact(periods: NoContactPeriod[], duration_s: number): NoContactPeriod[] {
  const sorted = periods.map((n) => ({ ...n })).sort((a, b) => a.start_s - b.start_s);
  sorted.forEach((n, i) => {
    checkSpan('no-contact period', n.start_s, n.duration_s, duration_s, NO_CONTACT_S_MIN);
    const prev = sorted[i - 1];
    if (prev !== undefined && n.start_s < prev.start_s + prev.duration_s) throw new RangeError('no-contact periods overlap');
  });
  return sorted;
}

function checkSpan(what: string, start_s: number, length_s: number, duration_s: number, length_s_min: number): void {
  if (!(start_s >= 0 && length_s >= length_s_min && start_s + length_s <= duration_s)) {
    throw new RangeError(`${what} [${start_s}, +${length_s}] s must lie inside 0..${duration_s} s and last >= ${length_s_min} s`);
  }
}
