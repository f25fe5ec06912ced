// Parsing and validation of options shared by several commands.

import { UsageError } from './errors.js';

export const RATE_HZ_DEFAULT = 50;
export const SEED_DEFAULT = 1;
const RATES_HZ = [25, 50, 100];

export function parseRateHz(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text) || !RATES_HZ.includes(v)) {
    throw new UsageError(`--rate-hz must be one of ${RATES_HZ.join(', ')}, got '${text}'`);
  }
  return v;
}

export function parseSeed(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text) || v > 0xffffffff) {
    throw new UsageError(`--seed must be an integer in 0..4294967295, got '${text}'`);
  }
  return v;
}

export function parseNonNegativeInt(name: string, text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(v)) throw new UsageError(`${name} must be a non-negative integer, got '${text}'`);
  return v;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseLogLevel(text: string): string {
  if (!LOG_LEVELS.includes(text)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${text}'`);
  return text;
}

/** --input-rate-hz: the sample rate of a CSV recording without a time column (whole Hz). */
export function parseInputRateHz(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text) || v < 1 || v > 10000) throw new UsageError(`--input-rate-hz must be a whole number of Hz in 1..10000, got '${text}'`);
  return v;
}

export const INPUT_RATE_HZ_HELP = "sample rate of a CSV recording without a time column (not the ring's --rate-hz)";

/** --scale: the factor a CSV's ppg values are multiplied by before rounding to integers. */
export function parseScale(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0 || v > 1e9) throw new UsageError(`--scale must be a number above 0, at most 1e9, got '${text}'`);
  return v;
}

export const SCALE_HELP = 'multiply a CSV recording\'s ppg values by this before rounding (default: 10^d for d decimals); the ring\'s sensor gives 0..524287';
export const INVERT_HELP = 'negate a CSV recording\'s ppg values (its pulses point down; the ring\'s point up)';

/** Options that turn a CSV file into the signal the ring reads. */
export interface ImportCliOptions {
  inputRateHz?: number;
  scale?: number;
  invert?: boolean;
}

/** The loader's options from the CLI's; warnings about the signal go to stderr. */
export function importLoadOptions(opts: ImportCliOptions): { rate_hz?: number; scale?: number; invert?: boolean; warn: (message: string) => void } {
  return {
    ...(opts.inputRateHz === undefined ? {} : { rate_hz: opts.inputRateHz }),
    ...(opts.scale === undefined ? {} : { scale: opts.scale }),
    ...(opts.invert ? { invert: true } : {}),
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
  };
}
