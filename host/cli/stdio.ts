// stdout and stderr as Unix tools treat them: when the reader goes away (`ring ... | head`)
// the command ends quietly with exit 0, as `cat` does; any other write failure (a full
// disk) is one line on stderr and exit 2, never an unhandled 'error' event and its stack.

import fs from 'node:fs';
import { EXIT_INPUT, EXIT_OK } from './errors.js';

/** Ends the command for a failed write: quietly when the reader has gone, else one line and exit 2. */
function endOnWriteError(stream: 'stdout' | 'stderr', err: NodeJS.ErrnoException): never {
  if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(EXIT_OK);
  if (stream === 'stdout') {
    try {
      process.stderr.write(`error: cannot write to stdout: ${err.code ?? err.message}\n`);
    } catch {
      // stderr is gone too: the exit code is all that is left.
    }
  }
  process.exit(EXIT_INPUT);
}

export function installStdioGuards(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => endOnWriteError('stdout', err));
  process.stderr.on('error', (err: NodeJS.ErrnoException) => endOnWriteError('stderr', err));
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Waits this long before retrying a write a non-blocking descriptor refused (EAGAIN). */
const RETRY_WAIT_MS = 2;

/**
 * Writes to stdout before returning. A replay computes its output without giving the event
 * loop back, so a failed process.stdout.write would only be reported (its 'error' event)
 * once the whole recording had been replayed and formatted: `ring replay week --ndjson |
 * head -1` would run for minutes after head had gone. Here the failure ends the command at
 * the write that met it. A command's output goes either all through here or all through
 * process.stdout, so nothing of it can wait in process.stdout's queue and be overtaken.
 */
export function writeStdoutNow(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < bytes.length) {
    try {
      off += fs.writeSync(1, bytes, off, bytes.length - off);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, RETRY_WAIT_MS);
        continue;
      }
      endOnWriteError('stdout', e);
    }
  }
}
