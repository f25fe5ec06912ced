// A ring configuration per session, run as a user would: one recording listed three times
// in a manifest (the ring's defaults, 30 s / 150 s HRV windows, one HR item per 5 s) gives
// three different goldens, each stable across runs, --jobs and shards, each reproduced by
// `ring replay --config`; a bad configuration is exit 2 with one line naming the session
// and the key. Shard costs read from a recording's head equal those of the loaded recording.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { sessionCost } from '../../host/ci/ci.js';
import { CiError } from '../../host/ci/errors.js';
import { loadLibrary } from '../../host/ci/sessions.js';
import { assignShards } from '../../host/ci/shard.js';
import { encodeFixture } from '../../sim/fixture/container.js';
import { listFixtures, loadFixture } from '../../sim/fixture/load.js';
import { probeFixture } from '../../sim/fixture/probe.js';
import { cliSynthOptions } from '../../sim/synth/presets.js';
import { generateRingPpg } from '../../sim/synth/ring-ppg.js';
import { oneLineError, ring, ringAsync } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { writeLibraryOf } from './library.js';
import { sweep } from '../helpers/long.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-ci-config-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

// 75 s: long enough for 30 s HRV windows once the ring is configured (the default short
// window, 60 s, gives one at most).
const REC = 'recs/rest.ringfx';
fs.mkdirSync(path.join(tmp, 'recs'));
fs.writeFileSync(path.join(tmp, REC), encodeFixture(generateRingPpg(cliSynthOptions({
  seed: 5, duration_s: 75, sample_rate_hz: 100, hr_bpm: 66, motion: false, no_contact: false,
}))));

const HRV30 = { hrv_short_s: 30, hrv_long_s: 150 };
const HR5 = { stream: { hr_period_s: 5 } };
const SESSIONS = [
  { recording: REC, id: 'rest/default' },
  { recording: REC, id: 'rest/hrv30', config: HRV30 },
  { recording: REC, id: 'rest/hr5', config: HR5 },
];
const writeManifest = (name: string, doc: unknown): string => {
  fs.writeFileSync(path.join(tmp, name), JSON.stringify(doc));
  return name;
};
writeManifest('m.json', { golden_dir: 'golden', sessions: SESSIONS });
const read = (f: string): string => fs.readFileSync(path.join(tmp, f), 'utf8');
const lines = (f: string): Record<string, unknown>[] => read(f).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

