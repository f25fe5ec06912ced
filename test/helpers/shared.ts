// Access to ../shared (recordings and vectors made by others). Where it is absent the
// tests that need it skip with a message; under CI=true they fail instead.

import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { repoRoot as findRepoRoot } from '../../sim/fixture/paths.js';

// The root found by package name (sim/fixture/paths.ts): tests run from their sources and
// from `make test`'s compiled copy under build/.
export const repoRoot = findRepoRoot();
export const sharedRoot = path.resolve(repoRoot, '../shared');

type TapLike = Test;

export function sharedDir(t: TapLike, sub: string): string | null {
  const dir = path.join(sharedRoot, sub);
  if (fs.existsSync(dir)) return dir;
  const msg = `${dir} is absent: recordings made by others are not shipped with the project`;
  // A skipped subtest carries the reason into tap's summary.
  if (process.env.CI === 'true') t.fail(`${msg} (CI=true requires them)`);
  else t.skip(msg, () => {});
  return null;
}

/** tap test options: skip, with the reason, when ../shared/<sub> is absent, but never under CI=true. */
export function needsShared(sub: string): { skip?: string } {
  const dir = path.join(sharedRoot, sub);
  if (fs.existsSync(dir) || process.env.CI === 'true') return {};
  return { skip: `${dir} is absent (recordings made by others are not shipped with the project)` };
}

/** The shared folder, or null after failing the test (reached only when CI=true). */
export function sharedPath(t: TapLike, sub: string): string | null {
  const dir = path.join(sharedRoot, sub);
  if (fs.existsSync(dir)) return dir;
  t.fail(`${dir} is absent and CI=true requires it`);
  return null;
}
