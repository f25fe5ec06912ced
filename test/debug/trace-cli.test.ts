// `--trace`, `ring trace` and the logs, run as a user would: one readable line per frame
// (direction, host and ring time, size, decoded body, round trip), plain when not on a
// TTY; debug log lines about frames carry the trace's identifiers; RING_LOG_LEVEL and
// --log-file; what each bad option gets.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { cliPath, ring } from '../helpers/cli.js';
import { prettyLine } from '../../host/cli/log-pretty.js';

const rest = 'fixtures/synth/synth-rest.ringfx';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-trace-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

const LINE = /^#(\d+) [\d.]+ s (host>ring|ring>host) seq (\d+) ([a-z.]+) (\d+) B( rtt [\d.]+ ms)? host \S+ ring .*$/;

t.test('--trace: a plain line per frame on stderr, data alone on stdout, log lines with the same identifiers', async (t) => {
  const log = path.join(tmp, 'log.jsonl');
  // RING_LOG_LEVEL=info in the environment: --log-level debug wins over it (the debug lines below).
  const r = ring(['battery', '--sim', rest, '--json', '--trace', '--log-level', 'debug', '--log-file', log], { env: { ...process.env, RING_LOG_LEVEL: 'info' } });
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout), { level_pct: 87, mv: 4083, charging: false }, 'stdout holds the data only');
  t.notMatch(r.stderr, /\x1b\[/, 'no colour codes off a TTY');
  const traced = r.stderr.split('\n').filter((l) => l.startsWith('#')).map((l) => l.match(LINE));
  t.equal(traced.length, 2);
  t.ok(traced.every((m) => m !== null), r.stderr);
  t.same(traced.map((m) => [m![1], m![2], m![3], m![4]]), [['1', 'host>ring', '0', 'battery.req'], ['2', 'ring>host', '0', 'battery.rsp']]);
  t.match(r.stderr, /battery\.rsp 37 B rtt [\d.]+ ms .* level_pct=87 % mv=4083 mV charging=false/);
  const frames = fs.readFileSync(log, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l)).filter((o) => o.frame !== undefined);
  t.same(frames.map((o) => [String(o.frame), o.dir, String(o.seq), o.message]), traced.map((m) => [m![1], m![2], m![3], m![4]]), 'log lines carry the trace identifiers');
  t.ok(frames.length > 0 && frames.every((o) => o.level === 20 && typeof o.time_us === 'number'), 'debug lines, as --log-level asks');
});

t.test('ring trace prints every frame on stdout, the ring clock once a time exchange was seen', async (t) => {
  const r = ring(['trace', '--sim', rest, '--duration-s', '3']);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.ok(lines.length > 8, `${lines.length} frames`);
  t.ok(lines.every((l) => LINE.test(l)), 'every line parses');
  t.match(r.stdout, /time\.get\.rsp .* ring \d+ ms since boot now_ms=\d+ ms/);
  t.match(r.stdout, /stream\.hr\.ntf .* hr_bpm_x10=\d+ \([\d.]+ bpm\)/);
});

t.test('RING_LOG_LEVEL sets the level unless --log-level is given; bad values exit 2', async (t) => {
  const env = (level: string, args: string[]) =>
    spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: { ...process.env, RING_LOG_LEVEL: level } });
  const info = env('info', ['battery', '--sim', rest]);
  t.equal(info.status, 0, info.stderr);
  t.match(info.stderr, /"msg":"simulated ring"/, 'info lines, as JSON off a TTY');
  // That --log-level wins over the environment: the first test (debug over RING_LOG_LEVEL=info).
  const bad = env('loud', ['battery', '--sim', rest]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^error: RING_LOG_LEVEL must be one of/);
  const nofile = ring(['--log-file', path.join(tmp, 'no/such/dir/log'), 'battery', '--sim', rest]);
  t.equal(nofile.code, 2);
  t.match(nofile.stderr, /^error: --log-file: cannot write .*ENOENT/);
  const nocap = ring(['battery', '--sim', rest, '--capture', path.join(tmp, 'no/such/dir/cap')]);
  t.equal(nocap.code, 2);
  t.match(nocap.stderr, /^error: --capture: cannot write .*: no folder /);
  const direct = ring(['replay', rest, '--direct', '--capture', path.join(tmp, 'x.btsnoop')]);
  t.equal(direct.code, 2);
  t.match(direct.stderr, /not with --direct/);
});

t.test('pretty log lines for a terminal', async (t) => {
  const line = prettyLine(JSON.stringify({ level: 20, time: Date.UTC(2026, 0, 1, 12, 0, 0, 5), frame: 2, dir: 'ring>host', msg: 'battery.rsp' }), false);
  t.equal(line, '12:00:00.005 DEBUG battery.rsp frame=2 dir=ring>host\n');
  t.match(prettyLine('{"level":50,"msg":"x"}', true), /\x1b\[31mERROR/);
  t.equal(prettyLine('not json', false), 'not json\n');
});
