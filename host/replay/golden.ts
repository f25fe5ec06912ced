// Golden outputs: a replay's NDJSON lines stored in a file; a later run must reproduce
// them byte for byte. A mismatch is shown as a line diff (Myers, bounded).

import fs from 'node:fs';
import { writeFileAtomicWith } from '../io/output-file.js';
import { TEXT_PIECE_BYTES, fileText, splitLines } from '../../sim/fixture/text-lines.js';

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

function goldenReadError(file: string, err: unknown): GoldenError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new GoldenError(`no golden file ${file}: create it with --update-golden`);
  return new GoldenError(`cannot read golden file ${file}: ${code ?? String(err)}`);
}

export function readGolden(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw goldenReadError(file, err);
  }
  return text.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));
}

/**
 * readGolden's lines, read a piece at a time: a golden of any length is never held whole.
 * The file is opened at once (so a missing golden is reported before any work).
 */
export function goldenLines(file: string, piece_bytes = TEXT_PIECE_BYTES): Iterable<string> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw goldenReadError(file, err);
  }
  return (function* lines(): Generator<string> {
    try {
      let held: string | null = null;
      for (const line of splitLines(fileText(fd, false, piece_bytes))) {
        if (held !== null) yield held;
        held = line;
      }
      // As readGolden: the text after the last newline is a line unless it is empty.
      if (held !== null && held !== '') yield held;
    } catch (err) {
      throw goldenReadError(file, err);
    } finally {
      fs.closeSync(fd);
    }
  })();
}

/** Writes the lines, one per line (a piece at a time); returns how many. */
export function writeGolden(file: string, lines: Iterable<string>): number {
  let count = 0;
  writeFileAtomicWith(file, (write) => {
    let piece = '';
    for (const line of lines) {
      piece += line + '\n';
      count++;
      if (piece.length >= TEXT_PIECE_BYTES) {
        write(piece);
        piece = '';
      }
    }
    // No lines: one empty line, as ever (readGolden reads it back as none).
    write(count === 0 ? '\n' : piece);
  });
  return count;
}

export function compareGolden(expected: string[], actual: string[]): GoldenCheck {
  const same = expected.length === actual.length && expected.every((l, i) => l === actual[i]);
  if (same) return { ok: true, expected_lines: expected.length, actual_lines: actual.length, diff: '' };
  return { ok: false, expected_lines: expected.length, actual_lines: actual.length, diff: lineDiff(expected, actual) };
}

/** Lines of each side kept past the first difference, to align them (about 10-20 MB of NDJSON). */
export const ALIGN_LINES_MAX = 100_000;

/**
 * compareGolden over two line sequences read once each, holding only what follows their
 * first difference, and of that at most `align_max` lines a side: equal sides hold nothing,
 * and a difference near the end of a long run is aligned as compareGolden aligns it (the
 * same text). When more than that follows on a side, both sides are shown from the first
 * difference without alignment.
 */
export function compareGoldenStream(expected: Iterable<string>, actual: Iterable<string>, align_max = ALIGN_LINES_MAX): GoldenCheck {
  const ei = expected[Symbol.iterator]();
  const ai = actual[Symbol.iterator]();
  let same = 0;
  let e = ei.next();
  let a = ai.next();
  while (!e.done && !a.done && e.value === a.value) {
    same++;
    e = ei.next();
    a = ai.next();
  }
  if (e.done && a.done) return { ok: true, expected_lines: same, actual_lines: same, diff: '' };
  // From the first difference: up to align_max lines a side kept, the rest counted.
  const rest = (first: IteratorResult<string>, it: Iterator<string>): { kept: string[]; count: number } => {
    const kept: string[] = [];
    let count = 0;
    for (let r = first; !r.done; r = it.next()) {
      if (count < align_max) kept.push(r.value);
      count++;
    }
    return { kept, count };
  };
  const er = rest(e, ei);
  const ar = rest(a, ai);
  const expected_lines = same + er.count;
  const actual_lines = same + ar.count;
  const diff = er.count <= align_max && ar.count <= align_max
    ? lineDiff(er.kept, ar.kept, same, expected_lines, actual_lines)
    : [
      `more than ${align_max} lines follow the first difference at expected line ${same + 1}, actual line ${same + 1} (expected ${expected_lines} lines, got ${actual_lines}); from the first difference:`,
      ...sideLines('-', er.kept, 0, er.count), ...sideLines('+', ar.kept, 0, ar.count),
    ].join('\n');
  return { ok: false, expected_lines, actual_lines, diff };
}

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

/** Lines of each side shown per changed block: a long block still shows both sides. */
const HUNK_SIDE_SHOWN_MAX = 8;

/**
 * Myers O(ND) diff; past DIFF_EDITS_MAX edits it falls back to both sides' lines from the
 * first difference on. A block of changes shows its expected ("-") and its actual ("+")
 * lines, each cut at HUNK_SIDE_SHOWN_MAX, so a long change never shows one side only.
 */
export function lineDiff(a: string[], b: string[], offset = 0, a_total = offset + a.length, b_total = offset + b.length): string {
  const ops = myers(a, b);
  if (ops === null) {
    const first = firstDifference(a, b);
    const out = [`more than ${DIFF_EDITS_MAX} lines differ (expected ${a_total} lines, got ${b_total}); from the first difference:`];
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
      out.push(`@@ expected line ${offset + hunk[0].a + 1}, actual line ${offset + hunk[0].b + 1}`);
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

function sideLines(kind: '-' | '+', lines: string[], from: number, total = lines.length): string[] {
  const take = lines.slice(from, from + HUNK_SIDE_SHOWN_MAX).map((l) => `${kind} ${l}`);
  const more = total - from - take.length;
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
