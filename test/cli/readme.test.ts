// Every `ring ...` line of the README's examples does what it says: run as written (in a
// folder where rec.ringfx, recs/ and fixtures/ exist, ../shared pointing at the shared
// recordings), each exits 0 without an error line, and a fault the line asks for happens.
// `make test-long` runs them all; `make test` a seeded subset.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ring } from '../helpers/cli.js';
import { repoRoot, sharedRoot } from '../helpers/shared.js';
import { sweep } from '../helpers/long.js';

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const lines: string[] = [];
for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
  for (const line of block[1]!.split('\n')) if (line.startsWith('ring ')) lines.push(line.replace(/\s+#.*$/, '').trim());
}
// Lines that need a context the README describes around them rather than a file: a ring over
// BlueZ (test/ble/ runs scan, sim serve and --ble against a stand-in on a private bus) and a CI
// library with shards (test/ci/ci-cli.test.ts runs every `ring ci` form on a generated one).
// The wellness lines build on the recordings the section's first lines write: test/wellness/cli.test.ts runs them in order.
// Lines on a --ring-state ring depend on the lines before them (pair, grant, revoke):
// test/cli/share-flow.test.ts runs that flow in order.
const contextual = (line: string) =>
  /^ring (scan|sim serve|ci|wellness|together|report)\b/.test(line) || /\s--together\b/.test(line) || /\s--ble\b/.test(line) || /\s--ring-state\b/.test(line);
const runnable = lines.filter((l) => !contextual(l));


const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-readme-'));
t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
fs.symlinkSync(path.join(repoRoot, 'fixtures'), path.join(work, 'fixtures'));
fs.copyFileSync(path.join(repoRoot, 'fixtures/synth/synth-high-hr.ringfx'), path.join(work, 'rec.ringfx'));
fs.mkdirSync(path.join(work, 'recs'));
fs.copyFileSync(path.join(repoRoot, 'fixtures/synth/synth-high-hr.ringfx'), path.join(work, 'recs', 'rec.ringfx'));
// Lines that read a capture find the one the README's capture line writes.
const cap = ring(['history', '--sim', 'rec.ringfx', '--capture', 'hist.btsnoop'], { cwd: work });
if (cap.code !== 0) throw new Error(`cannot make the README's capture: ${cap.stderr}`);

t.ok(runnable.length >= 15, `${runnable.length} example lines found in the README (${lines.length - runnable.length} need BlueZ or a CI library: test/ble, test/ci)`);

const needsShared = (line: string) => line.includes('../shared');
const haveShared = fs.existsSync(sharedRoot);
// The golden example writes before it compares.
const golden = runnable.filter((l) => l.includes('--golden')).sort((a, b) => Number(b.includes('--update-golden')) - Number(a.includes('--update-golden')));
const others = runnable.filter((l) => !l.includes('--golden'));

for (const line of [...golden, ...sweep(t, 'README example lines', others, 6)]) {
  t.test(line, async (t) => {
    if (needsShared(line) && !haveShared) {
      if (process.env.CI === 'true') t.fail(`${sharedRoot} is absent and CI=true requires it`);
      else t.skip(`${sharedRoot} is absent`, () => {});
      return;
    }
    const args = line.slice('ring '.length).split(/\s+/).map((a) => a.replace(/^\.\.\/shared\//, `${sharedRoot}/`));
    const r = ring(args, { cwd: work });
    t.equal(r.code, 0, `exit 0: ${r.stderr.slice(0, 300)}`);
    t.notMatch(r.stderr, /^error:|did not happen|this is a bug/m, 'no error, and every fault it asks for happens');
    if (line.includes('--disconnect-at-ms') && line.startsWith('ring history')) t.match(r.stderr, /, 1 resume after a dropped link/, 'the history read resumed after the drop');
  });
}
