// `ring trace` and `--trace`: every frame crossing the link as one readable line, live.
// The tracer is a tap sink (sim/ble/capture-tap.ts): it reassembles the frame
// characteristic's writes and notifications by the header's length, decodes each frame
// (decode.ts), matches responses to requests for the round trip, and keeps the ring's clock
// offset from the time exchanges it sees, so lines show both clocks. Heart Rate
// Measurement notifications are shown too. Each line's identifiers (frame number, direction,
// sequence, message) are also what the frame's log line carries.

import { FRAME_HEADER_SIZE, TIME_EPOCH_MS_MIN } from '../../protocol/ids.js';
import { DecodeError, decodeFrameAt, type DecodedFrameView, type NamedField } from './decode.js';

const ATT_WRITE_CMD = 0x52;
const ATT_WRITE_REQ = 0x12;
const ATT_NTF = 0x1b;
/** Requests kept waiting for their response (the ring allows 2 in flight; late ones age out). */
const PENDING_MAX = 64;
const LINE_BODY_CHARS_MAX = 160;

export type TraceDirection = 'host>ring' | 'ring>host';

export interface TraceEvent {
  /** 1, 2, ... in order of completion: the identifier log lines repeat. */
  frame: number;
  dir: TraceDirection;
  /** Tap time (virtual µs in the simulator) of the piece that completed the frame. */
  time_us: number;
  /** The host's UTC clock then, ms. */
  host_ms: number;
  /** The ring's clock then as last measured (host + offset), null before any time exchange. */
  ring_ms: number | null;
  size: number;
  /** 'hrs' for a Heart Rate Measurement notification, else a frame. */
  kind: 'frame' | 'hrs';
  view: DecodedFrameView | null;
  error: DecodeError | null;
  /**
   * For a response: from its request reaching the ring to the response reaching the host,
   * µs (the tap sees deliveries; add the request's own trip, at most a connection interval
   * on a clean link, for the host's full round trip, which `ring time` measures).
   */
  rtt_us: number | null;
  /** For kind 'hrs': bpm and RR intervals (1/1024 s). */
  hrs?: { bpm: number; rr_1024: number[] };
}

export interface TracerOptions {
  /** The frame characteristic's value handle (0 while unknown: nothing is traced). */
  frameHandle: () => number;
  /** Heart Rate Measurement value handle, 0 for none. */
  hrmHandle?: () => number;
  /** Unix ms of tap time 0. */
  epoch_ms: number;
  onEvent: (e: TraceEvent) => void;
}

class Reassembly {
  private parts: Uint8Array[] = [];
  private have = 0;
  private need = 0;

  /** A complete frame, an error (the partial frame is dropped) or null (more to come). */
  push(piece: Uint8Array): Uint8Array | DecodeError | null {
    if (this.have === 0) {
      if (piece.length < FRAME_HEADER_SIZE) return new DecodeError(0, 'a first piece holding the 8-byte header', `${piece.length} bytes`);
      this.need = FRAME_HEADER_SIZE + ((piece[2] << 8) | piece[3]);
    }
    this.parts.push(piece);
    this.have += piece.length;
    if (this.have < this.need) return null;
    const frame = Buffer.concat(this.parts, this.have);
    const over = this.have - this.need;
    this.parts = [];
    this.have = 0;
    if (over > 0) return new DecodeError(this.need, `the end of the frame (${this.need} bytes by its header)`, `${over} more bytes in its last piece`);
    return frame;
  }

  reset(): void {
    this.parts = [];
    this.have = 0;
  }
}

export class FrameTracer {
  private readonly rx = { 'host>ring': new Reassembly(), 'ring>host': new Reassembly() };
  private readonly pending = new Map<string, number>();
  private frames = 0;
  /** ring clock - host clock, ms, from the last time response. */
  private offset_ms: number | null = null;
  private time_req_us: number | null = null;

  constructor(private readonly opts: TracerOptions) {}

