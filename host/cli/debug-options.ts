// `--capture <file>` and `--trace` for every device command and `ring replay`: a capture
// tap on the simulated link feeding a btsnoop file and/or the frame tracer (host/debug/).
// Every traced frame is also logged at debug level with the trace line's identifiers.

import fs from 'node:fs';
import type { Command } from 'commander';
import type { RingDevice } from '../../sim/ring-device.js';
import { DebugSession } from '../debug/session.js';
import { traceIds, type TraceEvent } from '../debug/trace.js';
import type { SimTransport } from '../transport/sim-transport.js';
import { UsageError } from './errors.js';
import { log } from './log.js';

export interface DebugCliOptions {
  capture?: string;
  trace?: boolean;
  /** Where trace lines go: stderr unless given (`ring trace` prints them on stdout). */
  out?: (line: string) => void;
  color?: boolean;
}

/** `--capture <file>` and `--trace` on a command. */
export function addDebugOptions(cmd: Command): Command {
  return cmd
    .option('--capture <file>', 'write every ATT PDU of the session to a btsnoop file (Wireshark, tshark)')
    .option('--trace', 'print every frame crossing the link on stderr (direction, times, size, decoded body, round trip)');
}

/** Log every frame at debug level with the identifiers its trace line shows. */
function logFrame(e: TraceEvent): void {
  const l = log();
  if (l.isLevelEnabled('debug')) l.debug(traceIds(e), e.view?.message ?? e.error?.message ?? 'frame');
}

/** Taps for a session's simulated ring; null when neither option is given and nothing logs frames. */
export function openTaps(opts: DebugCliOptions, device: RingDevice, transport: SimTransport, notes: string[] = []): DebugSession | null {
  if (opts.capture === undefined && !opts.trace && !log().isLevelEnabled('debug')) return null;
  if (opts.capture !== undefined) checkWritable(opts.capture);
  return new DebugSession({ capture: opts.capture, trace: opts.trace }, device, transport, {
    out: opts.out ?? ((line) => process.stderr.write(line + '\n')),
    color: opts.color ?? (Boolean(process.stderr.isTTY) && !process.env.NO_COLOR),
    log: logFrame,
    notes,
  });
}

function checkWritable(file: string): void {
  try {
    fs.writeFileSync(file, new Uint8Array(0), { flag: 'a' });
  } catch (err) {
    throw new UsageError(`--capture: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
