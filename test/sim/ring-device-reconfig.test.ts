// A configuration change from the host restarts the ring's sensor pipeline at once, and
// the ring's time runs on: beats before and after the change line up with the
// recording's true beats.

import path from 'node:path';
import t from 'tap';
import { loadFixture } from '../../sim/fixture/load.js';
import { RingDevice } from '../../sim/ring-device.js';
import { SimTransport } from '../../host/transport/sim-transport.js';
import { RingClient } from '../../host/client/client.js';
import { decodeRecords } from '../../sim/replay.js';
import { scoreRecord } from '../../host/score/score.js';
import { STATUS_BOOT } from '../../firmware/output.js';
import { repoRoot } from '../helpers/shared.js';

t.test('rate and HRV windows change mid-recording without a time jump', async (t) => {
  const fx = loadFixture(path.join(repoRoot, 'fixtures/synth/synth-rest.ringfx'));
  const device = new RingDevice(fx, { seed: 3, rate_hz: 50 });
  const client = new RingClient(new SimTransport(device));
  await client.connect();
  device.runFor(90_000);
  const cfg = await client.configSet({ sample_rate_hz: 25, hrv_short_s: 30, hrv_long_s: 120 });
  t.equal(cfg.sample_rate_hz, 25);
  t.equal(cfg.reboot_required, false, 'applied at once');
  device.runFor(150_000);
  const result = decodeRecords(device.hal.records, { record: fx.meta.record, rate_hz: 50, seed: 3, duration_ms: 240_000, sample_count: 0 });
  const boots = result.status.filter((s) => s.code === STATUS_BOOT);
  t.ok(boots.length >= 2, 'a boot record for the restart');
  const restart = boots[boots.length - 1];
  t.equal(restart.value, 25, 'at the new rate');
  t.ok(restart.time_ms > 89_000 && restart.time_ms < 92_000, `in ring time, where it happened (${restart.time_ms} ms)`);
  const times = result.beats.map((b) => b.time_ms);
  t.ok(times.every((v, i) => i === 0 || v > times[i - 1]), 'beat times keep increasing');
  t.ok(result.hrv.some((w) => w.window_s === 30 && w.end_ms > 120_000), 'the new short window is published');
  t.ok(result.hrv.some((w) => w.window_s === 120 && w.end_ms > 200_000), 'and the new long window');
  // Score the first 240 s against the true beats: the change loses at most the beats of
  // the relearning after the restart.
  const cut = { ...fx, ref_beats_us: fx.ref_beats_us!.filter((us) => us < 239_000_000) };
  const s = scoreRecord(cut, { ...result, beats: result.beats.filter((b) => b.time_ms < 239_000) });
  t.ok(s.f1 >= 0.99, `f1 ${s.f1.toFixed(4)} across the change (fp ${s.fp}, fn ${s.fn}, median timing ${s.timing_error_ms_median?.toFixed(1)} ms)`);
  t.ok((s.timing_error_ms_median ?? 99) < 10, 'and beats are timed as before');
});
