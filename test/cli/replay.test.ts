import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ring, type CliRun } from '../helpers/cli.js';
import { sweep } from '../helpers/long.js';

const rest = 'fixtures/synth/synth-rest.ringfx';
// Two minutes where the length is not what a test is about (the stream's order, the
// transports' bytes, golden files, the tables): a third of the six-minute one's replay work.
const short = 'fixtures/synth/synth-high-hr.ringfx';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-cli-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

t.test('table output on stdout, nothing on stderr', async (t) => {
  const r = ring(['replay', short]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /record synth-high-hr {2}rate 50 Hz {2}seed 1/);
  t.match(r.stdout, /HRV windows/);
  t.match(r.stdout, /SDNN ms/);
  t.equal(r.stderr, '');
  const beats = ring(['replay', short, '--beats', '--rate-hz', '25']);
  t.match(beats.stdout, /\nBeats\n/);
  t.match(beats.stdout, /rate 25 Hz/);
});

t.test('--json prints exactly one JSON document', async (t) => {
  const r = ring(['replay', rest, '--json', '--seed', '9']);
  t.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  t.equal(doc.record, 'synth-rest');
  t.equal(doc.seed, 9);
  t.ok(doc.beats.length > 400, 'beats present');
  t.ok(doc.hrv.some((w: { window_s: number }) => w.window_s === 300), '5-minute windows present');
  t.ok(doc.summary.hr_bpm_median > 40 && doc.summary.hr_bpm_median < 120);
});

// `replay short --ndjson`, run once: the stream's order below and the transports' comparison.
let shortNdjson: CliRun | null = null;
const ndjsonOfShort = (): CliRun => (shortNdjson ??= ring(['replay', short, '--ndjson']));

t.test('--ndjson streams one object per line in emission order, then a summary', async (t) => {
  const r = ndjsonOfShort();
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(lines[lines.length - 1].type, 'summary');
  const times = lines.slice(0, -1).map((l) => l.emitted_ms);
  t.ok(times.every((v, i) => i === 0 || v >= times[i - 1]), 'emission times never go back');
  t.ok(new Set(lines.map((l) => l.type)).size >= 4, 'beat, hr, hrv and status records');
});

t.test('over the protocol (the default) and from the firmware sink (--direct): byte-identical', async (t) => {
  for (const args of [['--ndjson'], ['--json', '--rate-hz', '25'], ['--beats', '--rate-hz', '100']]) {
    const overBle = args[0] === '--ndjson' ? ndjsonOfShort() : ring(['replay', short, ...args]);
    const direct = ring(['replay', short, ...args, '--direct']);
    t.equal(overBle.code, 0, overBle.stderr);
    t.ok(overBle.stdout.length > 1000);
    t.equal(overBle.stdout, direct.stdout, `${args.join(' ')}: the same bytes`);
  }
});

t.test('golden files: write, match, and a readable diff with exit 1 on mismatch', async (t) => {
  const golden = path.join(tmp, 'short.golden.ndjson');
  const w = ring(['replay', short, '--golden', golden, '--update-golden']);
  t.equal(w.code, 0, w.stderr);
  t.match(w.stderr, /golden written/);
  const ok = ring(['replay', short, '--golden', golden]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stderr, /golden ok/);
  // Change one stored beat: the diff names it and the command fails.
  const lines = fs.readFileSync(golden, 'utf8').split('\n');
  const k = lines.findIndex((l) => l.includes('"type":"beat"'));
  lines[k] = lines[k].replace(/"time_ms":(\d+)/, (_m, v) => `"time_ms":${Number(v) + 1}`);
  fs.writeFileSync(golden, lines.join('\n'));
  const bad = ring(['replay', short, '--golden', golden]);
  t.equal(bad.code, 1, 'mismatch exits 1');
  t.match(bad.stderr, /golden mismatch/);
  t.match(bad.stderr, /^- .*"type":"beat"/m, 'expected line shown');
  t.match(bad.stderr, /^\+ .*"type":"beat"/m, 'actual line shown');
  t.match(bad.stderr, /reproduce: ring replay .* --seed 1/);
  const missing = ring(['replay', short, '--golden', path.join(tmp, 'none.ndjson')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /^error: no golden file .*--update-golden\n$/);
});

t.test('bad input gets one clear line and a non-zero exit, never a stack trace', async (t) => {
  const truncated = path.join(tmp, 'truncated.ringfx');
  const bytes = fs.readFileSync(rest);
  fs.writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
  const corrupt = path.join(tmp, 'corrupt.ringfx');
  const c = Buffer.from(bytes);
  for (let i = 64; i < c.length; i += 97) c[i] ^= 0x5a;
  fs.writeFileSync(corrupt, c);
  const emptyCsv = path.join(tmp, 'empty.csv');
  fs.writeFileSync(emptyCsv, 'time_ms,ppg\n');
  const cases: [string, string[], RegExp][] = [
    ['missing file', ['replay', 'no/such/file.ringfx'], /^error: no such file: no\/such\/file\.ringfx$/],
    ['truncated fixture', ['replay', truncated], /^error: .*truncated\.ringfx: .*/],
    ['corrupt fixture', ['replay', corrupt], /^error: .*corrupt\.ringfx: .*/],
    ['unsupported rate', ['replay', rest, '--rate-hz', '30'], /^error: --rate-hz must be one of 25, 50, 100, got '30'$/],
    ['bad seed', ['replay', rest, '--seed', '-4'], /error: .*seed/],
    ['empty recording', ['replay', emptyCsv], /^error: .*empty/],
    ['json and ndjson together', ['replay', rest, '--json', '--ndjson'], /^error: --json and --ndjson are exclusive$/],
    ['update without golden', ['replay', rest, '--update-golden'], /^error: --update-golden needs --golden <file>$/],
  ];
  // Each case is a process: `make test` runs a seeded four, make test-long all.
  for (const [name, args, re] of sweep(t, 'replay bad input', cases, 4)) {
    const r = ring(args);
    t.equal(r.code, 2, `${name}: exit 2`);
    t.equal(r.stdout, '', `${name}: nothing on stdout`);
    const first = r.stderr.split('\n')[0];
    t.match(first, re, `${name}: ${first}`);
    t.notMatch(r.stderr, /\n\s+at /, `${name}: no stack trace`);
  }
  const unknown = ring(['replay']);
  t.equal(unknown.code, 2, 'missing argument is a usage error');
  t.match(unknown.stderr, /missing required argument/);
});