t.test('two configurations of one recording: three goldens, each what the ring reports with it, each stable', async (t) => {
  const upd = ring(['ci', 'm.json', '--jobs', '2', '--update-golden'], { cwd: tmp });
  t.equal(upd.code, 0, upd.stderr);
  t.match(upd.stderr, /goldens: 3 written, 0 removed/);
  const g = { default: read('golden/rest/default.ndjson'), hrv30: read('golden/rest/hrv30.ndjson'), hr5: read('golden/rest/hr5.ndjson') };
  t.not(g.hrv30, g.default, 'the HRV windows differ');
  t.not(g.hr5, g.default, 'the HR items differ');
  t.not(g.hr5, g.hrv30);
  const windows = (f: string): number[] => [...new Set(lines(f).filter((l) => l.type === 'hrv').map((l) => l.window_s as number))];
  t.same(windows('golden/rest/hrv30.ndjson'), [30], 'the 30 s window (a 150 s one does not fit in 75 s)');
  t.same(windows('golden/rest/default.ndjson'), [60], 'the ring\'s default: one 60 s window');
  const hr = (f: string): Record<string, unknown>[] => lines(f).filter((l) => l.type === 'hr');
  const hr_default = hr('golden/rest/default.ndjson');
  const hr_5 = hr('golden/rest/hr5.ndjson');
  t.ok(hr_5.length > 0 && hr_5.length <= 16 && hr_default.length > 60, `one HR item per 5 s (${hr_5.length}) instead of one per beat (${hr_default.length})`);
  const times = hr_5.map((l) => l.time_ms as number);
  t.ok(times.every((v, i) => i === 0 || v - times[i - 1]! >= 5000), 'at least 5 s apart');
  // The pipeline restarts with the new windows when the host sets them: a second boot record.
  const boots = (f: string): number => lines(f).filter((l) => l.type === 'status' && l.code === 1).length;
  t.equal(boots('golden/rest/hrv30.ndjson'), 2);
  t.equal(boots('golden/rest/default.ndjson'), 1);
  t.equal(boots('golden/rest/hr5.ndjson'), 1, 'stream options need no restart');

  // Stable: the goldens written by --jobs 2 pass under --jobs 1 (the same bytes; that the
  // result document is the same for every --jobs is ci-pool.test.ts's), and two shards
  // merge to the one run.
  const [one, s1, s2] = await Promise.all([
    ringAsync(['ci', 'm.json', '--jobs', '1', '--json'], { cwd: tmp }),
    ringAsync(['ci', 'm.json', '--jobs', '1', '--shard', '1/2', '--json'], { cwd: tmp }),
    ringAsync(['ci', 'm.json', '--jobs', '1', '--shard', '2/2', '--json'], { cwd: tmp }),
  ]);
  t.equal(one.code, 0, one.stderr);
  const doc = JSON.parse(one.stdout) as { summary: { counts: Record<string, number> }; sessions: { id: string; config?: unknown; reproduce: string }[] };
  t.same(doc.summary.counts, { passed: 3, changed: 0, new: 0, missing: 0, errored: 0 });
  const hrv30 = doc.sessions.find((s) => s.id === 'rest/hrv30')!;
  t.same(hrv30.config, HRV30, 'the result says which configuration the session ran with');
  t.equal(hrv30.reproduce, `ring replay ${REC} --rate-hz 50 --seed 1 --config '{"hrv_short_s":30,"hrv_long_s":150}' --golden golden/rest/hrv30.ndjson`);
  t.notOk('config' in doc.sessions.find((s) => s.id === 'rest/default')!, 'no config key for a session without one');
  fs.writeFileSync(path.join(tmp, 's1.json'), s1.stdout);
  fs.writeFileSync(path.join(tmp, 's2.json'), s2.stdout);
  t.equal(s1.code + s2.code, 0, s1.stderr + s2.stderr);
  const merged = ring(['ci', 'merge', 's2.json', 's1.json', '--json'], { cwd: tmp });
  t.equal(merged.stdout, one.stdout, 'two shards merged: the one run');

  // ring replay --config reproduces each golden, from inline JSON or from a file.
  fs.writeFileSync(path.join(tmp, 'hr5.json'), JSON.stringify(HR5));
  const [inline, file, dflt] = await Promise.all([
    ringAsync(['replay', REC, '--config', JSON.stringify(HRV30), '--golden', 'golden/rest/hrv30.ndjson'], { cwd: tmp }),
    ringAsync(['replay', REC, '--config', 'hr5.json', '--golden', 'golden/rest/hr5.ndjson'], { cwd: tmp }),
    ringAsync(['replay', REC, '--config', '{}', '--golden', 'golden/rest/default.ndjson'], { cwd: tmp }),
  ]);
  t.equal(inline.code, 0, inline.stderr);
  t.equal(file.code, 0, file.stderr);
  t.equal(dflt.code, 0, `an empty configuration leaves the ring's defaults: ${dflt.stderr}`);

  // A session whose configuration changed fails, and says how to reproduce it.
  writeManifest('m2.json', { golden_dir: 'golden', sessions: [{ ...SESSIONS[1], config: { hrv_short_s: 60, hrv_long_s: 150 } }] });
  const changed = ring(['ci', 'm2.json', '--jobs', '1'], { cwd: tmp });
  t.equal(changed.code, 1, changed.stderr);
  t.match(changed.stdout, /changed {2}rest\/hrv30\n/);
  t.match(changed.stdout, /reproduce: ring replay recs\/rest\.ringfx --rate-hz 50 --seed 1 --config '\{"hrv_short_s":60,"hrv_long_s":150\}' --golden golden\/rest\/hrv30\.ndjson/);
});

t.test('a manifest\'s config is every session\'s default; a configured sample rate is the session\'s rate', async (t) => {
  const m = writeManifest('defaults.json', {
    golden_dir: 'g', config: { hrv_short_s: 30, stream: { hr_period_s: 5 } },
    sessions: [
      { recording: REC, id: 'a' },
      { recording: REC, id: 'b', config: { hrv_short_s: 90, stream: { ppg_batch: 10 } } },
      { recording: REC, id: 'c', config: { sample_rate_hz: 25 } },
      { recording: REC, id: 'd', rate_hz: 100, config: { sample_rate_hz: 100 } },
    ],
  });
  const lib = loadLibrary(path.join(tmp, m), { rate_hz: 50, seed: 1 });
  t.same(lib.sessions.map((s) => [s.id, s.rate_hz, s.config]), [
    ['a', 50, { hrv_short_s: 30, stream: { hr_period_s: 5 } }],
    ['b', 50, { hrv_short_s: 90, stream: { hr_period_s: 5, ppg_batch: 10 } }],
    ['c', 25, { hrv_short_s: 30, stream: { hr_period_s: 5 }, sample_rate_hz: 25 }],
    ['d', 100, { hrv_short_s: 30, stream: { hr_period_s: 5 }, sample_rate_hz: 100 }],
  ]);
});

