// `ring stream --duration-s 30` over BlueZ (node-ble -> private dbus-daemon -> `ring sim
// serve`, the ring in real time) gives the items `--sim` gives for the same fixture and seed.
// Its own file: it waits 30 s of wall clock, which tap overlaps with other files.
import t from 'tap';
import { ring } from '../helpers/cli.js';
import { ringWith, startStandIn, withoutReceptionTimes } from '../helpers/bluez.js';

// Notifications of this recording leave a quiet stretch (29.6..30.8 s of ring time) around
// the 30 s cut, so the wall-clock cut over BLE and the virtual cut over --sim take the same items.
const sleep = 'fixtures/synth/synth-sleep.ringfx';

t.test('stream --duration-s 30 over --ble equals --sim', async (t) => {
  const s = await startStandIn(t, [sleep, '--seed', '3']);
  const ble = ringWith(s.env, ['stream', '--duration-s', '30', '--ndjson', '--ble', 'C0:FF:EE:00:00:01']);
  t.equal(ble.code, 0, ble.stderr);
  const sim = ring(['stream', '--duration-s', '30', '--ndjson', '--sim', sleep, '--seed', '3']);
  t.equal(sim.code, 0, sim.stderr);
  const lines = sim.stdout.trim().split('\n');
  t.ok(lines.length > 40, `${lines.length} lines: beats, HR and HRV from 30 s`);
  t.match(lines[lines.length - 1], /"type":"summary","notifications":\d+,"items":\d+,"sequence_gaps":0/);
  // received_us is the host's clock at reception: virtual over --sim, the wall clock over BLE.
  t.equal(withoutReceptionTimes(ble.stdout), withoutReceptionTimes(sim.stdout), 'same items, same order, same summary');
});
