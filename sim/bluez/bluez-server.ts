// A stand-in for bluetoothd on a D-Bus bus: it owns the name org.bluez and exports the
// objects BlueZ exports for one adapter and the rings it can see, so node-ble (and any
// other BlueZ client) runs unmodified against simulated rings. Each ring is a worker
// thread (its script is given: host/transport/sim-ring-worker.ts) holding the simulated
// ring and its simulated link; Connect, WriteValue and notifications cross to it as
// messages (ring-messages.ts), so timing, MTU, loss and disconnects are the simulator's.
//
// Object tree (as BlueZ): /org/bluez (AgentManager1), /org/bluez/hci0 (Adapter1),
// /org/bluez/hci0/dev_C0_FF_EE_00_00_01 (Device1), and while connected its GATT objects
// .../serviceXXXX (GattService1), .../charYYYY (GattCharacteristic1), .../descZZZZ
// (GattDescriptor1). "/" has ObjectManager: GetManagedObjects, InterfacesAdded/Removed.

import { Worker } from 'node:worker_threads';
import dbus from 'dbus-next';
import { RING_FRAME_CHAR_UUID, RING_SERVICE_UUID } from '../../protocol/ids.js';
import {
  Adapter1,
  AgentManager1,
  BLUEZ,
  Device1,
  GattCharacteristic1,
  GattDescriptor1,
  GattService1,
  ObjectManager,
  bluezError,
  interfaceName,
  propertiesOf,
} from './bluez-objects.js';
import type { FromRing, RingSpec, ToRing } from './ring-messages.js';

type Iface = InstanceType<typeof dbus.interface.Interface>;

export interface StandInRing {
  spec: RingSpec;
  /** Advertised name (Device1.Name). */
  name: string;
  /** Device1.Address, e.g. C0:FF:EE:00:00:01. */
  address: string;
  rssi: number;
  /** Fault: WriteValue call number n (1-based, counted over the ring's life) fails with org.bluez.Error.Failed. */
  fail_write_at: number | null;
  /**
   * Fault: the GATT service shows this UUID instead of the ring service's, as a device that
   * advertises like a ring but is not one (other firmware) would. null: the ring service.
   */
  gatt_service_uuid: string | null;
}

export interface StandInOptions {
  /** D-Bus address, e.g. unix:path=/tmp/x/bus. */
  bus_address: string;
  /** The worker script that runs one ring (speaks ring-messages.ts). */
  worker_url: URL;
  adapter: string;
  adapter_powered: boolean;
  rings: StandInRing[];
  /** Wall-clock delay from StartDiscovery to a ring's Device1 appearing, ms. */
  discovery_delay_ms?: number;
  log?: (message: string) => void;
}

const ADAPTER_ADDRESS = '00:AA:01:00:00:01';
const DISCOVERY_DELAY_MS_DEFAULT = 50;

/** The bus cannot be used: unreachable, or org.bluez taken. */
export class BusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusError';
  }
}

export function devicePath(adapter: string, address: string): string {
  return `/org/bluez/${adapter}/dev_${address.replace(/:/g, '_').toUpperCase()}`;
}

/** One ring: its worker, its Device1 and, while connected, its GATT objects. */
class RingEntry {
  readonly path: string;
  readonly device: Device1;
  worker: Worker | null = null;
  exported = false;
  private gatt: { path: string; iface: Iface }[] = [];
  private char: GattCharacteristic1 | null = null;
  private next_id = 1;
  private readonly replies = new Map<number, { resolve: (r: FromRing & { ev: 'reply' }) => void }>();
  private connecting: Promise<void> | null = null;
  private writes = 0;

  constructor(
    readonly server: BluezStandIn,
    readonly ring: StandInRing,
  ) {
    this.path = devicePath(server.opts.adapter, ring.address);
    this.device = new Device1(
      { address: ring.address, name: ring.name, adapter: `/org/bluez/${server.opts.adapter}`, uuids: [RING_SERVICE_UUID], rssi: ring.rssi },
      { connect: () => this.connect(), disconnect: () => this.disconnect() },
    );
  }

