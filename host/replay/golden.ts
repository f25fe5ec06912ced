// Golden outputs: a replay's NDJSON lines stored in a file; a later run must reproduce
// them byte for byte. A mismatch is shown as a line diff (Myers, bounded).

import fs from 'node:fs';
import { writeFileAtomic } from '../io/output-file.js';

export class GoldenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoldenError';
  }
}

const DIFF_EDITS_MAX = 2000;
const DIFF_SHOWN_MAX = 40;

export interface GoldenCheck {
  ok: boolean;
  expected_lines: number;
  actual_lines: number;
  /** Readable diff, empty when ok. */
  diff: string;
}

export function readGolden(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GoldenError(`no golden file ${file}: create it with --update-golden`);
    throw new GoldenError(`cannot read golden file ${file}: ${code ?? String(err)}`);
  }
  return text.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));
}

export function writeGolden(file: string, lines: string[]): void {
  writeFileAtomic(file, lines.join('\n') + '\n');
}

export function compareGolden(expected: string[], actual: string[]): GoldenCheck {
  const same = expected.length === actual.length && expected.every((l, i) => l === actual[i]);
  if (same) return { ok: true, expected_lines: expected.length, actual_lines: actual.length, diff: '' };
  return { ok: false, expected_lines: expected.length, actual_lines: actual.length, diff: lineDiff(expected, actual) };
}

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

/** Lines of each side shown per changed block: a long block still shows both sides. */
const HUNK_SIDE_SHOWN_MAX = 8;

/**
 * Myers O(ND) diff; past DIFF_EDITS_MAX edits it falls back to both sides' lines from the
 * first difference on. A block of changes shows its expected ("-") and its actual ("+")
 * lines, each cut at HUNK_SIDE_SHOWN_MAX, so a long change never shows one side only.
 */
export function lineDiff(a: string[], b: string[]): string {
  const ops = myers(a, b);
  if (ops === null) {
    const first = firstDifference(a, b);
    const out = [`more than ${DIFF_EDITS_MAX} lines differ (expected ${a.length} lines, got ${b.length}); from the first difference:`];
    out.push(...sideLines('-', a, first), ...sideLines('+', b, first));
    return out.join('\n');
  }
  const out: string[] = [];
  let shown = 0;
  let changes = 0;
  for (let i = 0; i < ops.length;) {
    if (ops[i].kind === ' ') {
      i++;
      continue;
    }
    let j = i;
    while (j < ops.length && ops[j].kind !== ' ') j++;
    const hunk = ops.slice(i, j);
    changes += hunk.length;
    if (shown < DIFF_SHOWN_MAX) {
      out.push(`@@ expected line ${hunk[0].a + 1}, actual line ${hunk[0].b + 1}`);
      for (const kind of ['-', '+'] as const) {
        const side = hunk.filter((op) => op.kind === kind);
        const take = side.slice(0, HUNK_SIDE_SHOWN_MAX);
        out.push(...take.map((op) => `${kind} ${op.line}`));
        if (side.length > take.length) out.push(`${kind} ... ${side.length - take.length} more ${kind === '-' ? 'expected' : 'actual'} lines in this block`);
        shown += take.length;
      }
    }
    i = j;
  }
  if (changes > shown) out.push(`... ${changes} changed lines in all, ${shown} shown`);
  return out.join('\n');
}

function sideLines(kind: '-' | '+', lines: string[], from: number): string[] {
  const take = lines.slice(from, from + HUNK_SIDE_SHOWN_MAX).map((l) => `${kind} ${l}`);
  const more = lines.length - from - take.length;
  return more > 0 ? [...take, `${kind} ... ${more} more ${kind === '-' ? 'expected' : 'actual'} lines`] : take;
}

function firstDifference(a: string[], b: string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function myers(a: string[], b: string[]): Op[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, DIFF_EDITS_MAX);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, v, a, b, d, offset);
    }
  }
  return null;
}

function backtrack(trace: Int32Array[], last: Int32Array, a: string[], b: string[], dEnd: number, offset: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = v[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ kind: ' ', line: a[--x], a: x, b: --y });
    if (x === prevX) ops.push({ kind: '+', line: b[--y], a: x, b: y });
    else ops.push({ kind: '-', line: a[--x], a: x, b: y });
  }
  while (x > 0 && y > 0) ops.push({ kind: ' ', line: a[--x], a: x, b: --y });
  void last;
  return ops.reverse();
}
