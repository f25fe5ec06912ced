import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ring } from '../helpers/cli.js';
import { sharedDir } from '../helpers/shared.js';
import { sweep } from '../helpers/long.js';
import { listFixtures } from '../../sim/fixture/load.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-score-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

t.test('shipped synthetic fixtures without artifacts score f1 >= 0.995', async (t) => {
  const files = ['synth-rest', 'synth-sleep', 'synth-high-hr'].map((n) => `fixtures/synth/${n}.ringfx`);
  for (const rate of ['25', '50', '100']) {
    const r = ring(['score', ...files, '--rate-hz', rate, '--json']);
    t.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    t.equal(doc.records.length, 3);
    for (const rec of doc.records) t.ok(rec.f1 >= 0.995, `${rate} Hz ${rec.record}: f1 ${rec.f1.toFixed(4)}`);
    t.ok(doc.aggregate.timing_error_ms_median <= 10, `${rate} Hz timing median ${doc.aggregate.timing_error_ms_median.toFixed(1)} ms`);
    for (const k of ['f1', 'sensitivity', 'ppv', 'f1_50ms']) t.ok(doc.aggregate[k] >= 0 && doc.aggregate[k] <= 1, `${k} is a fraction`);
    t.type(doc.aggregate.hr_mae_bpm, 'number');
    t.notOk('pooled' in doc.records[0], 'per-item values stay out of the document');
  }
});

t.test('the development recordings score at least 0.985 (50 Hz) and 0.98 (25 Hz)', async (t) => {
  const dir = sharedDir(t, 'datasets/capnobase');
  if (dir === null) return;
  const all = listFixtures([dir]);
  t.equal(all.length, 28, 'all 28 development recordings are there');
  // The whole folder under make test-long; a seeded handful of files in make test.
  const files = sweep(t, 'development recordings scored by the CLI', all, 4);
  const args = files.length === all.length ? [dir] : files;
  for (const [rate, floor] of [['50', 0.985], ['25', 0.98]] as const) {
    const r = ring(['score', ...args, '--rate-hz', rate, '--json']);
    t.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    t.equal(doc.records.length, files.length);
    t.ok(doc.aggregate.f1 >= floor, `${rate} Hz aggregate f1 ${doc.aggregate.f1.toFixed(5)}`);
    for (const k of ['f1', 'sensitivity', 'ppv', 'f1_50ms', 'timing_error_ms_median', 'hr_mae_bpm', 'rmssd_error_ms_median', 'latency_ms_median']) {
      t.type(doc.aggregate[k], 'number', `aggregate.${k}`);
    }
  }
});

t.test('table output, report pages, and errors', async (t) => {
  const r = ring(['score', 'fixtures/synth', '--rate-hz', '50', '--report', path.join(tmp, 'report')]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /all \(4\)/, 'aggregate row');
  t.match(r.stderr, /report: 4 pages/);
  t.ok(fs.existsSync(path.join(tmp, 'report', 'index.html')));
  const nsr = sharedDir(t, 'datasets/nsr2db');
  if (nsr !== null) {
    const e = ring(['score', path.join(nsr, 'nsr001.json')]);
    t.equal(e.code, 2);
    t.match(e.stderr, /^error: .*empty recording/, 'a beat-times-only record cannot be replayed');
  }
  const noref = path.join(tmp, 'noref.csv');
  fs.writeFileSync(noref, 'time_ms,ppg\n' + Array.from({ length: 3000 }, (_, i) => `${i * 10},${Math.round(1000 * Math.sin(i / 10))}`).join('\n') + '\n');
  const e2 = ring(['score', noref]);
  t.equal(e2.code, 2);
  t.match(e2.stderr, /^error: .*no reference beats to score against$/m);
  const e3 = ring(['score', tmp + '/nothing-here']);
  t.equal(e3.code, 2);
  t.match(e3.stderr, /^error: /);
});
