// The simulated ring's own behaviour, without the protocol: seeded choices, the drifting
// clock, virtual-time control, the sensor and firmware running as in a direct replay, and
// one ring per process owning the firmware.
import path from 'node:path';
import t from 'tap';
import type { BleHal } from '../../firmware/hal.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { replayFixture } from '../../sim/replay.js';
import { DRIFT_PPM_LIMIT, RingDevice } from '../../sim/ring-device.js';
import type { FirmwareBle } from '../../sim/device/firmware-ble.js';
import { repoRoot } from '../helpers/shared.js';

/** A GATT server that does nothing: these tests are about the ring, not the protocol. */
function quietBle(): FirmwareBle & { connected: number[] } {
  const s = {
    connected: [] as number[],
    ring_ble_attach: (_ble: BleHal) => 0,
    ring_ble_connected: (c: number) => { s.connected.push(c); },
    ring_ble_rx: () => 0,
    ring_ble_tx_space: () => {},
  };
  return s;
}

const rest = loadFixture(path.join(repoRoot, 'fixtures/synth/synth-high-hr.ringfx'));

t.test('seeded drift in ±50 ppm, describe() names the seed and every option', async (t) => {
  const seen = new Set<number>();
  for (let seed = 0; seed < 40; seed++) {
    const d = new RingDevice(null, { seed, rate_hz: 25, ble: quietBle() });
    t.ok(Math.abs(d.drift_ppm) <= DRIFT_PPM_LIMIT);
    seen.add(d.drift_ppm);
    const again = new RingDevice(null, { seed, rate_hz: 25, ble: quietBle() });
    t.equal(again.drift_ppm, d.drift_ppm, 'same seed, same drift');
    t.equal(again.irq_latency_us, d.irq_latency_us);
  }
  t.ok(seen.size > 10, 'drift varies with the seed');
  const d = new RingDevice(rest, { seed: 7, rate_hz: 50, ble: quietBle(), link: { loss_probability: 0.1 } });
  const text = d.describe();
  for (const needle of ['seed=7', 'rate_hz=50', `drift_ppm=${d.drift_ppm}`, 'irq_latency_us=', 'loss_probability=0.1', 'synth-high-hr']) {
    t.match(text, needle);
  }
});

t.test('the ring clock drifts by its ppm against true time', async (t) => {
  const d = new RingDevice(null, { seed: 1, rate_hz: 25, drift_ppm: 40, ble: quietBle() });
  d.runFor(1000 * 1000); // 1000 s
  t.equal(d.now_us, 1_000_000_000);
  t.equal(d.ringClockMs(), 1_000_040, '+40 ppm over 1000 s = +40 ms');
  t.equal(d.utcNowMs() - d.utc_epoch_ms, 1_000_000);
  const slow = new RingDevice(null, { seed: 1, rate_hz: 25, drift_ppm: -25, ble: quietBle() });
  slow.runFor(400_000);
  t.equal(slow.ringClockMs(), 400_000 - 10);
  t.throws(() => new RingDevice(null, { seed: 1, rate_hz: 25, drift_ppm: 5000, ble: quietBle() }), RangeError);
});

t.test('runUntil stops at the event that makes the predicate true, or at the limit', async (t) => {
  const d = new RingDevice(rest, { seed: 3, rate_hz: 50, ble: quietBle() });
  t.ok(d.runUntil(() => d.sensor.samples_produced >= 100, 10_000));
  t.ok(d.now_us >= 1_980_000 && d.now_us < 2_200_000, `stopped near sample 100 (${d.now_us} µs)`);
  t.notOk(d.runUntil(() => false, 500), 'false at the limit');
  t.ok(d.runToEnd(), 'the recording finishes');
  t.ok(d.fixtureDone);
});

t.test('the firmware sees exactly what a direct replay gives it', async (t) => {
  // An exact crystal: records are timed by the ring's clock, which then runs with the simulator's.
  const d = new RingDevice(rest, { seed: 5, rate_hz: 50, ble: quietBle(), drift_ppm: 0 });
  d.runToEnd();
  const direct = replayFixture(rest, { rate_hz: 50, seed: 5 });
  const beats = d.hal.records.filter((r) => r.kind === 1);
  t.equal(beats.length, direct.beats.length, 'same beat count');
  t.same(beats.map((b) => b.fields[0]), direct.beats.map((b) => b.time_ms), 'same beat times');
  t.same(beats.map((b) => b.emitted_us), direct.beats.map((b) => b.emitted_us), 'same emission times');
});

t.test('the link tells the firmware about connections; one ring owns the firmware', async (t) => {
  const ble = quietBle();
  const d = new RingDevice(null, { seed: 9, rate_hz: 25, ble });
  d.link.connect();
  d.runFor(100);
  d.link.disconnect();
  t.same(ble.connected, [1, 0]);
  const other = new RingDevice(null, { seed: 10, rate_hz: 25, ble: quietBle() });
  t.throws(() => d.runFor(10), /another RingDevice/);
  other.runFor(10);
});
