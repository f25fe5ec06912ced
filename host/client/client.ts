// The protocol client: requests with sequence numbers, responses matched by sequence,
// per-request timeouts on the transport's clock (virtual in the simulator), retries for
// idempotent reads only, typed results per command, device errors as ProtocolError
// (DeviceError) with the code's name. Streams and history paging live in stream.ts and
// history.ts and use this class for their requests.

import {
  CMD_BATTERY,
  CMD_CONFIG,
  CMD_DEVICE_INFO,
  CMD_HISTORY_ERASE,
  CMD_HISTORY_READ,
  CMD_STREAM_STATUS,
  CMD_STREAM_SUBSCRIBE,
  CMD_STREAM_UNSUBSCRIBE,
  CMD_TIME,
  FLAG_UNSOLICITED,
  GROUP_BATTERY,
  GROUP_CONFIG,
  GROUP_DEVICE,
  GROUP_HISTORY,
  GROUP_STREAM,
  GROUP_TIME,
  HISTORY_PAGE_RECORDS_MAX,
  OP_READ,
  OP_WRITE,
  RX_BUFFER_COUNT,
} from '../../protocol/ids.js';
import { decodeFrame, encodeFrame, type DecodedFrame } from '../../protocol/host/frame.js';
import { FrameChannel } from '../transport/frame-channel.js';
import { DisconnectedError, type Transport } from '../transport/transport.js';
import { DeviceError, ResponseError, TimeoutError } from './errors.js';
import {
  decodeBattery,
  decodeConfig,
  decodeDeviceInfo,
  decodeHistoryPage,
  decodeStreamStatus,
  decodeTimeGet,
  decodeTimeSet,
  type BatteryInfo,
  type ConfigChange,
  type DeviceInfo,
  type HistoryPage,
  type RingConfig,
  type StreamStatus,
  type TimeInfo,
  type TimeSetResult,
} from './messages.js';

export const REQUEST_TIMEOUT_US_MIN = 2_000_000;
/** Connection intervals a request may take before it times out (large frames at MTU 23, loss). */
export const REQUEST_TIMEOUT_INTERVALS = 40;
export const RETRIES_DEFAULT = 2;
export const RECONNECTS_MAX_DEFAULT = 8;

export interface RingClientOptions {
  /** Per attempt; default max(2 s, 40 connection intervals when the transport knows its interval). */
  timeout_us?: number;
  /** Extra attempts for idempotent reads after a timeout or a dropped link (default 2). */
  retries?: number;
  /** Reconnect on a dropped link before retrying an idempotent read or resuming history (default true). */
  reconnect?: boolean;
  /** Reconnections one operation may make (default 8). */
  reconnects_max?: number;
  /** Requests in flight at once (default and at most the device's buf_count, 2). */
  inflight_max?: number;
  /** Diagnostics (retries, reconnects); default: none. */
  log?: (message: string) => void;
}

export interface RequestSpec {
  name: string;
  group: number;
  cmd: number;
  op: number;
  body?: unknown;
  /** A read that may be repeated safely: retried after timeouts and drops. */
  idempotent: boolean;
}

export interface ClientStats {
  requests: number;
  retries: number;
  timeouts: number;
  reconnects: number;
  /** Responses whose sequence matched no request in flight (late after a timeout). */
  unmatched: number;
  /** Frames that failed to decode or broke the spec. */
  bad_frames: number;
  unsolicited: number;
}

interface Pending {
  spec: RequestSpec;
  seq: number;
  done: boolean;
  body: unknown;
  error: Error | null;
}

export type UnsolicitedListener = (frame: DecodedFrame, at_us: number) => void;

export class RingClient {
  readonly channel: FrameChannel;
  readonly stats: ClientStats = { requests: 0, retries: 0, timeouts: 0, reconnects: 0, unmatched: 0, bad_frames: 0, unsolicited: 0 };
  readonly timeout_us: number;
  readonly retries: number;
  readonly reconnect: boolean;
  readonly reconnects_max: number;
  private inflight_max: number;
  private readonly pending = new Map<number, Pending>();
  private next_seq = 0;
  private readonly unsolicited_listeners = new Set<UnsolicitedListener>();
  private readonly log: (message: string) => void;
  private ever_connected = false;
  private connecting: Promise<void> | null = null;
  /** Largest history page the ring serves (from device info), HISTORY_PAGE_RECORDS_MAX until known. */
  page_max = HISTORY_PAGE_RECORDS_MAX;

  constructor(
    readonly transport: Transport,
    opts: RingClientOptions = {},
  ) {
    const interval_us = (transport as { interval_us?: number }).interval_us;
    const derived = typeof interval_us === 'number' ? REQUEST_TIMEOUT_INTERVALS * interval_us : 0;
    this.timeout_us = opts.timeout_us ?? Math.max(REQUEST_TIMEOUT_US_MIN, derived);
    this.retries = opts.retries ?? RETRIES_DEFAULT;
    this.reconnect = opts.reconnect ?? true;
    this.reconnects_max = opts.reconnects_max ?? RECONNECTS_MAX_DEFAULT;
    this.inflight_max = opts.inflight_max ?? RX_BUFFER_COUNT;
    this.log = opts.log ?? (() => {});
    checkCount('timeout_us', this.timeout_us, 1);
    checkCount('retries', this.retries, 0);
    checkCount('inflight_max', this.inflight_max, 1);
    this.channel = new FrameChannel(transport);
    this.channel.onFrame((frame, at_us) => this.frame(frame, at_us));
    transport.onDisconnect((reason) => this.dropped(reason));
  }

