// ring ci as a library, in this process (--jobs 1): goldens, a firmware build with one
// constant changed, shards and merge, thresholds, JUnit validated against the schema,
// the report of changed sessions, and what bad manifests and shard results get.
// (test/ci/ci-cli.test.ts runs the command itself, with worker threads.)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCi, type CiOptions } from '../../host/ci/ci.js';
import { CiError } from '../../host/ci/errors.js';
import { junitXml } from '../../host/ci/junit.js';
import { writeChangedReport } from '../../host/ci/report.js';
import { formatSummary, mergeResults, readResult, resultJson, summarize } from '../../host/ci/result.js';
import { loadLibrary } from '../../host/ci/sessions.js';
import { buildFirmwareVariant } from '../helpers/firmware-variant.js';
import { repoRoot } from '../helpers/shared.js';
import { LIBRARY_IDS, writeLibrary } from './library.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-ci-run-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
const recs = path.join(tmp, 'recs');
const golden = path.join(tmp, 'golden');
writeLibrary(recs);
const XSD = path.join(repoRoot, 'test/data/junit/junit.xsd');

const base: CiOptions = {
  library: recs, golden_dir: golden, rate_hz: 50, seed: 1, jobs: 1, shard: null, direct: true, firmware_bundle: null,
  update_golden: false, want_report: false, thresholds: {},
};

