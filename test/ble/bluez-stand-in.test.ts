// The BlueZ stand-in seen by a plain D-Bus client (dbus-next), member by member, as
// docs/bluez-stand-in.md traces it to BlueZ's D-Bus API documents: the object tree,
// ObjectManager signals, discovery and its UUID filter, Connect / ServicesResolved, the
// GATT objects and their properties, WriteValue / StartNotify / notifications through
// PropertiesChanged("Value"), and the error names BlueZ documents for misuse.
import t from 'tap';
import dbus from 'dbus-next';
import {
  CMD_DEVICE_INFO,
  GROUP_DEVICE,
  OP_READ,
  RING_FRAME_CHAR_UUID,
  RING_SERVICE_UUID,
} from '../../protocol/ids.js';
import { decodeFrame, encodeFrame } from '../../protocol/host/frame.js';
import { startStandIn } from '../helpers/bluez.js';

const rest = 'fixtures/synth/synth-rest.ringfx';
const ADAPTER = '/org/bluez/hci0';
const DEV = `${ADAPTER}/dev_C0_FF_EE_00_00_01`;
const CHAR = `${DEV}/service0010/char0011`;

type Props = Record<string, { value: unknown }>;

async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { type?: string }).type ?? `not a D-Bus error: ${(err as Error).message}`;
  }
  return 'no error';
}

/** Resolve with the first signal for which pick() returns a value, or reject after ms. */
function nextSignal<T>(emitter: NodeJS.EventEmitter, name: string, pick: (...args: unknown[]) => T | undefined, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(name, on);
      reject(new Error(`no ${name} signal within ${ms} ms`));
    }, ms);
    const on = (...args: unknown[]): void => {
      const v = pick(...args);
      if (v === undefined) return;
      clearTimeout(timer);
      emitter.removeListener(name, on);
      resolve(v);
    };
    emitter.on(name, on);
  });
}

