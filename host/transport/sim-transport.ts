// A Transport to a simulated ring (sim/ring-device.ts) over its simulated BLE link. The
// host's GATT client work (MTU exchange, discovery, CCCD) is done here with AttClient, as
// a phone's stack would; time is the simulator's: every wait steps the event queue until
// its condition holds or its virtual deadline passes, so nothing sleeps on the wall clock
// and a run is the same every time for the same seed and options.

import { ATT_HEADER_SIZE, RING_FRAME_CHAR_UUID, RING_SERVICE_UUID } from '../../protocol/ids.js';
import type { RingDevice } from '../../sim/ring-device.js';
import type { ConnectionChange } from '../../sim/ble/link.js';
import { PROP_NOTIFY, PROP_WRITE_WITHOUT_RESPONSE, uuidEquals } from './att.js';
import { AttClient, ATT_TRANSACTION_TIMEOUT_US } from './att-client.js';
import {
  DisconnectedError,
  TransportError,
  type DisconnectListener,
  type HostClock,
  type NotifyListener,
  type Transport,
} from './transport.js';

export interface SimTransportOptions {
  /** From connect() to the link coming up (advertising, connection request), µs. */
  connect_delay_us?: number;
  /** connect() gives up after this long without a link, µs. */
  connect_timeout_us?: number;
  /** ATT transaction timeout, µs (Bluetooth: 30 s). */
  att_timeout_us?: number;
}

export const CONNECT_DELAY_US_DEFAULT = 20_000;
export const CONNECT_TIMEOUT_US_DEFAULT = 5_000_000;

/** The simulator's clock as the host sees it. */
export class SimClock implements HostClock {
  constructor(private readonly device: RingDevice) {}

  now_us(): number {
    return this.device.now_us;
  }

  utc_ms(): number {
    return this.device.utcNowMs();
  }

  /**
   * Step the simulator until pred() holds or the virtual deadline passes. Before stepping it
   * lets the host's pending work run (one macrotask turn: every queued continuation, such as
   * a second pipelined request being sent), so concurrent operations interleave as they
   * would on a real link; waiters step in the order they started waiting.
   */
  async waitUntil(pred: () => boolean, timeout_us: number): Promise<boolean> {
    if (!Number.isSafeInteger(timeout_us) || timeout_us < 0) {
      throw new RangeError(`waitUntil: timeout_us must be a non-negative integer, got ${timeout_us}`);
    }
    if (pred()) return true;
    const deadline_us = this.device.now_us + timeout_us;
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.device.runUntilUs(pred, deadline_us);
  }
}

export interface SimTransportStats {
  connects: number;
  disconnects: number;
  writes: number;
  notifications: number;
}

export class SimTransport implements Transport {
  readonly kind = 'sim';
  readonly clock: SimClock;
  readonly att: AttClient;
  readonly stats: SimTransportStats = { connects: 0, disconnects: 0, writes: 0, notifications: 0 };
  private readonly connect_delay_us: number;
  private readonly connect_timeout_us: number;
  private ready = false;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private frame_value_handle = 0;
  private frame_cccd_handle = 0;
  private readonly notify_listeners = new Set<NotifyListener>();
  private readonly disconnect_listeners = new Set<DisconnectListener>();

  constructor(
    readonly device: RingDevice,
    opts: SimTransportOptions = {},
  ) {
    this.connect_delay_us = opts.connect_delay_us ?? CONNECT_DELAY_US_DEFAULT;
    this.connect_timeout_us = opts.connect_timeout_us ?? CONNECT_TIMEOUT_US_DEFAULT;
    this.clock = new SimClock(device);
    this.att = new AttClient(device.central, this.clock, opts.att_timeout_us ?? ATT_TRANSACTION_TIMEOUT_US);
    device.central.onConnectionChange = (change) => this.connectionChanged(change);
  }

  get connected(): boolean {
    return this.ready && this.device.link.connected;
  }

  get mtu(): number {
    return this.device.link.mtu_bytes;
  }

  /** ATT handles found by discovery (0 before the first connect): for tools that craft PDUs. */
  get handles(): { frame_value: number; frame_cccd: number } {
    return { frame_value: this.frame_value_handle, frame_cccd: this.frame_cccd_handle };
  }

