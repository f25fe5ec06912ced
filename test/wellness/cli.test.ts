// The wellness commands from the shell: what each bad input gets (one line, exit 2), a short
// recording synthesized and scored as one JSON document, and under `make test-long` the
// README's wellness lines run as written, in order (each builds on the recordings before it).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { oneLineError, ring, ringAsync, type CliRun } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { LONG, sweep } from '../helpers/long.js';

const BAD: [string[], RegExp][] = [
  [['wellness', 'synth', '-o', 'x.ringfx', '--nights', '9'], /^error: --nights must be an integer in 1\.\.4, got '9'$/],
  [['wellness', 'synth', '-o', 'x.ringfx', '--start', '25:00'], /^error: --start must be a clock time HH:MM, got '25:00'$/],
  [['wellness', 'synth', '-o', 'x.ringfx', '--start', '08:00'], /^error: start_clock_s must be 12:00\.\.22:00/],
  [['wellness', 'score', 'missing.ringfx'], /^error: recording not found: missing\.ringfx$/],
  [['together', 'a.ringfx'], /^error: together needs at least two recordings$/],
  [['together', 'a.ringfx', 'b.ringfx', '--drift-ppm', '5'], /^error: --drift-ppm has 1 values for 2 recordings$/],
  [['together', 'a.ringfx', 'b.ringfx', '--partner-grant', 'beats'], /^error: --partner-grant takes hr-summary, hrv-summary, sleep-summary, stress-summary \(comma-separated\) or none, got 'beats'$/],
  [['replay', 'a.ringfx', 'b.ringfx'], /^error: replay takes one recording \(got 2\); several rings against one host: --together$/],
  [['replay', 'a.ringfx', '--together'], /^error: together needs at least two recordings$/],
  [['replay', 'a.ringfx', 'b.ringfx', '--together', '--ndjson'], /^error: --ndjson replays one ring: not with --together$/],
  [['replay', 'a.ringfx', 'b.ringfx', '--together', '--golden', 'g.ndjson'], /^error: --golden replays one ring: not with --together$/],
  [['replay', 'a.ringfx', '--partner-grant', 'none'], /^error: --drift-ppm, --partner-grant and --session go with --together$/],
  [['together', 'a.ringfx', '--session', 's.json'], /^error: give the recordings or --session, not both$/],
  [['together', '--session', 'missing.json'], /^error: session file not found: missing\.json$/],
  [['together', '--session', 'a.ringfx'], /^error: a\.ringfx: not JSON \(/],
  [['together', '--session', 'one.json'], /^error: one\.json: together needs 2\.\.16 rings, got 1$/],
  [['together', '--session', 'first-none.json'], /^error: first-none\.json: rings\[0\]\.grant: the first ring is the host's own: "owner" or no grant, got "none"$/],
  [['together', '--session', 'bad-scope.json'], /^error: bad-scope\.json: rings\[1\]\.grant takes hr-summary, hrv-summary, sleep-summary, stress-summary, got "beats"$/],
  [['together', '--session', 'bad-key.json'], /^error: bad-key\.json: rings\[1\]: unknown key 'drift' \(recording, seed, drift_ppm, grant\)$/],
  [['together', '--session', 'bad-drift.json'], /^error: bad-drift\.json: rings\[0\]\.drift_ppm must be an integer in -1000\.\.1000, got 2000$/],
  [['together', '--session', 's.json', '--drift-ppm', '1,2'], /^error: --drift-ppm: the session file gives each ring its drift_ppm$/],
];
const SESSIONS = {
  's.json': JSON.stringify({ rings: [{ recording: 'a.ringfx' }, { recording: 'b.ringfx' }] }),
  'one.json': JSON.stringify({ rings: [{ recording: 'a.ringfx' }] }),
  'first-none.json': JSON.stringify({ rings: [{ recording: 'a.ringfx', grant: 'none' }, { recording: 'b.ringfx' }] }),
  'bad-scope.json': JSON.stringify({ rings: [{ recording: 'a.ringfx' }, { recording: 'b.ringfx', grant: ['beats'] }] }),
  'bad-key.json': JSON.stringify({ rings: [{ recording: 'a.ringfx' }, { recording: 'b.ringfx', drift: 3 }] }),
  'bad-drift.json': JSON.stringify({ rings: [{ recording: 'a.ringfx', drift_ppm: 2000 }, { recording: 'b.ringfx' }] }),
};

t.test('bad input: one line, exit 2, nothing written', async (t) => {
  const dir = t.testdir({ 'a.ringfx': '', 'b.ringfx': '', ...SESSIONS });
  // Each row is a process: `make test` runs a seeded six, make test-long all.
  for (const [args, message] of sweep(t, 'wellness bad input', BAD, 6)) {
    const r = ring(args, { cwd: dir });
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`);
    t.match(r.stderr.trim(), message, `${args.join(' ')}: says what is wrong`);
    t.equal(r.stdout, '', `${args.join(' ')}: no data`);
  }
  t.notOk(fs.existsSync(path.join(dir, 'x.ringfx')), 'no recording written');
  t.notOk(fs.existsSync(path.join(dir, 'out')), 'no report folder made');
});

// Two rings' evening recordings, synthesized once: the first is also the recording scored alone.
const ringsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-wellness-cli-'));
t.teardown(() => fs.rmSync(ringsDir, { recursive: true, force: true }));
let synths: CliRun[] | null = null;
const synthesized = (): CliRun[] => (synths ??= ([['a', 1], ['b', 2]] as const).map(([name, seed]) =>
  ring(['wellness', 'synth', '-o', `${name}.ringfx`, '--nights', '1', '--start', '22:00', '--hours', '1', '--seed', String(seed), '--shared-seed', '9'], { cwd: ringsDir })));

t.test('a short recording synthesized and scored as one JSON document', async (t) => {
  const synth = synthesized()[0]!;
  t.equal(synth.code, 0, synth.stderr);
  t.match(synth.stderr, /a\.ringfx: 1\.0 h, 0 nights/, 'what it wrote, on stderr');
  const score = ring(['wellness', 'score', 'a.ringfx', '--json'], { cwd: ringsDir });
  t.equal(score.code, 0, score.stderr);
  const doc = JSON.parse(score.stdout) as { record: string; wellness: { periods: unknown[] }; score: { nights: unknown[] } };
  t.equal(doc.record, 'daylife-1');
  t.same(doc.score.nights, [], 'an evening holds no whole night to score');
});

t.test('two rings, one host: ring replay --together is ring together; the partner\'s ring only through a grant', async (t) => {
  for (const r of synthesized()) t.equal(r.code, 0, r.stderr);
  // A session file in another folder: its recordings are found relative to it.
  fs.mkdirSync(path.join(ringsDir, 'runs'));
  fs.writeFileSync(path.join(ringsDir, 'runs', 'couple.json'), JSON.stringify({ rings: [{ recording: '../a.ringfx', seed: 1 }, { recording: '../b.ringfx', grant: ['hrv-summary', 'sleep-summary'] }] }));
  // Three whole runs: the alias (replay --together) is compared with `ring together` through
  // the session file, which names the same rings; the alias with its recordings on the command
  // line is the refused partial grant below, which gets as far as the partner's ring.
  const [together, session, text, none, hrOnly] = await Promise.all([
    ringAsync(['together', 'a.ringfx', 'b.ringfx', '--json'], { cwd: ringsDir }),
    ringAsync(['replay', '--together', '--session', 'runs/couple.json', '--json'], { cwd: ringsDir }),
    ringAsync(['together', 'a.ringfx', 'b.ringfx'], { cwd: ringsDir }),
    ringAsync(['together', 'a.ringfx', 'b.ringfx', '--partner-grant', 'none'], { cwd: ringsDir }),
    ringAsync(['replay', 'a.ringfx', 'b.ringfx', '--together', '--partner-grant', 'hr-summary,hrv-summary'], { cwd: ringsDir }),
  ]);
  t.equal(together.code, 0, together.stderr);
  t.equal(session.stdout, together.stdout, 'replay --together from a session file naming the same rings: the same JSON document, byte for byte');
  const doc = JSON.parse(together.stdout) as { rate_hz: number; rings: { access: unknown; stress_shared: boolean }[]; pairs: { hr_synchrony: number | null }[] };
  t.equal(doc.rate_hz, 25, 'rings at 25 Hz by default, either way');
  t.same(doc.rings.map((r) => r.access), [{ role: 'owner' }, { role: 'viewer', scopes: ['hrv-summary', 'sleep-summary'] }], 'the host owns ring a, reads ring b through its grant');
  t.same(doc.rings.map((r) => r.stress_shared), [true, false], 'b\'s stress records were not granted');
  t.equal(typeof doc.pairs[0]!.hr_synchrony, 'number', 'the pair has an HR synchrony');
  t.match(text.stdout, /ring daylife-2: .*read through its wearer's grant \(hrv-summary, sleep-summary\).*stress not shared/, 'the table says how each ring was read');
  oneLineError(t, none, /^error: ring daylife-2: ERR_AUTH_REQUIRED \(17\): this host holds no grant from the ring's wearer; ask its wearer for a grant: ring share grant --scope hrv-summary,sleep-summary$/);
  oneLineError(t, hrOnly, /^error: ring daylife-2: the grant covers hr-summary, hrv-summary, not sleep-summary; ask its wearer for a grant: ring share grant --scope hrv-summary,sleep-summary$/);
});

// Minutes of recordings: under make test-long only.
if (LONG) t.test('the README\'s wellness lines, in order', async (t) => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const lines = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n'))
    .filter((l) => /^ring (wellness|together|report)\b/.test(l) || /\s--together\b/.test(l)).map((l) => l.replace(/\s+#.*$/, '').trim());
  t.ok(lines.length >= 5, `${lines.length} lines`);
  const dir = t.testdir();
  // The session file the README's `--session couple.json` line names (docs/wellness.md).
  fs.writeFileSync(path.join(dir, 'couple.json'), JSON.stringify({ rings: [{ recording: 'couple-a.ringfx' }, { recording: 'couple-b.ringfx' }] }));
  for (const line of lines) {
    const r = ring(line.slice('ring '.length).split(/\s+/), { cwd: dir });
    t.equal(r.code, 0, `${line}: exit 0 ${r.stderr.slice(0, 300)}`);
  }
  t.ok(fs.existsSync(path.join(dir, 'out', 'night-1.html')) && fs.existsSync(path.join(dir, 'out', 'day-1.html')), 'the report\'s pages');
});