  /** Connect the transport (MTU, discovery, notifications). */
  /** Connect the transport; concurrent callers (requests retrying after a drop) share one attempt. */
  connect(): Promise<void> {
    if (this.transport.connected) return Promise.resolve();
    if (this.connecting === null) {
      if (this.ever_connected) this.stats.reconnects++;
      this.connecting = this.transport.connect().then(
        () => {
          this.ever_connected = true;
          this.connecting = null;
        },
        (err: unknown) => {
          this.connecting = null;
          throw err;
        },
      );
    }
    return this.connecting;
  }

  /** Requests this client keeps in flight at most (the ring's buf_count once known). */
  get inflight_limit(): number {
    return this.inflight_max;
  }

  async close(): Promise<void> {
    this.channel.detach();
    await this.transport.close();
  }

  /** Listen to device-initiated frames (stream notifications). */
  onUnsolicited(listener: UnsolicitedListener): () => void {
    this.unsolicited_listeners.add(listener);
    return () => this.unsolicited_listeners.delete(listener);
  }

  get requests_in_flight(): number {
    return this.pending.size;
  }

  // ------------------------------------------------------------------------------------
  // Commands (PROTOCOL.md section 8)

  async info(): Promise<DeviceInfo> {
    const info = decodeDeviceInfo(await this.call({ name: 'device info', group: GROUP_DEVICE, cmd: CMD_DEVICE_INFO, op: OP_READ, idempotent: true }));
    this.page_max = info.limits.page_max;
    this.inflight_max = Math.min(this.inflight_max, info.limits.buf_count);
    return info;
  }

  async timeGet(): Promise<TimeInfo> {
    return decodeTimeGet(await this.call({ name: 'time get', group: GROUP_TIME, cmd: CMD_TIME, op: OP_READ, idempotent: true }));
  }

  /** Set the ring's clock to now_ms (UTC ms since the epoch). Not retried: a late retry would set a stale time. */
  async timeSet(now_ms: number): Promise<TimeSetResult> {
    const body = { now_ms };
    return decodeTimeSet(await this.call({ name: 'time set', group: GROUP_TIME, cmd: CMD_TIME, op: OP_WRITE, body, idempotent: false }));
  }

  /** Set the ring's clock from the host's clock (the transport's: virtual in the simulator). */
  syncTime(): Promise<TimeSetResult> {
    return this.timeSet(this.transport.clock.utc_ms());
  }

  async configGet(): Promise<RingConfig> {
    return decodeConfig(await this.call({ name: 'config get', group: GROUP_CONFIG, cmd: CMD_CONFIG, op: OP_READ, idempotent: true }));
  }

  async configSet(change: ConfigChange): Promise<RingConfig> {
    return decodeConfig(await this.call({ name: 'config set', group: GROUP_CONFIG, cmd: CMD_CONFIG, op: OP_WRITE, body: change, idempotent: false }));
  }

  async streamSubscribe(kinds: number): Promise<StreamStatus> {
    const spec = { name: 'stream subscribe', group: GROUP_STREAM, cmd: CMD_STREAM_SUBSCRIBE, op: OP_WRITE, body: { kinds }, idempotent: false };
    return decodeStreamStatus(await this.call(spec));
  }

  async streamUnsubscribe(kinds: number): Promise<StreamStatus> {
    const spec = { name: 'stream unsubscribe', group: GROUP_STREAM, cmd: CMD_STREAM_UNSUBSCRIBE, op: OP_WRITE, body: { kinds }, idempotent: false };
    return decodeStreamStatus(await this.call(spec));
  }

  async streamStatus(): Promise<StreamStatus> {
    return decodeStreamStatus(await this.call({ name: 'stream status', group: GROUP_STREAM, cmd: CMD_STREAM_STATUS, op: OP_READ, idempotent: true }));
  }

  /** One page of history (see history.ts for a whole read that survives disconnects). */
  async historyPage(from_seq: number, max_records: number, kinds?: number): Promise<HistoryPage> {
    const body: Record<string, number> = { from_seq, max_records };
    if (kinds !== undefined) body.kinds = kinds;
    const spec = { name: 'history read', group: GROUP_HISTORY, cmd: CMD_HISTORY_READ, op: OP_READ, body, idempotent: true };
    return decodeHistoryPage(await this.call(spec));
  }

  /** Erase the ring's whole history log (privileged). Returns the newest sequence erased. */
  async historyErase(): Promise<number> {
    const body = await this.call({ name: 'history erase', group: GROUP_HISTORY, cmd: CMD_HISTORY_ERASE, op: OP_WRITE, body: {}, idempotent: false });
    const o = body as Record<string, unknown>;
    const last = o?.erased_last_seq;
    if (typeof last !== 'number' || !Number.isSafeInteger(last) || last < 0) throw new ResponseError('history erase: erased_last_seq must be an unsigned integer');
    return last;
  }

