import t from 'tap';
import type { Fixture } from '../../sim/fixture/types.js';
import type { BeatOut, ReplayResult } from '../../sim/replay-types.js';
import { aggregate, ScoreError, scoreRecord, scoreRecordDetailed } from '../../host/score/score.js';
import { formatScoreTable } from '../../host/score/format.js';

function fixture(record: string, ref_ms: number[], artifacts: Fixture['artifacts'] = []): Fixture {
  return {
    format_version: 1,
    meta: { record, source: 'synth:test', sample_rate_hz: 100, ppg_units: 'counts' },
    ppg: new Int32Array(6000),
    events: [],
    ref_beats_us: Float64Array.from(ref_ms, (ms) => ms * 1000),
    ref_kind: 'synthetic-truth-peaks',
    artifacts,
  };
}

function beat(time_ms: number, delay_ms: number): BeatOut {
  const emitted_us = (time_ms + delay_ms) * 1000;
  return { time_ms, ibi_ms: 0, ibi_valid: true, sqi: 100, amplitude: 1, index: 0, emitted_us };
}

function result(record: string, beats: BeatOut[], duration_ms = 60000): ReplayResult {
  const sample_count = duration_ms / 10;
  return { record, rate_hz: 100, seed: 1, duration_ms, sample_count, beats, hr: [], hrv: [], status: [] };
}

// Reference every second for 60 s. Detections 20 ms late, emitted 300 ms after the
// detected peak; the beat at 10 s is missed, one at 20 s is 80 ms late (a match at
// ±150 ms, not at ±50 ms), and one extra detection at 30.5 s.
const REF = Array.from({ length: 60 }, (_, i) => 500 + i * 1000);
function detections(): BeatOut[] {
  const out: BeatOut[] = [];
  for (const r of REF) {
    if (r === 10500) continue;
    out.push(beat(r === 20500 ? r + 80 : r + 20, 300));
    if (r === 30500) out.push(beat(31000, 300));
  }
  return out;
}

t.test('scores a synthetic record', async (t) => {
  const s = scoreRecord(fixture('a', REF), result('a', detections()));
  t.equal(s.record, 'a');
  t.equal(s.rate_hz, 100);
  t.same([s.ref_beats, s.detected_beats], [60, 60]);
  t.same([s.tp, s.fp, s.fn], [59, 1, 1]);
  t.equal(s.f1, 118 / 120);
  t.equal(s.sensitivity, 59 / 60);
  t.same([s.tp_50ms, s.fp_50ms, s.fn_50ms], [58, 2, 2]);
  t.equal(s.f1_50ms, 116 / 120);
  t.equal(s.timing_error_ms_median, 20);
  t.equal(s.latency_ms_median, 320);
  t.equal(s.pooled.timing_error_ms.length, 59);
  // 7 full 8-s windows in 60 s; the missed beat and the extra one each shift one window.
  t.equal(s.hr_windows, 7);
  t.ok(s.hr_mae_bpm! > 0);
  t.equal(s.hrv_windows, 0);
  t.equal(s.rmssd_error_ms_median, null);
  t.equal(s.excluded_s, 0);
});

t.test('warm-up and artifacts are excluded and counted', async (t) => {
  const artifacts = [{ start_ms: 30000, end_ms: 32000 }];
  const d = scoreRecordDetailed(fixture('a', REF, artifacts), result('a', detections()), { warmup_ms: 5000 });
  const s = d.score;
  // Warm-up drops refs 500..4500 (5); the artifact drops refs 30500, 31500 and dets 30520, 31000, 31520.
  t.same([s.ref_beats_excluded, s.detected_beats_excluded], [7, 8]);
  t.same([s.tp, s.fp, s.fn], [52, 0, 1]);
  t.same(d.match.fn_ms, [10500]);
  t.equal(s.excluded_s, 7);
  t.ok(d.hr.every((w) => w.start_ms >= 8000 && (w.start_ms + 8000 <= 30000 || w.start_ms >= 32000)));
});

