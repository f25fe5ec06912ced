// The ring configuration a replay runs with (`ring replay --config`, a `ring ci` manifest's
// "config"): the keys of the protocol's config command (PROTOCOL.md section 8.3), checked
// here against the same bounds the ring applies (protocol/ids.ts), so a bad value is the
// user's error, named by its key, before any replay starts. The replay then sets it over
// the simulated link as a host does (host/client/replay-protocol.ts).

import fs from 'node:fs';
import {
  HR_PERIOD_S_MAX,
  HRV_LONG_S_DEFAULT,
  HRV_LONG_S_MAX,
  HRV_LONG_S_MIN,
  HRV_SHORT_S_DEFAULT,
  HRV_SHORT_S_MAX,
  HRV_SHORT_S_MIN,
  HRV_WINDOW_STEP_S,
  PPG_BATCH_MIN,
  PPG_BATCH_SAMPLES_MAX,
  PPG_DECIMATION_MAX,
  PPG_DECIMATION_MIN,
} from '../../protocol/ids.js';
import type { ReplayConfig } from '../../sim/replay-types.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const RATES_HZ = [25, 50, 100];
export const CONFIG_KEYS = ['sample_rate_hz', 'hrv_short_s', 'hrv_long_s', 'stream', 'hrs'] as const;
export const STREAM_KEYS = ['ppg_decim', 'ppg_batch', 'hr_period_s'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function uint(v: unknown, key: string, lo: number, hi: number, step: number, fail: (m: string) => never): number {
  const ok = typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi && v % step === 0;
  if (!ok) fail(`config.${key} must be ${step > 1 ? `a multiple of ${step} in` : 'an integer in'} ${lo}..${hi}, got ${show(v)}`);
  return v as number;
}

/**
 * A configuration from JSON data: every key known, each value of its type and in its
 * range, the long HRV window longer than the short one once merged with the ring's
 * defaults. `where` prefixes each error ("m.json: sessions[2] (id)").
 */
export function parseReplayConfig(value: unknown, where: string): ReplayConfig {
  const fail = (m: string): never => {
    throw new ConfigError(`${where}: ${m}`);
  };
  if (!isObj(value)) fail(`config must be an object {${CONFIG_KEYS.join(', ')}}, got ${show(value)}`);
  const v = value as Obj;
  for (const k of Object.keys(v)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k)) fail(`unknown config key "${k}" (expected ${CONFIG_KEYS.join(', ')})`);
  }
  const out: ReplayConfig = {};
  if (v.sample_rate_hz !== undefined) {
    if (typeof v.sample_rate_hz !== 'number' || !RATES_HZ.includes(v.sample_rate_hz)) {
      fail(`config.sample_rate_hz must be one of ${RATES_HZ.join(', ')}, got ${show(v.sample_rate_hz)}`);
    }
    out.sample_rate_hz = v.sample_rate_hz as number;
  }
  if (v.hrv_short_s !== undefined) out.hrv_short_s = uint(v.hrv_short_s, 'hrv_short_s', HRV_SHORT_S_MIN, HRV_SHORT_S_MAX, HRV_WINDOW_STEP_S, fail);
  if (v.hrv_long_s !== undefined) out.hrv_long_s = uint(v.hrv_long_s, 'hrv_long_s', HRV_LONG_S_MIN, HRV_LONG_S_MAX, HRV_WINDOW_STEP_S, fail);
  const short_s = out.hrv_short_s ?? HRV_SHORT_S_DEFAULT;
  const long_s = out.hrv_long_s ?? HRV_LONG_S_DEFAULT;
  // The ring checks the merged windows the same way and names hrv_long_s.
  if (long_s <= short_s) fail(`config.hrv_long_s (${long_s}) must be longer than hrv_short_s (${short_s})`);
  if (v.stream !== undefined) {
    if (!isObj(v.stream)) fail(`config.stream must be an object {${STREAM_KEYS.join(', ')}}, got ${show(v.stream)}`);
    const s = v.stream as Obj;
    for (const k of Object.keys(s)) {
      if (!(STREAM_KEYS as readonly string[]).includes(k)) fail(`unknown config key "stream.${k}" (expected ${STREAM_KEYS.map((x) => `stream.${x}`).join(', ')})`);
    }
    const stream: NonNullable<ReplayConfig['stream']> = {};
    if (s.ppg_decim !== undefined) stream.ppg_decim = uint(s.ppg_decim, 'stream.ppg_decim', PPG_DECIMATION_MIN, PPG_DECIMATION_MAX, 1, fail);
    if (s.ppg_batch !== undefined) stream.ppg_batch = uint(s.ppg_batch, 'stream.ppg_batch', PPG_BATCH_MIN, PPG_BATCH_SAMPLES_MAX, 1, fail);
    if (s.hr_period_s !== undefined) stream.hr_period_s = uint(s.hr_period_s, 'stream.hr_period_s', 0, HR_PERIOD_S_MAX, 1, fail);
    out.stream = stream;
  }
  if (v.hrs !== undefined) {
    if (typeof v.hrs !== 'boolean') fail(`config.hrs must be true or false, got ${show(v.hrs)}`);
    out.hrs = v.hrs as boolean;
  }
  return out;
}

/** A manifest's default configuration with a session's over it (a session's "stream" keys over the default's). */
export function mergeReplayConfig(base: ReplayConfig | undefined, over: ReplayConfig | undefined): ReplayConfig | undefined {
  if (base === undefined) return over;
  if (over === undefined) return base;
  const out: ReplayConfig = { ...base, ...over };
  if (base.stream !== undefined || over.stream !== undefined) out.stream = { ...base.stream, ...over.stream };
  return out;
}

/** `--config`: inline JSON (starting with "{") or a JSON file. */
export function readConfigOption(text: string): ReplayConfig {
  const inline = text.trimStart().startsWith('{');
  let src = text;
  if (!inline) {
    if (!fs.existsSync(text) || fs.statSync(text).isDirectory()) throw new ConfigError(`--config: no such file ${text} (give a JSON file or inline JSON {...})`);
    src = fs.readFileSync(text, 'utf8');
  }
  let value: unknown;
  try {
    value = JSON.parse(src);
  } catch (err) {
    throw new ConfigError(`--config${inline ? '' : ` ${text}`}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseReplayConfig(value, '--config');
}

/** The configuration as `ring replay --config` takes it again, quoted for a POSIX shell. */
export function configArgument(config: ReplayConfig): string {
  return `--config '${JSON.stringify(config).replace(/'/g, `'\\''`)}'`;
}
