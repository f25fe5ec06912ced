// `ring stream --duration-s 11` over BlueZ (node-ble -> private dbus-daemon -> `ring sim
// serve`, the ring in real time) gives the items `--sim` gives for the same fixture and seed.
// Its own file: it waits 11 s of wall clock, which tap overlaps with other files.
import t from 'tap';
import { ringAsync } from '../helpers/cli.js';
import { ringWith, startStandIn, withoutReceptionTimes } from '../helpers/bluez.js';

// Notifications of this recording leave a quiet stretch (10.40..11.51 s of ring time) around
// the 11 s cut, so the wall-clock cut over BLE and the virtual cut over --sim take the same
// items: 0.6 s before the cut and 0.5 s after (a cut at 30 s had 0.4 s and 0.8 s), and the
// ring's real-time clock has less time to drift.
const sleep = 'fixtures/synth/synth-sleep.ringfx';

t.test('stream --duration-s 11 over --ble equals --sim', async (t) => {
  // The --sim run (virtual time, no waiting) while the stand-in starts and the BLE run waits.
  const simRun = ringAsync(['stream', '--duration-s', '11', '--ndjson', '--sim', sleep, '--seed', '3']);
  const s = await startStandIn(t, [sleep, '--seed', '3']);
  const ble = ringWith(s.env, ['stream', '--duration-s', '11', '--ndjson', '--ble', 'C0:FF:EE:00:00:01']);
  t.equal(ble.code, 0, ble.stderr);
  const sim = await simRun;
  t.equal(sim.code, 0, sim.stderr);
  const lines = sim.stdout.trim().split('\n');
  t.ok(lines.length > 10, `${lines.length} lines: beats and HR from 11 s`);
  t.match(lines[lines.length - 1], /"type":"summary","notifications":\d+,"items":\d+,"sequence_gaps":0/);
  // received_us is the host's clock at reception: virtual over --sim, the wall clock over BLE.
  t.equal(withoutReceptionTimes(ble.stdout), withoutReceptionTimes(sim.stdout), 'same items, same order, same summary');
});
