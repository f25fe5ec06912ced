// The org.bluez D-Bus interfaces the stand-in exports, as dbus-next service interfaces.
// Names, signatures, property access and error names follow BlueZ's D-Bus API documents
// (doc/org.bluez.Adapter.rst, Device.rst, GattService.rst, GattCharacteristic.rst,
// GattDescriptor.rst, AgentManager.rst; docs/bluez-stand-in.md traces each member).
// These classes hold state and answer calls; what a call does to a ring is the
// StandInHooks' business (bluez-server.ts).

import dbus from 'dbus-next';

const { Interface } = dbus.interface;
type Dict = Record<string, InstanceType<typeof dbus.Variant>>;

export const BLUEZ = 'org.bluez';

/** BlueZ's error names (src/error.c) with its usual texts. */
export function bluezError(name: string, text: string): InstanceType<typeof dbus.DBusError> {
  return new dbus.DBusError(`org.bluez.Error.${name}`, text);
}

const R = 'read';
const RW = 'readwrite';

// ---------------------------------------------------------------------------------------

/** org.freedesktop.DBus.ObjectManager on "/": how clients learn of adapters, devices and GATT objects. */
export class ObjectManager extends Interface {
  constructor(private readonly managed: () => Record<string, Record<string, Dict>>) {
    super('org.freedesktop.DBus.ObjectManager');
  }
  GetManagedObjects(): Record<string, Record<string, Dict>> {
    return this.managed();
  }
  InterfacesAdded(path: string, ifaces: Record<string, Dict>): [string, Record<string, Dict>] {
    return [path, ifaces];
  }
  InterfacesRemoved(path: string, names: string[]): [string, string[]] {
    return [path, names];
  }
}
ObjectManager.configureMembers({
  methods: { GetManagedObjects: { inSignature: '', outSignature: 'a{oa{sa{sv}}}' } },
  signals: { InterfacesAdded: { signature: 'oa{sa{sv}}' }, InterfacesRemoved: { signature: 'oas' } },
});

/** org.bluez.AgentManager1 on /org/bluez: node-ble enumerates adapters below this object. */
export class AgentManager1 extends Interface {
  agents = new Set<string>();
  constructor() {
    super('org.bluez.AgentManager1');
  }
  RegisterAgent(agent: string, capability: string): void {
    const caps = ['DisplayOnly', 'DisplayYesNo', 'KeyboardOnly', 'NoInputNoOutput', 'KeyboardDisplay', ''];
    if (!caps.includes(capability)) throw bluezError('InvalidArguments', 'Invalid arguments in method call');
    if (this.agents.has(agent)) throw bluezError('AlreadyExists', 'Already Exists');
    this.agents.add(agent);
  }
  UnregisterAgent(agent: string): void {
    if (!this.agents.delete(agent)) throw bluezError('DoesNotExist', 'Does Not Exist');
  }
  RequestDefaultAgent(agent: string): void {
    if (!this.agents.has(agent)) throw bluezError('DoesNotExist', 'Does Not Exist');
  }
}
AgentManager1.configureMembers({
  methods: {
    RegisterAgent: { inSignature: 'os', outSignature: '' },
    UnregisterAgent: { inSignature: 'o', outSignature: '' },
    RequestDefaultAgent: { inSignature: 'o', outSignature: '' },
  },
});

// ---------------------------------------------------------------------------------------

export interface AdapterHooks {
  startDiscovery(): void;
  stopDiscovery(): void;
  removeDevice(path: string): void;
}

export class Adapter1 extends Interface {
  Address: string;
  AddressType = 'public';
  Name = 'ring-sim';
  Alias = 'ring-sim';
  Class = 0;
  Powered: boolean;
  Discoverable = false;
  Pairable = true;
  Discovering = false;
  UUIDs: string[] = [];
  Roles = ['central', 'peripheral'];
  /** Service UUIDs of the caller's discovery filter (lowercase), empty for any. */
  filter_uuids: string[] = [];

  constructor(address: string, powered: boolean, private readonly hooks: AdapterHooks) {
    super('org.bluez.Adapter1');
    this.Address = address;
    this.Powered = powered;
  }

  /** D-Bus sender of the method call being handled (set by the server's method hook). */
  caller = '';
  /** Clients with a discovery session: BlueZ keeps one per client and scans while any is open. */
  private readonly discovery_clients = new Set<string>();