t.test('a bad configuration: exit 2, one line naming the session and the key', async (t) => {
  // A row through the CLI is a process: `make test` runs a seeded subset of the CLI rows, make test-long all.
  const all: [unknown, RegExp][] = [
    [{ hrv_window_s: 30 }, /^error: bad\.json: sessions\[1\] \(rest\/hrv30\): unknown config key "hrv_window_s" \(expected sample_rate_hz, hrv_short_s, hrv_long_s, stream, hrs\)$/],
    [{ hrv_short_s: 150 }, /\(rest\/hrv30\): config\.hrv_short_s must be a multiple of 30 in 30\.\.120, got 150$/],
    [{ hrv_short_s: 45 }, /\(rest\/hrv30\): config\.hrv_short_s must be a multiple of 30 in 30\.\.120, got 45$/],
    [{ hrv_long_s: 600 }, /\(rest\/hrv30\): config\.hrv_long_s must be a multiple of 30 in 120\.\.300, got 600$/],
    [{ hrv_short_s: 120, hrv_long_s: 120 }, /\(rest\/hrv30\): config\.hrv_long_s \(120\) must be longer than hrv_short_s \(120\)$/],
    [{ hrv_short_s: '30' }, /\(rest\/hrv30\): config\.hrv_short_s must be a multiple of 30 in 30\.\.120, got "30"$/],
    [{ sample_rate_hz: 200 }, /\(rest\/hrv30\): config\.sample_rate_hz must be one of 25, 50, 100, got 200$/],
    [{ stream: { ppg_batch: 0 } }, /\(rest\/hrv30\): config\.stream\.ppg_batch must be an integer in 1\.\.128, got 0$/],
    [{ stream: { hr_period_s: 61 } }, /\(rest\/hrv30\): config\.stream\.hr_period_s must be an integer in 0\.\.60, got 61$/],
    [{ stream: { hr_every: 1 } }, /\(rest\/hrv30\): unknown config key "stream\.hr_every"/],
    [{ stream: [] }, /\(rest\/hrv30\): config\.stream must be an object/],
    [{ hrs: 1 }, /\(rest\/hrv30\): config\.hrs must be true or false, got 1$/],
    [[30], /\(rest\/hrv30\): config must be an object \{sample_rate_hz, hrv_short_s, hrv_long_s, stream, hrs\}, got \[30\]$/],
  ];
  // Every row through the manifest reader (host/ci/sessions.ts), whose message the CLI
  // prints after 'error: '; a seeded one of them through the CLI as a user meets it.
  const manifest = (i: number): string => {
    const name = `bad-${i}.json`;
    writeManifest(name, { golden_dir: 'golden', sessions: [SESSIONS[0], { ...SESSIONS[1], config: all[i]![0] }] });
    return name;
  };
  all.forEach(([, want], i) => {
    const file = path.join(tmp, manifest(i));
    let message = 'no error';
    try {
      loadLibrary(file, { rate_hz: 50, seed: 1 });
    } catch (err) {
      t.ok(err instanceof CiError, `row ${i}: a CiError (exit 2 in the CLI)`);
      message = `error: ${(err as Error).message.replace(file, 'bad.json')}`;
    }
    t.match(message, want, `row ${i}`);
  });
  const bad = sweep(t, 'bad session configs through the CLI', all.map((_, i) => i), 1);
  const results = await Promise.all(bad.map((i) => {
    const name = manifest(i);
    return ringAsync(['ci', name], { cwd: tmp }).then((r) => ({ ...r, stderr: r.stderr.replace(name, 'bad.json') }));
  }));
  results.forEach((r, k) => oneLineError(t, r, all[bad[k]!]![1]));

  const conflict = writeManifest('conflict.json', { golden_dir: 'golden', sessions: [{ recording: REC, id: 'x', rate_hz: 25, config: { sample_rate_hz: 50 } }] });
  const cli: [() => Promise<{ code: number; stdout: string; stderr: string }>, RegExp][] = [
    [() => ringAsync(['ci', conflict], { cwd: tmp }), /^error: conflict\.json: sessions\[0\] \(x\): rate_hz 25 and config\.sample_rate_hz 50 differ \(give one\)$/],
    [() => ringAsync(['ci', 'm.json', '--direct'], { cwd: tmp }), /^error: session rest\/hr5 has a config, which the ring takes over the protocol: run without --direct$/],
    [() => ringAsync(['replay', REC, '--config', '{"hrv_short_s":45}'], { cwd: tmp }), /^error: --config: config\.hrv_short_s must be a multiple of 30 in 30\.\.120, got 45$/],
    [() => ringAsync(['replay', REC, '--config', '{"hrv_short_s":30', '--ndjson'], { cwd: tmp }), /^error: --config: not JSON \(/],
    [() => ringAsync(['replay', REC, '--config', 'none.json'], { cwd: tmp }), /^error: --config: no such file none\.json \(give a JSON file or inline JSON \{\.\.\.\}\)$/],
    [() => ringAsync(['replay', REC, '--config', '{"hrv_short_s":30}', '--direct'], { cwd: tmp }), /^error: --config is set over the protocol: not with --direct$/],
    [() => ringAsync(['replay', REC, '--config', '{"sample_rate_hz":25}', '--rate-hz', '100'], { cwd: tmp }), /^error: --rate-hz 100 and --config sample_rate_hz 25 differ \(give one\)$/],
  ];
  const picked = sweep(t, 'bad --config lines', cli, 3);
  const got = await Promise.all(picked.map(([run]) => run()));
  got.forEach((r, i) => oneLineError(t, r, picked[i]![1]));
});

t.test('shard costs read from a recording\'s head equal the loaded recording\'s, and so do the shards', async (t) => {
  writeLibraryOf(path.join(tmp, 'lib'), 10); // what a head gives does not depend on the length
  const files = [...listFixtures([path.join(tmp, 'lib')]), path.join(tmp, REC), ...listFixtures([path.join(repoRoot, 'fixtures/synth')])];
  t.ok(files.length >= 9, `${files.length} recordings`);
  const full = (file: string, rate_hz: number): number => {
    const f = loadFixture(file);
    return Math.round((f.ppg.length / f.meta.sample_rate_hz) * rate_hz);
  };
  for (const file of files) {
    const p = probeFixture(file);
    const f = loadFixture(file);
    t.same(p, { sample_rate_hz: f.meta.sample_rate_hz, ppg_samples: f.ppg.length }, path.basename(file));
  }
  for (const n of [2, 3, 4]) {
    for (const rate_hz of [25, 50, 100]) {
      const probed = files.map((file, i) => ({ id: `s${i}`, cost: sessionCost({ recording: file, rate_hz }) }));
      const loaded = files.map((file, i) => ({ id: `s${i}`, cost: full(file, rate_hz) }));
      t.same(probed, loaded, `costs at ${rate_hz} Hz`);
      t.same([...assignShards(probed, n)], [...assignShards(loaded, n)], `${n} shards at ${rate_hz} Hz`);
    }
  }
  // What the head does not give: not a container (loaded, or 0 when that fails too).
  const csv = path.join(tmp, 'rec.csv');
  fs.writeFileSync(csv, 'time_ms,ppg\n' + Array.from({ length: 250 }, (_, i) => `${i * 40},${1000 + (i % 25)}`).join('\n') + '\n');
  t.equal(probeFixture(csv), null);
  t.equal(sessionCost({ recording: csv, rate_hz: 50 }), 500, 'a CSV recording is loaded: 10 s at 50 Hz');
  const broken = path.join(repoRoot, 'test/fixtures-data/not-a-container.ringfx');
  t.equal(probeFixture(broken), null);
  t.equal(sessionCost({ recording: broken, rate_hz: 50 }), 0, 'a recording that cannot be read costs nothing (its replay reports it)');
  const truncated = path.join(tmp, 'truncated.ringfx');
  fs.writeFileSync(truncated, fs.readFileSync(path.join(tmp, REC)).subarray(0, 40));
  t.equal(probeFixture(truncated), null, 'a head cut before the PPG array');
});
