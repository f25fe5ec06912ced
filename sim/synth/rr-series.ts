// RR-interval series that drive the synthetic PPG: real NN intervals from the nsr2db
// recordings in ../shared/datasets, or, when that folder is absent, a seeded generator
// with respiratory sinus arrhythmia, a Mayer-wave component and slow drift.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fail } from '../fixture/errors.js';
import { Prng } from '../prng.js';

export interface RrSeries {
  /** Beat-to-beat intervals, ms. */
  rr_ms: Float64Array;
  /** Time of each interval's first beat in the source recording, s (for windows). */
  start_s: Float64Array;
  /** Where the intervals came from, e.g. "nsr2db:nsr001" or "generated:seed=3,hr=150". */
  source: string;
  license: string;
}

/** Intervals longer than this span a recording gap or a missed beat, not one heartbeat. */
export const NN_INTERVAL_MS_MAX = 2000;
export const RR_MS_MIN = 250;
export const RR_MS_MAX = 2000;
/** 2^22 intervals: over 40 days at 90 bpm; bounds every loop below. */
export const RR_COUNT_MAX = 1 << 22;

/**
 * NN intervals of a beat-annotation record: only between two consecutive "N" beats, and
 * only those up to NN_INTERVAL_MS_MAX.
 */
export function nnIntervals(beat_idx: ArrayLike<number>, labels: string, fs_hz: number): RrSeries {
  if (labels.length !== beat_idx.length) throw new RangeError(`${labels.length} labels for ${beat_idx.length} beats`);
  if (!(fs_hz > 0)) throw new RangeError(`fs_hz must be > 0, got ${fs_hz}`);
  const rr: number[] = [];
  const start: number[] = [];
  for (let i = 1; i < beat_idx.length && i <= RR_COUNT_MAX; i++) {
    if (labels[i] !== 'N' || labels[i - 1] !== 'N') continue;
    const rr_ms = ((beat_idx[i] - beat_idx[i - 1]) * 1000) / fs_hz;
    if (rr_ms > NN_INTERVAL_MS_MAX || rr_ms <= 0) continue;
    rr.push(rr_ms);
    start.push(beat_idx[i - 1] / fs_hz);
  }
  return { rr_ms: Float64Array.from(rr), start_s: Float64Array.from(start), source: 'nn', license: '' };
}

