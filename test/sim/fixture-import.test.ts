// Importers: the shared dataset JSON records (real data) and plain CSV, with a clear,
// line-numbered FixtureError for each bad input in test/fixtures-data/.

import t from 'tap';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { FixtureError } from '../../sim/fixture/errors.js';
import { importCsv } from '../../sim/fixture/import-csv.js';
import { importDatasetJson } from '../../sim/fixture/import-dataset-json.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { decodeFixture, encodeFixture } from '../../sim/fixture/container.js';
import { needsShared, repoRoot, sharedPath } from '../helpers/shared.js';



const DATA = path.join(repoRoot, 'test', 'fixtures-data');
const data = (name: string): string => path.join(DATA, name);

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof FixtureError)) throw err;
    return err.message;
  }
  throw new Error('expected a FixtureError');
}

t.test('capnobase 0147: samples, reference beats, artifacts and meta', needsShared('datasets/capnobase'), async (t) => {
  const dir = sharedPath(t, 'datasets/capnobase');
  if (dir === null) return;
  const file = path.join(dir, '0147_8min.json');
  const f = loadFixture(file);
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  t.equal(f.ppg.length, 144001, '144001 samples');
  t.equal(f.ref_beats_us!.length, 519, '519 reference beats');
  t.equal(f.meta.sample_rate_hz, 300);
  t.equal(f.ref_kind, 'annotated-ppg-peaks');
  t.equal(f.ref_beats_us![0], (raw.ref_beats[0] * 1e6) / 300, 'beat index -> µs at fs');
  t.equal(f.ppg[0], raw.ppg[0], 'samples copied as they are');
  t.equal(f.ppg[144000], raw.ppg[144000]);
  // [72381, 76125] inclusive at 300 Hz: floor(241270) .. ceil(76126 / 0.3 = 253753.3)
  t.same(f.artifacts, [{ start_ms: 241270, end_ms: 253754 }], 'artifact span covers every annotated sample');
  t.same(f.events, [{ time_ms: 241270, kind: 'artifact', duration_ms: 12484, text: 'annotated PPG artifact' }]);
  t.equal(f.ecg_r_peaks_us!.length, 524, 'ECG R-peaks kept');
  t.equal(f.meta.record, '0147_8min');
  t.match(f.meta.source, /^github:HaizhaoYang\/DeCom@/);
  t.match(f.meta.license!, /CapnoBase/);
  t.equal(f.meta.ppg_units, raw.ppg_units);
  t.same(f.meta.notes!.subject, raw.subject, 'subject copied into notes');
  const again = decodeFixture(encodeFixture(f), 'x');
  t.equal(again.ppg.length, 144001, 'survives the container');
});

t.test('nsr2db nsr001 imports with an empty PPG', needsShared('datasets/nsr2db'), async (t) => {
  const dir = sharedPath(t, 'datasets/nsr2db');
  if (dir === null) return;
  const f = loadFixture(path.join(dir, 'nsr001.json'));
  t.equal(f.ppg.length, 0, 'no samples: a replay can say "empty recording"');
  t.equal(f.ref_beats_us!.length, 106460);
  t.equal(f.ref_labels!.length, 106460, 'one label per beat');
  t.equal(f.meta.sample_rate_hz, 128);
  t.equal(f.ref_kind, 'ecg-beat-annotations-rr-only');
  t.match(f.meta.ppg_units, /no PPG samples/);
  t.match(f.meta.notes!.subject, { header_comments: ['Age: 64 Sex: F'] });
});

