// Time a trace can trust: after a compensated set the simulated ring's clock equals the
// host's to within 1 ms whatever the loss (checked against the simulator's own clocks),
// and a history read under 5% loss gives records identical to a clean read, emitted_ms
// included. Seeded; the ring's crystal drift is drawn from the seed as in `ring history`.

import t from 'tap';
import { time_offset_ms } from '../../firmware/cmd/time.js';
import { CMD_TIME, GROUP_TIME, OP_WRITE } from '../../protocol/ids.js';
import { DeviceError } from '../../host/client/errors.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { replayFixture } from '../../sim/replay.js';
import { RingDevice } from '../../sim/ring-device.js';
import { RingClient } from '../../host/client/client.js';
import { readHistory } from '../../host/client/history.js';
import { SimTransport } from '../../host/transport/sim-transport.js';
import { probeClock, setTimeCompensated, simReceiveStamps } from '../../host/debug/time-sync.js';
import { ring } from '../helpers/cli.js';
import { sweep } from '../helpers/long.js';

const fixture = loadFixture('fixtures/synth/synth-rest.ringfx');

async function session(seed: number, loss: number, record_first_ms: number) {
  const device = new RingDevice(fixture, { seed, rate_hz: 50, link: { loss_probability: loss } });
  if (record_first_ms > 0) device.runFor(record_first_ms);
  else device.runToEnd();
  const transport = new SimTransport(device);
  const client = new RingClient(transport);
  await client.connect();
  const stamps = simReceiveStamps(device.link, () => transport.handles.frame_value);
  return { device, transport, client, stamps };
}

/** The ring's device clock minus the true UTC, read from the simulator (an oracle the host never has). */
function ringErrorMs(device: RingDevice): number {
  return device.ringClockMs() + time_offset_ms() - device.utcNowMs();
}

t.test('after a compensated set the ring clock equals the host clock within 1 ms, whatever the loss', async (t) => {
  const errors: string[] = [];
  let runs = 0;
  for (const loss of [0, 0.05, 0.2, 0.4]) {
    for (const seed of [1, 2, 3, 4]) {
      const s = await session(seed, loss, 5000);
      const err_before = ringErrorMs(s.device);
      const r = await setTimeCompensated(s.client, s.stamps);
      const err = ringErrorMs(s.device);
      if (Math.abs(err) > 1) errors.push(`loss ${loss} seed ${seed}: ring - host = ${err} ms (${s.device.describe()})`);
      if (r.before.method !== 'receive-stamp' || Math.abs(r.after.offset_ms) > 1) errors.push(`loss ${loss} seed ${seed}: measured after ${r.after.offset_ms} ms by ${r.after.method}`);
      if (Math.abs(r.before.offset_ms - err_before) > 1) {
        errors.push(`loss ${loss} seed ${seed}: measured ${r.before.offset_ms} ms before the set, the simulator says ${err_before}`);
      }
      s.stamps.close();
      await s.client.close();
      runs++;
    }
  }
  t.same(errors, []);
  t.equal(runs, 16);
});

t.test('without receive stamps, Cristian: the error stays within half the shortest round trip', async (t) => {
  const s = await session(5, 0.05, 3000);
  s.stamps.close();
  const r = await setTimeCompensated(s.client, null);
  t.equal(r.before.method, 'cristian');
  const err = ringErrorMs(s.device);
  t.ok(Math.abs(err) <= Math.ceil(r.before.rtt_us / 2000) + 1, `error ${err} ms, round trip ${r.before.rtt_us / 1000} ms`);
  const probe = await probeClock(s.client, null);
  t.ok(probe.rtt_us > 0);
  await s.client.close();
});

