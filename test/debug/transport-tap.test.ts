// The host-side capture a BLE transport would make (it sees characteristic operations, not
// the air): the rebuilt discovery matches the ring's live attribute table, the capture
// says it is host-side, and tshark with the Lua dissector reads its frames as ring decode does.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadFixture } from '../../sim/fixture/load.js';
import { RingDevice } from '../../sim/ring-device.js';
import { RingClient } from '../../host/client/client.js';
import { readHistory } from '../../host/client/history.js';
import { SimTransport } from '../../host/transport/sim-transport.js';
import { CaptureRecorder, surveyGatt } from '../../host/debug/capture.js';
import { readBtsnoop } from '../../host/debug/btsnoop.js';
import { HOST_SIDE_NOTE, RING_GATT_TABLE, tapTransport } from '../../host/debug/transport-tap.js';
import { uuidText, uuidBytes } from '../../host/transport/att.js';
import { cliPath } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-ttap-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
const hasTshark = spawnSync('tshark', ['-v']).status === 0;

async function connected() {
  const device = new RingDevice(loadFixture('fixtures/synth/synth-rest.ringfx'), { seed: 3, rate_hz: 50 });
  device.runFor(20_000);
  const transport = new SimTransport(device);
  const client = new RingClient(transport);
  await client.connect();
  return { device, transport, client };
}

t.test("the rebuilt discovery is the ring's live attribute table", async (t) => {
  const { transport, client } = await connected();
  const live = await surveyGatt(transport.att);
  const norm = (u: string | number) => uuidText(uuidBytes(u));
  t.same(live.services.map((s) => [s.handle, s.end_handle, s.uuid]), RING_GATT_TABLE.services.map((s) => [s.handle, s.end_handle, norm(s.uuid)]));
  t.same(
    live.characteristics.map((c) => [c.decl_handle, c.properties, c.value_handle, c.uuid]),
    RING_GATT_TABLE.characteristics.map((c) => [c.decl_handle, c.properties, c.value_handle, norm(c.uuid)]),
  );
  t.equal(transport.handles.frame_value, 0x0009);
  await client.close();
});

t.test('a host-side capture of a history read: marked as such, decoded by ring decode and the Lua dissector alike', async (t) => {
  const { device, transport, client } = await connected();
  const file = path.join(tmp, 'host-side.btsnoop');
  const recorder = new CaptureRecorder(file, device.utc_epoch_ms * 1000, [HOST_SIDE_NOTE]);
  const stop = tapTransport(transport, recorder, transport.handles.frame_value);
  await client.info();
  const h = await readHistory(client, { page_records: 16 });
  stop();
  recorder.close();
  await client.close();
  const cap = readBtsnoop(fs.readFileSync(file));
  t.match(cap.notes[0], /^host-side capture/);
  const d = spawnSync(process.execPath, [cliPath, 'decode', '--capture', file, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  t.equal(d.status, 0, d.stderr);
  const frames = (JSON.parse(d.stdout) as { frames: { message: string; value: { records?: unknown[] } }[] }).frames;
  const pages = frames.filter((f) => f.message === 'history.read.rsp');
  t.equal(pages.length, h.pages, 'every page in the capture');
  t.equal(pages.reduce((n, p) => n + (p.value.records?.length ?? 0), 0), h.records.length, 'every record in the capture');
  if (!hasTshark && process.env.CI !== 'true') {
    t.comment('tshark is not installed (make deps installs it): the Lua check is left out');
    return;
  }
  const r = spawnSync('tshark', ['-X', `lua_script:${path.join(repoRoot, 'tools/wireshark/ring-sim.lua')}`, '-r', file, '-Y', 'ring.message', '-T', 'fields', '-e', 'ring.message'], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.same(r.stdout.split('\n').filter((l) => l), frames.map((f) => f.message), 'tshark names every frame as ring decode does');
});