  /** One connection interval: how long the link takes to turn a PDU around, at best. */
  get interval_us(): number {
    return this.device.link.params.interval_us;
  }

  /** Concurrent callers share one connection attempt. */
  connect(): Promise<void> {
    if (this.connecting === null) {
      this.connecting = this.connectNow().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async connectNow(): Promise<void> {
    if (this.closed) throw new TransportError('connect: the transport is closed');
    if (this.connected) return;
    const link = this.device.link;
    if (!link.connected) {
      link.reconnect(this.connect_delay_us);
      const up = await this.clock.waitUntil(() => link.connected, this.connect_timeout_us);
      if (!up) throw new TransportError(`connect: no connection within ${this.connect_timeout_us / 1000} ms`);
    }
    try {
      await this.setUpGatt();
    } catch (err) {
      if (err instanceof DisconnectedError) throw err;
      throw new TransportError(`connect: ${(err as Error).message} (${this.device.describe()})`);
    }
    this.ready = true;
    this.stats.connects++;
  }

  async disconnect(): Promise<void> {
    if (this.device.link.connected) this.device.link.disconnect('central-terminated');
    this.ready = false;
  }

  async write(value: Uint8Array): Promise<void> {
    if (!this.connected) throw new DisconnectedError('write: not connected');
    const max = this.mtu - ATT_HEADER_SIZE;
    if (value.length < 1 || value.length > max) {
      throw new RangeError(`write: a piece of ${value.length} bytes; the MTU allows 1..${max}`);
    }
    this.stats.writes++;
    await this.att.writeCommand(this.frame_value_handle, value);
  }

  onNotify(listener: NotifyListener): () => void {
    this.notify_listeners.add(listener);
    return () => this.notify_listeners.delete(listener);
  }

  onDisconnect(listener: DisconnectListener): () => void {
    this.disconnect_listeners.add(listener);
    return () => this.disconnect_listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.disconnect();
    this.closed = true;
    this.notify_listeners.clear();
    this.disconnect_listeners.clear();
  }

  describe(): string {
    return `sim transport connect_delay_us=${this.connect_delay_us} | ${this.device.describe()}`;
  }

  // ------------------------------------------------------------------------------------

  /** MTU exchange, then the ring service, its frame characteristic and CCCD, then notifications on. */
  private async setUpGatt(): Promise<void> {
    const link = this.device.link;
    const wanted = link.params.central_mtu_max_bytes;
    await this.att.exchangeMtu(wanted);
    const service = await this.att.findPrimaryService(RING_SERVICE_UUID);
    if (service === null) throw new TransportError(`the ring service ${RING_SERVICE_UUID} is not on the device`);
    const chars = await this.att.characteristics(service);
    const index = chars.findIndex((c) => uuidEquals(c.uuid, RING_FRAME_CHAR_UUID));
    if (index < 0) throw new TransportError(`the frame characteristic ${RING_FRAME_CHAR_UUID} is not in the ring service`);
    const frame = chars[index];
    const need = PROP_WRITE_WITHOUT_RESPONSE | PROP_NOTIFY;
    if ((frame.properties & need) !== need) {
      throw new TransportError(`the frame characteristic lacks write-without-response or notify (properties 0x${frame.properties.toString(16)})`);
    }
    const next_decl = index + 1 < chars.length ? chars[index + 1].decl_handle : service.end_handle + 1;
    const cccd = await this.att.findCccd(frame, next_decl);
    if (cccd === null) throw new TransportError('the frame characteristic has no CCCD');
    this.frame_value_handle = frame.value_handle;
    this.frame_cccd_handle = cccd;
    this.att.listen(frame.value_handle, (value, at_us) => {
      this.stats.notifications++;
      for (const l of [...this.notify_listeners]) l(value, at_us);
    });
    await this.att.enableNotifications(cccd);
  }

  private connectionChanged(change: ConnectionChange): void {
    if (change.connected) return;
    this.att.linkDown();
    this.ready = false;
    this.stats.disconnects++;
    for (const l of [...this.disconnect_listeners]) l(change.reason ?? 'unknown', change.time_us);
  }
}