  pdu(from: 'central' | 'peripheral', pdu: Uint8Array, time_us: number): void {
    if (pdu.length < 3) return;
    const handle = pdu[1] | (pdu[2] << 8);
    const dir: TraceDirection = from === 'central' ? 'host>ring' : 'ring>host';
    const op = pdu[0];
    const frame_handle = this.opts.frameHandle();
    if (frame_handle !== 0 && handle === frame_handle && (op === ATT_WRITE_CMD || op === ATT_WRITE_REQ || op === ATT_NTF)) {
      this.piece(dir, pdu.subarray(3), time_us);
    } else if (op === ATT_NTF && handle !== 0 && handle === (this.opts.hrmHandle?.() ?? 0)) {
      this.hrs(pdu.subarray(3), time_us);
    }
  }

  link(up: boolean): void {
    if (up) return;
    this.rx['host>ring'].reset();
    this.rx['ring>host'].reset();
  }

  private base(dir: TraceDirection, time_us: number, size: number): Omit<TraceEvent, 'kind' | 'view' | 'error' | 'rtt_us'> {
    const host_ms = this.opts.epoch_ms + Math.floor(time_us / 1000);
    return { frame: ++this.frames, dir, time_us, host_ms, ring_ms: this.offset_ms === null ? null : host_ms + this.offset_ms, size };
  }

  private piece(dir: TraceDirection, value: Uint8Array, time_us: number): void {
    const got = this.rx[dir].push(value);
    if (got === null) return;
    if (got instanceof DecodeError) {
      this.opts.onEvent({ ...this.base(dir, time_us, value.length), kind: 'frame', view: null, error: got, rtt_us: null });
      return;
    }
    let view: DecodedFrameView | null = null;
    let error: DecodeError | null = null;
    try {
      view = decodeFrameAt(got, 0);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      error = err;
    }
    let rtt_us: number | null = null;
    if (view !== null) {
      const h = view.header;
      const key = `${h.group}/${h.cmd}/${h.seq}`;
      if (dir === 'host>ring') {
        if (this.pending.size >= PENDING_MAX) this.pending.delete(this.pending.keys().next().value as string);
        this.pending.set(key, time_us);
        if (view.message.startsWith('time.')) this.time_req_us = time_us;
      } else if (!h.unsolicited) {
        const sent = this.pending.get(key);
        if (sent !== undefined) {
          rtt_us = time_us - sent;
          this.pending.delete(key);
        }
        this.learnOffset(view);
      }
    }
    this.opts.onEvent({ ...this.base(dir, time_us, got.length), kind: 'frame', view, error, rtt_us });
  }

  /**
   * The ring's clock from the time exchanges seen: a time get's now_ms is the ring's clock
   * when the request reached it, which the tap saw (a receive stamp); a set moves it by
   * the offset_ms it answers.
   */
  private learnOffset(view: DecodedFrameView): void {
    const v = view.value as { now_ms?: unknown; offset_ms?: unknown };
    if (view.message === 'time.get.rsp' && this.time_req_us !== null && typeof v.now_ms === 'number') {
      this.offset_ms = v.now_ms - (this.opts.epoch_ms + Math.floor(this.time_req_us / 1000));
    } else if (view.message === 'time.set.rsp' && this.offset_ms !== null && typeof v.offset_ms === 'number') {
      this.offset_ms += v.offset_ms;
    }
  }

  private hrs(value: Uint8Array, time_us: number): void {
    if (value.length < 2) return;
    const flags = value[0];
    const wide = (flags & 1) !== 0;
    let at = 1;
    const bpm = wide ? value[1] | (value[2] << 8) : value[1];
    at += wide ? 2 : 1;
    if (flags & 0x08) at += 2;
    const rr_1024: number[] = [];
    if (flags & 0x10) for (; at + 1 < value.length; at += 2) rr_1024.push(value[at] | (value[at + 1] << 8));
    this.opts.onEvent({
      ...this.base('ring>host', time_us, value.length), kind: 'hrs', view: null, error: null, rtt_us: null, hrs: { bpm, rr_1024 },
    });
  }
}