t.test('the stand-in as a D-Bus client sees it', async (t) => {
  const s = await startStandIn(t, [rest]);
  const bus = dbus.sessionBus({ busAddress: s.bus.address });
  t.teardown(() => bus.disconnect());

  const root = await bus.getProxyObject('org.bluez', '/');
  const om = root.getInterface('org.freedesktop.DBus.ObjectManager');
  const managed = (await om.GetManagedObjects()) as Record<string, Record<string, Props>>;
  t.ok(managed['/org/bluez']['org.bluez.AgentManager1'], 'AgentManager1 on /org/bluez');
  const adapterProps = managed[ADAPTER]['org.bluez.Adapter1'];
  t.equal(adapterProps.Powered.value, true);
  t.equal(adapterProps.Discovering.value, false);
  t.match(adapterProps.Address.value, /^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
  t.notOk(managed[DEV], 'no device before discovery');
  t.same((await bus.getProxyObject('org.bluez', '/org/bluez')).nodes, ['/org/bluez/hci0'], 'Introspect lists the adapter');

  const agents = (await bus.getProxyObject('org.bluez', '/org/bluez')).getInterface('org.bluez.AgentManager1');
  await agents.RegisterAgent('/test/agent', 'NoInputNoOutput');
  t.equal(await errorName(agents.RegisterAgent('/test/agent', 'NoInputNoOutput')), 'org.bluez.Error.AlreadyExists');
  t.equal(await errorName(agents.RegisterAgent('/test/other', 'Telepathy')), 'org.bluez.Error.InvalidArguments');

  const adapterObj = await bus.getProxyObject('org.bluez', ADAPTER);
  const adapter = adapterObj.getInterface('org.bluez.Adapter1');
  t.equal(await errorName(adapter.SetDiscoveryFilter({ Colour: new dbus.Variant('s', 'blue') })), 'org.bluez.Error.InvalidArguments');
  t.equal(await errorName(adapter.StopDiscovery()), 'org.bluez.Error.Failed', 'StopDiscovery without a session');

  // A filter for another service: the ring does not show up.
  await adapter.SetDiscoveryFilter({ UUIDs: new dbus.Variant('as', ['0000180d-0000-1000-8000-00805f9b34fb']), Transport: new dbus.Variant('s', 'le') });
  await adapter.StartDiscovery();
  await new Promise((r) => setTimeout(r, 300));
  t.notOk(((await om.GetManagedObjects()) as Record<string, unknown>)[DEV], 'filtered out by UUID');
  await adapter.StopDiscovery();

  // The ring's own service: Device1 arrives through InterfacesAdded.
  await adapter.SetDiscoveryFilter({ UUIDs: new dbus.Variant('as', [RING_SERVICE_UUID.toUpperCase()]) });
  const added = nextSignal(om, 'InterfacesAdded', (path, ifaces) => (path === DEV ? (ifaces as Record<string, Props>) : undefined));
  await adapter.StartDiscovery();
  t.equal(await errorName(adapter.StartDiscovery()), 'org.bluez.Error.InProgress');
  const dev = (await added)['org.bluez.Device1'];
  t.equal(dev.Address.value, 'C0:FF:EE:00:00:01');
  t.equal(dev.Name.value, 'ring-synth-rest');
  t.same(dev.UUIDs.value, [RING_SERVICE_UUID]);
  t.equal(dev.Connected.value, false);
  t.equal(dev.Adapter.value, ADAPTER);
  t.ok((dev.RSSI.value as number) < 0, 'RSSI in dBm');
  await adapter.StopDiscovery();

  const devObj = await bus.getProxyObject('org.bluez', DEV);
  const device = devObj.getInterface('org.bluez.Device1');
  const devProps = devObj.getInterface('org.freedesktop.DBus.Properties');
  t.equal(await errorName(device.Disconnect()), 'org.bluez.Error.NotConnected');
  const resolved = nextSignal(devProps, 'PropertiesChanged', (iface, changed) =>
    iface === 'org.bluez.Device1' && (changed as Props).ServicesResolved?.value === true ? true : undefined);
  const charAdded = nextSignal(om, 'InterfacesAdded', (path, ifaces) => (path === CHAR ? (ifaces as Record<string, Props>) : undefined));
  await device.Connect();
  t.equal(await resolved, true, 'ServicesResolved signalled');
  t.equal((await devProps.Get('org.bluez.Device1', 'Connected')).value, true);
  const ch = (await charAdded)['org.bluez.GattCharacteristic1'];
  t.equal(ch.UUID.value, RING_FRAME_CHAR_UUID);
  t.same(ch.Flags.value, ['write-without-response', 'notify']);
  t.equal(ch.MTU.value, 247, 'the MTU the simulated link negotiated');
  t.equal(ch.Service.value, `${DEV}/service0010`);
  const after = (await om.GetManagedObjects()) as Record<string, Record<string, Props>>;
  t.equal(after[`${DEV}/service0010`]['org.bluez.GattService1'].UUID.value, RING_SERVICE_UUID);
  t.equal(after[`${CHAR}/desc0013`]['org.bluez.GattDescriptor1'].UUID.value, '00002902-0000-1000-8000-00805f9b34fb');

  const charObj = await bus.getProxyObject('org.bluez', CHAR);
  const frameChar = charObj.getInterface('org.bluez.GattCharacteristic1');
  const charProps = charObj.getInterface('org.freedesktop.DBus.Properties');
  const command = { type: new dbus.Variant('s', 'command') };
  t.equal(await errorName(frameChar.ReadValue({})), 'org.bluez.Error.NotPermitted');
  t.equal(await errorName(frameChar.WriteValue(Buffer.from([1]), { type: new dbus.Variant('s', 'request') })), 'org.bluez.Error.NotSupported');
  t.equal(await errorName(frameChar.WriteValue(Buffer.alloc(245), command)), 'org.bluez.Error.InvalidValueLength', 'more than MTU - 3 bytes');

  await frameChar.StartNotify();
  t.equal((await charProps.Get('org.bluez.GattCharacteristic1', 'Notifying')).value, true);
  // A response longer than MTU - 3 arrives as several Value changes: reassemble by the header's length.
  const pieces: Buffer[] = [];
  const value = nextSignal(charProps, 'PropertiesChanged', (iface, changed) => {
    if (iface !== 'org.bluez.GattCharacteristic1' || !(changed as Props).Value) return undefined;
    pieces.push((changed as Props).Value.value as Buffer);
    const got = Buffer.concat(pieces);
    return got.length >= 8 && got.length >= 8 + got.readUInt16BE(2) ? got : undefined;
  });
  await frameChar.WriteValue(Buffer.from(encodeFrame({ op: OP_READ, group: GROUP_DEVICE, seq: 9, cmd: CMD_DEVICE_INFO }, {})), command);
  const response = decodeFrame(new Uint8Array(await value));
  t.equal(response.header.seq, 9, 'the ring answered through a Value PropertiesChanged');
  t.equal(response.header.group, GROUP_DEVICE);

  const removed = nextSignal(om, 'InterfacesRemoved', (path) => (path === CHAR ? true : undefined));
  const dropped = nextSignal(devProps, 'PropertiesChanged', (iface, changed) =>
    iface === 'org.bluez.Device1' && (changed as Props).Connected?.value === false ? true : undefined);
  const reason = nextSignal(device, 'Disconnected', (name) => name as string);
  await device.Disconnect();
  t.equal(await dropped, true, 'Connected goes false');
  t.equal(await removed, true, 'GATT objects go with the link');
  t.equal(await reason, 'org.bluez.Reason.Local');
  t.equal((await devProps.Get('org.bluez.Device1', 'ServicesResolved')).value, false);
});
