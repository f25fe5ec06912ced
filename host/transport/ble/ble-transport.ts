// A Transport to a real ring through BlueZ, with node-ble on the system D-Bus. BlueZ does
// the GATT client work (MTU exchange, discovery, CCCD on StartNotify); this class finds the
// ring (known to BlueZ, or by a discovery filtered on the ring's service UUID), connects,
// takes the ring service's frame characteristic, reads the MTU BlueZ negotiated, turns
// notifications ('valuechanged') into onNotify and Device1.Connected going false into
// onDisconnect. connect() after a drop connects again and takes fresh GATT objects (BlueZ
// drops them with the link), so the client's reconnect-and-resume works as over --sim.
// The clock is the wall clock; every BlueZ call has a deadline.

import { ATT_HEADER_SIZE, ATT_MTU_MIN, RING_FRAME_CHAR_UUID, RING_SERVICE_UUID } from '../../../protocol/ids.js';
import { DisconnectedError, TransportError, type DisconnectListener, type NotifyListener, type Transport } from '../transport.js';
import { SCAN_TIMEOUT_MS_DEFAULT } from './scan-defaults.js';

export { SCAN_TIMEOUT_MS_DEFAULT };
import { findRing, helperOf, openBluez, withDeadline, type BluezSession, type Device, type GattCharacteristic } from './bluez.js';
import { BleError, mapBluezError } from './errors.js';
import { WallClock } from './wall-clock.js';

export interface BleTransportOptions {
  /** The ring: its address (C0:FF:EE:00:00:01) or its advertised name. */
  target: string;
  /** Adapter (hci0, ...); default BlueZ's first. */
  adapter?: string;
  /** How long discovery looks for the ring, ms. */
  scan_timeout_ms?: number;
  /** connect() gives up after this long, ms. */
  connect_timeout_ms?: number;
  /** Any other single BlueZ call (a write, a property read), ms. */
  call_timeout_ms?: number;
}
export const CONNECT_TIMEOUT_MS_DEFAULT = 20_000;
const CALL_TIMEOUT_MS_DEFAULT = 10_000;

export interface BleTransportStats {
  connects: number;
  disconnects: number;
  writes: number;
  notifications: number;
}

export class BleTransport implements Transport {
  readonly kind = 'ble';
  readonly clock = new WallClock();
  readonly stats: BleTransportStats = { connects: 0, disconnects: 0, writes: 0, notifications: 0 };
  private readonly scan_timeout_ms: number;
  private readonly connect_timeout_ms: number;
  private readonly call_timeout_ms: number;
  private session: BluezSession | null = null;
  private device: Device | null = null;
  private char: GattCharacteristic | null = null;
  private ready = false;
  private closed = false;
  private mtu_bytes = ATT_MTU_MIN;
  private connecting: Promise<void> | null = null;
  private readonly notify_listeners = new Set<NotifyListener>();
  private readonly disconnect_listeners = new Set<DisconnectListener>();

  constructor(readonly opts: BleTransportOptions) {
    this.scan_timeout_ms = opts.scan_timeout_ms ?? SCAN_TIMEOUT_MS_DEFAULT;
    this.connect_timeout_ms = opts.connect_timeout_ms ?? CONNECT_TIMEOUT_MS_DEFAULT;
    this.call_timeout_ms = opts.call_timeout_ms ?? CALL_TIMEOUT_MS_DEFAULT;
  }

  get connected(): boolean {
    return this.ready;
  }

  get mtu(): number {
    return this.mtu_bytes;
  }

  get adapter_name(): string {
    return this.session?.adapter_name ?? this.opts.adapter ?? 'hci0';
  }

