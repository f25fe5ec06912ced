// `ring ci` run as a user would, on a small library of generated recordings (ring fixture
// synth): goldens pass, --jobs 1 and 2 print the same bytes, three shards merged equal one
// run, a firmware build with one constant changed fails exactly the sessions it affects,
// thresholds fail a run, and bad input gets exit 2 with one line.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ring } from '../helpers/cli.js';
import { buildFirmwareVariant } from '../helpers/firmware-variant.js';
import { repoRoot } from '../helpers/shared.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-ci-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
const recs = path.join(tmp, 'recs');
const golden = path.join(tmp, 'golden');
const XSD = path.join(repoRoot, 'test/data/junit/junit.xsd');
const SECONDS = '30';

// Four short recordings: two at rest, one with motion bursts (in a sub-folder), one fast.
const LIBRARY: [string, string[]][] = [
  ['rest-a.ringfx', ['--seed', '1']],
  ['rest-b.ringfx', ['--seed', '4', '--hr-bpm', '60']],
  ['fast.ringfx', ['--seed', '3', '--hr-bpm', '120']],
  ['walk/motion.ringfx', ['--seed', '2', '--motion']],
];
for (const [name, args] of LIBRARY) {
  fs.mkdirSync(path.dirname(path.join(recs, name)), { recursive: true });
  const r = ring(['fixture', 'synth', '-o', path.join(recs, name), '--duration-s', SECONDS, ...args]);
  if (r.code !== 0) throw new Error(`fixture synth failed: ${r.stderr}`);
}

const ci = (...args: string[]) => ring(['ci', recs, '--golden', golden, ...args], { cwd: tmp });

function xmllint(file: string): { code: number | null; out: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

t.test('a library without goldens reports every session new; --update-golden writes them; then it passes', async (t) => {
  const first = ci('--jobs', '1');
  t.equal(first.code, 1, 'new sessions fail the run');
  t.match(first.stdout, /0 passed, 0 changed, 4 new, 0 missing, 0 errored/);
  t.match(first.stdout, /new {6}walk\/motion: no golden .*walk\/motion\.ndjson \(write it with --update-golden\)/);
  const upd = ci('--jobs', '2', '--update-golden');
  t.equal(upd.code, 0, upd.stderr);
  t.match(upd.stderr, /goldens: 4 written, 0 removed/);
  t.ok(fs.existsSync(path.join(golden, 'walk/motion.ndjson')), 'the golden folder mirrors the recordings');
  // The golden is exactly what `ring replay --golden` compares with (one record per line).
  const rep = ring(['replay', path.join(recs, 'fast.ringfx'), '--golden', path.join(golden, 'fast.ndjson')]);
  t.equal(rep.code, 0, rep.stderr);
  const pass = ci('--jobs', '2');
  t.equal(pass.code, 0, pass.stdout);
  t.match(pass.stdout, /4 passed, 0 changed, 0 new, 0 missing, 0 errored/);
  t.match(pass.stdout, /accuracy \(4 sessions with reference beats\)/);
  t.match(pass.stdout, /walk\/motion +50/);
  t.match(pass.stdout, /result: OK\n$/);
});

t.test('--jobs 1 and --jobs 2 give byte-identical summaries, JSON and JUnit', async (t) => {
  const one = ci('--jobs', '1', '--junit', 'one.xml');
  const two = ci('--jobs', '2', '--junit', 'two.xml');
  t.equal(one.code, 0, one.stderr);
  t.equal(two.stdout, one.stdout);
  t.equal(fs.readFileSync(path.join(tmp, 'two.xml'), 'utf8'), fs.readFileSync(path.join(tmp, 'one.xml'), 'utf8'));
  const oneJ = ci('--jobs', '1', '--json', '--direct');
  const twoJ = ci('--jobs', '2', '--json', '--direct');
  t.equal(twoJ.stdout, oneJ.stdout);
  const doc = JSON.parse(oneJ.stdout);
  t.same(doc.sessions.map((s: { id: string }) => s.id), ['fast', 'rest-a', 'rest-b', 'walk/motion']);
  t.equal(doc.summary.ok, true);
  t.equal(doc.run.mode, 'direct');
});

t.test('three shards plus merge give the summary, JSON and JUnit of one run', async (t) => {
  const whole = ci('--jobs', '1', '--direct', '--result-file', 'whole.json', '--junit', 'whole.xml');
  t.equal(whole.code, 0, whole.stderr);
  const files: string[] = [];
  let sessions = 0;
  for (const k of [1, 2, 3]) {
    const f = `shard-${k}.json`;
    const r = ci('--jobs', '1', '--direct', '--shard', `${k}/3`, '--result-file', f);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, new RegExp(`shard ${k}/3`));
    sessions += JSON.parse(fs.readFileSync(path.join(tmp, f), 'utf8')).sessions.length;
    files.push(f);
  }
  t.equal(sessions, 4, 'every session in exactly one shard');
  // Merge in a shuffled order: the result does not depend on it.
  const merged = ring(['ci', 'merge', files[2]!, files[0]!, files[1]!, '--junit', 'merged.xml'], { cwd: tmp });
  t.equal(merged.code, 0, merged.stderr);
  t.equal(merged.stdout, whole.stdout);
  const mergedJ = ring(['ci', 'merge', ...files, '--json'], { cwd: tmp });
  t.equal(mergedJ.stdout, fs.readFileSync(path.join(tmp, 'whole.json'), 'utf8'));
  t.equal(fs.readFileSync(path.join(tmp, 'merged.xml'), 'utf8'), fs.readFileSync(path.join(tmp, 'whole.xml'), 'utf8'));
  // A merge needs every shard exactly once.
  const partial = ring(['ci', 'merge', files[0]!, files[1]!], { cwd: tmp });
  t.equal(partial.code, 2);
  t.match(partial.stderr, /^error: shard results missing: 3\/3 \(a merge needs every shard\)\n$/);
  const twice = ring(['ci', 'merge', files[0]!, files[0]!, files[1]!], { cwd: tmp });
  t.equal(twice.code, 2);
  t.match(twice.stderr, /are both shard 1\/3/);
});