// ---------------------------------------------------------------------------------------
// Lines

function compact(f: NamedField): string {
  if (f.children === undefined) {
    if (f.hex !== undefined) return `${f.name}=<${f.hex.length / 2} B>`;
    const v = typeof f.value === 'string' ? JSON.stringify(f.value) : String(f.value);
    if (f.scaled !== undefined) return `${f.name}=${v} (${f.scaled}${f.unit ? ` ${f.unit}` : ''})`;
    return `${f.name}=${v}${f.unit ? ` ${f.unit}` : ''}`;
  }
  if (f.cbor === 'map') return `${f.name}={${f.children.map(compact).join(' ')}}`;
  const items = f.children;
  if (items.length === 0) return `${f.name}=[]`;
  if (items.every((i) => i.children === undefined)) return `${f.name}=[${items.map((i) => String(i.value)).join(',')}]`;
  const first = items[0].children ? `[${items[0].children.map(compact).join(' ')}]` : compact(items[0]);
  return `${f.name}[${items.length}]=${first}${items.length > 1 ? ' ...' : ''}`;
}

const COLORS = { 'host>ring': '36', 'ring>host': '32', error: '31', dim: '2' } as const;

function paint(on: boolean, code: string, s: string): string {
  return on ? `\x1b[${code}m${s}\x1b[0m` : s;
}

/** The ring's clock: UTC once set, else ms since boot; '?' before any time exchange. */
function ringClockText(ring_ms: number | null): string {
  if (ring_ms === null) return '?';
  return ring_ms >= TIME_EPOCH_MS_MIN ? new Date(ring_ms).toISOString() : `${ring_ms} ms since boot`;
}

/** One line per event; colour codes only when `color`. */
export function traceLine(e: TraceEvent, color: boolean): string {
  const t = `${(e.time_us / 1e6).toFixed(6)} s`;
  const clocks = `host ${new Date(e.host_ms).toISOString()} ring ${ringClockText(e.ring_ms)}`;
  const head = `#${e.frame} ${t} ${paint(color, COLORS[e.dir], e.dir)}`;
  if (e.kind === 'hrs' && e.hrs) {
    return `${head} hrs.measurement ${e.size} B ${clocks} hr=${e.hrs.bpm} bpm rr=[${e.hrs.rr_1024.map((r) => Math.round((r * 1000) / 1024)).join(',')}] ms`;
  }
  if (e.view === null) {
    return `${head} ${e.size} B ${clocks} ${paint(color, COLORS.error, `malformed: ${e.error?.message ?? 'unknown'}`)}`;
  }
  const v = e.view;
  const name = v.error ? paint(color, COLORS.error, `${v.message} ${v.error}`) : v.message;
  const rtt = e.rtt_us !== null ? ` ${paint(color, COLORS.dim, `rtt ${(e.rtt_us / 1000).toFixed(1)} ms`)}` : '';
  let body = (v.body.children ?? []).map(compact).join(' ');
  if (body.length > LINE_BODY_CHARS_MAX) body = `${body.slice(0, LINE_BODY_CHARS_MAX)}...`;
  return `${head} seq ${v.header.seq} ${name} ${e.size} B${rtt} ${clocks} ${body}`.trimEnd();
}

/** The identifiers a frame's log line carries: the same as its trace line. */
export function traceIds(e: TraceEvent): Record<string, unknown> {
  return {
    frame: e.frame, dir: e.dir, size: e.size, time_us: e.time_us,
    ...(e.view ? { seq: e.view.header.seq, message: e.view.message } : { message: e.kind === 'hrs' ? 'hrs.measurement' : 'malformed' }),
    ...(e.rtt_us !== null ? { rtt_us: e.rtt_us } : {}),
  };
}
