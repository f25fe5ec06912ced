// The wellness commands from the shell: what each bad input gets (one line, exit 2), a short
// recording synthesized and scored as one JSON document, and under `make test-long` the
// README's wellness lines run as written, in order (each builds on the recordings before it).

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ring } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { LONG } from '../helpers/long.js';

const BAD: [string[], RegExp][] = [
  [['wellness', 'synth', '-o', 'x.ringfx', '--nights', '9'], /^error: --nights must be an integer in 1\.\.4, got '9'$/],
  [['wellness', 'synth', '-o', 'x.ringfx', '--start', '25:00'], /^error: --start must be a clock time HH:MM, got '25:00'$/],
  [['wellness', 'synth', '-o', 'x.ringfx', '--start', '08:00'], /^error: start_clock_s must be 12:00\.\.22:00/],
  [['wellness', 'score', 'missing.ringfx'], /^error: recording not found: missing\.ringfx$/],
  [['together', 'a.ringfx'], /^error: together needs at least two recordings$/],
  [['together', 'a.ringfx', 'b.ringfx', '--drift-ppm', '5'], /^error: --drift-ppm has 1 values for 2 recordings$/],
];

t.test('bad input: one line, exit 2, nothing written', async (t) => {
  const dir = t.testdir({ 'a.ringfx': '', 'b.ringfx': '' });
  for (const [args, message] of BAD) {
    const r = ring(args, { cwd: dir });
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`);
    t.match(r.stderr.trim(), message, `${args.join(' ')}: says what is wrong`);
    t.equal(r.stdout, '', `${args.join(' ')}: no data`);
  }
  t.notOk(fs.existsSync(path.join(dir, 'x.ringfx')), 'no recording written');
  t.notOk(fs.existsSync(path.join(dir, 'out')), 'no report folder made');
});

t.test('a short recording synthesized and scored as one JSON document', async (t) => {
  const dir = t.testdir();
  const synth = ring(['wellness', 'synth', '-o', 'eve.ringfx', '--nights', '1', '--start', '22:00', '--hours', '1.5', '--seed', '4'], { cwd: dir });
  t.equal(synth.code, 0, synth.stderr);
  t.match(synth.stderr, /eve\.ringfx: 1\.5 h, 0 nights/, 'what it wrote, on stderr');
  const score = ring(['wellness', 'score', 'eve.ringfx', '--json'], { cwd: dir });
  t.equal(score.code, 0, score.stderr);
  const doc = JSON.parse(score.stdout) as { record: string; wellness: { periods: unknown[] }; score: { nights: unknown[] } };
  t.equal(doc.record, 'daylife-4');
  t.same(doc.score.nights, [], 'an evening holds no whole night to score');
});

// Minutes of recordings: under make test-long only.
if (LONG) t.test('the README\'s wellness lines, in order', async (t) => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const lines = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n'))
    .filter((l) => /^ring (wellness|together|report)\b/.test(l)).map((l) => l.replace(/\s+#.*$/, '').trim());
  t.ok(lines.length >= 5, `${lines.length} lines`);
  const dir = t.testdir();
  for (const line of lines) {
    const r = ring(line.slice('ring '.length).split(/\s+/), { cwd: dir });
    t.equal(r.code, 0, `${line}: exit 0 ${r.stderr.slice(0, 300)}`);
  }
  t.ok(fs.existsSync(path.join(dir, 'out', 'night-1.html')) && fs.existsSync(path.join(dir, 'out', 'day-1.html')), 'the report\'s pages');
});
