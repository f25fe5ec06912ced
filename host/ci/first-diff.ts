// The first difference between a golden and a new replay output, said the way a reviewer
// reads it: which record (kind and time), which field, old -> new.

export interface FirstDifference {
  /** 1-based line in the golden (and the new output). */
  line: number;
  /** Record type of the golden line ("beat", "hr", ...), or of the new one past the golden's end. */
  kind: string;
  /** The record's time (time_ms, or end_ms for HRV windows), when it has one. */
  time_ms: number | null;
  /** The first field that differs; "record" when a whole record is missing or extra. */
  field: string;
  old: string;
  new: string;
}

type Rec = Record<string, unknown>;

function parse(line: string | undefined): Rec | null {
  if (line === undefined) return null;
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : null;
  } catch {
    return null;
  }
}

function timeOf(r: Rec | null): number | null {
  if (r === null) return null;
  const t = r.time_ms ?? r.end_ms;
  return typeof t === 'number' ? t : null;
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));

/** null when the outputs are identical. */
export function firstDifference(golden: readonly string[], actual: readonly string[]): FirstDifference | null {
  let i = 0;
  while (i < golden.length && i < actual.length && golden[i] === actual[i]) i++;
  if (i === golden.length && i === actual.length) return null;
  const a = parse(golden[i]);
  const b = parse(actual[i]);
  const head = a ?? b;
  const kind = typeof head?.type === 'string' ? head.type : 'line';
  const base = { line: i + 1, kind, time_ms: timeOf(head) };
  if (golden[i] === undefined) return { ...base, field: 'record', old: '(end of golden)', new: actual[i]! };
  if (actual[i] === undefined) return { ...base, field: 'record', old: golden[i]!, new: '(end of output)' };
  if (a === null || b === null) return { ...base, field: 'line', old: golden[i]!, new: actual[i]! };
  if (a.type !== b.type) return { ...base, field: 'type', old: `${show(a.type)} at ${timeOf(a) ?? '-'} ms`, new: `${show(b.type)} at ${timeOf(b) ?? '-'} ms` };
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
    const x = show(a[key]);
    const y = show(b[key]);
    if (x !== y) return { ...base, field: key, old: x, new: y };
  }
  // Same fields, same values, different text (key order or spacing).
  return { ...base, field: 'line', old: golden[i]!, new: actual[i]! };
}

export function formatFirstDifference(d: FirstDifference): string {
  const at = d.time_ms === null ? '' : ` at ${(d.time_ms / 1000).toFixed(3)} s`;
  return `line ${d.line}, ${d.kind}${at}: ${d.field} ${d.old} -> ${d.new}`;
}