  async battery(): Promise<BatteryInfo> {
    return decodeBattery(await this.call({ name: 'battery', group: GROUP_BATTERY, cmd: CMD_BATTERY, op: OP_READ, idempotent: true }));
  }

  // ------------------------------------------------------------------------------------
  // Requests

  /**
   * One request, with retries when idempotent: after a timeout it is sent again with a new
   * sequence number; after a dropped link the client reconnects first (when allowed).
   * Returns the response body; a device error response throws DeviceError.
   */
  async call(spec: RequestSpec): Promise<unknown> {
    const attempts = spec.idempotent ? 1 + this.retries : 1;
    let reconnects = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(spec);
      } catch (err) {
        const last = attempt >= attempts;
        if (!spec.idempotent || last) throw err;
        if (err instanceof TimeoutError) {
          this.stats.retries++;
          this.log(`${spec.name}: ${err.message}; retry ${attempt}/${attempts - 1}`);
          continue;
        }
        if (err instanceof DisconnectedError && this.reconnect && reconnects < this.reconnects_max) {
          reconnects++;
          this.stats.retries++;
          this.log(`${spec.name}: link dropped; reconnecting (retry ${attempt}/${attempts - 1})`);
          await this.connect();
          continue;
        }
        throw err;
      }
    }
  }

  /** One attempt: send, wait for the response with this request's sequence number. */
  async once(spec: RequestSpec): Promise<unknown> {
    if (!this.transport.connected) throw new DisconnectedError(`${spec.name}: not connected`);
    const frame_body = spec.body ?? {};
    const clock = this.transport.clock;
    if (this.pending.size >= this.inflight_max) {
      const room = await clock.waitUntil(() => this.pending.size < this.inflight_max, this.timeout_us);
      if (!room) throw new TimeoutError(`${spec.name}: ${this.pending.size} requests still in flight after ${this.timeout_us / 1000} ms`);
    }
    const seq = this.allocSeq();
    const frame = encodeFrame({ op: spec.op, group: spec.group, seq, cmd: spec.cmd }, frame_body);
    const p: Pending = { spec, seq, done: false, body: undefined, error: null };
    this.pending.set(seq, p);
    this.stats.requests++;
    try {
      await this.channel.send(frame);
      const ok = await clock.waitUntil(() => p.done, this.timeout_us);
      if (!ok) {
        this.stats.timeouts++;
        throw new TimeoutError(`${spec.name}: no response within ${this.timeout_us / 1000} ms (seq ${seq})`);
      }
    } finally {
      this.pending.delete(seq);
    }
    if (p.error !== null) throw p.error;
    return p.body;
  }

  private allocSeq(): number {
    for (let i = 0; i < 256; i++) {
      const seq = this.next_seq;
      this.next_seq = (this.next_seq + 1) & 0xff;
      if (!this.pending.has(seq)) return seq;
    }
    throw new Error('no free sequence number (256 requests in flight)');
  }

  private frame(bytes: Uint8Array, at_us: number): void {
    let f: DecodedFrame;
    try {
      f = decodeFrame(bytes);
    } catch (err) {
      this.stats.bad_frames++;
      const p = bytes.length >= 8 ? this.pending.get(bytes[6]) : undefined;
      if (p && !p.done) this.finish(p, null, new ResponseError(`${p.spec.name}: undecodable response: ${(err as Error).message}`));
      return;
    }
    const h = f.header;
    if ((h.flags & FLAG_UNSOLICITED) !== 0) {
      this.stats.unsolicited++;
      for (const l of [...this.unsolicited_listeners]) l(f, at_us);
      return;
    }
    // A response belongs to a request by sequence, group, command and op: anything else
    // (a late answer to an earlier request that had this sequence) is not ours.
    const p = this.pending.get(h.seq);
    if (!p || p.done || h.group !== p.spec.group || h.cmd !== p.spec.cmd || h.op !== p.spec.op + 1) {
      this.stats.unmatched++;
      return;
    }
    const body = f.body;
    if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'rc' in body) {
      const e = body as { rc: unknown; key?: unknown; off?: unknown };
      if (typeof e.rc !== 'number' || !Number.isInteger(e.rc) || e.rc < 1) {
        this.finish(p, null, new ResponseError(`${p.spec.name}: error response with a bad rc ${String(e.rc)}`));
        return;
      }
      const key = typeof e.key === 'string' ? e.key : undefined;
      const off = typeof e.off === 'number' ? e.off : undefined;
      this.finish(p, null, new DeviceError(e.rc, p.spec.name, key, off));
      return;
    }
    this.finish(p, body, null);
  }

  private finish(p: Pending, body: unknown, error: Error | null): void {
    p.done = true;
    p.body = body;
    p.error = error;
  }

  private dropped(reason: string): void {
    for (const p of this.pending.values()) {
      if (!p.done) this.finish(p, null, new DisconnectedError(`${p.spec.name}: the link dropped (${reason})`));
    }
  }
}

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
}
