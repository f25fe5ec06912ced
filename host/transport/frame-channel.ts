// Frames over any Transport (PROTOCOL.md section 3): a frame goes out as consecutive
// writes of mtu - 3 bytes (the last may be shorter), one frame at a time; notifications
// are reassembled by the frame header's length with the protocol's own reassembler
// (protocol/device/fragment.ts), so host and ring judge pieces by the same code.

import { FRAME_SIZE_MAX, ATT_MTU_MIN } from '../../protocol/ids.js';
import {
  frag_copy,
  frag_count,
  reasm_expire,
  reasm_init,
  reasm_push,
  reasm_reset,
  reasm_set_mtu,
  REASM_ST_MTU,
  REASM_STATE_WORDS,
} from '../../protocol/device/fragment.js';
import { ProtocolError } from '../../protocol/host/frame.js';
import type { Transport } from './transport.js';

export type FrameListener = (frame: Uint8Array, at_us: number) => void;
export type FrameErrorListener = (rc: number, at_us: number) => void;

export interface FrameChannelStats {
  frames_sent: number;
  pieces_sent: number;
  frames_received: number;
  pieces_received: number;
  /** Reassembly errors (negative reasm_push / reasm_expire results). */
  reassembly_errors: number;
}

export class FrameChannel {
  readonly stats: FrameChannelStats = {
    frames_sent: 0, pieces_sent: 0, frames_received: 0, pieces_received: 0, reassembly_errors: 0,
  };
  private readonly st = new Int32Array(REASM_STATE_WORDS);
  private readonly buf = new Uint8Array(FRAME_SIZE_MAX);
  private readonly frame_listeners = new Set<FrameListener>();
  private readonly error_listeners = new Set<FrameErrorListener>();
  private sending: Promise<unknown> = Promise.resolve();
  private readonly unlisten: (() => void)[] = [];

  constructor(readonly transport: Transport) {
    const rc = reasm_init(this.st, FRAME_SIZE_MAX, ATT_MTU_MIN);
    if (rc < 0) throw new Error(`reasm_init failed with ${rc}`);
    this.unlisten.push(transport.onNotify((value, at_us) => this.piece(value, at_us)));
    this.unlisten.push(transport.onDisconnect(() => reasm_reset(this.st)));
  }

  onFrame(listener: FrameListener): () => void {
    this.frame_listeners.add(listener);
    return () => this.frame_listeners.delete(listener);
  }

  onError(listener: FrameErrorListener): () => void {
    this.error_listeners.add(listener);
    return () => this.error_listeners.delete(listener);
  }

  /**
   * Send one whole frame in pieces of mtu - 3 bytes. Frames are sent one after the other,
   * never interleaved, in the order of the calls.
   */
  send(frame: Uint8Array): Promise<void> {
    const run = this.sending.then(() => this.sendNow(frame));
    this.sending = run.catch(() => undefined);
    return run;
  }

  /** Stop listening to the transport. */
  detach(): void {
    for (const u of this.unlisten) u();
    this.unlisten.length = 0;
  }

  private async sendNow(frame: Uint8Array): Promise<void> {
    const mtu = this.transport.mtu;
    const count = frag_count(frame.length, mtu);
    if (count < 0) throw new ProtocolError(count, `frame of ${frame.length} bytes at MTU ${mtu}`);
    for (let index = 0; index < count; index++) {
      const piece = new Uint8Array(mtu - 3);
      const n = frag_copy(frame, 0, frame.length, mtu, index, piece, 0);
      if (n < 0) throw new ProtocolError(n, `piece ${index} of a ${frame.length}-byte frame`);
      await this.transport.write(n === piece.length ? piece : piece.subarray(0, n));
      this.stats.pieces_sent++;
    }
    this.stats.frames_sent++;
  }

  private piece(value: Uint8Array, at_us: number): void {
    this.stats.pieces_received++;
    const mtu = this.transport.mtu;
    if (this.st[REASM_ST_MTU] !== mtu) reasm_set_mtu(this.st, mtu);
    const now_ms = Math.floor(at_us / 1000);
    // Expire a stale partial frame first, so this piece may start a new one.
    const expired = reasm_expire(this.st, now_ms);
    if (expired < 0) this.error(expired, at_us);
    const rc = reasm_push(this.st, this.buf, value, 0, value.length, now_ms);
    if (rc < 0) {
      this.error(rc, at_us);
      return;
    }
    if (rc === 0) return;
    this.stats.frames_received++;
    const frame = this.buf.slice(0, rc);
    for (const l of [...this.frame_listeners]) l(frame, at_us);
  }

  private error(rc: number, at_us: number): void {
    this.stats.reassembly_errors++;
    for (const l of [...this.error_listeners]) l(rc, at_us);
  }
}