t.test('history read under 5% loss gives records identical to a clean read, emitted_ms included, and true to the host clock', async (t) => {
  // An exact crystal (drift 0), so the ring's records can be checked against a direct
  // replay: after the set they read as UTC, with no trace of the set's latency.
  const read = async (seed: number, loss: number) => {
    const device = new RingDevice(fixture, { seed, rate_hz: 50, drift_ppm: 0, link: { loss_probability: loss } });
    device.runToEnd();
    const transport = new SimTransport(device);
    const client = new RingClient(transport);
    await client.connect();
    const stamps = simReceiveStamps(device.link, () => transport.handles.frame_value);
    await setTimeCompensated(client, stamps);
    await client.info();
    const h = await readHistory(client);
    stamps.close();
    await client.close();
    return { h, lost: device.link.stats().c2p.ll_lost + device.link.stats().p2c.ll_lost, epoch_ms: device.utc_epoch_ms };
  };
  // Each seed replays the recording four times: `make test` runs one seed, make test-long both.
  for (const seed of sweep(t, 'history read seeds', [1, 2], 1)) {
    const clean = await read(seed, 0);
    const direct = replayFixture(fixture, { seed, rate_hz: 50 });
    const beats = clean.h.records.filter((r) => r.type === 'beat');
    t.equal(beats.length, direct.beats.length, `seed ${seed}: every beat in the log`);
    t.same(
      beats.map((b) => [b.time_ms - clean.epoch_ms, (b.emitted_ms ?? 0) - clean.epoch_ms]),
      direct.beats.map((b) => [b.time_ms, b.emitted_us / 1000]),
      `seed ${seed}: beat times and emitted_ms are the host's UTC of the events, to the ms`,
    );
    for (const loss of [0.05, 0.2]) {
      const lossy = await read(seed, loss);
      t.ok(lossy.lost > 0, `seed ${seed} loss ${loss}: the link lost ${lossy.lost} packets`);
      t.same(lossy.h.records, clean.h.records, `seed ${seed} loss ${loss}: records identical to the clean read`);
    }
  }
});

t.test('ring time reports the measured offset and round trip; --set now compensates', async (t) => {
  const get = ring(['time', '--sim', 'fixtures/synth/synth-rest.ringfx', '--json', '--loss', '0.05']);
  t.equal(get.code, 0, get.stderr);
  const g = JSON.parse(get.stdout);
  t.equal(g.measured.method, 'receive-stamp');
  t.ok(g.measured.rtt_ms > 0);
  t.ok(g.measured.offset_ms < -1_700_000_000_000, 'an unset ring runs on uptime: far behind UTC');
  const set = ring(['time', '--sim', 'fixtures/synth/synth-rest.ringfx', '--json', '--set', 'now', '--loss', '0.05']);
  t.equal(set.code, 0, set.stderr);
  const s = JSON.parse(set.stdout);
  t.ok(Math.abs(s.after.offset_ms) <= 1, `offset after the set: ${s.after.offset_ms} ms`);
  t.equal(s.time.synced, true);
  const table = ring(['time', '--sim', 'fixtures/synth/synth-rest.ringfx']);
  t.match(table.stdout, /offset\s+-?\d+ ms \(receive stamp\)/);
  t.match(table.stdout, /round trip\s+[\d.]+ ms/);
});

t.test('what each bad time set gets from the ring', async (t) => {
  const s = await session(1, 0, 1000);
  s.stamps.close();
  const set = (body: unknown) =>
    s.client.call({ name: 'time set', group: GROUP_TIME, cmd: CMD_TIME, op: OP_WRITE, body, idempotent: false }).then(
      () => null,
      (e: unknown) => (e instanceof DeviceError ? [e.code, e.key] : String(e)),
    );
  t.same(await set({}), ['ERR_MISSING_FIELD', 'now_ms'], 'neither key');
  t.same(await set({ now_ms: 1767225600000, adjust_ms: 5 }), ['ERR_BAD_VALUE', 'adjust_ms'], 'both keys');
  t.same(await set({ adjust_ms: 5 }), ['ERR_BAD_VALUE', 'adjust_ms'], 'an uptime clock moved by 5 ms is no UTC time');
  t.same(await set({ adjust_ms: 'soon' }), ['ERR_BAD_TYPE', 'adjust_ms'], 'not an integer');
  t.same(await set({ adjust_ms: 4102444800001 }), ['ERR_BAD_VALUE', 'adjust_ms'], 'beyond TIME_ADJUST_MS_MAX');
  t.same(await set({ adjust_ms: 1, extra: 1 }), ['ERR_UNKNOWN_FIELD', 'extra'], 'an unknown key');
  const offset_before = time_offset_ms();
  t.equal(await set({ adjust_ms: 1767225600000 }), null, 'a valid adjustment');
  t.equal(time_offset_ms() - offset_before, 1767225600000, 'the clock moved by exactly adjust_ms');
  await s.client.close();
});
