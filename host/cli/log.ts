// Logs go to stderr through pino, so stdout carries only data: JSON lines, or readable
// lines when stderr is a terminal (log-pretty.ts). --log-file adds JSON lines to a file.
// The level comes from --log-level, else RING_LOG_LEVEL, else warn.
//
// pino is loaded with the first line the level lets through: most commands write none (warn
// is the default), and loading it was about a fifth of a short command's start-up CPU.

import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { prettyStream } from './log-pretty.js';

/** pino's levels (its `levels.values`: fixed by pino), with `silent` above them all. */
export const LOG_LEVEL_VALUES: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

let logger: Logger | null = null;
let level = process.env.RING_LOG_LEVEL ?? 'warn';
let file: string | null = null;

function build(): Logger {
  const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
  const streams: import('pino').StreamEntry[] = [{ level: 'trace', stream: process.stderr.isTTY ? prettyStream(process.stderr) : pino.destination(2) }];
  if (file !== null) streams.push({ level: 'trace', stream: pino.destination({ dest: file, sync: true, append: true }) });
  return pino({ level, base: undefined }, pino.multistream(streams));
}

function pinoLogger(): Logger {
  if (logger === null) logger = build();
  return logger;
}

/** What the commands log through: pino's methods, behind the level test. */
export interface RingLog {
  isLevelEnabled(level: string): boolean;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

const enabled = (l: string): boolean => (LOG_LEVEL_VALUES[l] ?? Infinity) >= (LOG_LEVEL_VALUES[level] ?? LOG_LEVEL_VALUES.warn!);

const ringLog: RingLog = {
  isLevelEnabled: enabled,
  debug: (obj, msg) => void (enabled('debug') && pinoLogger().debug(obj, msg)),
  info: (obj, msg) => void (enabled('info') && pinoLogger().info(obj, msg)),
  warn: (obj, msg) => void (enabled('warn') && pinoLogger().warn(obj, msg)),
  error: (obj, msg) => void (enabled('error') && pinoLogger().error(obj, msg)),
};

export function log(): RingLog {
  return ringLog;
}

export function setLogLevel(l: string): void {
  level = l;
  if (logger !== null) logger.level = l;
}

/** Also write every log line, as JSON, to this file (appended; opened with the first line). */
export function setLogFile(path: string): void {
  file = path;
  logger = null;
}
