// Named generator set-ups: the fixtures the project ships (fixtures/synth/) and the
// defaults of `ring fixture synth`. One place, so the script, the CLI and the tests that
// regenerate shipped files all build exactly the same options.

import type { MotionBurst } from './motion.js';
import type { RingPpgOptions } from './ring-ppg-options.js';
import type { NoContactPeriod } from './ring-ppg-model.js';
import { generateRrSeries, loadNsrRrSeries, rrWindow, type GeneratedRrOptions, type RrSeries } from './rr-series.js';

/** Extra seconds of RR beyond the duration: the model wants 1 s; keep a margin. */
const RR_MARGIN_S = 5;

export interface NsrRrSpec {
  record: string;
  offset_s: number;
}

export interface ShippedFixtureSpec {
  /** File name inside fixtures/synth/. */
  file: string;
  /** Real RR intervals when ../shared/datasets is present... */
  nsr?: NsrRrSpec;
  /** ...and this generator otherwise (or always, without `nsr`). */
  generated: Omit<GeneratedRrOptions, 'duration_s'>;
  options: Omit<RingPpgOptions, 'rr_ms' | 'rr_source' | 'rr_license'>;
}

export const SHIPPED_FIXTURES: readonly ShippedFixtureSpec[] = [
  {
    file: 'synth-rest.ringfx',
    // 3 h into nsr001: ~75 bpm, RMSSD ~21 ms, no ectopic beats.
    nsr: { record: 'nsr001', offset_s: 10800 },
    generated: { seed: 101, hr_bpm: 75, rsa_ms: 40 },
    options: { seed: 101, record: 'synth-rest', duration_s: 360, sample_rate_hz: 100 },
  },
  {
    file: 'synth-sleep.ringfx',
    // 15.5 h into nsr004 (night): ~53 bpm, RMSSD ~54 ms. Sleep: slower breathing, warmer
    // fingers (higher perfusion), less drift.
    nsr: { record: 'nsr004', offset_s: 55800 },
    generated: { seed: 202, hr_bpm: 54, rsa_ms: 90, mayer_ms: 40, jitter_ms: 25, resp_rate_hz: 0.22 },
    options: {
      seed: 202,
      record: 'synth-sleep',
      duration_s: 360,
      sample_rate_hz: 100,
      params: { resp_rate_hz: 0.22, perfusion_ratio: 0.015, resp_wander_ratio: 1.0, drift_ratio: 0.3 },
    },
  },
  {
    file: 'synth-high-hr.ringfx',
    // Exercise-like: 130-170 bpm, little variability, faster breathing, lower perfusion.
    generated: { seed: 303, hr_bpm: 150, drift_bpm: 12, rsa_ms: 8, mayer_ms: 6, jitter_ms: 3, resp_rate_hz: 0.45 },
    options: {
      seed: 303,
      record: 'synth-high-hr',
      duration_s: 120,
      sample_rate_hz: 100,
      params: { resp_rate_hz: 0.45, perfusion_ratio: 0.007, resp_wander_ratio: 0.6 },
    },
  },
  {
    file: 'synth-motion-nocontact.ringfx',
    // 6 h into nsr001 (~83 bpm); two motion bursts and the ring off for 20 s.
    nsr: { record: 'nsr001', offset_s: 21600 },
    generated: { seed: 404, hr_bpm: 82, rsa_ms: 30 },
    options: {
      seed: 404,
      record: 'synth-motion-nocontact',
      duration_s: 240,
      sample_rate_hz: 100,
      motion: [
        { start_s: 45, duration_s: 12, intensity: 1 },
        { start_s: 160, duration_s: 8, intensity: 1.5 },
      ],
      no_contact: [{ start_s: 100, duration_s: 20 }],
    },
  },
];

/** RR series for a spec: real NN intervals when the datasets are there, else generated. */
export function rrForSpec(spec: ShippedFixtureSpec, datasets_dir: string | undefined): RrSeries {
  const duration_s = spec.options.duration_s + RR_MARGIN_S;
  if (spec.nsr !== undefined && datasets_dir !== undefined) {
    return rrWindow(loadNsrRrSeries(spec.nsr.record, datasets_dir), spec.nsr.offset_s, duration_s);
  }
  return generateRrSeries({ ...spec.generated, duration_s });
}

/** Full generator options for a shipped fixture. */
export function shippedOptions(spec: ShippedFixtureSpec, datasets_dir: string | undefined): RingPpgOptions {
  const rr = rrForSpec(spec, datasets_dir);
  return { ...spec.options, rr_ms: rr.rr_ms, rr_source: rr.source, rr_license: rr.license };
}

export interface CliSynthOptions {
  seed: number;
  duration_s: number;
  sample_rate_hz: number;
  hr_bpm: number;
  motion: boolean;
  no_contact: boolean;
  record?: string;
}

/**
 * `ring fixture synth`: generated RR; motion bursts at 20 % and 55 % of the duration and
 * one no-contact period at 75 %, each a fixed share of the duration within bounds.
 */
export function cliSynthOptions(o: CliSynthOptions): RingPpgOptions {
  const d = o.duration_s;
  const rr = generateRrSeries({ seed: o.seed, hr_bpm: o.hr_bpm, duration_s: d + RR_MARGIN_S });
  const burst_s = Math.min(15, Math.max(1, 0.08 * d));
  const motion: MotionBurst[] = o.motion
    ? [
        { start_s: round3(0.2 * d), duration_s: round3(burst_s), intensity: 1 },
        { start_s: round3(0.55 * d), duration_s: round3(burst_s), intensity: 1.5 },
      ]
    : [];
  const no_contact: NoContactPeriod[] = o.no_contact
    ? [{ start_s: round3(0.75 * d), duration_s: round3(Math.min(20, Math.max(1, 0.1 * d))) }]
    : [];
  return {
    seed: o.seed,
    record: o.record ?? `synth-${o.seed}`,
    duration_s: d,
    sample_rate_hz: o.sample_rate_hz,
    rr_ms: rr.rr_ms,
    rr_source: rr.source,
    rr_license: rr.license,
    motion,
    no_contact,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
