// The edit-build-test loop (README, `make build`): the `ring` bin is the bundle make build
// writes, executable as it stands (npm link puts it on the PATH as is), and a build with
// nothing changed has nothing to do for it.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { cliPath } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';

t.test('package.json names the bundle as the ring bin, and it runs by itself', async (t) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; version: string };
  t.equal(path.join(repoRoot, pkg.bin.ring!), cliPath, 'the tests run the file users get');
  t.ok((fs.statSync(cliPath).mode & 0o111) === 0o111, 'execute bits set');
  t.match(fs.readFileSync(cliPath, 'utf8').split('\n')[0], /^#!\/usr\/bin\/env node$/, 'a node #! line');
  const r = spawnSync(cliPath, ['--version'], { cwd: repoRoot, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout.trim(), pkg.version, 'run directly, it prints the package version');
});

t.test('after make build, the bundle is up to date', async (t) => {
  // make -q: exit 0 when the target is up to date, 1 when it would rebuild.
  const r = spawnSync('make', ['-q', path.relative(repoRoot, cliPath)], { cwd: repoRoot, encoding: 'utf8' });
  t.equal(r.status, 0, `make -q ${path.relative(repoRoot, cliPath)}: nothing to rebuild (${r.stdout}${r.stderr})`);
});
