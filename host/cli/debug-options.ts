// `--capture <file>` and `--trace` for every device command and `ring replay`: a capture
// tap on the simulated link feeding a btsnoop file and/or the frame tracer (host/debug/).
// Every traced frame is also logged at debug level with the trace line's identifiers.

import type { Command } from 'commander';
import type { RingDevice } from '../../sim/ring-device.js';
import { DebugSession } from '../debug/session.js';
import { FrameTracer, traceIds, traceLine, type TraceEvent } from '../debug/trace.js';
import type { SimTransport } from '../transport/sim-transport.js';
import type { Transport } from '../transport/transport.js';
import { CaptureRecorder } from '../debug/capture.js';
import { HOST_SIDE_NOTE, tapTransport } from '../debug/transport-tap.js';
import { UsageError } from './errors.js';
import { checkCanWrite } from '../io/output-file.js';
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

/** What a command closes at its end: writes the capture, stops tapping. */
export interface SessionTaps {
  close(): void;
}

/** Frame characteristic's value handle in the ring's attribute table (PROTOCOL.md 9). */
const FRAME_VALUE_HANDLE = 0x0009;

/**
 * Taps for a transport whose air the host cannot see (BLE through BlueZ): the capture is
 * rebuilt from characteristic writes and notifications (host/debug/transport-tap.ts) and
 * says so in its notes; the trace reads the same PDUs. Install before connecting.
 */
export function openTransportTaps(opts: DebugCliOptions, transport: Transport, notes: string[] = []): SessionTaps | null {
  if (opts.capture === undefined && !opts.trace && !log().isLevelEnabled('debug')) return null;
  if (opts.capture !== undefined) checkWritable(opts.capture);
  // Tap times are the transport's clock; the capture wants Unix µs.
  const epoch_us = transport.clock.utc_ms() * 1000 - transport.clock.now_us();
  const recorder = opts.capture !== undefined ? new CaptureRecorder(opts.capture, epoch_us, [HOST_SIDE_NOTE, ...notes]) : null;
  const out = opts.out ?? ((line: string) => process.stderr.write(line + '\n'));
  const color = opts.color ?? (Boolean(process.stderr.isTTY) && !process.env.NO_COLOR);
  const tracer = new FrameTracer({
    epoch_ms: Math.floor(epoch_us / 1000),
    frameHandle: () => FRAME_VALUE_HANDLE,
    onEvent: (e) => {
      logFrame(e);
      if (opts.trace) out(traceLine(e, color));
    },
  });
  const stop = tapTransport(transport, {
    pdu: (from, pdu, t) => {
      recorder?.pdu(from, pdu, t);
      tracer.pdu(from, pdu, t);
    },
    link: (up, t, reason) => {
      recorder?.link(up, t, reason);
      tracer.link(up);
    },
  }, FRAME_VALUE_HANDLE);
  let closed = false;
  return {
    close(): void {
      if (closed) return;
      closed = true;
      stop();
      recorder?.close();
    },
  };
}

function checkWritable(file: string): void {
  try {
    checkCanWrite(file);
  } catch (err) {
    throw new UsageError(`--capture: ${err instanceof Error ? err.message : String(err)}`);
  }
}
