// Goldens read, compared and written a piece at a time (`ring replay --golden`): the same
// lines as readGolden for any text (multi-byte characters cut by the read pieces, trailing
// newlines or none), the same bytes as the whole-file writer, and the same check and diff
// text as compareGolden whenever what follows the first difference fits the alignment
// window; past it, both sides from the first difference with the true line counts.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { compareGolden, compareGoldenStream, goldenLines, readGolden, writeGolden, GoldenError } from '../../host/replay/golden.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-golden-stream-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
const file = path.join(tmp, 'g.ndjson');

// Lines from a small alphabet (so sides share lines and diffs align), with multi-byte characters.
const line = fc.constantFrom('a', 'b', 'c', '{"type":"beat"}', 'é', '心拍', '🫀x', '');
const lines = fc.array(line, { maxLength: 40 });

t.test('goldenLines reads what readGolden reads, whatever the read piece cuts', async (t) => {
  let runs = 0;
  fc.assert(
    fc.property(lines, fc.boolean(), fc.integer({ min: 1, max: 7 }), (ls, trailing, chunk) => {
      fs.writeFileSync(file, ls.join('\n') + (trailing ? '\n' : ''));
      const whole = readGolden(file);
      const pieces = [...goldenLines(file, chunk)];
      if (JSON.stringify(pieces) !== JSON.stringify(whole)) throw new Error(`${JSON.stringify(pieces)} != ${JSON.stringify(whole)}`);
      runs++;
    }),
    { numRuns: 400, seed: 8 },
  );
  t.equal(runs, 400, 'texts compared');
});

t.test('writeGolden writes the bytes of lines.join + newline, and counts them', async (t) => {
  let runs = 0;
  fc.assert(
    fc.property(lines, (ls) => {
      const n = writeGolden(file, ls);
      const bytes = fs.readFileSync(file, 'utf8');
      if (bytes !== ls.join('\n') + '\n' || n !== ls.length) throw new Error(`${JSON.stringify(bytes)} for ${JSON.stringify(ls)}`);
      runs++;
    }),
    { numRuns: 200, seed: 9 },
  );
  t.equal(runs, 200, 'line lists written');
  t.same(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
});

t.test('compareGoldenStream gives compareGolden\'s check and diff within the window', async (t) => {
  let runs = 0;
  let differing = 0;
  fc.assert(
    fc.property(lines, lines, fc.array(fc.tuple(fc.nat(60), line), { maxLength: 4 }), (a, b0, edits) => {
      // Half the cases: b is a with a few edits (a long common head, diffs past it).
      const b = runs % 2 === 0 ? b0 : edits.reduce((xs, [at, l]) => {
        const ys = [...xs];
        ys.splice(Math.min(at, ys.length), at % 3 === 0 ? 1 : 0, l);
        return ys;
      }, a);
      const whole = compareGolden(a, b);
      const streamed = compareGoldenStream(a, b);
      if (JSON.stringify(streamed) !== JSON.stringify(whole)) throw new Error(`${JSON.stringify(streamed)}\n!=\n${JSON.stringify(whole)}`);
      if (!whole.ok) differing++;
      runs++;
    }),
    { numRuns: 600, seed: 10 },
  );
  t.equal(runs, 600, 'pairs compared');
  t.ok(differing > 300, `${differing} of them differ`);
});

t.test('past the window: both sides from the first difference, with the true line counts', async (t) => {
  const a = Array.from({ length: 30 }, (_, i) => `line ${i}`);
  const b = a.map((l, i) => (i >= 4 ? `new ${i}` : l));
  const r = compareGoldenStream(a, b, 10);
  t.equal(r.ok, false);
  t.equal(r.expected_lines, 30);
  t.equal(r.actual_lines, 30);
  const d = r.diff.split('\n');
  t.equal(d[0], 'more than 10 lines follow the first difference at expected line 5, actual line 5 (expected 30 lines, got 30); from the first difference:');
  t.equal(d[1], '- line 4', 'the expected side from the first difference');
  t.ok(d.includes('+ new 4'), 'and the actual side');
  t.ok(d.includes('- ... 18 more expected lines') && d.includes('+ ... 18 more actual lines'), 'what is not shown, counted');
  t.same(compareGoldenStream(a, a, 10), { ok: true, expected_lines: 30, actual_lines: 30, diff: '' }, 'equal sides of any length: ok, nothing held');
});

t.test('a missing golden: the error readGolden gives, when it is opened', async (t) => {
  t.throws(() => goldenLines(path.join(tmp, 'none.ndjson')), new GoldenError(`no golden file ${path.join(tmp, 'none.ndjson')}: create it with --update-golden`));
});