  async start(): Promise<string> {
    const worker = new Worker(this.server.opts.worker_url, { workerData: this.ring.spec });
    this.worker = worker;
    return new Promise<string>((resolve, reject) => {
      worker.on('message', (msg: FromRing) => {
        if (msg.ev === 'ready') resolve(msg.describe);
        else if (msg.ev === 'fatal') {
          reject(new Error(`ring ${this.ring.address}: ${msg.message}`));
          this.server.fatal(`ring ${this.ring.address}: ${msg.message}`);
        } else this.message(msg);
      });
      worker.on('error', (err) => {
        reject(err);
        this.server.fatal(`ring ${this.ring.address}: ${err.message}`);
      });
    });
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w !== null) await w.terminate();
  }

  private call(msg: ToRing & { id: number }): Promise<FromRing & { ev: 'reply' }> {
    return new Promise((resolve) => {
      this.replies.set(msg.id, { resolve });
      this.worker!.postMessage(msg);
    });
  }

  private message(msg: FromRing): void {
    switch (msg.ev) {
      case 'reply': {
        const r = this.replies.get(msg.id);
        this.replies.delete(msg.id);
        r?.resolve(msg);
        return;
      }
      case 'notify':
        this.char?.notify(msg.value);
        return;
      case 'disconnected':
        this.dropped(msg.reason);
        return;
    }
  }

  connect(): Promise<void> {
    if (this.device.Connected) return Promise.resolve(); // BlueZ: Connect on a connected device succeeds
    if (this.connecting !== null) return Promise.reject(bluezError('InProgress', 'In Progress'));
    this.connecting = this.connectNow().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connectNow(): Promise<void> {
    if (!this.server.adapter.Powered) throw bluezError('NotReady', 'Resource Not Ready');
    const r = await this.call({ op: 'connect', id: this.next_id++ });
    if (!r.ok) throw bluezError('Failed', r.error ?? 'le-connection-abort-by-local');
    this.exportGatt(r.mtu ?? 23);
    this.device.setConnected(true);
    this.server.log(`ring ${this.ring.address} connected, MTU ${r.mtu}`);
  }

  private async disconnect(): Promise<void> {
    await this.call({ op: 'disconnect', id: this.next_id++ });
    // The worker reports the drop ('disconnected'), which updates the objects.
  }

  private async writeCommand(value: Uint8Array): Promise<void> {
    this.writes++;
    if (this.ring.fail_write_at !== null && this.writes === this.ring.fail_write_at) {
      throw bluezError('Failed', 'Failed to initiate write');
    }
    const r = await this.call({ op: 'write', id: this.next_id++, value });
    if (!r.ok) throw bluezError('Failed', r.error ?? 'Failed to initiate write');
  }

  private dropped(reason: string): void {
    if (!this.device.Connected) return;
    this.server.log(`ring ${this.ring.address} disconnected (${reason})`);
    this.device.setConnected(false);
    this.unexportGatt();
    const name = reason === 'supervision-timeout' || reason === 'forced' ? 'org.bluez.Reason.Timeout' : reason === 'central-terminated' ? 'org.bluez.Reason.Local' : 'org.bluez.Reason.Remote';
    this.device.Disconnected(name, reason);
  }

  /**
   * The ring service as BlueZ resolves it. Handles follow the firmware's table (service at
   * 0x0010 in BlueZ's naming: serviceXXXX is the service's start handle, charYYYY the
   * characteristic declaration, descZZZZ the descriptor).
   */
  private exportGatt(mtu: number): void {
    const service_path = `${this.path}/service0010`;
    const char_path = `${service_path}/char0011`;
    const desc_path = `${char_path}/desc0013`;
    const service = new GattService1(this.ring.gatt_service_uuid ?? RING_SERVICE_UUID, this.path, 0x0010);
    const char = new GattCharacteristic1(
      { uuid: RING_FRAME_CHAR_UUID, service: service_path, handle: 0x0012, mtu, flags: ['write-without-response', 'notify'] },
      { writeCommand: (v) => this.writeCommand(v), connected: () => this.device.Connected },
    );
    const desc = new GattDescriptor1(char_path, 0x0013);
    this.char = char;
    this.gatt = [{ path: service_path, iface: service }, { path: char_path, iface: char }, { path: desc_path, iface: desc }];
    for (const g of this.gatt) this.server.exportObject(g.path, [g.iface]);
  }

  private unexportGatt(): void {
    for (const g of [...this.gatt].reverse()) this.server.unexportObject(g.path);
    this.gatt = [];
    this.char = null;
  }
}

export class BluezStandIn {
  readonly adapter: Adapter1;
  readonly agents = new AgentManager1();
  private bus: dbus.MessageBus | null = null;
  private readonly om: ObjectManager;
  private readonly objects = new Map<string, Iface[]>();
  private readonly rings: RingEntry[];
  private discovery_timers: NodeJS.Timeout[] = [];
  private fatal_error: ((message: string) => void) | null = null;

