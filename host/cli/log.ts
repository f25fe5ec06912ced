// Logs go to stderr through pino, so stdout carries only data.

import { pino, type Logger } from 'pino';

let logger: Logger | null = null;

export function log(): Logger {
  if (logger === null) logger = pino({ level: process.env.RING_LOG_LEVEL ?? 'warn', base: undefined }, pino.destination(2));
  return logger;
}

export function setLogLevel(level: string): void {
  log().level = level;
}