  /** Concurrent callers share one attempt. */
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
    if (this.ready) return;
    if (this.session === null) this.session = await openBluez(this.opts.adapter, this.call_timeout_ms);
    const s = this.session;
    if (this.device === null) {
      const device = await findRing(s, this.opts.target, this.scan_timeout_ms);
      device.on('disconnect', () => this.dropped('the ring or BlueZ ended the connection'));
      this.device = device;
    }
    const what = `connect to ${this.opts.target}`;
    try {
      await withDeadline(this.setUp(this.device), this.connect_timeout_ms, what);
    } catch (err) {
      throw mapBluezError(err, what, s.adapter_name);
    }
    this.ready = true;
    this.stats.connects++;
    this.clock.poke();
  }

  /** Connect, then the ring service, its frame characteristic, the MTU, notifications on. */
  private async setUp(device: Device): Promise<void> {
    await device.connect();
    const gatt = await device.gatt();
    const services = await gatt.services();
    if (!services.includes(RING_SERVICE_UUID)) {
      throw new BleError(`${this.opts.target} is not a ring: it has no service ${RING_SERVICE_UUID} (it offers ${services.join(', ') || 'no services'})`);
    }
    const service = await gatt.getPrimaryService(RING_SERVICE_UUID);
    const chars = await service.characteristics();
    if (!chars.includes(RING_FRAME_CHAR_UUID)) throw new BleError(`${this.opts.target} is not a ring: its ring service lacks the frame characteristic ${RING_FRAME_CHAR_UUID}`);
    const char = await service.getCharacteristic(RING_FRAME_CHAR_UUID);
    const flags = await char.getFlags();
    if (!flags.includes('write-without-response') || !flags.includes('notify')) {
      throw new BleError(`${this.opts.target}: the frame characteristic lacks write-without-response or notify (flags ${flags.join(', ')}): firmware too old?`);
    }
    // GattCharacteristic1.MTU appeared in BlueZ 5.62; before it, only the default is safe.
    let mtu = ATT_MTU_MIN;
    try {
      const v = await helperOf(char).prop('MTU');
      if (typeof v === 'number' && Number.isInteger(v) && v >= ATT_MTU_MIN) mtu = v;
    } catch {
      mtu = ATT_MTU_MIN;
    }
    this.mtu_bytes = mtu;
    this.releaseChar();
    char.on('valuechanged', (value: Buffer) => this.value(value));
    this.char = char;
    await char.startNotifications();
  }

  private value(value: Buffer): void {
    if (!this.ready) return;
    this.stats.notifications++;
    const at_us = this.clock.now_us();
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.length).slice();
    for (const l of [...this.notify_listeners]) l(bytes, at_us);
    this.clock.poke();
  }

  private dropped(reason: string): void {
    if (!this.ready) return;
    this.ready = false;
    this.stats.disconnects++;
    this.releaseChar();
    const at_us = this.clock.now_us();
    for (const l of [...this.disconnect_listeners]) l(reason, at_us);
    this.clock.poke();
  }

  /** Stop listening to the previous connection's characteristic object. */
  private releaseChar(): void {
    const c = this.char;
    this.char = null;
    if (c === null) return;
    c.removeAllListeners('valuechanged');
    helperOf(c).removeListeners();
  }

  async disconnect(): Promise<void> {
    const device = this.device;
    if (device === null || !this.ready) return;
    this.dropped('host disconnected');
    try {
      await withDeadline(device.disconnect(), this.call_timeout_ms, `disconnect from ${this.opts.target}`);
    } catch {
      // already gone: the link is down either way
    }
  }

  async write(value: Uint8Array): Promise<void> {
    const char = this.char;
    if (!this.ready || char === null) throw new DisconnectedError('write: not connected');
    const max = this.mtu_bytes - ATT_HEADER_SIZE;
    if (value.length < 1 || value.length > max) throw new RangeError(`write: a piece of ${value.length} bytes; the MTU allows 1..${max}`);
    this.stats.writes++;
    try {
      await withDeadline(char.writeValueWithoutResponse(Buffer.from(value)), this.call_timeout_ms, `write to ${this.opts.target}`);
    } catch (err) {
      // A write refused because the link just went down is a drop, handled by reconnecting.
      if (!this.ready) throw new DisconnectedError(`write: the link dropped (${(err as Error).message})`);
      throw mapBluezError(err, `write to ${this.opts.target}`, this.adapter_name);
    }
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
    if (this.closed) return;
    await this.disconnect();
    this.closed = true;
    this.releaseChar();
    this.device?.removeAllListeners();
    this.session?.destroy();
    this.session = null;
    this.notify_listeners.clear();
    this.disconnect_listeners.clear();
  }

  describe(): string {
    return `ble transport target=${this.opts.target} adapter=${this.adapter_name} mtu=${this.mtu_bytes} bus=${process.env.DBUS_SYSTEM_BUS_ADDRESS ?? 'system'}`;
  }
}
