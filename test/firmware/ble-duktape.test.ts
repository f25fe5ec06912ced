// The GATT server, command handlers and log store on a real embedded engine: bundle
// ble-duk-harness.ts (and through it firmware/main.ts with the BLE layer) with esbuild,
// lower it to ES5 with the TypeScript compiler, run it in Duktape (`duk`, Debian package
// duktape, installed by `make deps`) and require every PDU and return code to be identical
// to the same session under Node.

import path from 'node:path';
import t from 'tap';
import { repoRoot } from '../helpers/shared.js';
import { run } from './ble-duk-harness.js';
import { bundleEs5, haveDuk, NO_DUK_MESSAGE, runInDuk } from '../helpers/duk-run.js';

const HARNESS = path.join(repoRoot, 'test/firmware/ble-duk-harness.ts');

if (!haveDuk) {
  if (process.env.CI === 'true') t.fail(NO_DUK_MESSAGE);
  else t.test('BLE session in Duktape', { skip: NO_DUK_MESSAGE }, async () => {});
} else {
  t.test('a BLE session gives identical PDUs in Duktape and Node', async (t) => {
    const expected = run();
    t.ok(expected.length > 500, `${expected.length} lines`);
    t.ok(expected.some((l) => l.startsWith('> 1b')), 'notifications were sent');
    t.ok(expected.some((l) => l.startsWith('refused')), 'the link refused some');
    const code = await bundleEs5(HARNESS);
    t.notMatch(code, /\b(const|let|class)\s/, 'the bundle is ES5 (no const/let/class)');
    const r = runInDuk(code, []);
    t.equal(r.status, 0, `duk exits 0 ${r.stderr}`);
    t.equal(r.lines.length, expected.length, 'same number of lines');
    const diffs = expected.map((line, i) => [i, line, r.lines[i]] as const).filter(([, a, b]) => a !== b).slice(0, 5);
    t.same(diffs, [], 'every line identical');
  });
}
