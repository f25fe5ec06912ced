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
