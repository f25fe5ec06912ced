// The GATT server, command handlers and log store on a real embedded engine: bundle
// ble-duk-harness.ts (and through it firmware/main.ts with the BLE layer) with esbuild,
// lower it to ES5 with the TypeScript compiler, run it in Duktape (`duk`, Debian package
// duktape, installed by `make deps`) and require every PDU and return code to be identical
// to the same session under Node.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import t from 'tap';
import ts from 'typescript';
import { run } from './ble-duk-harness.js';

const haveDuk = spawnSync('duk', ['-e', 'print(1)'], { encoding: 'utf8' }).status === 0;

async function bundleEs5(): Promise<string> {
  const entry = path.join(path.dirname(new URL(import.meta.url).pathname), 'ble-duk-harness.ts');
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

if (!haveDuk) {
  const msg = 'duk (Debian package duktape) is not installed; run `make deps`';
  if (process.env.CI === 'true') t.fail(msg);
  else t.test('BLE session in Duktape', { skip: msg }, async () => {});
} else {
  t.test('a BLE session gives identical PDUs in Duktape and Node', async (t) => {
    const expected = run();
    t.ok(expected.length > 500, `${expected.length} lines`);
    t.ok(expected.some((l) => l.startsWith('> 1b')), 'notifications were sent');
    t.ok(expected.some((l) => l.startsWith('refused')), 'the link refused some');
    const code = await bundleEs5();
    t.notMatch(code, /\b(const|let|class)\s/, 'the bundle is ES5 (no const/let/class)');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ring-ble-duk-'));
    try {
      const file = path.join(dir, 'harness.js');
      writeFileSync(file, `${code}\nvar lines = harness.run();\nprint(lines.join('\\n'));\n`);
      const r = spawnSync('duk', [file], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
      t.equal(r.status, 0, `duk exits 0 ${r.stderr}`);
      const got = r.stdout.replace(/\n$/, '').split('\n');
      t.equal(got.length, expected.length, 'same number of lines');
      const diffs = expected.map((line, i) => [i, line, got[i]] as const).filter(([, a, b]) => a !== b).slice(0, 5);
      t.same(diffs, [], 'every line identical');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
