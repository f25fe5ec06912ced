import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import type { Fixture } from '../../sim/fixture/types.js';
import type { BeatOut, ReplayResult } from '../../sim/replay-types.js';
import { scoreRecordDetailed } from '../../host/score/score.js';
import { renderRecordReport, writeReports } from '../../host/report/html.js';
import { decimateMinMax } from '../../host/report/trace.js';
import { rowCount, rowOf } from '../../host/report/svg-row.js';

const FS_HZ = 300;
const DURATION_MS = 8 * 60 * 1000;
const BEAT_MS = 850;

/** An 8-minute 300 Hz record of narrow pulses, peaks at the reference beats. */
function record(name: string): { fixture: Fixture; result: ReplayResult } {
  const ref_ms: number[] = [];
  for (let t = 400; t < DURATION_MS; t += BEAT_MS) ref_ms.push(t);
  const ppg = new Int32Array((DURATION_MS * FS_HZ) / 1000);
  for (let i = 0; i < ppg.length; i++) {
    const phase = ((i * 1000) / FS_HZ - 400 + BEAT_MS * 10) % BEAT_MS;
    const d = Math.min(phase, BEAT_MS - phase);
    ppg[i] = Math.round(1000 * Math.exp(-(d * d) / 2000) + ((i * 7919) % 13));
  }
  const beats: BeatOut[] = [];
  ref_ms.forEach((r, k) => {
    if (k % 50 === 7) return; // a miss every 50 beats
    const good = { ibi_ms: BEAT_MS, ibi_valid: true, sqi: 90, amplitude: 1000, index: k };
    beats.push({ ...good, time_ms: r + 10, emitted_us: (r + 300) * 1000 });
    if (k % 80 !== 3) return; // and a false beat every 80
    beats.push({ ...good, ibi_valid: false, time_ms: r + 400, emitted_us: (r + 700) * 1000 });
  });
  const fixture: Fixture = {
    format_version: 1,
    meta: { record: name, source: 'synth:<pulses>', sample_rate_hz: FS_HZ, ppg_units: 'counts' },
    ppg,
    events: [],
    ref_beats_us: Float64Array.from(ref_ms, (ms) => ms * 1000),
    artifacts: [{ start_ms: 100000, end_ms: 104000 }],
  };
  const result: ReplayResult = {
    record: name,
    rate_hz: FS_HZ,
    seed: 7,
    duration_ms: DURATION_MS,
    sample_count: ppg.length,
    beats,
    hr: [],
    hrv: [],
    status: [],
  };
  return { fixture, result };
}

function count(html: string, re: RegExp): number {
  return (html.match(re) ?? []).length;
}

t.test('decimation keeps the extremes of every column', async (t) => {
  const ppg = [0, 5, -3, 1, 2, 9, 2, 2];
  const pts = decimateMinMax(ppg, 1000, { start_ms: 0, end_ms: 8, ms_per_px: 4 });
  t.same(pts, [
    { x_px: 0, value: 5 },
    { x_px: 0, value: -3 },
    { x_px: 1, value: 2 },
    { x_px: 1, value: 9 },
  ]);
});

t.test('rows: 30 s each, a short tail joins the last row', async (t) => {
  t.equal(rowCount(480000), 16);
  t.equal(rowCount(480003), 16);
  t.equal(rowOf(480002, 16), 15);
  t.equal(rowCount(481500), 17);
  t.equal(rowCount(0), 1);
  t.equal(rowOf(29999, 16), 0);
  t.equal(rowOf(30000, 16), 1);
});

t.test('record page: marks, rows, links, size', async (t) => {
  const { fixture, result } = record('0001<x>');
  const d = scoreRecordDetailed(fixture, result, { warmup_ms: 2000 });
  t.ok(d.match.fn > 0 && d.match.fp > 0, 'the synthetic record has misses and false beats');
  const html = renderRecordReport(fixture, result, d.score, d.match, { warmup_ms: 2000 });
  t.ok(html.length < 2_000_000, `page is ${html.length} bytes`);
  t.equal(count(html, /<circle class="fn"/g), d.match.fn);
  t.equal(count(html, /<circle class="fp"/g), d.match.fp);
  t.equal(count(html, /<line class="ref"/g), fixture.ref_beats_us!.length);
  t.equal(count(html, /<line class="det"/g), result.beats.length);
  t.equal(count(html, /<section class="row" id="row-\d+">/g), 16);
  t.equal(count(html, /<rect class="excl"/g), 1);
  t.equal(count(html, /<rect class="warm"/g), 1);
  t.equal(count(html, /<polyline class="ppg"/g), 16);
  t.equal(count(html, /class="fn-link" href="#row-\d+"/g), d.match.fn);
  t.equal(count(html, /class="fp-link" href="#row-\d+"/g), d.match.fp);
  // Every link target exists.
  for (const m of html.matchAll(/href="#(row-\d+)"/g)) t.ok(html.includes(`id="${m[1]}"`), m[1]);
  t.notOk(/<script|<link |src=/.test(html), 'self-contained');
  t.ok(html.includes('0001&#60;x&#62;'), 'record name escaped');
  t.notOk(html.includes('0001<x>'));
});

t.test('writeReports writes one page per record and an index', async (t) => {
  const dir = t.testdir();
  const items = ['r1', 'r2'].map((name) => {
    const { fixture, result } = record(name);
    const d = scoreRecordDetailed(fixture, result);
    return { fixture, result, score: d.score, match: d.match };
  });
  const paths = writeReports(`${dir}/out`, items);
  t.same(paths, [`${dir}/out/r1.html`, `${dir}/out/r2.html`, `${dir}/out/index.html`]);
  for (const p of paths) t.ok(existsSync(p), p);
  const index = readFileSync(`${dir}/out/index.html`, 'utf8');
  t.equal(count(index, /<a href="r\d\.html">/g), 2);
  t.match(index, /<td>\d+\.\d<\/td>/);
  t.throws(() => writeReports(dir, [items[0]!, items[0]!]), /clashes/);
});