  StartDiscovery(): void {
    if (!this.Powered) throw bluezError('NotReady', 'Resource Not Ready');
    // Only the same client starting twice is "in progress"; other clients join the scan.
    if (this.discovery_clients.has(this.caller)) throw bluezError('InProgress', 'Operation already in progress');
    this.discovery_clients.add(this.caller);
    if (this.Discovering) return;
    this.Discovering = true;
    Interface.emitPropertiesChanged(this, { Discovering: true }, []);
    this.hooks.startDiscovery();
  }

  StopDiscovery(): void {
    if (!this.Powered) throw bluezError('NotReady', 'Resource Not Ready');
    if (!this.discovery_clients.delete(this.caller)) throw bluezError('Failed', 'No discovery started');
    if (this.discovery_clients.size > 0) return;
    this.Discovering = false;
    Interface.emitPropertiesChanged(this, { Discovering: false }, []);
    this.hooks.stopDiscovery();
  }

  SetDiscoveryFilter(filter: Dict): void {
    if (!this.Powered) throw bluezError('NotReady', 'Resource Not Ready');
    const known = ['UUIDs', 'RSSI', 'Pathloss', 'Transport', 'DuplicateData', 'Discoverable', 'Pattern', 'AutoConnect'];
    for (const key of Object.keys(filter)) {
      if (!known.includes(key)) throw bluezError('InvalidArguments', 'Invalid arguments in method call');
    }
    const transport = filter.Transport?.value as string | undefined;
    if (transport !== undefined && !['auto', 'le', 'bredr'].includes(transport)) throw bluezError('InvalidArguments', 'Invalid arguments in method call');
    const uuids = filter.UUIDs?.value as string[] | undefined;
    this.filter_uuids = (uuids ?? []).map((u) => u.toLowerCase());
  }

  GetDiscoveryFilters(): string[] {
    return ['UUIDs', 'RSSI', 'Pathloss', 'Transport', 'DuplicateData', 'Discoverable', 'Pattern', 'AutoConnect'];
  }

  RemoveDevice(path: string): void {
    this.hooks.removeDevice(path);
  }
}
Adapter1.configureMembers({
  properties: {
    Address: { signature: 's', access: R }, AddressType: { signature: 's', access: R }, Name: { signature: 's', access: R },
    Alias: { signature: 's', access: RW }, Class: { signature: 'u', access: R }, Powered: { signature: 'b', access: RW },
    Discoverable: { signature: 'b', access: RW }, Pairable: { signature: 'b', access: RW }, Discovering: { signature: 'b', access: R },
    UUIDs: { signature: 'as', access: R }, Roles: { signature: 'as', access: R },
  },
  methods: {
    StartDiscovery: { inSignature: '', outSignature: '' },
    StopDiscovery: { inSignature: '', outSignature: '' },
    SetDiscoveryFilter: { inSignature: 'a{sv}', outSignature: '' },
    GetDiscoveryFilters: { inSignature: '', outSignature: 'as' },
    RemoveDevice: { inSignature: 'o', outSignature: '' },
  },
});

// ---------------------------------------------------------------------------------------

export interface DeviceHooks {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export class Device1 extends Interface {
  Address: string;
  AddressType = 'random';
  Name: string;
  Alias: string;
  Adapter: string;
  UUIDs: string[];
  RSSI: number;
  Paired = false;
  Bonded = false;
  Trusted = false;
  Blocked = false;
  LegacyPairing = false;
  Connected = false;
  ServicesResolved = false;

  constructor(opts: { address: string; name: string; adapter: string; uuids: string[]; rssi: number }, private readonly hooks: DeviceHooks) {
    super('org.bluez.Device1');
    this.Address = opts.address;
    this.Name = opts.name;
    this.Alias = opts.name;
    this.Adapter = opts.adapter;
    this.UUIDs = opts.uuids;
    this.RSSI = opts.rssi;
  }

  async Connect(): Promise<void> {
    await this.hooks.connect();
  }

  async Disconnect(): Promise<void> {
    if (!this.Connected) throw bluezError('NotConnected', 'Not Connected');
    await this.hooks.disconnect();
  }