t.test('HRV windows from the firmware are scored against the reference', async (t) => {
  const ref = Array.from({ length: 400 }, (_, i) => 500 + i * 1000 + (i % 2) * 40); // alternating 1040/960
  const r = result('h', ref.map((x) => beat(x, 0)), 400000);
  r.hrv.push({
    window_s: 300, end_ms: 350000, beat_count: 300, valid_permille: 1000, mean_ibi_ms_x10: 10000,
    sdnn_ms_x10: 400, rmssd_ms_x10: 800, pnn50_permille: 1000, published: true, emitted_us: 350000000,
  });
  const s = scoreRecord(fixture('h', ref), r);
  t.equal(s.hrv_windows, 1);
  // Reference: 299 intervals alternating 1040/960 (SDNN ~40.07), every difference 80 (RMSSD 80).
  t.equal(s.rmssd_error_ms_median, 0);
  t.ok(Math.abs(s.sdnn_error_ms_median! - 0.067) < 0.01, `sdnn error ${s.sdnn_error_ms_median}`);
});

t.test('a record without reference beats is an error', async (t) => {
  const noRef = fixture('0015_8min', []);
  const message = '0015_8min: no reference beats to score against';
  t.throws(() => scoreRecord(noRef, result('0015_8min', [])), new ScoreError(message));
  delete noRef.ref_beats_us;
  t.throws(() => scoreRecord(noRef, result('0015_8min', [])), { name: 'ScoreError', message });
  t.throws(() => scoreRecord(fixture('a', REF), result('b', [])), { message: 'a: replay result is for record b' });
});

t.test('aggregate sums counts and pools errors', async (t) => {
  const a = scoreRecord(fixture('a', REF), result('a', detections()));
  const b = scoreRecord(fixture('b', REF), result('b', REF.map((r) => beat(r + 40, 100))));
  const c = scoreRecord(fixture('c', REF), result('c', REF.slice(0, 30).map((r) => beat(r, 0))));
  const g = aggregate([a, b, c]);
  t.equal(g.record_count, 3);
  t.same([g.tp, g.fp, g.fn], [a.tp + b.tp + c.tp, a.fp + b.fp + c.fp, a.fn + b.fn + c.fn]);
  t.equal(g.f1, (2 * g.tp) / (2 * g.tp + g.fp + g.fn));
  t.equal(g.ppv, g.tp / (g.tp + g.fp));
  t.equal(g.f1_50ms, (2 * g.tp_50ms) / (2 * g.tp_50ms + g.fp_50ms + g.fn_50ms));
  // Pooled |timing error|: 57 x 20, 1 x 80 (a); 60 x 40 (b); 30 x 0 (c). Median of 148 values: 20.
  t.equal(g.timing_error_ms_median, 20);
  t.equal(g.hr_windows, a.hr_windows + b.hr_windows + c.hr_windows);
  t.same(g.worst, [
    { record: 'c', f1: c.f1 },
    { record: 'a', f1: a.f1 },
    { record: 'b', f1: 1 },
  ]);
  t.throws(() => aggregate([]), { name: 'ScoreError' });
});

t.test('text table: one row per record plus the aggregate, aligned', async (t) => {
  const a = scoreRecord(fixture('a', REF), result('a', detections()));
  const b = scoreRecord(fixture('long-record-name', REF), result('long-record-name', []));
  const text = formatScoreTable([a, b], aggregate([a, b]));
  const lines = text.trimEnd().split('\n');
  t.equal(lines.length, 6, 'header, rule, 2 rows, rule, aggregate');
  t.match(lines[0]!, /^record\s+rate Hz\s+ref\s+det\s+TP\s+FP\s+FN\s+Se %\s+PPV %\s+F1 %\s+F1@50 %/);
  t.ok(lines.every((l) => l.length === lines[0]!.length), 'every line as wide as the header');
  t.match(lines[2]!, /^a\s+100\s+60\s+60\s+59\s+1\s+1\s+98\.3\s+98\.3\s+98\.3\s+96\.7\s+20\.0/);
  t.match(lines[3]!, /^long-record-name .* - +- +-$/);
  t.match(lines[5]!, /^all \(2\)/);
});
