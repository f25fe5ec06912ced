// The same commands over BlueZ (node-ble -> private dbus-daemon -> `ring sim serve`) and
// over --sim give the same output for the same fixture and seed: the BLE path adds no
// loss, duplication or reordering and shows the same MTU. (stream: ble-stream.test.ts)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ring, ringAsync } from '../helpers/cli.js';
import { ringWith, startStandIn } from '../helpers/bluez.js';

const rest = 'fixtures/synth/synth-rest.ringfx';
const sleep = 'fixtures/synth/synth-sleep.ringfx';

t.test('scan, info and history over --ble equal --sim', async (t) => {
  // What --sim prints, run while the stand-ins start: none of it needs them.
  const LINES = [['info', '--json'], ['battery', '--json'], ['config', '--json'], ['history', '--ndjson'], ['history', '--json', '--from', '100', '--max', '300']];
  const sims = LINES.map((args) => ringAsync([...args, '--sim', rest, '--seed', '5']));
  const sleepSim = ringAsync(['history', '--ndjson', '--sim', sleep, '--seed', '6']);

  const s = await startStandIn(t, [rest, sleep, '--record-first', '--seed', '5']);
  t.same(s.rings.map((r) => r.address), ['C0:FF:EE:00:00:01', 'C0:FF:EE:00:00:02'], 'one address per fixture');

  const scan = ringWith(s.env, ['scan', '--timeout-s', '0.3', '--json']);
  t.equal(scan.code, 0, scan.stderr);
  const found = JSON.parse(scan.stdout) as { adapter: string; rings: { address: string; name: string; rssi: number }[] };
  t.equal(found.adapter, 'hci0');
  t.same(found.rings.map((r) => [r.address, r.name]), [['C0:FF:EE:00:00:01', 'ring-synth-rest'], ['C0:FF:EE:00:00:02', 'ring-synth-sleep']]);
  t.ok(found.rings.every((r) => Number.isInteger(r.rssi) && r.rssi < 0), 'RSSI in dBm');
  const table = ringWith(s.env, ['scan', '--timeout-s', '0.3']);
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /^address\tname\trssi_dbm/);
  t.match(table.stdout, /C0:FF:EE:00:00:02\tring-synth-sleep\t-46\tno\tno/);

  // A ring that has recorded its whole fixture (--record-first) for history; a fresh one
  // for info, whose log figures --sim shows before any recording. The windowed history read
  // also writes a host-side capture (below), which changes nothing on stdout.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-ble-cap-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const capture = path.join(dir, 'history.btsnoop');
  const fresh = await startStandIn(t, [rest, '--seed', '5']);
  for (const [i, args] of LINES.entries()) {
    const sim = await sims[i]!;
    t.equal(sim.code, 0, sim.stderr);
    const more = args.includes('--from') ? ['--capture', capture] : [];
    const ble = ringWith(args[0] === 'history' ? s.env : fresh.env, [...args, '--ble', 'C0:FF:EE:00:00:01', ...more]);
    t.equal(ble.code, 0, ble.stderr);
    t.equal(ble.stdout, sim.stdout, `${[...args, ...more].join(' ')}: same output`);
    if (more.length > 0) t.ok((JSON.parse(ble.stdout) as { records: unknown[] }).records.length > 0, 'the captured read has records');
  }
  // By name, and by the environment variable naming the default ring; the second ring is its own.
  const byName = ringWith(s.env, ['history', '--ndjson', '--ble', 'ring-synth-sleep']);
  t.equal(byName.code, 0, byName.stderr);
  t.equal(byName.stdout, (await sleepSim).stdout, 'ring 2 runs seed + 1');
  const byEnv = ringWith({ ...fresh.env, RING_BLE: 'ring-synth-rest' }, ['info', '--json']);
  t.equal(byEnv.code, 0, byEnv.stderr);
  // The same ring (identity, limits, capabilities); its log has grown since the first info,
  // as a stand-in ring runs in real time once connected.
  const withoutLog = (text: string) => ({ ...(JSON.parse(text) as Record<string, unknown>), log: undefined });
  t.same(withoutLog(byEnv.stdout), withoutLog((await sims[0]!).stdout), 'RING_BLE names the same ring');

  await t.test('--capture over --ble writes a host-side capture that ring decode reads', async (t) => {
    const dec = ring(['decode', '--capture', capture, '--json']);
    t.equal(dec.code, 0, dec.stderr);
    const doc = JSON.parse(dec.stdout) as { notes: string[]; frames: { message: string; dir: string }[] };
    t.ok(doc.notes.some((n) => n.startsWith('host-side capture')), 'the capture says it is host-side');
    t.ok(doc.frames.some((f) => f.message === 'history.read.req' && f.dir === 'host>ring'), 'history requests captured');
    t.ok(doc.frames.some((f) => f.message === 'history.read.rsp' && f.dir === 'ring>host'), 'history pages captured');
    t.notOk(doc.frames.some((f) => f.message === undefined), 'every frame decodes to a named message');
  });
});
