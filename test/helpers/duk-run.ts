// Run a TypeScript test harness on the real Duktape engine (`duk`, Debian package
// duktape, installed by `make deps`): bundle it with esbuild, lower it to ES5 with the
// TypeScript compiler, call `harness.run(<args>)` and return the lines it printed.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import ts from '../../tools/typescript-api.js';

export const haveDuk = spawnSync('duk', ['-e', 'print(1)'], { encoding: 'utf8' }).status === 0;
export const NO_DUK_MESSAGE = 'duk (Debian package duktape) is not installed; run `make deps`';

/** The harness module bundled to one ES5 script defining the global `harness`. */
export async function bundleEs5(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    globalName: 'harness',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  const es5 = ts.transpileModule(out.outputFiles[0]!.text, {
    compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, ignoreDeprecations: '6.0' },
  });
  return es5.outputText;
}

export interface DukRun {
  status: number | null;
  stderr: string;
  lines: string[];
}

/** Run `harness.run(...args)` of an ES5 bundle in duk; the harness returns its output lines. */
export function runInDuk(code: string, args: readonly unknown[]): DukRun {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ring-duk-'));
  try {
    const file = path.join(dir, 'harness.js');
    const call = `harness.run(${args.map((a) => JSON.stringify(a)).join(', ')})`;
    writeFileSync(file, `${code}\nvar lines = ${call};\nprint(lines.join('\\n'));\n`);
    const r = spawnSync('duk', [file], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status, stderr: r.stderr, lines: r.stdout.replace(/\n$/, '').split('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
