// Run the compiled `ring` CLI as a user would: a separate node process, real argv,
// stdout and stderr captured, exit code returned.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { repoRoot } from './shared.js';

export const cliPath = path.join(repoRoot, 'dist/bin/ring.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function ring(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} is missing: run 'make build' first`);
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd ?? repoRoot, env: opts.env ?? process.env, encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** As ring(), without blocking: independent command lines run at once (the test waits less). */
export function ringAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} is missing: run 'make build' first`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: opts.cwd ?? repoRoot, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A user mistake as the CLI reports it: exit 2, one line `error: ...` matching pattern, nothing on stdout. */
export function oneLineError(t: Test, r: CliRun, pattern: RegExp): void {
  t.equal(r.code, 2, `exit 2 (${r.stderr.trim()})`);
  const lines = r.stderr.trim().split('\n');
  t.equal(lines.length, 1, 'one line on stderr');
  t.match(lines[0], /^error: /);
  t.match(lines[0], pattern);
  t.equal(r.stdout, '', 'nothing on stdout');
}
