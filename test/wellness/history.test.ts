// The wellness records travel like every other history record: stored in the ring's flash
// log and read back over the protocol with the fields the firmware emitted. A 100-minute
// recording (an hour at rest, then a fidgety 40 minutes) gives a rest period.

import t from 'tap';
import * as ids from '../../protocol/ids.js';
import * as rec from '../../firmware/wellness/records.js';
import { generateRingPpg } from '../../sim/synth/ring-ppg.js';
import { generateRrSeries } from '../../sim/synth/rr-series.js';
import { replayFixture } from '../../sim/replay.js';
import { RingDevice } from '../../sim/ring-device.js';
import { SimTransport } from '../../host/transport/sim-transport.js';
import { RingClient } from '../../host/client/client.js';
import { readHistory } from '../../host/client/history.js';
import { wellnessFromRecords } from '../../host/wellness/records.js';

t.test('the firmware numbers its record kinds as protocol/ids.ts does', async (t) => {
  t.equal(rec.RECORD_SLEEP, ids.RECORD_SLEEP);
  t.equal(rec.RECORD_SLEEP_GAP, ids.RECORD_SLEEP_GAP);
  t.equal(rec.RECORD_STRESS, ids.RECORD_STRESS);
  t.equal(rec.RECORD_STRESS_LEVEL, ids.RECORD_STRESS_LEVEL);
  t.ok(ids.RECORD_WELLNESS_FIRST > ids.RECORD_KIND_MAX, 'after the pipeline\'s kinds');
});

function restThenFidget() {
  const duration_s = 6000;
  const rr = generateRrSeries({ seed: 17, duration_s: duration_s + 10, hr_bpm: 62 });
  const motion = [];
  for (let s = 3600; s < duration_s - 20; s += 50) motion.push({ start_s: s, duration_s: 6, intensity: 0.7 });
  return generateRingPpg({ seed: 17, rr_ms: rr.rr_ms, rr_source: rr.source, duration_s, sample_rate_hz: 25, motion, record: 'rest-then-fidget' });
}

t.test('a rest period is stored in the flash log and read back through history', async (t) => {
  const fx = restThenFidget();
  const direct = wellnessFromRecords(replayFixture(fx, { rate_hz: 25, seed: 5 }).wellness ?? []);
  t.equal(direct.periods.length, 1, 'one period');
  const p = direct.periods[0]!;
  t.equal(p.type, 'rest', 'an hour is rest, not a night');
  t.ok(p.onset_ms < 10 * 60000, `onset ${p.onset_ms} ms: near the start`);
  t.ok(Math.abs(p.wake_ms - 3600000) <= 5 * 60000, `wake ${p.wake_ms} ms: within 5 min of the first movement (3 600 000 ms)`);
  t.equal(p.recovery, null, 'no recovery figure for a rest period');

  const dev = new RingDevice(fx, { seed: 5, rate_hz: 25 });
  dev.runFor(6000 * 1000);
  const client = new RingClient(new SimTransport(dev));
  await client.connect();
  await client.info();
  const h = await readHistory(client, {});
  await client.close();
  const others = h.records.filter((r) => r.type === 'other').map((r) => r as { kind: number; fields: unknown[] });
  const fromHistory = wellnessFromRecords(others.map((r) => ({ kind: r.kind, fields: r.fields as number[] })));
  t.same(fromHistory.periods, direct.periods, 'history holds the same period, field for field');
});
