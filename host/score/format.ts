// Plain-text table of record scores for `ring score`: one row per record, then the
// aggregate. Column widths follow the content; numbers are right-aligned.

import type { AggregateScore, RecordScore } from './score.js';
import { printable } from '../io/printable.js';
import { HR_WINDOW_MS, MATCH_TOL_MS, MATCH_TOL_STRICT_MS } from './metrics.js';

/** The fields a row needs: present on both RecordScore and AggregateScore. */
type Row = Pick<
  RecordScore,
  | 'ref_beats'
  | 'detected_beats'
  | 'tp'
  | 'fp'
  | 'fn'
  | 'sensitivity'
  | 'ppv'
  | 'f1'
  | 'f1_50ms'
  | 'timing_error_ms_median'
  | 'hr_mae_bpm'
  | 'rmssd_error_ms_median'
  | 'latency_ms_median'
> & { label: string; rate: string };

interface Column {
  header: string;
  /** What the column holds, for the legend (`ring score --help`). */
  meaning: string;
  numeric: boolean;
  cell: (r: Row) => string;
}

const NONE = '-';

function fixed(v: number | null, digits: number): string {
  return v === null ? NONE : v.toFixed(digits);
}

function pct(v: number): string {
  return (v * 100).toFixed(1);
}

/** Nothing was scored (no reference beat and no detection left after warm-up and exclusions). */
export function nothingScored(r: Pick<RecordScore, 'tp' | 'fp' | 'fn'>): boolean {
  return r.tp + r.fp + r.fn === 0;
}

/** A ratio over nothing is not 100 %: it is shown as '-'. */
function ratioCell(r: Row, v: number): string {
  return nothingScored(r) ? NONE : pct(v);
}

const COLUMNS: readonly Column[] = [
  { header: 'record', meaning: 'the recording (its record id); the last row pools every record', numeric: false, cell: (r) => r.label },
  { header: 'rate Hz', meaning: 'sample rate the firmware ran at (--rate-hz)', numeric: true, cell: (r) => r.rate },
  { header: 'ref', meaning: 'reference beats scored (outside the warm-up and the excluded spans)', numeric: true, cell: (r) => String(r.ref_beats) },
  { header: 'det', meaning: 'beats the ring detected there', numeric: true, cell: (r) => String(r.detected_beats) },
  { header: 'TP', meaning: `true positives: detections within ±${MATCH_TOL_MS} ms of a reference beat`, numeric: true, cell: (r) => String(r.tp) },
  { header: 'FP', meaning: 'false positives: detections with no reference beat near', numeric: true, cell: (r) => String(r.fp) },
  { header: 'FN', meaning: 'false negatives: reference beats the ring missed', numeric: true, cell: (r) => String(r.fn) },
  { header: 'Se %', meaning: 'sensitivity, TP / (TP + FN): share of the beats found', numeric: true, cell: (r) => ratioCell(r, r.sensitivity) },
  { header: 'PPV %', meaning: 'positive predictive value, TP / (TP + FP): share of detections that are beats', numeric: true, cell: (r) => ratioCell(r, r.ppv) },
  { header: 'F1 %', meaning: 'harmonic mean of Se and PPV; - when nothing was scored', numeric: true, cell: (r) => ratioCell(r, r.f1) },
  { header: 'F1@50 %', meaning: `F1 with the strict ±${MATCH_TOL_STRICT_MS} ms match`, numeric: true, cell: (r) => ratioCell(r, r.f1_50ms) },
  { header: 'timing med ms', meaning: 'median |detected - reference| beat time of the matches', numeric: true, cell: (r) => fixed(r.timing_error_ms_median, 1) },
  { header: 'HR MAE bpm', meaning: `mean absolute heart-rate error over ${HR_WINDOW_MS / 1000} s windows`, numeric: true, cell: (r) => fixed(r.hr_mae_bpm, 2) },
  { header: 'RMSSD err ms', meaning: 'median |RMSSD error| of the published HRV windows against the reference beats', numeric: true, cell: (r) => fixed(r.rmssd_error_ms_median, 1) },
  { header: 'latency med ms', meaning: 'median time from a beat to the ring emitting it', numeric: true, cell: (r) => fixed(r.latency_ms_median, 0) },
];

function recordRow(s: RecordScore): Row {
  return { ...s, label: printable(s.record), rate: String(s.rate_hz) };
}

function aggregateRow(a: AggregateScore, records: readonly RecordScore[]): Row {
  const rates = new Set(records.map((r) => r.rate_hz));
  const rate = rates.size === 1 ? String(records[0]!.rate_hz) : NONE;
  return { ...a, label: `all (${a.record_count})`, rate };
}

function renderLine(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => (COLUMNS[i]!.numeric ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd();
}

/** The table as text, ending with a newline. The aggregate row is drawn under a rule. */
export function formatScoreTable(records: readonly RecordScore[], agg: AggregateScore | null): string {
  const body = records.map((r) => COLUMNS.map((c) => c.cell(recordRow(r))));
  const foot = agg === null ? null : COLUMNS.map((c) => c.cell(aggregateRow(agg, records)));
  const all = [COLUMNS.map((c) => c.header), ...body, ...(foot === null ? [] : [foot])];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const lines = [renderLine(all[0]!, widths), rule, ...body.map((row) => renderLine(row, widths))];
  if (foot !== null) lines.push(rule, renderLine(foot, widths));
  return lines.join('\n') + '\n';
}

/** The table's columns and what each holds: the legend `ring score --help` prints. */
export function scoreColumnsLegend(): string {
  const w = Math.max(...COLUMNS.map((c) => c.header.length));
  return COLUMNS.map((c) => `  ${c.header.padEnd(w)}  ${c.meaning}`).join('\n');
}