t.test('a firmware build with one constant changed fails exactly the sessions it affects', async (t) => {
  // The same sources bundled unchanged run exactly like the built-in firmware.
  const same = path.join(tmp, 'fw-same.mjs');
  await buildFirmwareVariant(same, []);
  const base = ci('--jobs', '2', '--firmware', same);
  t.equal(base.code, 0, base.stdout);
  t.match(base.stdout, new RegExp(`firmware ${same.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  // Motion no longer counts as motion: only the recording with motion bursts changes.
  const variant = path.join(tmp, 'fw-motion.mjs');
  await buildFirmwareVariant(variant, [
    { file: 'firmware/dsp/signal-quality.ts', from: 'const MOTION_ACTIVITY_MG_MAX = 40;', to: 'const MOTION_ACTIVITY_MG_MAX = 4000;' },
  ]);
  const r = ci('--jobs', '2', '--firmware', variant, '--junit', 'variant.xml', '--report', 'report', '--json');
  t.equal(r.code, 1, 'a changed golden fails the run');
  const doc = JSON.parse(r.stdout);
  const changed = doc.sessions.filter((s: { status: string }) => s.status === 'changed').map((s: { id: string }) => s.id);
  t.same(changed, ['walk/motion']);
  const motion = doc.sessions.find((s: { id: string }) => s.id === 'walk/motion');
  t.match(motion.first_difference, { line: Number, kind: String, field: String, old: String, new: String });
  t.ok(motion.first_difference.time_ms > 0, 'the first difference says when');
  const text = ci('--jobs', '1', '--firmware', variant);
  t.match(text.stdout, /changed {2}walk\/motion\n {9}line \d+, \w+ at \d+\.\d{3} s: \w+ .+ -> .+\n/);
  t.match(text.stdout, /reproduce: ring replay .*motion\.ringfx --rate-hz 50 --seed 1 --golden .*motion\.ndjson/);
  t.match(text.stdout, /result: FAILED \(1 changed\)/);
  // The report has a page for the changed session, with both outputs plotted.
  const index = fs.readFileSync(path.join(tmp, 'report/index.html'), 'utf8');
  t.match(index, /1 of 4 sessions changed/);
  t.match(index, /href="walk__motion\.html"/);
  const page = fs.readFileSync(path.join(tmp, 'report/walk__motion.html'), 'utf8');
  t.match(page, /<polyline class="old"/);
  t.match(page, /<polyline class="new"/);
  t.match(page, /class="tick-new"/);
  // The JUnit file validates and names the failure.
  const lint = xmllint(path.join(tmp, 'variant.xml'));
  t.equal(lint.code, 0, lint.out);
  const xml = fs.readFileSync(path.join(tmp, 'variant.xml'), 'utf8');
  t.match(xml, /<testsuite name="ring ci" tests="4" failures="1" errors="0"/);
  t.match(xml, /<testcase name="walk\/motion" classname="ring-ci.walk">\n {6}<failure type="changed" message="golden changed: line \d+/);
  t.match(xml, /<testcase name="fast" classname="ring-ci">/);
});

t.test('accuracy thresholds fail a run whose goldens all match', async (t) => {
  const strict = ci('--jobs', '1', '--direct', '--min-f1', '0.9999', '--junit', 'strict.xml');
  t.equal(strict.code, 1);
  t.match(strict.stdout, /4 passed, 0 changed/);
  t.match(strict.stdout, /thresholds: --min-f1 0\.9999\n {2}FAILED session walk\/motion: F1 0\.\d+ < --min-f1 0\.9999/);
  t.match(strict.stdout, /FAILED overall: F1 0\.\d+ < --min-f1 0\.9999/);
  t.match(strict.stdout, /result: FAILED \(\d+ below accuracy thresholds\)/);
  const lint = xmllint(path.join(tmp, 'strict.xml'));
  t.equal(lint.code, 0, lint.out);
  t.match(fs.readFileSync(path.join(tmp, 'strict.xml'), 'utf8'), /<testcase name="accuracy \(overall\)" classname="ring-ci">\n {6}<failure type="accuracy"/);
  const loose = ci('--jobs', '1', '--direct', '--min-f1', '0.5', '--max-hr-aae-bpm', '5', '--max-timing-error-ms', '40');
  t.equal(loose.code, 0, loose.stdout);
  t.match(loose.stdout, /thresholds: --min-f1 0\.5, --max-hr-aae-bpm 5, --max-timing-error-ms 40\n\nresult: OK/);
});

t.test('a golden without its recording is missing; --update-golden removes it', async (t) => {
  fs.copyFileSync(path.join(golden, 'fast.ndjson'), path.join(golden, 'gone.ndjson'));
  const r = ci('--jobs', '1', '--direct');
  t.equal(r.code, 1);
  t.match(r.stdout, /4 passed, 0 changed, 0 new, 1 missing, 0 errored/);
  t.match(r.stdout, /missing {2}gone: golden .*gone\.ndjson has no recording/);
  const u = ci('--jobs', '1', '--direct', '--update-golden');
  t.equal(u.code, 0, u.stdout);
  t.notOk(fs.existsSync(path.join(golden, 'gone.ndjson')));
});

t.test('a manifest gives sessions their own rate and seed', async (t) => {
  const manifest = path.join(tmp, 'manifest.json');
  fs.writeFileSync(manifest, JSON.stringify({
    golden_dir: 'mgolden',
    sessions: [
      { recording: 'recs/fast.ringfx', id: 'fast-25hz', rate_hz: 25 },
      { recording: 'recs/fast.ringfx', id: 'fast-seed7', seed: 7 },
    ],
  }));
  const u = ring(['ci', manifest, '--jobs', '2', '--direct', '--update-golden', '--json'], { cwd: tmp });
  t.equal(u.code, 0, u.stderr);
  const doc = JSON.parse(u.stdout);
  t.same(doc.sessions.map((s: { id: string; rate_hz: number; seed: number }) => [s.id, s.rate_hz, s.seed]), [['fast-25hz', 25, 1], ['fast-seed7', 50, 7]]);
  const head = (id: string) => JSON.parse(fs.readFileSync(path.join(tmp, 'mgolden', `${id}.ndjson`), 'utf8').trim().split('\n').pop()!);
  t.equal(head('fast-25hz').rate_hz, 25);
  t.equal(head('fast-seed7').seed, 7);
  const again = ring(['ci', manifest, '--jobs', '1', '--direct'], { cwd: tmp });
  t.equal(again.code, 0, again.stdout);
});

t.test('bad input: exit 2 with one line', async (t) => {
  const cases: [string[], RegExp][] = [
    [['ci', path.join(tmp, 'nope')], /^error: no such folder or manifest: .*nope\n$/],
    [['ci', recs], /^error: --golden <dir> is required with a folder of recordings\n$/],
    [['ci', recs, '--golden', golden, '--shard', '4/3'], /^error: --shard must be k\/n with 1 <= k <= n <= 1000, got '4\/3'\n/],
    [['ci', recs, '--golden', golden, '--jobs', '0'], /^error: --jobs must be an integer in 1\.\.256, got '0'\n/],
    [['ci', recs, '--golden', golden, '--min-f1', '1.5'], /^error: --min-f1 must be a number in 0\.\.1, got '1\.5'\n/],
    [['ci', recs, '--golden', golden, '--firmware', path.join(tmp, 'none.mjs')], /^error: no such firmware bundle: .*none\.mjs\n$/],
    [['ci', recs, '--golden', golden, '--firmware', path.join(recs, 'fast.ringfx')], /^error: cannot load firmware bundle .*fast\.ringfx: /],
    [['ci', 'merge', path.join(golden, 'fast.ndjson')], /^error: .*fast\.ndjson: not a ring ci result/],
    [['ci', 'merge', path.join(tmp, 'nope.json')], /^error: no such result file: .*nope\.json\n$/],
  ];
  for (const [args, want] of cases) {
    const r = ring(args, { cwd: tmp });
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, want, args.join(' '));
    t.equal(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
  }
  const badManifest = path.join(tmp, 'bad-manifest.json');
  fs.writeFileSync(badManifest, JSON.stringify({ golden_dir: 'g', sessions: [{ recording: 'recs/fast.ringfx', config: {} }] }));
  const m = ring(['ci', badManifest], { cwd: tmp });
  t.equal(m.code, 2);
  t.match(m.stderr, /^error: .*bad-manifest\.json: sessions\[0\]: unknown key "config" \(expected recording, id, rate_hz, seed\)\n$/);
});

t.test('a recording that cannot be replayed is an errored session, not a crash', async (t) => {
  const lib = path.join(tmp, 'broken-lib');
  fs.mkdirSync(lib);
  fs.copyFileSync(path.join(recs, 'fast.ringfx'), path.join(lib, 'good.ringfx'));
  fs.writeFileSync(path.join(lib, 'bad.ringfx'), 'not a container');
  const r = ring(['ci', lib, '--golden', path.join(tmp, 'broken-golden'), '--jobs', '2', '--direct', '--junit', 'broken.xml'], { cwd: tmp });
  t.equal(r.code, 1);
  t.match(r.stdout, /0 passed, 0 changed, 1 new, 0 missing, 1 errored/);
  t.match(r.stdout, /errored {2}bad: .*bad\.ringfx: /);
  const lint = xmllint(path.join(tmp, 'broken.xml'));
  t.equal(lint.code, 0, lint.out);
  t.match(fs.readFileSync(path.join(tmp, 'broken.xml'), 'utf8'), /<testcase name="bad" classname="ring-ci">\n {6}<error type="errored" message=".*bad\.ringfx/);
});
