// node-ble plumbing shared by the BLE transport and `ring scan`: opening the system bus and
// an adapter, discovery filtered by the ring's service UUID, reading what BlueZ knows of a
// device. node-ble has no getter for some BlueZ properties (UUIDs, RSSI as a number, MTU)
// nor a discovery filter with UUIDs; its BusHelper (`.helper`) reads and calls any member,
// so those go through it. Every call has a deadline: a D-Bus call to a wedged daemon may
// otherwise never return.

import dbus from 'dbus-next';
import nodeBle from 'node-ble';
import { RING_SERVICE_UUID } from '../../../protocol/ids.js';
import { BleError, mapBluezError } from './errors.js';

export type Bluetooth = nodeBle.Bluetooth;
export type Adapter = nodeBle.Adapter;
export type Device = nodeBle.Device;
export type GattCharacteristic = nodeBle.GattCharacteristic;

interface BusHelper {
  prop(name: string): Promise<unknown>;
  callMethod(name: string, ...args: unknown[]): Promise<unknown>;
  removeListeners(): void;
}

/** node-ble's helper behind an adapter, device or characteristic. */
export function helperOf(obj: unknown): BusHelper {
  return (obj as { helper: BusHelper }).helper;
}

export const ADDRESS_RE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
/** How often discovery re-lists devices, ms (node-ble's own default is 1000). */
export const DISCOVERY_POLL_MS = 100;
export const CALL_TIMEOUT_MS_DEFAULT = 10_000;

export interface BluezSession {
  bluetooth: Bluetooth;
  adapter: Adapter;
  adapter_name: string;
  destroy(): void;
}

/** Run p with a deadline; on expiry the error says what timed out. */
export async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BleError(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Connect to the system bus (DBUS_SYSTEM_BUS_ADDRESS or the standard socket) and open the adapter. */
export async function openBluez(adapter_name: string | undefined, timeout_ms = CALL_TIMEOUT_MS_DEFAULT): Promise<BluezSession> {
  const { bluetooth, destroy } = nodeBle.createBluetooth();
  // A bus that cannot be reached reports through the connection's 'error' event; keep it
  // for the message instead of letting it crash the process.
  let bus_error: unknown = null;
  let bus_failed: (err: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    bus_failed = reject;
  });
  failed.catch(() => undefined);
  (bluetooth as unknown as { dbus: NodeJS.EventEmitter }).dbus.on('error', (err: unknown) => {
    bus_error = err;
    bus_failed(err); // calls in flight would otherwise wait for their deadline
  });
  const label = adapter_name ?? 'the default adapter';
  try {
    const names = await withDeadline(Promise.race([bluetooth.adapters(), failed]), timeout_ms, 'list Bluetooth adapters');
    if (names.length === 0) throw new BleError('no Bluetooth adapter: is a controller present and powered on? (bluetoothctl list)');
    const name = adapter_name ?? names[0];
    if (!names.includes(name)) throw new BleError(`no adapter ${name}: BlueZ has ${names.join(', ')} (use --adapter)`);
    const adapter = await bluetooth.getAdapter(name);
    const powered = await withDeadline(adapter.isPowered(), timeout_ms, `read ${name}`);
    if (!powered) throw new BleError(`adapter ${name} is off: run 'bluetoothctl power on' (or 'rfkill unblock bluetooth' if it is blocked)`);
    return { bluetooth, adapter, adapter_name: name, destroy };
  } catch (err) {
    destroy();
    throw mapBluezError(bus_error ?? err, `open ${label}`, label);
  }
}

/** Start discovery for LE devices advertising the ring service; returns a stop function. */
export async function startRingDiscovery(s: BluezSession): Promise<() => Promise<void>> {
  const h = helperOf(s.adapter);
  try {
    await h.callMethod('SetDiscoveryFilter', {
      UUIDs: new dbus.Variant('as', [RING_SERVICE_UUID]),
      Transport: new dbus.Variant('s', 'le'),
    });
    if (!(await s.adapter.isDiscovering())) await h.callMethod('StartDiscovery');
  } catch (err) {
    throw mapBluezError(err, `start discovery on ${s.adapter_name}`, s.adapter_name);
  }
  return async () => {
    try {
      await h.callMethod('StopDiscovery');
    } catch {
      // discovery may have stopped already (adapter reset); nothing to undo
    }
  };
}

export interface SeenRing {
  address: string;
  name: string;
  rssi: number | null;
  uuids: string[];
  paired: boolean;
  connected: boolean;
}

/** What BlueZ knows of one device object. */
export async function describeDevice(s: BluezSession, address: string): Promise<SeenRing> {
  const device = await s.adapter.getDevice(address);
  const h = helperOf(device);
  const props = (await (h as unknown as { props(): Promise<Record<string, unknown>> }).props()) as Record<string, unknown>;
  return {
    address: String(props.Address ?? address),
    name: String(props.Alias ?? props.Name ?? ''),
    rssi: typeof props.RSSI === 'number' ? props.RSSI : null,
    uuids: Array.isArray(props.UUIDs) ? (props.UUIDs as string[]).map((u) => u.toLowerCase()) : [],
    paired: props.Paired === true,
    connected: props.Connected === true,
  };
}

/** Devices BlueZ lists on the adapter that advertise the ring service. */
export async function listRings(s: BluezSession): Promise<SeenRing[]> {
  const out: SeenRing[] = [];
  for (const address of await s.adapter.devices()) {
    let d: SeenRing;
    try {
      d = await describeDevice(s, address);
    } catch {
      continue; // removed while we looked
    }
    if (d.uuids.includes(RING_SERVICE_UUID)) out.push(d);
  }
  return out.sort((a, b) => a.address.localeCompare(b.address));
}

/**
 * Find the ring named by `target` (an address, or a name BlueZ shows as Alias/Name):
 * known to BlueZ already, or seen by a discovery that runs until timeout_ms.
 */
export async function findRing(s: BluezSession, target: string, timeout_ms: number): Promise<Device> {
  const by_address = ADDRESS_RE.test(target);
  const match = async (): Promise<Device | null> => {
    if (by_address) {
      const known = (await s.adapter.devices()).map((a) => a.toUpperCase());
      return known.includes(target.toUpperCase()) ? s.adapter.getDevice(target.toUpperCase()) : null;
    }
    const named = (await listRings(s)).filter((r) => r.name === target);
    if (named.length > 1) throw new BleError(`${named.length} rings are named '${target}' (${named.map((r) => r.address).join(', ')}): give the address`);
    return named.length === 1 ? s.adapter.getDevice(named[0].address) : null;
  };
  try {
    const known = await match();
    if (known !== null) return known;
    const stop = await startRingDiscovery(s);
    try {
      const deadline = Date.now() + timeout_ms;
      for (;;) {
        const found = await match();
        if (found !== null) return found;
        if (Date.now() >= deadline) break;
        await new Promise((r) => setTimeout(r, DISCOVERY_POLL_MS));
      }
    } finally {
      await stop();
    }
  } catch (err) {
    throw mapBluezError(err, `find ${target}`, s.adapter_name);
  }
  throw new BleError(
    `no ring ${by_address ? 'with address' : 'named'} '${target}' found on ${s.adapter_name} within ${timeout_ms / 1000} s: ` +
      "is it charged, advertising and in range? ('ring scan' lists the rings in reach)",
  );
}
