// Every command and option given a wrong value, as a user would type it: exit 2, exactly
// one line `error: ...` on stderr naming the problem, nothing on stdout, never the
// "this is a bug" exit 3. The whole table runs under `make test-long`; `make test` runs a
// seeded subset of it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ring } from '../helpers/cli.js';
import { sweep } from '../helpers/long.js';

const rest = 'fixtures/synth/synth-rest.ringfx';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-wrong-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
const aFile = path.join(tmp, 'a-file.txt');
fs.writeFileSync(aFile, 'not a folder\n');

type Case = [args: string[], message: RegExp];

const sim = ['--sim', rest];
const CASES: Case[] = [
  [['--log-level', 'verbose', 'replay', rest], /--log-level must be one of/],
  [['replay', rest, '--bogus'], /unknown option '--bogus'/],
  [['replay'], /missing required argument 'fixture'/],
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['replay', rest, '--rate-hz', '62.5'], /--rate-hz must be one of/],
  [['replay', rest, '--seed', '-3'], /--seed/],
  [['replay', rest, '--seed', '1e3'], /--seed/],
  [['replay', rest, '--json', '--ndjson'], /exclusive/],
  [['replay', rest, '--update-golden'], /--update-golden needs --golden/],
  [['replay', rest, '--golden', path.join(tmp, 'no-such-folder', 'g.ndjson'), '--update-golden'], /no folder/],
  [['replay', rest, '--golden', path.join(tmp, 'missing.ndjson')], /no golden file/],
  [['replay', rest, '--golden', tmp, '--update-golden'], /cannot write .*: it is a folder/],
  [['replay', 'no/such/file.ringfx'], /no\/such\/file/],
  [['score', rest, '--warmup-ms', '-5'], /--warmup-ms/],
  [['score', rest, '--warmup-ms', 'soon'], /--warmup-ms/],
  [['score', rest, '--report', aFile], /it is a file/],
  [['score', rest, '--report', '/proc/ring-sim-report'], /cannot create folder \/proc\/ring-sim-report/],
  [['score', rest, rest], /record id 'synth-rest' is in both/],
  [['score', path.join(tmp, 'nothing-here')], /^error: /],
  [['fixture', 'info', 'no/such/file.ringfx'], /no\/such\/file/],
  [['fixture', 'import', rest, '-o', path.join(tmp, 'out.txt')], /-o must name a \.ringfx file/],
  [['fixture', 'synth', '-o', path.join(tmp, 's.ringfx'), '--duration-s', '0'], /--duration-s/],
  [['fixture', 'synth', '-o', path.join(tmp, 's.ringfx'), '--hr-bpm', '1000'], /--hr-bpm/],
  [['fixture', 'synth', '-o', path.join(tmp, 's.ringfx'), '--rate-hz', 'fast'], /--rate-hz/],
  [['fixture', 'synth', '-o', path.join(tmp, 'no-such-folder', 's.ringfx')], /no folder/],
  [['info'], /--sim <fixture> is required.*BLE/],
  [['info', '--sim', 'no/such/file.ringfx'], /no\/such\/file/],
  [['info', ...sim, '--mtu', '600'], /--mtu/],
  [['info', ...sim, '--mtu', 'big'], /--mtu/],
  [['info', ...sim, '--interval-ms', '7.6'], /--interval-ms/],
  [['info', ...sim, '--interval-ms', '8'], /--interval-ms/],
  [['info', ...sim, '--phy', '3M'], /3M/],
  [['info', ...sim, '--loss', '-0.1'], /--loss/],
  [['info', ...sim, '--loss', 'NaN'], /--loss/],
  [['info', ...sim, '--loss', '0.9'], /--loss/],
  [['info', ...sim, '--seed', '4294967296'], /--seed/],
  [['info', ...sim, '--seed', '-1'], /--seed/],
  [['info', ...sim, '--rate-hz', '30'], /--rate-hz/],
  [['info', ...sim, '--disconnect-at-ms', '1e300'], /--disconnect-at-ms/],
  [['info', ...sim, '--disconnect-at-ms', '-1'], /--disconnect-at-ms/],
  [['time', ...sim, '--set', 'yesterday'], /--set/],
  [['time', ...sim, '--set', '2026-02-30T00:00:00Z'], /--set/],
  [['time', ...sim, '--set', '2026-13-01T00:00:00Z'], /--set/],
  [['time', ...sim, '--set', '1999-01-01T00:00:00Z'], /2020/],
  [['config', 'frob', ...sim], /get or set/],
  [['config', 'set', 'colour=blue', ...sim], /unknown key 'colour'/],
  [['config', 'set', 'sample_rate_hz=33', ...sim], /sample_rate_hz/],
  [['config', 'set', 'hrs=1', ...sim], /true or false/],
  [['stream', ...sim, '--duration-s', 'x'], /--duration-s/],
  [['stream', ...sim, '--duration-s', '1e18'], /--duration-s/],
  [['stream', ...sim, '--json', '--ndjson'], /exclusive/],
  [['history', ...sim, '--max', '0'], /--max/],
  [['history', ...sim, '--from', '-1'], /--from/],
  [['history', ...sim, '--from', '99999999999'], /--from/],
  [['energy', rest, '--engine', 'v8', '--instructions-per-sample', '1000'], /--engine must be one of duktape, jerryscript, espruino/],
  [['energy', rest, '--instructions-per-sample', '-5'], /--instructions-per-sample/],
  [['energy', rest, '--instructions-per-sample', '1000', '--phy', '3M'], /--phy/],
  [['energy', rest, '--cpu-seconds', '0'], /--cpu-seconds/],
];

const picked = sweep(t, 'wrong values', CASES, 14);
for (const [args, message] of picked) {
  t.test(`ring ${args.join(' ')}`, async (t) => {
    const r = ring(args);
    t.equal(r.code, 2, 'exit 2: a user mistake');
    t.equal(r.stdout, '', 'nothing on stdout');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    t.equal(lines.length, 1, `one line on stderr: ${JSON.stringify(r.stderr.slice(0, 300))}`);
    t.match(lines[0] ?? '', /^error: /, 'starts with error:');
    t.match(lines[0] ?? '', message, 'names the problem');
  });
}