  constructor(readonly opts: StandInOptions) {
    this.om = new ObjectManager(() => this.managedObjects());
    this.adapter = new Adapter1(ADAPTER_ADDRESS, opts.adapter_powered, {
      startDiscovery: () => this.startDiscovery(),
      stopDiscovery: () => this.stopDiscovery(),
      removeDevice: (path) => this.removeDevice(path),
    });
    this.rings = opts.rings.map((r) => new RingEntry(this, r));
  }

  /** Called with a message when a ring's simulation fails (the stand-in should then exit). */
  onFatal(listener: (message: string) => void): void {
    this.fatal_error = listener;
  }

  fatal(message: string): void {
    this.fatal_error?.(message);
  }

  log(message: string): void {
    this.opts.log?.(message);
  }

  /** Connect to the bus, start every ring, own org.bluez. Returns each ring's description. */
  async start(): Promise<string[]> {
    const described = await Promise.all(this.rings.map((r) => r.start()));
    const bus = dbus.sessionBus({ busAddress: this.opts.bus_address });
    this.bus = bus;
    let started = false;
    let bus_failed: (err: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      bus_failed = reject;
    });
    failed.catch(() => undefined);
    bus.on('error', (err: Error) => {
      if (started) this.fatal(`D-Bus: ${err.message}`);
      else bus_failed(new BusError(`cannot serve on ${this.opts.bus_address}: ${err.message}`));
    });
    // BlueZ keeps discovery sessions per D-Bus client: tell the adapter who is calling.
    bus.addMethodHandler((msg: { sender?: string }) => {
      this.adapter.caller = msg.sender ?? '';
      return false;
    });
    bus.export('/', this.om);
    this.exportObject('/org/bluez', [this.agents]);
    this.exportObject(`/org/bluez/${this.opts.adapter}`, [this.adapter]);
    const reply = await Promise.race([bus.requestName(BLUEZ, dbus.NameFlag.DO_NOT_QUEUE), failed]);
    if (reply !== dbus.RequestNameReply.PRIMARY_OWNER) {
      throw new BusError(`${BLUEZ} is already owned on ${this.opts.bus_address} (is bluetoothd or another stand-in running there?)`);
    }
    started = true;
    return described;
  }

  async stop(): Promise<void> {
    for (const t of this.discovery_timers) clearTimeout(t);
    await Promise.all(this.rings.map((r) => r.stop()));
    this.bus?.disconnect();
    this.bus = null;
  }

  exportObject(path: string, ifaces: Iface[]): void {
    const bus = this.bus!;
    for (const i of ifaces) bus.export(path, i);
    this.objects.set(path, ifaces);
    const added: Record<string, ReturnType<typeof propertiesOf>> = {};
    for (const i of ifaces) added[interfaceName(i)] = propertiesOf(i);
    this.om.InterfacesAdded(path, added);
  }

  unexportObject(path: string): void {
    const ifaces = this.objects.get(path);
    if (ifaces === undefined) return;
    this.objects.delete(path);
    (this.bus as unknown as { unexport(path: string): void } | null)?.unexport(path); // every interface: dbus-next keeps an emptied object otherwise
    this.om.InterfacesRemoved(path, ifaces.map(interfaceName));
  }

  private managedObjects(): Record<string, Record<string, ReturnType<typeof propertiesOf>>> {
    const out: Record<string, Record<string, ReturnType<typeof propertiesOf>>> = {};
    for (const [path, ifaces] of this.objects) {
      out[path] = {};
      for (const i of ifaces) out[path][interfaceName(i)] = propertiesOf(i);
    }
    return out;
  }

  /** Rings "advertise" while discovery runs: each matching ring's Device1 appears after a short delay. */
  private startDiscovery(): void {
    const filter = this.adapter.filter_uuids;
    for (const r of this.rings) {
      if (r.exported) continue;
      if (filter.length > 0 && !filter.includes(RING_SERVICE_UUID)) continue;
      this.discovery_timers.push(setTimeout(() => {
        if (!this.adapter.Discovering || r.exported) return;
        r.exported = true;
        this.exportObject(r.path, [r.device]);
      }, this.opts.discovery_delay_ms ?? DISCOVERY_DELAY_MS_DEFAULT));
    }
  }

  private stopDiscovery(): void {
    for (const t of this.discovery_timers) clearTimeout(t);
    this.discovery_timers = [];
  }

  private removeDevice(path: string): void {
    const r = this.rings.find((x) => x.path === path && x.exported);
    if (r === undefined) throw bluezError('DoesNotExist', 'Does Not Exist');
    if (r.device.Connected) void r.device.Disconnect().catch(() => undefined);
    r.exported = false;
    this.unexportObject(path);
  }
}