  Pair(): void {
    // The ring needs no pairing (Just Works at most): BlueZ then bonds without an agent.
    if (this.Paired) throw bluezError('AlreadyExists', 'Already Exists');
    this.Paired = true;
    this.Bonded = true;
    Interface.emitPropertiesChanged(this, { Paired: true, Bonded: true }, []);
  }

  CancelPairing(): void {
    throw bluezError('DoesNotExist', 'Does Not Exist');
  }

  Disconnected(name: string, message: string): [string, string] {
    return [name, message];
  }

  /** Connected and ServicesResolved, signalled as BlueZ does (ServicesResolved last on connect, first on drop). */
  setConnected(connected: boolean): void {
    if (connected) {
      this.Connected = true;
      Interface.emitPropertiesChanged(this, { Connected: true }, []);
      this.ServicesResolved = true;
      Interface.emitPropertiesChanged(this, { ServicesResolved: true }, []);
    } else {
      this.ServicesResolved = false;
      Interface.emitPropertiesChanged(this, { ServicesResolved: false }, []);
      this.Connected = false;
      Interface.emitPropertiesChanged(this, { Connected: false }, []);
    }
  }
}
Device1.configureMembers({
  properties: {
    Address: { signature: 's', access: R }, AddressType: { signature: 's', access: R }, Name: { signature: 's', access: R },
    Alias: { signature: 's', access: RW }, Adapter: { signature: 'o', access: R }, UUIDs: { signature: 'as', access: R },
    RSSI: { signature: 'n', access: R }, Paired: { signature: 'b', access: R }, Bonded: { signature: 'b', access: R },
    Trusted: { signature: 'b', access: RW }, Blocked: { signature: 'b', access: RW }, LegacyPairing: { signature: 'b', access: R },
    Connected: { signature: 'b', access: R }, ServicesResolved: { signature: 'b', access: R },
  },
  methods: {
    Connect: { inSignature: '', outSignature: '' },
    Disconnect: { inSignature: '', outSignature: '' },
    Pair: { inSignature: '', outSignature: '' },
    CancelPairing: { inSignature: '', outSignature: '' },
  },
  signals: { Disconnected: { signature: 'ss' } },
});

// ---------------------------------------------------------------------------------------

export class GattService1 extends Interface {
  UUID: string;
  Primary = true;
  Device: string;
  Handle: number;
  Includes: string[] = [];
  constructor(uuid: string, device: string, handle: number) {
    super('org.bluez.GattService1');
    this.UUID = uuid;
    this.Device = device;
    this.Handle = handle;
  }
}
GattService1.configureMembers({
  properties: {
    UUID: { signature: 's', access: R }, Primary: { signature: 'b', access: R }, Device: { signature: 'o', access: R },
    Handle: { signature: 'q', access: R }, Includes: { signature: 'ao', access: R },
  },
});

export interface CharacteristicHooks {
  /** One Write Without Response; throws a DBusError to refuse it. */
  writeCommand(value: Uint8Array): Promise<void>;
  connected(): boolean;
}

export class GattCharacteristic1 extends Interface {
  UUID: string;
  Service: string;
  Value: Buffer = Buffer.alloc(0);
  Notifying = false;
  Flags: string[];
  Handle: number;
  MTU: number;
  WriteAcquired = false;
  NotifyAcquired = false;

  constructor(opts: { uuid: string; service: string; handle: number; mtu: number; flags: string[] }, private readonly hooks: CharacteristicHooks) {
    super('org.bluez.GattCharacteristic1');
    this.UUID = opts.uuid;
    this.Service = opts.service;
    this.Handle = opts.handle;
    this.MTU = opts.mtu;
    this.Flags = opts.flags;
  }

  ReadValue(_options: Dict): Buffer {
    if (!this.hooks.connected()) throw bluezError('Failed', 'Not connected');
    if (!this.Flags.includes('read')) throw bluezError('NotPermitted', 'Read not permitted');
    return this.Value;
  }

