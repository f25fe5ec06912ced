// Run the compiled `ring` CLI as a user would: a separate node process, real argv,
// stdout and stderr captured, exit code returned.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './shared.js';

export const cliPath = path.join(repoRoot, 'dist/host/cli/main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function ring(args: string[], opts: { cwd?: string } = {}): CliRun {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} is missing: run 'make build' first`);
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: opts.cwd ?? repoRoot, encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
