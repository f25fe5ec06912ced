// Access to ../shared (recordings and vectors made by others). Where it is absent the
// tests that need it skip with a message; under CI=true they fail instead.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedRoot = path.resolve(repoRoot, '../shared');

// Structural subset of tap's Test, loose enough for its overloaded skip/fail.
interface TapLike {
  skip(message: string): unknown;
  fail(message: string): unknown;
}

export function sharedDir(t: TapLike, sub: string): string | null {
  const dir = path.join(sharedRoot, sub);
  if (fs.existsSync(dir)) return dir;
  const msg = `${dir} is absent: recordings made by others are not shipped with the project`;
  if (process.env.CI === 'true') t.fail(`${msg} (CI=true requires them)`);
  else t.skip(msg);
  return null;
}
