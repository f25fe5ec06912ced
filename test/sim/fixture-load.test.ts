// loadFixture picks the reader by content or extension; listFixtures expands folders.

import t, { type Test } from 'tap';
import path from 'node:path';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { encodeFixture } from '../../sim/fixture/container.js';
import { FixtureError } from '../../sim/fixture/errors.js';
import { listFixtures, loadFixture } from '../../sim/fixture/load.js';
import type { Fixture } from '../../sim/fixture/types.js';
import { needsShared, repoRoot, sharedPath } from '../helpers/shared.js';



const DATA = path.join(repoRoot, 'test', 'fixtures-data');

function tiny(record: string): Fixture {
  return {
    format_version: 1,
    meta: { record, source: 'test', sample_rate_hz: 100, ppg_units: 'counts' },
    ppg: Int32Array.from([1, 2, 3]),
    events: [],
    artifacts: [],
  };
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ringfx-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a missing file is "no such file: <path>"', async (t) => {
  const missing = path.join(DATA, 'does-not-exist.ringfx');
  t.throws(() => loadFixture(missing), new FixtureError(missing, '', `no such file: ${missing}`));
  t.throws(() => loadFixture(missing), { message: `no such file: ${missing}`, name: 'FixtureError' });
  t.throws(() => listFixtures([missing]), { message: `no such file: ${missing}` });
});

t.test('the reader is chosen by magic first, then by extension', async (t) => {
  const dir = tempDir(t);
  const odd = path.join(dir, 'container-with-odd-name.bin');
  writeFileSync(odd, encodeFixture(tiny('odd')));
  t.equal(loadFixture(odd).meta.record, 'odd', 'magic wins over an unknown extension');
  const csv = path.join(dir, 'named.ringfx.csv');
  writeFileSync(csv, 'ppg\n5\n');
  t.same(Array.from(loadFixture(csv, { rate_hz: 25 }).ppg), [5], '.csv read as CSV');
  t.throws(() => loadFixture(path.join(DATA, 'not-a-container.ringfx')), {
    message: /not-a-container\.ringfx: not a ring fixture container \(wrong magic, expected "RINGFX"\)/,
  });
  t.throws(() => loadFixture(path.join(DATA, 'unknown.txt')), { message: /unknown\.txt: unknown fixture type "\.txt" \(expected \.ringfx, \.json, \.csv\)/ });
  t.throws(() => loadFixture(DATA), { message: /fixtures-data: is a folder, not a fixture file/ });
  const latin1 = path.join(dir, 'latin1.csv');
  writeFileSync(latin1, Buffer.from([0x70, 0x70, 0x67, 0x0a, 0xe9, 0x0a]));
  t.throws(() => loadFixture(latin1, { rate_hz: 1 }), { message: /latin1\.csv: not UTF-8 text/ });
});

t.test('listFixtures keeps files, expands folders sorted, skips index/README/beats files', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'sub'));
  for (const name of ['b.ringfx', 'a.json', 'index.json', 'README.md', 'readme.txt', 'c.csv', 'c.beats.csv', 'notes.txt', 'sub/d.ringfx']) {
    writeFileSync(path.join(dir, name), 'x');
  }
  t.same(
    listFixtures([dir]).map((p) => path.relative(dir, p)),
    ['a.json', 'b.ringfx', 'c.csv', path.join('sub', 'd.ringfx')],
  );
  const explicit = path.join(dir, 'notes.txt');
  t.same(listFixtures([explicit, dir]).slice(0, 2), [explicit, path.join(dir, 'a.json')], 'files given by name are kept, in order');
  t.same(listFixtures([]), []);
});

t.test('the shipped fixtures folder lists the four synthetic recordings', async (t) => {
  const files = listFixtures([path.join(repoRoot, 'fixtures')]).map((p) => path.relative(repoRoot, p));
  for (const name of ['synth-high-hr', 'synth-motion-nocontact', 'synth-rest', 'synth-sleep']) {
    t.ok(files.includes(path.join('fixtures', 'synth', `${name}.ringfx`)), `${name} listed`);
  }
  t.notOk(files.some((f) => f.endsWith('README.md')), 'README skipped');
});

t.test('a shared dataset folder lists its records without index.json', needsShared('datasets/capnobase'), async (t) => {
  const dir = sharedPath(t, 'datasets/capnobase');
  if (dir === null) return;
  const files = listFixtures([dir]);
  t.equal(files.length, 28);
  t.notOk(files.some((f) => f.endsWith('index.json')));
  t.same(files, [...files].sort(), 'sorted');
});
