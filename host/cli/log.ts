// Logs go to stderr through pino, so stdout carries only data: JSON lines, or readable
// lines when stderr is a terminal (log-pretty.ts). --log-file adds JSON lines to a file.
// The level comes from --log-level, else RING_LOG_LEVEL, else warn.

import { pino, type Logger } from 'pino';
import { prettyStream } from './log-pretty.js';

let logger: Logger | null = null;
let level = process.env.RING_LOG_LEVEL ?? 'warn';
let file: string | null = null;

function build(): Logger {
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: process.stderr.isTTY ? prettyStream(process.stderr) : pino.destination(2) }];
  if (file !== null) streams.push({ level: 'trace', stream: pino.destination({ dest: file, sync: true, append: true }) });
  return pino({ level, base: undefined }, pino.multistream(streams));
}

export function log(): Logger {
  if (logger === null) logger = build();
  return logger;
}

export function setLogLevel(l: string): void {
  level = l;
  log().level = l;
}

/** Also write every log line, as JSON, to this file (appended). */
export function setLogFile(path: string): void {
  file = path;
  logger = build();
}
