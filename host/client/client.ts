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
import {
  CMD_AUTH_FACTORY_RESET,
  CMD_AUTH_GRANT,
  CMD_AUTH_LIST,
  CMD_AUTH_PAIR,
  CMD_AUTH_REVOKE,
  CMD_AUTH_SESSION,
  CMD_AUTH_STATUS,
  ERR_AUTH_FAILED,
  GROUP_AUTH,
} from '../../protocol/ids.js';
import {
  NONCE_BYTES,
  SealError,
  equalBytes,
  openResponse,
  randomBytes,
  requestNeedsSession,
  ringProof,
  sealRequest,
  sessionKey,
  unwrapGrantKey,
} from '../../protocol/host/auth.js';
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
  /** Sent sealed under a session (PROTOCOL.md section 11): the answer must be sealed too. */
  sealed: { key: Uint8Array; ctr: number } | null;
}

/** What a host needs to open sessions: its id and its key for a ring (by the ring's id). */
export interface HostAuth {
  host_id: Uint8Array;
  keyFor(ring_id: Uint8Array): Uint8Array | null;
}

/** The session of this connection (PROTOCOL.md section 11). */
export interface Session {
  ring_id: Uint8Array;
  key: Uint8Array;
  ctr: number;
  role: number;
  scopes: number;
}

export interface AuthStatus {
  owned: boolean;
  window: boolean;
  role: number;
  hosts: number;
}

