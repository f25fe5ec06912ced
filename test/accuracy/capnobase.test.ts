// Accuracy on the development recordings, record by record: the figures in
// fixtures/expectations/capnobase.json may not fall by more than a small tolerance, and
// the aggregates must stay above the floors the project promises. After an intended
// change, rewrite the table with: UPDATE_EXPECTATIONS=1 npx tap test/accuracy/capnobase.test.ts

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { listFixtures, loadFixture } from '../../sim/fixture/load.js';
import { replayFixture } from '../../sim/replay.js';
import { aggregate, scoreRecord, type RecordScore } from '../../host/score/score.js';
import { repoRoot, sharedDir } from '../helpers/shared.js';

const TABLE = path.join(repoRoot, 'fixtures/expectations/capnobase.json');
const RATES_HZ = [25, 50] as const;
const F1_TOLERANCE = 0.002; // one or two beats of an 8-minute record
const RECORD_F1_FLOOR = 0.98;
const AGGREGATE_FLOORS: Record<number, { f1: number; f1_50ms: number; timing_error_ms_median: number; hr_mae_bpm: number; latency_ms_median: number; rmssd_error_ms_median: number }> = {
  25: { f1: 0.999, f1_50ms: 0.99, timing_error_ms_median: 10, hr_mae_bpm: 0.3, latency_ms_median: 300, rmssd_error_ms_median: 3 },
  50: { f1: 0.999, f1_50ms: 0.99, timing_error_ms_median: 6, hr_mae_bpm: 0.3, latency_ms_median: 300, rmssd_error_ms_median: 3 },
};

interface Expectations {
  note: string;
  f1: Record<string, Record<string, number>>;
}

t.test('per-record F1 and aggregates on the development set', async (t) => {
  const dir = sharedDir(t, 'datasets/capnobase');
  if (dir === null) return;
  const fixtures = listFixtures([dir]).map((f) => loadFixture(f));
  t.equal(fixtures.length, 28, 'all 28 development recordings');
  const measured: Record<string, Record<string, number>> = {};
  for (const rate_hz of RATES_HZ) {
    const scores: RecordScore[] = fixtures.map((f) => scoreRecord(f, replayFixture(f, { rate_hz, seed: 1 })));
    measured[rate_hz] = Object.fromEntries(scores.map((s) => [s.record, Number(s.f1.toFixed(5))]));
    const agg = aggregate(scores);
    const floor = AGGREGATE_FLOORS[rate_hz];
    t.ok(agg.f1 >= floor.f1, `${rate_hz} Hz aggregate f1 ${agg.f1.toFixed(5)} >= ${floor.f1}`);
    t.ok(agg.f1_50ms >= floor.f1_50ms, `${rate_hz} Hz f1 at ±50 ms ${agg.f1_50ms.toFixed(4)} >= ${floor.f1_50ms}`);
    t.ok(agg.timing_error_ms_median !== null && agg.timing_error_ms_median <= floor.timing_error_ms_median, `${rate_hz} Hz median timing error ${agg.timing_error_ms_median?.toFixed(2)} ms <= ${floor.timing_error_ms_median}`);
    t.ok(agg.hr_mae_bpm !== null && agg.hr_mae_bpm <= floor.hr_mae_bpm, `${rate_hz} Hz HR MAE ${agg.hr_mae_bpm?.toFixed(3)} bpm <= ${floor.hr_mae_bpm}`);
    t.ok(agg.latency_ms_median !== null && agg.latency_ms_median <= floor.latency_ms_median, `${rate_hz} Hz median latency ${agg.latency_ms_median?.toFixed(0)} ms <= ${floor.latency_ms_median}`);
    t.ok(agg.rmssd_error_ms_median !== null && agg.rmssd_error_ms_median <= floor.rmssd_error_ms_median, `${rate_hz} Hz median RMSSD error ${agg.rmssd_error_ms_median?.toFixed(2)} ms <= ${floor.rmssd_error_ms_median} (NN intervals on both sides)`);
    for (const s of scores) t.ok(s.f1 >= RECORD_F1_FLOOR, `${rate_hz} Hz ${s.record} f1 ${s.f1.toFixed(4)} >= ${RECORD_F1_FLOOR}`);
  }
  if (process.env.UPDATE_EXPECTATIONS === '1') {
    const table: Expectations = {
      note: 'F1 per development record (../shared/datasets/capnobase, ±150 ms, artifacts excluded), written by test/accuracy/capnobase.test.ts with UPDATE_EXPECTATIONS=1',
      f1: measured,
    };
    fs.writeFileSync(TABLE, JSON.stringify(table, null, 2) + '\n');
    t.comment(`wrote ${TABLE}`);
    return;
  }
  const expected = JSON.parse(fs.readFileSync(TABLE, 'utf8')) as Expectations;
  for (const rate_hz of RATES_HZ) {
    for (const [record, f1] of Object.entries(expected.f1[rate_hz])) {
      const now = measured[rate_hz][record];
      t.ok(now !== undefined && now >= f1 - F1_TOLERANCE, `${rate_hz} Hz ${record}: f1 ${now} vs expected ${f1} (tolerance ${F1_TOLERANCE})`);
    }
  }
});
