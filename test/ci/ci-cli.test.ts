// `ring ci` run as a user would, with worker threads: --update-golden then a pass,
// --jobs 1 passes the goldens --jobs 2 wrote, three shards merged with `ring ci merge` equal one
// run, a firmware build with one constant changed fails exactly the affected session on
// every worker, and bad input gets exit 2 with one line. (ci-run.test.ts covers the rest
// in-process.)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { ring } from '../helpers/cli.js';
import { buildFirmwareVariant } from '../helpers/firmware-variant.js';
import { repoRoot } from '../helpers/shared.js';
import { writeLibraryOf } from './library.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-ci-cli-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
// 15 s recordings: long enough for the motion session's first bursts (the changed-firmware
// test); what is checked is how ring ci runs, merges and reports sessions.
writeLibraryOf(path.join(tmp, 'recs'), 15);
const read = (f: string): string => fs.readFileSync(path.join(tmp, f), 'utf8');
const ci = (...args: string[]) => ring(['ci', 'recs', '--golden', 'golden', ...args], { cwd: tmp });

t.test('--update-golden writes the goldens, then the library passes; --jobs 1 and 2 give the same bytes', async (t) => {
  const upd = ci('--jobs', '2', '--update-golden');
  t.equal(upd.code, 0, upd.stderr);
  t.match(upd.stderr, /goldens: 4 written, 0 removed/);
  t.match(upd.stdout, /new {6}walk\/motion \(golden updated\)/);
  // A golden is what `ring replay --golden` checks.
  const rep = ring(['replay', 'recs/walk/motion.ringfx', '--golden', 'golden/walk/motion.ndjson'], { cwd: tmp });
  t.equal(rep.code, 0, rep.stderr);
  // Goldens written by --jobs 2 pass under --jobs 1: the same bytes. (That --jobs 1, 2 and 3
  // print the same result is ci-pool.test.ts's; the summary and JUnit are written from it.)
  const one = ci('--jobs', '1', '--junit', 'one.xml');
  t.equal(one.code, 0, one.stdout);
  t.match(one.stdout, /^ring ci: 4 sessions \(protocol replay, built-in firmware\), 1\.0 min of recordings\n4 passed, 0 changed, 0 new, 0 missing, 0 errored\n/);
  t.match(one.stdout, /result: OK\n$/);
  t.match(read('one.xml'), /<testsuite [^>]*tests="4"/);
});

t.test('three shards plus ring ci merge give the summary, JSON and JUnit of one run', async (t) => {
  const whole = ci('--jobs', '2', '--direct', '--result-file', 'whole.json', '--junit', 'whole.xml');
  t.equal(whole.code, 0, whole.stderr);
  const files = [1, 2, 3].map((k) => {
    const r = ci('--jobs', '1', '--direct', '--shard', `${k}/3`, '--json');
    t.equal(r.code, 0, r.stderr);
    fs.writeFileSync(path.join(tmp, `shard-${k}.json`), r.stdout);
    return `shard-${k}.json`;
  });
  // (ring ci merge --json prints what --result-file writes: ci-config.test.ts compares it with a run's --json.)
  const merged = ring(['ci', 'merge', files[2]!, files[0]!, files[1]!, '--junit', 'merged.xml', '--result-file', 'merged.json'], { cwd: tmp });
  t.equal(merged.code, 0, merged.stderr);
  t.equal(merged.stdout, whole.stdout);
  t.equal(read('merged.xml'), read('whole.xml'));
  t.equal(read('merged.json'), read('whole.json'));
});

t.test('a firmware build with one constant changed: exactly the motion session fails, on every worker', async (t) => {
  await buildFirmwareVariant(path.join(tmp, 'fw-motion.mjs'), [
    { file: 'firmware/dsp/signal-quality.ts', from: 'const MOTION_ACTIVITY_MG_MAX = 40;', to: 'const MOTION_ACTIVITY_MG_MAX = 4000;' },
  ]);
  const r = ci('--jobs', '2', '--firmware', 'fw-motion.mjs', '--report', 'report');
  t.equal(r.code, 1, 'a changed golden exits 1');
  t.match(r.stdout, /\n3 passed, 1 changed, 0 new, 0 missing, 0 errored\n\nchanged {2}walk\/motion\n {9}line \d+, \w+ at \d+\.\d{3} s: /);
  t.match(r.stdout, /reproduce: ring replay recs\/walk\/motion\.ringfx --rate-hz 50 --seed 1 --golden golden\/walk\/motion\.ndjson/);
  t.match(r.stdout, /result: FAILED \(1 changed\)\n$/);
  t.match(r.stderr, /report: 1 changed sessions in report\/index\.html/);
  t.ok(fs.existsSync(path.join(tmp, 'report/walk__motion.html')));
});

t.test('bad input: exit 2, one line, nothing on stdout', async (t) => {
  const cases: [string[], string | RegExp][] = [
    [['ci', 'recs'], 'error: --golden <dir> is required with a folder of recordings\n'],
    [['ci', 'merge', 'shard-1.json', 'shard-3.json'], 'error: shard results missing: 2/3 (a merge needs every shard)\n'],
    [['ci', 'recs', '--golden', 'golden', '--firmware', 'recs/fast.ringfx', '--jobs', '2'], /^error: cannot load firmware bundle recs\/fast\.ringfx: .*\n$/],
  ];
  for (const [args, want] of cases) {
    const r = ring(args, { cwd: tmp });
    t.equal(r.code, 2, args.join(' '));
    if (typeof want === 'string') t.equal(r.stderr, want);
    else t.match(r.stderr, want);
    t.equal(r.stdout, '');
  }
});

t.test('the library API on worker threads finishes without a progress callback', async (t) => {
  // runCi as bench/ci.ts calls it: no onDone. The compiled module, so the workers are too.
  const ciModule = path.join(repoRoot, 'dist/host/ci/ci.js');
  const { runCi } = (await import(pathToFileURL(ciModule).href)) as typeof import('../../host/ci/ci.js');
  const out = await runCi({ library: path.join(tmp, 'recs'), golden_dir: path.join(tmp, 'golden'), rate_hz: 50, seed: 1, jobs: 2, shard: null, direct: true,
    firmware_bundle: null, update_golden: false, want_report: false, thresholds: {} });
  t.same(out.summary.counts, { passed: 4, changed: 0, new: 0, missing: 0, errored: 0 });
});