function validate(xml: string): { code: number | null; out: string } {
  const file = path.join(tmp, `junit-${Math.random().toString(36).slice(2)}.xml`);
  fs.writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

t.test('the generated library with its goldens passes', async (t) => {
  const fresh = await runCi(base);
  t.same(fresh.doc.sessions.map((s) => [s.id, s.status]), LIBRARY_IDS.map((id) => [id, 'new']));
  t.equal(fresh.summary.ok, false, 'new sessions fail');
  const upd = await runCi({ ...base, update_golden: true });
  t.equal(upd.goldens_written, 4);
  t.equal(upd.summary.ok, true);
  const run = await runCi(base);
  t.same(run.summary.counts, { passed: 4, changed: 0, new: 0, missing: 0, errored: 0 });
  t.equal(run.summary.ok, true);
  t.equal(run.summary.accuracy?.record_count, 4, 'every synthetic recording has reference beats');
  // Goldens are line-oriented: one record per line, a summary line last.
  const lines = fs.readFileSync(path.join(golden, 'walk/motion.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.equal(lines[0].type, 'status');
  t.equal(lines[lines.length - 1].type, 'summary');
  const lint = validate(junitXml(run.doc, run.summary));
  t.equal(lint.code, 0, lint.out);
});

t.test('a firmware build with one constant changed fails exactly the affected sessions, with a readable first difference', async (t) => {
  const same = path.join(tmp, 'fw-same.mjs');
  await buildFirmwareVariant(same, []);
  const unchanged = await runCi({ ...base, firmware_bundle: same });
  t.equal(unchanged.summary.ok, true, 'the bundled firmware replays exactly like the built-in one');
  // The motion gate no longer trips: the recording with motion bursts reports beats through them.
  const variant = path.join(tmp, 'fw-motion.mjs');
  await buildFirmwareVariant(variant, [
    { file: 'firmware/dsp/signal-quality.ts', from: 'const MOTION_ACTIVITY_MG_MAX = 40;', to: 'const MOTION_ACTIVITY_MG_MAX = 4000;' },
  ]);
  const run = await runCi({ ...base, firmware_bundle: variant, want_report: true });
  t.same(run.doc.sessions.filter((s) => s.status !== 'passed').map((s) => [s.id, s.status]), [['walk/motion', 'changed']]);
  const s = run.doc.sessions.find((x) => x.id === 'walk/motion')!;
  const d = s.first_difference!;
  t.ok(d.line > 1 && d.time_ms !== null && d.time_ms > 0, `first difference located: ${JSON.stringify(d)}`);
  t.not(d.old, d.new);
  const text = formatSummary(run.doc, run.summary);
  t.match(text, /0 new, 0 missing, 0 errored\n\nchanged {2}walk\/motion\n {9}line \d+, \w+ at \d+\.\d{3} s: \w+ .+ -> .+\n/);
  t.match(text, /result: FAILED \(1 changed\)\n$/);
  // JUnit: valid, one failure carrying the first difference.
  const xml = junitXml(run.doc, run.summary);
  const lint = validate(xml);
  t.equal(lint.code, 0, lint.out);
  t.match(xml, /<testsuite name="ring ci" tests="4" failures="1" errors="0" skipped="0">/);
  t.match(xml, /<testcase name="walk\/motion" classname="ring-ci\.walk">\n {6}<failure type="changed" message="golden changed: line \d+, /);
  // The report draws old and new beats and HR of the changed session only.
  t.equal(run.changed.length, 1);
  writeChangedReport(path.join(tmp, 'report'), run.changed, run.doc.sessions.length);
  t.same(fs.readdirSync(path.join(tmp, 'report')).sort(), ['index.html', 'walk__motion.html']);
  const page = fs.readFileSync(path.join(tmp, 'report/walk__motion.html'), 'utf8');
  for (const cls of ['polyline class="old"', 'polyline class="new"', 'class="tick-old"', 'class="tick-new"', 'class="only-new"']) t.match(page, cls);
  t.match(page, /first difference: line \d+/);
});

t.test('three shards hold every session once, and their merge is the one run', async (t) => {
  const whole = await runCi(base);
  const shards = [];
  for (const index of [1, 2, 3]) shards.push(await runCi({ ...base, shard: { index, count: 3 } }));
  t.same(shards.flatMap((s) => s.doc.sessions.map((x) => x.id)).sort(), LIBRARY_IDS);
  const files = shards.map((s, i) => {
    const f = path.join(tmp, `shard-${i + 1}.json`);
    fs.writeFileSync(f, resultJson(s.doc, s.summary));
    return f;
  });
  const merged = mergeResults([2, 0, 1].map((i) => ({ file: files[i]!, doc: readResult(files[i]!) })));
  const sum = summarize(merged);
  t.equal(formatSummary(merged, sum), formatSummary(whole.doc, whole.summary));
  t.equal(resultJson(merged, sum), resultJson(whole.doc, whole.summary));
  t.equal(junitXml(merged, sum), junitXml(whole.doc, whole.summary));
  // What a merge refuses.
  const read = (f: string) => ({ file: f, doc: readResult(f) });
  t.throws(() => mergeResults([read(files[0]!), read(files[1]!)]), new CiError('shard results missing: 3/3 (a merge needs every shard)'));
  t.throws(() => mergeResults([read(files[0]!), read(files[0]!), read(files[1]!)]), { message: /are both shard 1\/3/ });
  const other = JSON.parse(fs.readFileSync(files[2]!, 'utf8'));
  other.run.mode = 'protocol';
  fs.writeFileSync(path.join(tmp, 'other.json'), JSON.stringify(other));
  t.throws(() => mergeResults([read(files[0]!), read(files[1]!), read(path.join(tmp, 'other.json'))]), { message: /ran with other options than/ });
  fs.writeFileSync(path.join(tmp, 'v2.json'), JSON.stringify({ ...other, version: 2 }));
  t.throws(() => readResult(path.join(tmp, 'v2.json')), { message: /result version 2, this ring reads version 1/ });
  t.throws(() => readResult(path.join(golden, 'fast.ndjson')), { message: /not a ring ci result/ });
});

t.test('thresholds: a run whose goldens all match fails when accuracy is below them', async (t) => {
  const strict = await runCi({ ...base, thresholds: { min_f1: 0.9999, max_hr_aae_bpm: 5 } });
  t.same(strict.summary.counts.passed, 4);
  t.equal(strict.summary.ok, false);
  t.ok(strict.summary.threshold_failures.includes(`overall: F1 ${Number(strict.summary.accuracy!.f1.toFixed(4))} < --min-f1 0.9999`));
  t.ok(strict.summary.threshold_failures.every((f) => / F1 0\.\d+ < --min-f1 0\.9999$/.test(f)), 'HR holds, F1 does not');
  const xml = junitXml(strict.doc, strict.summary);
  t.equal(validate(xml).code, 0);
  t.match(xml, /<testcase name="accuracy \(overall\)" classname="ring-ci">\n {6}<failure type="accuracy" message="overall: F1 /);
  const loose = await runCi({ ...base, thresholds: { min_f1: 0.5, max_hr_aae_bpm: 5, max_timing_error_ms: 40 } });
  t.equal(loose.summary.ok, true);
  t.same(loose.summary.threshold_failures, []);
});

t.test('manifests: per-session rate and seed; bad ones are refused with the reason', async (t) => {
  const m = path.join(tmp, 'm.json');
  fs.writeFileSync(m, JSON.stringify({ golden_dir: 'mg', seed: 3, sessions: [{ recording: 'recs/fast.ringfx', id: 'fast-25', rate_hz: 25 }, { recording: 'recs/walk/motion.ringfx' }] }));
  const lib = loadLibrary(m, { rate_hz: 50, seed: 1 });
  t.same(lib.sessions.map((s) => [s.id, s.rate_hz, s.seed, path.relative(tmp, s.golden)]), [
    ['fast-25', 25, 3, 'mg/fast-25.ndjson'],
    ['recs/walk/motion', 50, 3, 'mg/recs/walk/motion.ndjson'],
  ]);
  const bad: [unknown, RegExp][] = [
    [[], /a manifest is a JSON object with a "sessions" list/],
    [{ sessions: [] }, /no "golden_dir" in the manifest and no --golden <dir>/],
    [{ golden_dir: 'g', sessions: [{ recording: 'recs/none.ringfx' }] }, /sessions\[0\]: no such recording/],
    [{ golden_dir: 'g', sessions: [{ recording: 'recs/fast.ringfx', rate_hz: 30 }] }, /sessions\[0\]: rate_hz must be one of 25, 50, 100, got 30/],
    [{ golden_dir: 'g', sessions: [{ recording: 'recs/fast.ringfx', id: '../x' }] }, /"id" must be a relative name/],
    [{ golden_dir: 'g', sessions: [{ recording: 'recs/fast.ringfx' }, { recording: 'recs/fast.ringfx' }] }, /are both session recs\/fast/],
    [{ golden_dir: 'g', sesions: [] }, /a manifest is a JSON object with a "sessions" list/],
  ];
  for (const [doc, want] of bad) {
    fs.writeFileSync(m, JSON.stringify(doc));
    t.throws(() => loadLibrary(m, { rate_hz: 50, seed: 1 }), { name: 'CiError', message: want }, JSON.stringify(doc));
  }
  t.throws(() => loadLibrary(path.join(tmp, 'nope'), { rate_hz: 50, seed: 1 }), new CiError(`no such folder or manifest: ${path.join(tmp, 'nope')}`));
  fs.writeFileSync(m, '{"sessions": [');
  t.throws(() => loadLibrary(m, { rate_hz: 50, seed: 1 }), { message: /m\.json: not a JSON manifest/ });
});

t.test('a golden without a recording is missing; one that cannot be read or replayed is errored', async (t) => {
  const golden2 = path.join(tmp, 'golden2');
  fs.mkdirSync(golden2);
  fs.copyFileSync(path.join(golden, 'fast.ndjson'), path.join(golden2, 'fast.ndjson'));
  fs.copyFileSync(path.join(golden, 'fast.ndjson'), path.join(golden2, 'gone.ndjson'));
  const lib = path.join(tmp, 'lib2');
  fs.mkdirSync(lib);
  fs.copyFileSync(path.join(recs, 'fast.ringfx'), path.join(lib, 'fast.ringfx'));
  fs.writeFileSync(path.join(lib, 'bad.ringfx'), 'not a container');
  const run = await runCi({ ...base, library: lib, golden_dir: golden2 });
  t.same(run.doc.sessions.map((s) => [s.id, s.status]), [['bad', 'errored'], ['fast', 'passed'], ['gone', 'missing']]);
  t.match(run.doc.sessions[0]!.error, /bad\.ringfx: /);
  const xml = junitXml(run.doc, run.summary);
  t.equal(validate(xml).code, 0);
  t.match(xml, /tests="3" failures="1" errors="1"/);
  const text = formatSummary(run.doc, run.summary);
  t.match(text, /errored {2}bad: .*bad\.ringfx/);
  t.match(text, /missing {2}gone: golden .*gone\.ndjson has no recording/);
  // --update-golden removes the orphan, writes nothing for the errored session.
  const upd = await runCi({ ...base, library: lib, golden_dir: golden2, update_golden: true });
  t.equal(upd.goldens_removed, 1);
  t.equal(upd.goldens_written, 0);
  t.notOk(fs.existsSync(path.join(golden2, 'gone.ndjson')));
  t.equal(upd.summary.ok, false, 'an errored session still fails');
});
