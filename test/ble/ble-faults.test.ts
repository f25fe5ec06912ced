// Faults through the BlueZ path (node-ble -> private dbus-daemon -> `ring sim serve`) and
// what each gets: a dropped link mid-history is survived with every record once and in
// order; a ring that vanishes, a write BlueZ refuses and a broken setup (no bus, no BlueZ,
// policy denial, adapter off or absent, unknown ring, both --sim and --ble) each end in one
// line `error: ...`, exit 2 and nothing on stdout.
import t from 'tap';
import dbus from 'dbus-next';
import { oneLineError, ring } from '../helpers/cli.js';
import { sweep } from '../helpers/long.js';
import { privateBus, ringAsync, ringWith, startStandIn } from '../helpers/bluez.js';

const rest = 'fixtures/synth/synth-rest.ringfx';

async function setPowered(address: string, adapter: string, on: boolean): Promise<void> {
  const bus = dbus.sessionBus({ busAddress: address });
  try {
    const obj = await bus.getProxyObject('org.bluez', `/org/bluez/${adapter}`);
    await obj.getInterface('org.freedesktop.DBus.Properties').Set('org.bluez.Adapter1', 'Powered', new dbus.Variant('b', on));
  } finally {
    bus.disconnect();
  }
}
const RING = 'C0:FF:EE:00:00:01';

t.test('a disconnect mid-history: resumed, nothing lost or duplicated', async (t) => {
  const s = await startStandIn(t, [rest, '--record-first', '--disconnect-at-ms', '400']);
  const r = ringWith(s.env, ['history', '--ndjson', '--ble', RING, '--log-level', 'info']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /link dropped; reconnecting/, 'the host saw the drop');
  const lines = r.stdout.trim().split('\n');
  const summary = JSON.parse(lines.pop()!) as { records: number; resumes: number; last_seq: number };
  t.ok(summary.resumes >= 1, `resumed ${summary.resumes} time(s) after the drop`);
  const seqs = lines.map((l) => (JSON.parse(l) as { seq: number }).seq);
  t.same(seqs, Array.from({ length: summary.last_seq }, (_, i) => i + 1), 'every stored record once, in order');
  const clean = ring(['history', '--ndjson', '--sim', rest]);
  t.equal(clean.code, 0, clean.stderr);
  t.equal(lines.join('\n'), clean.stdout.trim().split('\n').slice(0, -1).join('\n'), 'the records of a read without a drop');
});

t.test('a disconnect mid-stream: seen as a gap, subscribed again', async (t) => {
  const s = await startStandIn(t, [rest, '--disconnect-at-ms', '3000']);
  const r = ringWith(s.env, ['stream', '--duration-s', '6', '--ndjson', '--ble', RING]);
  t.equal(r.code, 0, r.stderr);
  const items = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; cause?: string; beat_index?: number; resubscribes?: number });
  const gaps = items.filter((i) => i.type === 'gap');
  t.same(gaps.map((g) => g.cause), ['disconnect'], 'one gap, for the drop');
  t.equal(items[items.length - 1].resubscribes, 1, 'subscribed again after reconnecting');
  const at = items.findIndex((i) => i.type === 'gap');
  t.ok(items.slice(at + 1).some((i) => i.type === 'beat'), 'beats flow again after the drop');
  const beats = items.filter((i) => i.type === 'beat').map((i) => i.beat_index!);
  t.same(beats, [...beats].sort((a, b) => a - b), 'beats in order');
  t.equal(new Set(beats).size, beats.length, 'no beat twice');
});

t.test('a ring that vanishes mid-history', async (t) => {
  const s = await startStandIn(t, [rest, '--record-first', '--vanish-at-ms', '400']);
  oneLineError(t, ringWith(s.env, ['history', '--ndjson', '--ble', RING]), /the ring did not answer.*out of range/);
});

t.test('a write BlueZ refuses', async (t) => {
  const s = await startStandIn(t, [rest, '--fail-write', '2']);
  t.equal(ringWith(s.env, ['info', '--ble', RING]).code, 0, 'the first write goes through');
  oneLineError(t, ringWith(s.env, ['info', '--ble', RING]), /write to C0:FF:EE:00:00:01 failed: Failed to initiate write/);
  t.equal(ringWith(s.env, ['info', '--ble', RING]).code, 0, 'the ring is usable afterwards');
});

