// Recovery from anything the sensor sees: after a stretch of no contact, a flat output, a
// saturated photodiode, low-amplitude noise (a loose ring seeing no pulse) or weak pulses
// (a loose fit), once clean pulses return the ring reports beats again within 5 s, and over
// the clean part F1 stays >= 0.99. Both sample conventions (the AFE's inverted channel and
// raw photodiode counts) are covered; with no contact neither reports a beat.

import t from 'tap';
import { replayFixture } from '../../sim/replay.js';
import type { Fixture } from '../../sim/fixture/types.js';
import { generateRingPpg, type SensorEpisode } from '../../sim/synth/ring-ppg.js';
import { generateRrSeries } from '../../sim/synth/rr-series.js';
import { scoreRecordDetailed } from '../../host/score/score.js';

const DURATION_S = 70;
const BAD_START_S = 25;
const BAD_S = 15;
const RECOVER_MS = 5000;

type Case = { name: string; no_contact?: boolean; episode?: SensorEpisode['kind']; level?: number };
const CASES: Case[] = [
  { name: 'no contact', no_contact: true },
  { name: 'flat output', episode: 'flat' },
  { name: 'saturated photodiode', episode: 'saturated' },
  { name: 'low-amplitude noise', episode: 'noise' },
  { name: 'loose fit, weak pulses', episode: 'weak', level: 0.15 },
];

function fixtureFor(c: Case, raw_counts: boolean, seed: number, hr_bpm: number): Fixture {
  const rr = generateRrSeries({ seed: seed + 100, duration_s: DURATION_S + 5, hr_bpm });
  const span = { start_s: BAD_START_S, duration_s: BAD_S };
  return generateRingPpg({
    seed,
    rr_ms: rr.rr_ms,
    rr_source: rr.source,
    duration_s: DURATION_S,
    sample_rate_hz: 100,
    accel_rate_hz: 0,
    raw_counts,
    ...(c.no_contact ? { no_contact: [span] } : {}),
    ...(c.episode ? { episodes: [{ kind: c.episode, ...span, ...(c.level === undefined ? {} : { level: c.level }) }] } : {}),
  });
}

for (const raw_counts of [false, true]) {
  const convention = raw_counts ? 'raw counts' : 'inverted channel';
  for (const c of CASES) {
    t.test(`${c.name} (${convention})`, async (t) => {
      for (const [rate_hz, seed, hr_bpm] of [
        [25, 3, 64],
        [50, 4, 88],
      ] as const) {
        const f = fixtureFor(c, raw_counts, seed, hr_bpm);
        const result = replayFixture(f, { rate_hz, seed: 1 });
        const bad_start_ms = BAD_START_S * 1000;
        const bad_end_ms = (BAD_START_S + BAD_S) * 1000;
        const during = result.beats.filter((b) => b.time_ms >= bad_start_ms + 500 && b.time_ms < bad_end_ms);
        if (c.episode !== 'weak') t.equal(during.length, 0, `${rate_hz} Hz: no beat while the sensor shows no pulse`);
        const first_after = result.beats.find((b) => b.time_ms >= bad_end_ms);
        t.ok(first_after !== undefined && first_after.time_ms - bad_end_ms <= RECOVER_MS, `${rate_hz} Hz: beats again ${first_after ? first_after.time_ms - bad_end_ms : 'never'} ms after the pulse returns (<= ${RECOVER_MS})`);
        // The clean part: everything but the bad stretch and the recovery allowance after it.
        const clean: Fixture = { ...f, artifacts: [{ start_ms: bad_start_ms, end_ms: bad_end_ms + RECOVER_MS }] };
        const score = scoreRecordDetailed(clean, result, { warmup_ms: 5000 }).score;
        t.ok(score.f1 >= 0.99, `${rate_hz} Hz: F1 over the clean part ${score.f1.toFixed(4)} >= 0.99`);
      }
    });
  }
}

t.test('the convention is declared: raw counts read as the inverted channel lose their beats', async (t) => {
  // The same recording, its convention label dropped: the firmware reads off-skin as on.
  const f = fixtureFor(CASES[0]!, true, 3, 64);
  const mislabelled: Fixture = { ...f, meta: { ...f.meta, ppg_convention: 'inverted' } };
  const right = replayFixture(f, { rate_hz: 25, seed: 1 });
  const wrong = replayFixture(mislabelled, { rate_hz: 25, seed: 1 });
  const clean: Fixture = { ...f, artifacts: [{ start_ms: BAD_START_S * 1000, end_ms: (BAD_START_S + BAD_S) * 1000 + RECOVER_MS }] };
  const f1 = (r: typeof right) => scoreRecordDetailed(clean, r, { warmup_ms: 5000 }).score.f1;
  t.ok(f1(right) >= 0.99, `declared raw counts: F1 ${f1(right).toFixed(4)}`);
  t.ok(f1(wrong) < 0.5, `read as inverted (pulses upside down, off-skin read as bright skin): F1 ${f1(wrong).toFixed(4)}`);
});
