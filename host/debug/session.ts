// What `--capture` and `--trace` add to a session with a simulated ring: one capture tap on
// the link feeding a capture file and/or the frame tracer. Attach before connecting (so the
// capture starts with the MTU exchange and discovery), call afterConnect() once connected,
// close() at the end (writes the capture, also after a failure).

import type { RingDevice } from '../../sim/ring-device.js';
import { attachCaptureTap } from '../../sim/ble/capture-tap.js';
import { HANDLE_MAX } from '../transport/att.js';
import type { SimTransport } from '../transport/sim-transport.js';
import { CaptureRecorder, surveyGatt } from './capture.js';
import { FrameTracer, traceLine, type TraceEvent } from './trace.js';

export interface DebugOptions {
  /** Write a btsnoop capture here. */
  capture?: string;
  /** Print a trace line per frame through `out`. */
  trace?: boolean;
}

export interface DebugSinks {
  /** Where trace lines go (stderr for --trace, stdout for `ring trace`). */
  out: (line: string) => void;
  color: boolean;
  /** Every traced frame, for the log (called whether or not trace lines are printed). */
  log?: (e: TraceEvent) => void;
  /** Lines for the capture's notes: how to reproduce it. */
  notes?: string[];
}

export class DebugSession {
  readonly recorder: CaptureRecorder | null;
  readonly tracer: FrameTracer;
  private hrm_handle = 0;
  private readonly detach: () => void;
  private closed = false;

  constructor(
    readonly opts: DebugOptions,
    device: RingDevice,
    private readonly transport: SimTransport,
    sinks: DebugSinks,
  ) {
    const epoch_ms = device.utc_epoch_ms;
    this.recorder = opts.capture
      ? new CaptureRecorder(opts.capture, epoch_ms * 1000, [`ring-sim capture of a simulated link (virtual time): ${device.describe()}`, ...(sinks.notes ?? [])])
      : null;
    this.tracer = new FrameTracer({
      epoch_ms,
      frameHandle: () => transport.handles.frame_value,
      hrmHandle: () => this.hrm_handle,
      onEvent: (e) => {
        sinks.log?.(e);
        if (opts.trace) sinks.out(traceLine(e, sinks.color));
      },
    });
    const recorder = this.recorder;
    const tracer = this.tracer;
    this.detach = attachCaptureTap(device.link, {
      pdu: (from, pdu, t) => {
        recorder?.pdu(from, pdu, t);
        tracer.pdu(from, pdu, t);
      },
      link: (up, t, reason) => {
        recorder?.link(up, t, reason);
        tracer.link(up);
      },
    });
  }

  /**
   * With a capture: survey the whole attribute table (so Wireshark maps every handle) and
   * turn on Heart Rate Measurement notifications (so the standard service shows).
   */
  async afterConnect(): Promise<void> {
    if (this.recorder === null) return;
    const survey = await surveyGatt(this.transport.att);
    if (survey.hrm_cccd !== 0 && survey.hrm_cccd <= HANDLE_MAX) {
      await this.transport.att.enableNotifications(survey.hrm_cccd);
      this.hrm_handle = survey.characteristics.find((c) => c.uuid === '2a37')?.value_handle ?? 0;
    }
  }

  /** Stop tapping and write the capture. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    this.recorder?.close();
  }
}