  async WriteValue(value: Buffer | number[], options: Dict): Promise<void> {
    const type = (options.type?.value as string | undefined) ?? (this.Flags.includes('write') ? 'request' : 'command');
    const offset = (options.offset?.value as number | undefined) ?? 0;
    if (!['command', 'request', 'reliable'].includes(type)) throw bluezError('InvalidArguments', 'Invalid arguments in method call');
    if (!this.hooks.connected()) throw bluezError('Failed', 'Not connected');
    if (type !== 'command' || !this.Flags.includes('write-without-response')) throw bluezError('NotSupported', 'Operation is not supported');
    if (offset !== 0) throw bluezError('InvalidOffset', 'Invalid offset');
    const bytes = Uint8Array.from(value);
    if (bytes.length === 0 || bytes.length > this.MTU - 3) throw bluezError('InvalidValueLength', 'Invalid Length');
    await this.hooks.writeCommand(bytes);
  }

  StartNotify(): void {
    if (!this.Flags.includes('notify')) throw bluezError('NotSupported', 'Operation is not supported');
    if (!this.hooks.connected()) throw bluezError('NotConnected', 'Not Connected');
    if (this.Notifying) return;
    this.Notifying = true;
    Interface.emitPropertiesChanged(this, { Notifying: true }, []);
  }

  StopNotify(): void {
    if (!this.Notifying) throw bluezError('Failed', 'No notify session started');
    this.Notifying = false;
    Interface.emitPropertiesChanged(this, { Notifying: false }, []);
  }

  /** A notification from the ring: the cached Value changes and PropertiesChanged carries it. */
  notify(value: Uint8Array): void {
    if (!this.Notifying) return;
    this.Value = Buffer.from(value);
    Interface.emitPropertiesChanged(this, { Value: this.Value }, []);
  }
}
GattCharacteristic1.configureMembers({
  properties: {
    UUID: { signature: 's', access: R }, Service: { signature: 'o', access: R }, Value: { signature: 'ay', access: R },
    Notifying: { signature: 'b', access: R }, Flags: { signature: 'as', access: R }, Handle: { signature: 'q', access: R },
    MTU: { signature: 'q', access: R }, WriteAcquired: { signature: 'b', access: R }, NotifyAcquired: { signature: 'b', access: R },
  },
  methods: {
    ReadValue: { inSignature: 'a{sv}', outSignature: 'ay' },
    WriteValue: { inSignature: 'aya{sv}', outSignature: '' },
    StartNotify: { inSignature: '', outSignature: '' },
    StopNotify: { inSignature: '', outSignature: '' },
  },
});

/** The Client Characteristic Configuration descriptor: BlueZ shows it, and writes it itself on StartNotify. */
export class GattDescriptor1 extends Interface {
  UUID = '00002902-0000-1000-8000-00805f9b34fb';
  Characteristic: string;
  Value: Buffer = Buffer.from([1, 0]);
  Flags = ['read', 'write'];
  Handle: number;
  constructor(characteristic: string, handle: number) {
    super('org.bluez.GattDescriptor1');
    this.Characteristic = characteristic;
    this.Handle = handle;
  }
  ReadValue(_options: Dict): Buffer {
    return this.Value;
  }
  WriteValue(_value: Buffer, _options: Dict): void {
    // BlueZ refuses CCCD writes from clients: notifications go through StartNotify.
    throw bluezError('NotPermitted', 'Write not permitted');
  }
}
GattDescriptor1.configureMembers({
  properties: {
    UUID: { signature: 's', access: R }, Characteristic: { signature: 'o', access: R }, Value: { signature: 'ay', access: R },
    Flags: { signature: 'as', access: R }, Handle: { signature: 'q', access: R },
  },
  methods: {
    ReadValue: { inSignature: 'a{sv}', outSignature: 'ay' },
    WriteValue: { inSignature: 'aya{sv}', outSignature: '' },
  },
});

/** Every property of an interface as the variants GetManagedObjects and InterfacesAdded carry. */
export function propertiesOf(iface: InstanceType<typeof Interface>): Dict {
  const props = (iface as unknown as { $properties: Record<string, { signature: string; name: string }> }).$properties ?? {};
  const out: Dict = {};
  for (const key of Object.keys(props)) {
    const value = (iface as unknown as Record<string, unknown>)[key];
    if (value !== undefined) out[props[key].name] = new dbus.Variant(props[key].signature, value);
  }
  return out;
}

export function interfaceName(iface: InstanceType<typeof Interface>): string {
  return (iface as unknown as { $name: string }).$name;
}
