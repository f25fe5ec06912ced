// Named exit codes and the one place that turns errors into a one-line message.

import { printable } from '../io/printable.js';

export const EXIT_OK = 0;
/** The run worked but the answer is "no": golden mismatch, accuracy below a floor. */
export const EXIT_MISMATCH = 1;
/** Bad input or usage: missing file, corrupt fixture, wrong option. */
export const EXIT_INPUT = 2;
/** A bug or a firmware fault: reported with what reproduces it. */
export const EXIT_INTERNAL = 3;

/** An error caused by what the user asked for; printed as `error: <message>`. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const INPUT_ERROR_NAMES = new Set(['UsageError', 'FixtureError', 'ScoreError', 'ReplayError', 'GoldenError', 'OutputError', 'BleError', 'AuthError', 'KeyStoreError']);

export function exitCodeFor(err: unknown): number {
  if (err instanceof Error && INPUT_ERROR_NAMES.has(err.name)) return EXIT_INPUT;
  if (err instanceof Error && err.constructor && INPUT_ERROR_NAMES.has(err.constructor.name)) return EXIT_INPUT;
  return EXIT_INTERNAL;
}

export function oneLineMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return printable(text.replace(/\s*\n\s*/g, ' ').trim());
}
