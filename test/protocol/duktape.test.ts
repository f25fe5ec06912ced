// The device codecs on a real embedded engine: bundle duk-harness.ts (and through it
// protocol/device/*.ts) with esbuild, lower it to ES5 with the TypeScript compiler, run it
// in Duktape (`duk`, Debian package duktape, installed by `make deps`) and require output
// identical to the same harness under Node. Inputs: the RFC 8949 appendix vectors, integer
// edge cases, and seeded random bytes.

import path from 'node:path';
import t from 'tap';
import { repoRoot } from '../helpers/shared.js';
import { run } from './duk-harness.js';
import { loadAppendixVectors } from './helpers.js';
import { bundleEs5, haveDuk, NO_DUK_MESSAGE, runInDuk } from '../helpers/duk-run.js';

const HARNESS = path.join(repoRoot, 'test/protocol/duk-harness.ts');

const COMMON_HEADS = [0x00, 0x17, 0x18, 0x20, 0x41, 0x61, 0x82, 0xa1, 0xf5, 0xf6, 0x1b, 0x3b];

function inputs(): string[] {
  const loaded = loadAppendixVectors();
  const hexes = 'vectors' in loaded ? loaded.vectors.map((v) => v.hex) : [];
  hexes.push(
    '1b001fffffffffffff', '3b001ffffffffffffe', '1b0020000000000000', '3b001fffffffffffff', '1affffffff',
    '3affffffff', '1b0000000100000000', '3b0000000100000000', '1b000000e8d4a51000', 'a26161016162820203',
    '8181818181818181' + '00', '818181818181818181' + '00', '5f', '1c', 'ff', 'f818',
  );
  // Seeded random bytes (xorshift32), biased towards small heads so some decode.
  let x = 0x2545f491;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  for (let i = 0; i < 400; i++) {
    const n = 1 + (next() % 24);
    let h = '';
    for (let k = 0; k < n; k++) {
      const r = next();
      const b = r % 3 === 0 ? r & 0xff : COMMON_HEADS[r % COMMON_HEADS.length];
      h += b.toString(16).padStart(2, '0');
    }
    hexes.push(h);
  }
  return hexes;
}

if (!haveDuk) {
  if (process.env.CI === 'true') t.fail(NO_DUK_MESSAGE);
  else t.test('device codecs in Duktape', { skip: NO_DUK_MESSAGE }, async () => {});
} else {
  t.test('device codecs give identical results in Duktape and Node', async (t) => {
    const hexes = inputs();
    const expected = run(hexes);
    const code = await bundleEs5(HARNESS);
    t.notMatch(code, /\b(const|let|class)\s/, 'the bundle is ES5 (no const/let/class)');
    const r = runInDuk(code, [hexes]);
    t.equal(r.status, 0, `duk exits 0 ${r.stderr}`);
    t.equal(r.lines.length, expected.length, 'same number of lines');
    const diffs = expected.filter((line, i) => r.lines[i] !== line).slice(0, 5);
    t.same(diffs, [], 'every line identical');
    t.ok(expected.some((l) => l.includes('=> 1b001fffffffffffff')), '2^53-1 round-trips');
    t.ok(expected.some((l) => l.startsWith('23/1016: ') && l.includes(' 1024 sum')), 'a full frame reassembles');
  });
}