t.test('a device that advertises like a ring but is not one', async (t) => {
  const s = await startStandIn(t, [rest, '--gatt-service-uuid', '0000180d-0000-1000-8000-00805f9b34fb']);
  oneLineError(t, ringWith(s.env, ['info', '--ble', RING]), /C0:FF:EE:00:00:01 is not a ring: it has no service 7a3e0001-.* \(it offers 0000180d-/);
});

t.test('setup errors', async (t) => {
  // Independent commands run at once (each is its own process): the test waits less.
  // Each case is a process: `make test` runs a seeded subset of each group (make test-long all).
  let group = 0;
  const check = async (env: NodeJS.ProcessEnv, all: [string[], RegExp][]): Promise<void> => {
    const cases = sweep(t, `setup errors, group ${++group}`, all, 2);
    const runs = await Promise.all(cases.map(([args]) => ringAsync(env, args)));
    runs.forEach((r, i) => oneLineError(t, r, cases[i][1]));
  };
  const [s, empty, denied] = await Promise.all([
    startStandIn(t, [rest, '--adapter', 'hci1']),
    privateBus(t),
    startStandIn(t, [rest], { extra_policy: '<policy context="mandatory"><deny send_destination="org.bluez"/></policy>' }),
  ]);
  await check(s.env, [
    [['info', '--ble', RING, '--adapter', 'hci0'], /no adapter hci0: BlueZ has hci1/],
    [['info', '--ble', 'C0:FF:EE:00:00:09', '--scan-timeout-s', '0.3'], /no ring with address 'C0:FF:EE:00:00:09' found on hci1 within 0.3 s/],
    [['info', '--ble', 'no-such-ring', '--scan-timeout-s', '0.3'], /no ring named 'no-such-ring'/],
    [['info', '--ble', RING, '--sim', rest], /--sim and --ble are exclusive/],
    [['info', '--ble', RING, '--adapter', 'usb0'], /--adapter takes an adapter name/],
    [['info', '--ble', RING, '--mtu', '23', '--loss', '0.1'], /--mtu, --loss shape the simulated link \(--sim\) only/],
    [['info', '--sim', rest, '--adapter', 'hci1'], /--adapter applies to --ble only/],
    [['scan', '--timeout-s', '0'], /--timeout-s/],
  ]);

  // Adapter1.Powered is read-write, as in BlueZ: switch it off from another client.
  await setPowered(s.bus.address, 'hci1', false);
  await check(s.env, [
    [['info', '--ble', RING, '--adapter', 'hci1'], /adapter hci1 is off: run 'bluetoothctl power on'/],
    [['scan', '--timeout-s', '0.2'], /adapter hci1 is off/],
  ]);

  await check({ ...process.env, DBUS_SYSTEM_BUS_ADDRESS: empty.address }, [
    [['info', '--ble', RING], /BlueZ is not running \(no org.bluez on the system bus\)/],
  ]);
  await check({ ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${empty.dir}/none` }, [[['scan'], /cannot reach the system D-Bus/]]);
  await check(denied.env, [[['info', '--ble', RING], /permission denied.*'bluetooth' group or add a polkit rule/]]);
});

t.test('ring sim serve: bad input', async (t) => {
  const noBus = { ...process.env };
  delete noBus.DBUS_SYSTEM_BUS_ADDRESS;
  const cases: [string[], RegExp][] = [
    [['sim', 'serve', rest], /no bus to serve on: give --bus <address>, --private-bus/],
    [['sim', 'serve', 'no/such.ringfx', '--bus', 'unix:path=/nonexistent'], /no\/such\.ringfx/],
    [['sim', 'serve', rest, '--bus', 'unix:path=/x', '--private-bus'], /--bus and --private-bus are exclusive/],
    [['sim', 'serve', rest, '--speed', '0'], /--speed must be in 0.1..100/],
    [['sim', 'serve', rest, '--bus', 'unix:path=/nonexistent/bus'], /cannot serve on unix:path=\/nonexistent\/bus: connect ENOENT/],
  ];
  const picked = sweep(t, 'sim serve bad input', cases, 2);
  const runs = await Promise.all(picked.map(([args]) => ringAsync(noBus, args)));
  runs.forEach((r, i) => oneLineError(t, r, picked[i]![1]));
  // A bus where org.bluez is taken (bluetoothd, or another stand-in).
  const s = await startStandIn(t, [rest]);
  oneLineError(t, ringWith(noBus, ['sim', 'serve', rest, '--bus', s.bus.address]), /org.bluez is already owned on/);
});
