// The shipped synthetic ring recordings, whose true beat times are known exactly:
// accuracy outside artifacts, and no beats invented where the ring is off the skin or
// the hand is moving (the ring may report nothing there, and says why).

import t from 'tap';
import { loadFixture } from '../../sim/fixture/load.js';
import { replayFixture } from '../../sim/replay.js';
import { scoreRecord } from '../../host/score/score.js';
import { STATUS_SIGNAL } from '../../firmware/output.js';

const RATES_HZ = [25, 50, 100];

t.test('rest, sleep and high heart rate: f1 >= 0.995 at every rate', async (t) => {
  for (const name of ['synth-rest', 'synth-sleep', 'synth-high-hr']) {
    const fx = loadFixture(`fixtures/synth/${name}.ringfx`);
    for (const rate_hz of RATES_HZ) {
      const s = scoreRecord(fx, replayFixture(fx, { rate_hz, seed: 1 }));
      t.ok(s.f1 >= 0.995, `${name} @ ${rate_hz} Hz: f1 ${s.f1.toFixed(4)}`);
      t.ok(s.fp === 0, `${name} @ ${rate_hz} Hz: no false beats (${s.fp})`);
    }
  }
});

t.test('motion bursts and no contact: no beats there, f1 >= 0.995 outside', async (t) => {
  const fx = loadFixture('fixtures/synth/synth-motion-nocontact.ringfx');
  const noContact = fx.events.filter((e) => e.kind === 'no-contact');
  const motion = fx.events.filter((e) => e.kind === 'motion');
  t.ok(noContact.length >= 1 && motion.length >= 1, 'the fixture holds both kinds of trouble');
  for (const rate_hz of RATES_HZ) {
    const r = replayFixture(fx, { rate_hz, seed: 1 });
    for (const e of noContact) {
      const inside = r.beats.filter((b) => b.time_ms >= e.time_ms && b.time_ms < e.time_ms + (e.duration_ms ?? 0));
      t.equal(inside.length, 0, `${rate_hz} Hz: no beats while off the skin ${e.time_ms}..${e.time_ms + (e.duration_ms ?? 0)} ms`);
      const said = r.status.find((s) => s.code === STATUS_SIGNAL && s.value === 2 && s.time_ms >= e.time_ms && s.time_ms < e.time_ms + 2000);
      t.ok(said, `${rate_hz} Hz: the ring reports losing contact`);
    }
    for (const e of motion) {
      const inside = r.beats.filter((b) => b.time_ms >= e.time_ms + 500 && b.time_ms < e.time_ms + (e.duration_ms ?? 0));
      t.equal(inside.length, 0, `${rate_hz} Hz: no beats during motion ${e.time_ms}..${e.time_ms + (e.duration_ms ?? 0)} ms`);
    }
    const s = scoreRecord(fx, r);
    t.ok(s.f1 >= 0.995, `${rate_hz} Hz: f1 outside artifacts ${s.f1.toFixed(4)} (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})`);
  }
});

t.test('generated rhythms from 45 to 200 bpm, with sensor noise: aggregate f1 >= 0.995', async (t) => {
  const { generateRingPpg } = await import('../../sim/synth/ring-ppg.js');
  const { generateRrSeries } = await import('../../sim/synth/rr-series.js');
  const { aggregate } = await import('../../host/score/score.js');
  const fixtures = [45, 60, 75, 90, 110, 130, 160, 200].map((hr_bpm, i) => {
    const seed = 900 + i;
    const rr = generateRrSeries({ seed, hr_bpm, duration_s: 122, rsa_ms: hr_bpm > 120 ? 12 : 40 });
    return generateRingPpg({ seed, rr_ms: rr.rr_ms, rr_source: rr.source, duration_s: 120, params: { white_noise_counts: 30, pink_noise_counts: 60 } });
  });
  for (const rate_hz of [25, 50]) {
    const agg = aggregate(fixtures.map((f) => scoreRecord(f, replayFixture(f, { rate_hz, seed: 1 }))));
    t.ok(agg.f1 >= 0.995, `${rate_hz} Hz: aggregate f1 ${agg.f1.toFixed(4)} (fp ${agg.fp}, fn ${agg.fn}; worst ${agg.worst.map((w) => `${w.record} ${w.f1.toFixed(3)}`).join(', ')})`);
  }
});