/** Reads `<datasets_dir>/nsr2db/<record>.json` and returns its NN intervals. */
export function loadNsrRrSeries(record: string, datasets_dir: string): RrSeries {
  const file = path.join(datasets_dir, 'nsr2db', `${record}.json`);
  if (!existsSync(file)) fail(file, 'no such nsr2db record');
  let d: { fs?: unknown; ref_beats?: unknown; ref_labels?: unknown; license?: unknown };
  try {
    d = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(file, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof d.fs !== 'number' || !Array.isArray(d.ref_beats) || typeof d.ref_labels !== 'string') {
    fail(file, 'expected fields fs (number), ref_beats (array) and ref_labels (string)');
  }
  const nn = nnIntervals(d.ref_beats as number[], d.ref_labels, d.fs);
  nn.source = `nsr2db:${record}`;
  nn.license = typeof d.license === 'string' ? d.license : 'see ../shared/datasets/README.md';
  return nn;
}

/**
 * The intervals whose first beat lies at or after `offset_s` in the source recording,
 * enough to cover `duration_s` (plus one interval). Throws when the record is too short.
 */
export function rrWindow(series: RrSeries, offset_s: number, duration_s: number): RrSeries {
  let first = 0;
  while (first < series.rr_ms.length && series.start_s[first] < offset_s) first++;
  let covered_ms = 0;
  let last = first;
  while (last < series.rr_ms.length && covered_ms <= duration_s * 1000) covered_ms += series.rr_ms[last++];
  if (covered_ms <= duration_s * 1000) {
    const covered = `${(covered_ms / 1000).toFixed(1)} s of intervals after ${offset_s} s`;
    throw new RangeError(`${series.source} has ${covered}, need ${duration_s} s`);
  }
  return {
    rr_ms: series.rr_ms.slice(first, last),
    start_s: series.start_s.slice(first, last),
    source: `${series.source}@${offset_s}s`,
    license: series.license,
  };
}

export interface GeneratedRrOptions {
  seed: number;
  duration_s: number;
  /** Mean heart rate. */
  hr_bpm: number;
  /** Peak-to-peak RR swing with breathing (respiratory sinus arrhythmia). */
  rsa_ms?: number;
  resp_rate_hz?: number;
  /** Peak-to-peak RR swing of the ~0.1 Hz Mayer wave. */
  mayer_ms?: number;
  /** Slow heart-rate drift amplitude (minutes-long wander). */
  drift_bpm?: number;
  /** Beat-to-beat white jitter, standard deviation. */
  jitter_ms?: number;
}

/** A seeded RR series; the fallback when ../shared is absent and the source for high rates. */
export function generateRrSeries(opts: GeneratedRrOptions): RrSeries {
  const { seed, duration_s, hr_bpm } = opts;
  if (!(duration_s > 0 && duration_s <= 86400 * 7)) throw new RangeError(`duration_s must be in (0, 604800], got ${duration_s}`);
  if (!(hr_bpm >= 30 && hr_bpm <= 240)) throw new RangeError(`hr_bpm must be in 30..240, got ${hr_bpm}`);
  const rsa_ms = opts.rsa_ms ?? 40;
  const resp_rate_hz = opts.resp_rate_hz ?? 0.25;
  const mayer_ms = opts.mayer_ms ?? 20;
  const drift_bpm = opts.drift_bpm ?? 4;
  const jitter_ms = opts.jitter_ms ?? 8;
  const prng = new Prng(seed);
  const phase = [0, 1, 2, 3].map(() => 2 * Math.PI * prng.nextUnit());
  const jitter = prng.fork(1);
  const rr: number[] = [];
  const start: number[] = [];
  let t_s = 0;
  while (t_s <= duration_s + RR_MS_MAX / 1000 && rr.length < RR_COUNT_MAX) {
    // Two incommensurate slow sines stand in for a random walk of the rate (bounded, smooth).
    const wander = 0.6 * Math.sin((2 * Math.PI * t_s) / 173 + phase[0]) + 0.4 * Math.sin((2 * Math.PI * t_s) / 67 + phase[1]);
    const drift = drift_bpm * wander;
    const base_ms = 60000 / (hr_bpm + drift);
    const rsa = (rsa_ms / 2) * Math.sin(2 * Math.PI * resp_rate_hz * t_s + phase[2]);
    const mayer = (mayer_ms / 2) * Math.sin(2 * Math.PI * 0.1 * t_s + phase[3]);
    const rr_ms = Math.min(RR_MS_MAX, Math.max(RR_MS_MIN, base_ms + rsa + mayer + jitter_ms * jitter.nextGaussian()));
    rr.push(rr_ms);
    start.push(t_s);
    t_s += rr_ms / 1000;
  }
  const params =
    `seed=${seed},hr=${hr_bpm},rsa=${rsa_ms},resp=${resp_rate_hz},` + `mayer=${mayer_ms},drift=${drift_bpm},jitter=${jitter_ms}`;
  return {
    rr_ms: Float64Array.from(rr),
    start_s: Float64Array.from(start),
    source: `generated:${params}`,
    license: 'generated by ring-sim (no third-party data)',
  };
}

/** Mean heart rate of a series, bpm (for summaries and tests). */
export function meanHrBpm(rr_ms: Float64Array): number {
  if (rr_ms.length === 0) return 0;
  let sum_ms = 0;
  for (let i = 0; i < rr_ms.length; i++) sum_ms += rr_ms[i];
  return 60000 / (sum_ms / rr_ms.length);
}
