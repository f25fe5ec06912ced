// CPU time of the calling thread, for the per-job figures of a parallel run: Linux tells
// each thread's run time in /proc/thread-self/schedstat (nanoseconds, first field);
// process.cpuUsage() would count every thread of the process, the other jobs' included.
// Null where the file is absent (other systems): the figures are then left out.

import fs from 'node:fs';

let readable = true;

export function threadCpuMs(): number | null {
  if (!readable) return null;
  try {
    const ns = Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
    if (Number.isFinite(ns)) return ns / 1e6;
  } catch {
    // fall through: not Linux, or /proc not mounted
  }
  readable = false;
  return null;
}
