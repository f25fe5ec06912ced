// `ring fixture info|import|synth`, driven through commander as the CLI main does.

import t, { type Test } from 'tap';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Command } from 'commander';
import { registerFixtureCommands } from '../../host/cli/cmd-fixture.js';
import { decodeFixture } from '../../sim/fixture/container.js';
import { needsShared, repoRoot, sharedPath } from '../helpers/shared.js';



const DATA = path.join(repoRoot, 'test', 'fixtures-data');

/** Runs `ring <args>` with stdout and stderr captured. */
async function ring(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command().name('ring').exitOverride();
  registerFixtureCommands(program);
  for (const cmd of program.commands) {
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride();
  }
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { stdout, stderr };
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ring-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('info prints a table, or one JSON document with --json', async (t) => {
  const file = path.join(repoRoot, 'fixtures', 'synth', 'synth-motion-nocontact.ringfx');
  const table = await ring(['fixture', 'info', file]);
  t.match(table.stdout, /^record +synth-motion-nocontact$/m);
  t.match(table.stdout, /^rate +100 Hz$/m);
  t.match(table.stdout, /^samples +24000 \(240\.000 s\)$/m);
  t.match(table.stdout, /^reference +\d+ beats \(synthetic-truth-peaks\)/m);
  t.match(table.stdout, /^artifacts +3 spans, 40\.0 s excluded from scoring$/m);
  t.equal(table.stderr, '', 'nothing on stderr');
  const json = await ring(['fixture', 'info', file, '--json']);
  const doc = JSON.parse(json.stdout);
  t.equal(doc.sample_count, 24000);
  t.equal(doc.duration_s, 240);
  t.equal(doc.meta.sample_rate_hz, 100);
  t.equal(doc.ref_kind, 'synthetic-truth-peaks');
  t.equal(doc.events.length, 3);
  t.equal(doc.accel.sample_rate_hz, 25);
});

t.test('import converts a CSV; info on the result agrees', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'rate-only.ringfx');
  const r = await ring(['fixture', 'import', path.join(DATA, 'rate-only.csv'), '-o', out, '--rate-hz', '50']);
  t.equal(r.stdout, '', 'no data on stdout');
  t.match(r.stderr, /^wrote .*rate-only\.ringfx: \d+ bytes, 6 samples at 50 Hz, 2 reference beats\n$/);
  const f = decodeFixture(new Uint8Array(readFileSync(out)), out);
  t.same(Array.from(f.ppg), [100, 110, 130, 90, 80, 100]);
  t.same(Array.from(f.ref_beats_us!), [10000, 40000]);
});

t.test('import of a dataset record', needsShared('datasets/capnobase'), async (t) => {
  const dir = sharedPath(t, 'datasets/capnobase');
  if (dir === null) return;
  const out = path.join(tempDir(t), '0147.ringfx');
  await ring(['fixture', 'import', path.join(dir, '0147_8min.json'), '-o', out]);
  const doc = JSON.parse((await ring(['fixture', 'info', out, '--json'])).stdout);
  t.equal(doc.sample_count, 144001);
  t.equal(doc.ref_beat_count, 519);
});

t.test('synth is deterministic and honours its options', async (t) => {
  const dir = tempDir(t);
  const a = path.join(dir, 'a.ringfx');
  const b = path.join(dir, 'b.ringfx');
  const args = ['--seed', '9', '--duration-s', '40', '--rate-hz', '50', '--motion', '--no-contact'];
  await ring(['fixture', 'synth', '-o', a, ...args]);
  await ring(['fixture', 'synth', '-o', b, ...args]);
  t.same(readFileSync(a), readFileSync(b), 'same options, same bytes');
  const f = decodeFixture(new Uint8Array(readFileSync(a)), a);
  t.equal(f.meta.sample_rate_hz, 50);
  t.equal(f.ppg.length, 2000);
  t.equal(f.meta.record, 'synth-9');
  t.same(f.events.map((e) => e.kind), ['motion', 'motion', 'no-contact']);
  const plain = path.join(dir, 'plain.ringfx');
  await ring(['fixture', 'synth', '-o', plain, '--duration-s', '20']);
  t.equal(decodeFixture(new Uint8Array(readFileSync(plain)), plain).events.length, 0, 'no events unless asked');
});

t.test('errors are one clear line', async (t) => {
  const missing = path.join(DATA, 'nope.ringfx');
  await t.rejects(ring(['fixture', 'info', missing]), { name: 'FixtureError', message: `no such file: ${missing}` });
  await t.rejects(ring(['fixture', 'info', path.join(DATA, 'nonnumeric.csv')]), { message: /line 4: ppg value "1o2" is not a number/ });
  await t.rejects(ring(['fixture', 'synth', '-o', 'x.csv']), { name: 'UsageError', message: "-o must name a .ringfx file, got 'x.csv'" });
  await t.rejects(ring(['fixture', 'synth', '-o', 'x.ringfx', '--rate-hz', '0']), { message: "--rate-hz must be an integer in 1..10000, got '0'" });
  await t.rejects(ring(['fixture', 'synth', '-o', 'x.ringfx', '--duration-s', '2', '--no-contact']), { name: 'UsageError', message: /synth: no-contact period/ });
  await t.rejects(ring(['fixture', 'import', path.join(DATA, 'rate-only.csv'), '-o', path.join(DATA, 'never-written.ringfx')]), {
    message: /no time_s or time_ms column: give its sample rate with --input-rate-hz/,
  });
});
