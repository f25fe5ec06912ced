// Files the CLI writes (golden files, reports, recordings): each appears whole or not at
// all. The bytes go to a temporary file beside the target, which is then renamed over it,
// so an interrupted or failed run never leaves a truncated output behind. Folders are made
// one level at a time from the nearest existing ancestor (bounded by the path's depth),
// and every failure is a one-line user error naming the path.

import fs from 'node:fs';
import path from 'node:path';

export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
const pendingTemps = new Set<string>();
let listening = false;
let releaseQueued = false;

function onSignal(num: number): () => void {
  return () => {
    for (const tmp of pendingTemps) fs.rmSync(tmp, { force: true });
    process.exit(128 + num);
  };
}
const handlers = Object.entries(SIGNALS).map(([sig, num]) => [sig, onSignal(num)] as const);

/**
 * Ctrl-C while an output is being written: the temporary file is removed, then the process
 * ends with 128 + the signal number (130 for SIGINT). Node runs a signal listener only when
 * the event loop turns, so a listener left in place would hold every later Ctrl-C until the
 * running computation yields: the listeners exist only while a write is under way, and the
 * signals' default action (end at once) is back from the next turn of the loop. They are
 * removed on that turn, not at once: a signal that came during the write reaches them
 * first (signals are read before immediates run), so none is lost.
 */
function guardSignals(): void {
  if (listening) return;
  listening = true;
  for (const [sig, handler] of handlers) process.on(sig, handler);
}

function releaseSignalsSoon(): void {
  if (releaseQueued) return;
  releaseQueued = true;
  setImmediate(() => {
    releaseQueued = false;
    if (pendingTemps.size > 0 || !listening) return;
    listening = false;
    for (const [sig, handler] of handlers) process.removeListener(sig, handler);
  }).unref();
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string') {
    const known: Record<string, string> = {
      ENOENT: 'no such folder',
      ENOTDIR: 'a part of the path is a file, not a folder',
      EISDIR: 'it is a folder',
      EACCES: 'permission denied',
      EPERM: 'not permitted',
      EROFS: 'read-only file system',
      ENOSPC: 'no space left on the device',
      EEXIST: 'it exists and is not a folder',
    };
    return known[e.code] ?? e.code;
  }
  return err instanceof Error ? err.message : String(err);
}

/** `dir` exists as a folder afterwards, or an OutputError says why it cannot. */
export function ensureFolder(dir: string): void {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  // At most one step per path component: the root always exists.
  for (let depth = 0; depth <= abs.split(path.sep).length; depth++) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(cur);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OutputError(`cannot use folder ${dir}: ${reason(err)}`);
    }
    if (st !== null) {
      if (!st.isDirectory()) throw new OutputError(`cannot use folder ${dir}: ${cur === abs ? 'it is a file' : `${cur} is a file`}`);
      break;
    }
    missing.push(cur);
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      const code = (err as NodeJS.ErrnoException).code;
      throw new OutputError(`cannot create folder ${d}: ${code === 'ENOENT' ? 'the file system refuses it (ENOENT)' : reason(err)}`);
    }
  }
}

/** Writes `data` to `file` whole: a temporary file beside it, renamed over it. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  writeFileAtomicWith(file, (write) => write(data));
}

/**
 * As writeFileAtomic, with the bytes given in pieces: `fill` calls `write` as often as it
 * likes, so an output of any length is never one string in memory.
 */
export function writeFileAtomicWith(file: string, fill: (write: (data: string | Uint8Array) => void) => void): void {
  const dir = path.dirname(path.resolve(file));
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    throw new OutputError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `no folder ${path.dirname(file)}` : reason(err)}`);
  }
  if (!st.isDirectory()) throw new OutputError(`cannot write ${file}: ${path.dirname(file)} is not a folder`);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  guardSignals();
  pendingTemps.add(tmp);
  // File system failures are the user's to fix (one line, exit 2); anything `fill` itself
  // throws passes through as it is.
  const io = <T>(op: () => T): T => {
    try {
      return op();
    } catch (err) {
      throw new OutputError(`cannot write ${file}: ${reason(err)}`);
    }
  };
  try {
    const fd = io(() => fs.openSync(tmp, 'w'));
    try {
      fill((data) => {
        const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        for (let off = 0; off < bytes.length;) off += io(() => fs.writeSync(fd, bytes, off));
      });
    } finally {
      io(() => fs.closeSync(fd));
    }
    io(() => fs.renameSync(tmp, file));
  } finally {
    fs.rmSync(tmp, { force: true });
    pendingTemps.delete(tmp);
    releaseSignalsSoon();
  }
}

/**
 * Whether writeFileAtomic(file) can succeed later, checked without creating anything: a run
 * that fails or is interrupted before its output is ready leaves no empty file behind.
 * Throws an OutputError saying why not.
 */
export function checkCanWrite(file: string): void {
  const dir = path.dirname(path.resolve(file));
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    throw new OutputError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `no folder ${path.dirname(file)}` : reason(err)}`);
  }
  if (!st.isDirectory()) throw new OutputError(`cannot write ${file}: ${path.dirname(file)} is not a folder`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new OutputError(`cannot write ${file}: ${reason(err)}`);
  }
  let target: fs.Stats | null = null;
  try {
    target = fs.statSync(file);
  } catch {
    return; // not there yet: the folder allows creating it
  }
  if (target.isDirectory()) throw new OutputError(`cannot write ${file}: it is a folder`);
}