export interface HostEntry {
  host_id: Uint8Array;
  role: number;
  scopes: number;
  from_ms: number;
  until_ms: number;
  expires_ms: number;
  revoked: boolean;
}

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
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
  /** Credentials for sessions; null: every request goes in the clear (a ring without an owner). */
  auth: HostAuth | null = null;
  /** This connection's session; null before the first request that needs one, and after a drop. */
  session: Session | null = null;
  /** The ring answered that it has no owner (setup mode): no session, requests in the clear. */
  private setup_mode = false;
  private opening: Promise<void> | null = null;
  /** Counter and key of the last sealed answer opened (a grant's key is wrapped with them). */
  private last_sealed: { key: Uint8Array; ctr: number } | null = null;

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

  // ------------------------------------------------------------------------------------
  // Pairing, sessions, sharing (PROTOCOL.md section 11)

  async authStatus(): Promise<AuthStatus> {
    const o = asMap(await this.call({ name: 'auth status', group: GROUP_AUTH, cmd: CMD_AUTH_STATUS, op: OP_READ, idempotent: true }), 'auth status');
    return { owned: o.owned === true, window: o.window === true, role: uint(o.role, 'role'), hosts: uint(o.hosts, 'hosts') };
  }

  /** Become an owner (the ring must be in its pairing window). Returns the ring's id and this host's key. */
  async authPair(host_id: Uint8Array): Promise<{ ring_id: Uint8Array; key: Uint8Array }> {
    const o = asMap(await this.call({ name: 'auth pair', group: GROUP_AUTH, cmd: CMD_AUTH_PAIR, op: OP_WRITE, body: { host: host_id }, idempotent: false }), 'auth pair');
    return { ring_id: bytes(o.ring, 8, 'ring'), key: bytes(o.key, 32, 'key') };
  }

  /** Open this connection's session now (requests that need one open it by themselves). */
  async openSession(): Promise<Session> {
    if (this.auth === null) throw new AuthError('no key store: pair with the ring first (ring pair)');
    const nonce_h = randomBytes(NONCE_BYTES);
    const o = asMap(
      await this.call({ name: 'auth session', group: GROUP_AUTH, cmd: CMD_AUTH_SESSION, op: OP_WRITE, body: { host: this.auth.host_id, nonce: nonce_h }, idempotent: false }),
      'auth session',
    );
    const ring_id = bytes(o.ring, 8, 'ring');
    const nonce_r = bytes(o.nonce, NONCE_BYTES, 'nonce');
    const host_key = this.auth.keyFor(ring_id);
    if (host_key === null) throw new AuthError(`the key store has no key for ring ${Buffer.from(ring_id).toString('hex')}`);
    const key = sessionKey(host_key, nonce_r, nonce_h);
    if (!equalBytes(ringProof(key, nonce_h, nonce_r), bytes(o.proof, 16, 'proof'))) {
      throw new AuthError(`ring ${Buffer.from(ring_id).toString('hex')} could not prove it holds this host's key: not the ring it was paired with`);
    }
    this.session = { ring_id, key, ctr: 0, role: uint(o.role, 'role'), scopes: uint(o.scopes, 'scopes') };
    this.log(`session open with ring ${Buffer.from(ring_id).toString('hex')} (role ${this.session.role})`);
    return this.session;
  }

  /** One session per connection, shared by concurrent requests; setup mode when the ring has no owner. */
  private async ensureSession(): Promise<void> {
    if (this.session !== null) return;
    if (this.opening === null) {
      this.opening = (async () => {
        try {
          await this.openSession();
        } catch (err) {
          if (err instanceof DeviceError && err.rc === ERR_AUTH_FAILED) {
            const st = await this.authStatus();
            if (!st.owned) {
              this.setup_mode = true; // nobody owns the ring: everything is open
              return;
            }
          }
          throw err;
        }
      })().finally(() => {
        this.opening = null;
      });
    }
    await this.opening;
  }

  /** Give a host a role and scopes (owner only). Returns the host's key for this ring, unwrapped. */
  async authGrant(grant: { host_id: Uint8Array; role: number; scopes: number; from_ms?: number; until_ms?: number; expires_ms?: number }): Promise<{ ring_id: Uint8Array; key: Uint8Array }> {
    const body: Record<string, unknown> = { host: grant.host_id, role: grant.role, scopes: grant.scopes };
    if (grant.from_ms !== undefined) body.from_ms = grant.from_ms;
    if (grant.until_ms !== undefined) body.until_ms = grant.until_ms;
    if (grant.expires_ms !== undefined) body.expires_ms = grant.expires_ms;
    const o = asMap(await this.call({ name: 'auth grant', group: GROUP_AUTH, cmd: CMD_AUTH_GRANT, op: OP_WRITE, body, idempotent: false }), 'auth grant');
    const sealed = this.last_sealed;
    if (sealed === null) throw new AuthError('the ring answered a grant outside a session');
    return { ring_id: bytes(o.ring, 8, 'ring'), key: unwrapGrantKey(sealed.key, sealed.ctr, grant.host_id, bytes(o.key, 32, 'key')) };
  }

  async authRevoke(host_id: Uint8Array): Promise<void> {
    await this.call({ name: 'auth revoke', group: GROUP_AUTH, cmd: CMD_AUTH_REVOKE, op: OP_WRITE, body: { host: host_id }, idempotent: false });
  }

  async authList(): Promise<HostEntry[]> {
    const o = asMap(await this.call({ name: 'auth list', group: GROUP_AUTH, cmd: CMD_AUTH_LIST, op: OP_READ, idempotent: true }), 'auth list');
    if (!Array.isArray(o.hosts)) throw new ResponseError('auth list: hosts must be an array');
    return o.hosts.map((h: unknown) => {
      const a = h as unknown[];
      if (!Array.isArray(a) || a.length !== 7) throw new ResponseError('auth list: a host is an array of 7');
      return {
        host_id: bytes(a[0], 8, 'host'), role: uint(a[1], 'role'), scopes: uint(a[2], 'scopes'), from_ms: uint(a[3], 'from_ms'),
        until_ms: uint(a[4], 'until_ms'), expires_ms: uint(a[5], 'expires_ms'), revoked: a[6] === true,
      };
    });
  }

  /** Forget every paired host and erase the history log (owner only); the ring is unowned after it. */
  async factoryReset(): Promise<void> {
    await this.call({ name: 'factory reset', group: GROUP_AUTH, cmd: CMD_AUTH_FACTORY_RESET, op: OP_WRITE, body: {}, idempotent: false });
    this.session = null;
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
    const header = { op: spec.op, group: spec.group, cmd: spec.cmd };
    let sealed: Pending['sealed'] = null;
    if (this.auth !== null && !this.setup_mode && requestNeedsSession(spec.op, spec.group, spec.cmd)) {
      if (this.session === null) await this.ensureSession(); // no await once open: pipelining unchanged
      const s = this.session;
      if (s !== null) sealed = { key: s.key, ctr: ++s.ctr };
    }
    const seq = this.allocSeq();
    const frame = sealed !== null ? sealRequest(sealed.key, sealed.ctr, { ...header, seq }, frame_body) : encodeFrame({ ...header, seq }, frame_body);
    const p: Pending = { spec, seq, done: false, body: undefined, error: null, sealed };
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
    if (p.sealed !== null) {
      try {
        const inner = openResponse(p.sealed.key, p.sealed.ctr, p.spec.op, p.spec.group, p.spec.cmd, f.bodyBytes);
        this.last_sealed = p.sealed;
        this.finish(p, inner, null);
      } catch (err) {
        this.stats.bad_frames++;
        this.finish(p, null, new ResponseError(`${p.spec.name}: ${(err as SealError).message}`));
      }
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
    this.session = null; // a session lives as long as its connection
    for (const p of this.pending.values()) {
      if (!p.done) this.finish(p, null, new DisconnectedError(`${p.spec.name}: the link dropped (${reason})`));
    }
  }
}

function asMap(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) throw new ResponseError(`${what}: the answer is not a map`);
  return v as Record<string, unknown>;
}

function bytes(v: unknown, n: number, what: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== n) throw new ResponseError(`${what} must be ${n} bytes`);
  return new Uint8Array(v);
}

function uint(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ResponseError(`${what} must be an unsigned integer`);
  return v;
}

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
}
