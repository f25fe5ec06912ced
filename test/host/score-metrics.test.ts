import t from 'tap';
import type { HrvOut } from '../../sim/replay-types.js';
import { detectionRatios, hrvWindows, hrWindows, referenceHrv, windowHrBpm } from '../../host/score/metrics.js';
import { mergeSpans, overlapMs, inSpans } from '../../host/score/spans.js';
import { median, percentile, sampleStd } from '../../host/score/stats.js';

const NO_SPANS = mergeSpans([]);

t.test('F1, sensitivity and PPV', async (t) => {
  t.same(detectionRatios(0, 0, 0), { sensitivity: 1, ppv: 1, f1: 1 });
  t.same(detectionRatios(0, 3, 0), { sensitivity: 1, ppv: 0, f1: 0 });
  t.same(detectionRatios(0, 0, 4), { sensitivity: 0, ppv: 1, f1: 0 });
  t.same(detectionRatios(8, 2, 2), { sensitivity: 0.8, ppv: 0.8, f1: 0.8 });
  const r = detectionRatios(9, 1, 3);
  t.equal(r.sensitivity, 9 / 12);
  t.equal(r.ppv, 9 / 10);
  t.equal(r.f1, 18 / 22);
  t.throws(() => detectionRatios(-1, 0, 0), /tp must be a count/);
});

t.test('percentiles and standard deviation', async (t) => {
  t.equal(median([3, 1, 4, 2]), 2.5);
  t.equal(median([]), null);
  t.equal(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95), 19.05);
  t.equal(sampleStd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
});

t.test('spans merge and answer overlap queries', async (t) => {
  const s = mergeSpans([
    { start_ms: 50, end_ms: 60 },
    { start_ms: 10, end_ms: 20 },
    { start_ms: 15, end_ms: 30 },
    { start_ms: 30, end_ms: 40 },
  ]);
  t.same([...s], [
    { start_ms: 10, end_ms: 40 },
    { start_ms: 50, end_ms: 60 },
  ]);
  t.equal(overlapMs(s, 0, 100), 40);
  t.equal(overlapMs(s, 35, 55), 10);
  t.ok(inSpans(s, 10));
  t.notOk(inSpans(s, 40));
  t.throws(() => mergeSpans([{ start_ms: 5, end_ms: 1 }]), /bad span/);
});

t.test('HR over 8-s windows', async (t) => {
  const ref = Array.from({ length: 32 }, (_, i) => i * 1000); // 60 bpm
  const det = ref.filter((x) => x !== 11000 && x < 26000);
  t.equal(windowHrBpm(ref, 0, 8000), 60);
  t.equal(windowHrBpm(det, 8000, 16000), (60000 * 6) / 7000);
  const spans = mergeSpans([{ start_ms: 20000, end_ms: 20500 }]);
  const w = hrWindows(ref, det, spans, 32000);
  // Window 0: exact. Window 1: a missed beat. Window 2: excluded. Window 3: 2 det beats only.
  t.same(
    w.map((x) => x.start_ms),
    [0, 8000],
  );
  t.equal(w[0]!.error_bpm, 0);
  t.equal(w[1]!.hr_ref_bpm, 60);
  t.equal(w[1]!.error_bpm, 60 - (60000 * 6) / 7000);
  t.equal(windowHrBpm([1000, 2000], 0, 8000), null, 'one interval is not enough');
});

function hrvOut(end_ms: number, sdnn_ms_x10: number, rmssd_ms_x10: number, extra: Partial<HrvOut> = {}): HrvOut {
  return {
    window_s: 300,
    end_ms,
    beat_count: 0,
    valid_permille: 1000,
    mean_ibi_ms_x10: 0,
    sdnn_ms_x10,
    rmssd_ms_x10,
    pnn50_permille: 0,
    published: true,
    emitted_us: end_ms * 1000,
    ...extra,
  };
}

t.test('reference SDNN and RMSSD from a small interval list', async (t) => {
  // Intervals 800, 820, 790, 810: mean 805, squared deviations sum 500 -> SDNN sqrt(500/3).
  // Successive differences 20, -30, 20 -> RMSSD sqrt(1700/3).
  const ref = [1000, 1800, 2620, 3410, 4220];
  const r = referenceHrv(ref, NO_SPANS, 0, 300000)!;
  t.equal(r.interval_count, 4);
  t.ok(Math.abs(r.sdnn_ms - Math.sqrt(500 / 3)) < 1e-9);
  t.ok(Math.abs(r.rmssd_ms - Math.sqrt(1700 / 3)) < 1e-9);

  const w = hrvWindows(ref, [hrvOut(300000, 140, 200)], NO_SPANS);
  t.equal(w.length, 1);
  t.ok(Math.abs(w[0]!.sdnn_error_ms - Math.abs(14 - Math.sqrt(500 / 3))) < 1e-9);
  t.ok(Math.abs(w[0]!.rmssd_error_ms - Math.abs(20 - Math.sqrt(1700 / 3))) < 1e-9);
});

t.test('excluded beats break the interval chain', async (t) => {
  // 3410 is excluded: intervals 800, 820, 810 remain; only 800 -> 820 is successive.
  const ref = [1000, 1800, 2620, 3410, 4220, 5030];
  const spans = mergeSpans([{ start_ms: 3000, end_ms: 3500 }]);
  const r = referenceHrv(ref, spans, 0, 300000)!;
  t.equal(r.interval_count, 3);
  t.equal(r.sdnn_ms, 10);
  t.equal(r.rmssd_ms, 20);
  t.equal(referenceHrv([1000, 1800], NO_SPANS, 0, 300000), null, 'one interval is not enough');
});

t.test('which firmware HRV windows are scored', async (t) => {
  const ref = Array.from({ length: 700 }, (_, i) => i * 1000 + (i % 2) * 20);
  const windows = [
    hrvOut(300000, 100, 100),
    hrvOut(400000, 100, 100, { published: false }),
    hrvOut(420000, 100, 100, { window_s: 60 }),
    hrvOut(600000, 100, 100),
    hrvOut(620000, 100, 100),
  ];
  // 30 s excluded in the window ending at 600 s (exactly 10%: kept); 31 s in the one
  // ending at 620 s (over 10%: skipped).
  const spans = mergeSpans([
    { start_ms: 320000, end_ms: 350000 },
    { start_ms: 615000, end_ms: 616000 },
  ]);
  const w = hrvWindows(ref, windows, spans);
  t.same(
    w.map((x) => x.end_ms),
    [300000, 600000],
  );
});