t.test('dataset JSON errors', async (t) => {
  t.match(message(() => loadFixture(data('broken.json'))), /broken\.json: not valid JSON \(/);
  t.match(message(() => loadFixture(data('unsorted-beats.json'))), /unsorted-beats\.json: ref_beats not ascending at index 1 \(5 then 3\)/);
  t.match(message(() => importDatasetJson('[1]', 'a.json')), /^a\.json: expected a JSON object at the top level$/);
  t.match(message(() => importDatasetJson('{"fs":0,"ppg":[]}', 'a.json')), /field "fs" must be an integer rate in 1..10000 Hz, got 0/);
  t.match(message(() => importDatasetJson('{"fs":100}', 'a.json')), /missing field "ppg"/);
  t.match(message(() => importDatasetJson('{"fs":100,"ppg":[1,2.5]}', 'a.json')), /ppg\[1\] must be an integer/);
  t.match(
    message(() => importDatasetJson('{"record":"r","source":"s","fs":100,"ppg":[],"ppg_artifacts":[[5,2]]}', 'a.json')),
    /ppg_artifacts\[0\] must be \[start, end\] sample indices with 0 <= start <= end, got \[5,2\]/,
  );
});

t.test('CSV with a time_ms column, decimal ppg and a beat column', async (t) => {
  const f = loadFixture(data('decimals-time-ms.csv'));
  t.equal(f.meta.sample_rate_hz, 100, 'rate from the 10 ms steps');
  t.same(Array.from(f.ppg), [1500, 2250, -125, 4000, 5000, 6000], 'every value x 10^3 (3 decimals seen)');
  t.equal(f.meta.ppg_units, 'CSV ppg value x 10^3 (rounded to integer)');
  t.same(Array.from(f.ref_beats_us!), [10000, 40000], 'beats at samples 1 and 4, from sample 0');
  t.equal(f.ref_kind, 'csv-reference-beats');
  t.equal(f.meta.notes!.csv_time_origin_s, 1, 'the time origin is kept');
  t.equal(f.meta.record, 'decimals-time-ms');
  t.equal(f.meta.source, 'csv:decimals-time-ms.csv');
});

t.test('CSV without a time column takes the given rate and a side beats file', async (t) => {
  const f = loadFixture(data('rate-only.csv'), { rate_hz: 50 });
  t.equal(f.meta.sample_rate_hz, 50);
  t.same(Array.from(f.ppg), [100, 110, 130, 90, 80, 100]);
  t.equal(f.meta.ppg_units, 'CSV ppg values as given (integers)');
  t.same(Array.from(f.ref_beats_us!), [10000, 40000], 'rate-only.beats.csv found next to the recording');
  const csv = importCsv('ppg\n1\n2\n', 'x.csv', { rate_hz: 10, beats_text: 'sample\n1\n', beats_name: 'b.csv' });
  t.same(Array.from(csv.ref_beats_us!), [100000], 'beats given as sample indices');
  t.match(message(() => importCsv('ppg\n1\n', 'x.csv', { rate_hz: 10, beats_text: 'time_s\n0.3\n0.2\n', beats_name: 'b.csv' })), /^b\.csv: line 3: beat times must increase$/);
});

t.test('bad CSV files each give a clear, line-numbered FixtureError', async (t) => {
  const cases: [string, RegExp][] = [
    ['empty.csv', /empty\.csv: empty CSV \(no header line\)$/],
    ['comment-only.csv', /comment-only\.csv: empty CSV \(no header line\)$/],
    ['header-only.csv', /header-only\.csv: no data rows after the header on line 1$/],
    ['nonnumeric.csv', /nonnumeric\.csv: line 4: ppg value "1o2" is not a number$/],
    ['bad-time.csv', /bad-time\.csv: line 4: time_s value "abc-line" is not a number$/],
    ['no-ppg.csv', /no-ppg\.csv: header has no ppg column \(found: time_s, red\)$/],
    ['off-grid.csv', /off-grid\.csv: line 5: time is .* samples off the .* Hz grid \(gap or jitter/],
    ['no-rate.csv', /no-rate\.csv: no time_s or time_ms column: give its sample rate with --input-rate-hz$/],
    ['short-row.csv', /short-row\.csv: line 4: expected 2 fields like the header, found 1$/],
  ];
  for (const [file, pattern] of cases) {
    const m = message(() => loadFixture(data(file)));
    t.match(m, pattern, m);
    t.notOk(m.includes('\n'), `${file}: one line`);
  }
  t.match(message(() => importCsv('ppg,beat\n1,2\n', 'x.csv', { rate_hz: 10 })), /line 2: beat must be 1, 0 or empty, got "2"/);
  t.match(message(() => importCsv('ppg\n1\n', 'x.csv', { rate_hz: 0 })), /rate must be a number in 1..10000 Hz, got 0/);
  t.match(message(() => importCsv('time_s,ppg\n0,1\n0,2\n', 'x.csv')), /line 3: time_s does not increase/);
  t.match(message(() => importCsv('ppg\n3000000000\n', 'x.csv', { rate_hz: 1 })), /line 2: ppg value 3000000000 does not fit 32 bits/);
  t.match(message(() => importCsv('ppg,beat\n1,1\n', 'x.csv', { rate_hz: 1, beats_text: 'time_s\n0\n' })), /either as a "beat" column or as a beats file, not both/);
});
