// One row of a record report: an inline SVG strip of ROW_MS with the PPG trace, beat
// lanes and marks. Reference ticks sit above the trace, detections below it.

import type { Span } from '../../sim/fixture/types.js';
import { lowerBound } from '../score/metrics.js';
import { decimateMinMax } from './trace.js';

export const ROW_MS = 30_000;
export const ROW_WIDTH_PX = 1200;
export const MS_PER_PX = ROW_MS / ROW_WIDTH_PX;
const REF_LANE_Y = [2, 16] as const;
const TRACE_Y = [20, 116] as const;
const DET_LANE_Y = [120, 134] as const;
const AXIS_Y = 150;
export const ROW_HEIGHT_PX = 156;
const AXIS_STEP_MS = 5000;
const MARK_R_PX = 4;

export interface RowInput {
  index: number;
  ppg: ArrayLike<number>;
  sample_rate_hz: number;
  ref_ms: ArrayLike<number>;
  det_ms: ArrayLike<number>;
  fn_ms: readonly number[];
  fp_ms: readonly number[];
  excluded: readonly Span[];
  warmup_ms: number;
  /** End of the recording; the last row ends there (shorter, or up to a tail longer). */
  total_ms: number;
  row_count: number;
}

export function formatTime(ms: number): string {
  const m = Math.floor(ms / 60000);
  const s = (ms - m * 60000) / 1000;
  return `${m}:${s.toFixed(3).padStart(6, '0')}`;
}

function xOf(t: number, start_ms: number): string {
  return ((t - start_ms) / MS_PER_PX).toFixed(1);
}

/** The ascending times in [a, b). */
function inRow(times: ArrayLike<number>, a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = lowerBound(times, a); i < times.length && times[i]! < b; i++) out.push(times[i]!);
  return out;
}

function traceSvg(r: RowInput, a: number, b: number): string {
  const pts = decimateMinMax(r.ppg, r.sample_rate_hz, { start_ms: a, end_ms: b, ms_per_px: MS_PER_PX });
  if (pts.length === 0) return '';
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of pts) {
    lo = Math.min(lo, p.value);
    hi = Math.max(hi, p.value);
  }
  const h = TRACE_Y[1] - TRACE_Y[0];
  // Peaks point up; a flat row is drawn mid-height.
  const yOf = (v: number): number => (hi > lo ? TRACE_Y[0] + ((hi - v) / (hi - lo)) * h : TRACE_Y[0] + h / 2);
  const coords = pts.map((p) => `${p.x_px},${Math.round(yOf(p.value))}`).join(' ');
  return `<polyline class="ppg" points="${coords}"/>`;
}

function shadeSvg(spans: readonly Span[], cls: string, a: number, b: number): string[] {
  const out: string[] = [];
  for (const s of spans) {
    const x0 = Math.max(a, s.start_ms);
    const x1 = Math.min(b, s.end_ms);
    if (x1 <= x0) continue;
    const w = ((x1 - x0) / MS_PER_PX).toFixed(1);
    out.push(`<rect class="${cls}" x="${xOf(x0, a)}" y="0" width="${w}" height="${DET_LANE_Y[1]}"/>`);
  }
  return out;
}

function ticksSvg(times: number[], cls: string, lane: readonly [number, number], a: number): string[] {
  return times.map((t) => {
    const x = xOf(t, a);
    return `<line class="${cls}" x1="${x}" x2="${x}" y1="${lane[0]}" y2="${lane[1]}"/>`;
  });
}

function marksSvg(times: number[], cls: string, label: string, y: number, a: number): string[] {
  return times.map((t) => {
    const title = `<title>${label} ${formatTime(t)}</title>`;
    return `<circle class="${cls}" cx="${xOf(t, a)}" cy="${y}" r="${MARK_R_PX}">${title}</circle>`;
  });
}

function axisSvg(a: number, b: number): string[] {
  const out: string[] = [];
  for (let t = a; t < b; t += AXIS_STEP_MS) {
    out.push(`<text x="${xOf(t, a)}" y="${AXIS_Y}">${formatTime(t).replace(/\.000$/, '')}</text>`);
  }
  return out;
}

/** The row's section: a heading (the anchor target `row-<index>`) and its SVG. */
export function renderRow(r: RowInput): string {
  const a = r.index * ROW_MS;
  const b = r.index === r.row_count - 1 ? r.total_ms : a + ROW_MS;
  const width = Math.ceil((b - a) / MS_PER_PX);
  const warm = r.warmup_ms > 0 ? [{ start_ms: 0, end_ms: r.warmup_ms }] : [];
  const parts = [
    ...shadeSvg(warm, 'warm', a, b),
    ...shadeSvg(r.excluded, 'excl', a, b),
    traceSvg(r, a, b),
    ...ticksSvg(inRow(r.ref_ms, a, b), 'ref', REF_LANE_Y, a),
    ...ticksSvg(inRow(r.det_ms, a, b), 'det', DET_LANE_Y, a),
    ...marksSvg(inRow(r.fn_ms, a, b), 'fn', 'missed beat (FN) at', (REF_LANE_Y[0] + REF_LANE_Y[1]) / 2, a),
    ...marksSvg(inRow(r.fp_ms, a, b), 'fp', 'false beat (FP) at', (DET_LANE_Y[0] + DET_LANE_Y[1]) / 2, a),
    ...axisSvg(a, b),
  ];
  return [
    `<section class="row" id="row-${r.index}"><h3>${formatTime(a)} – ${formatTime(b)}</h3>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${ROW_HEIGHT_PX}"` +
      ` viewBox="0 0 ${width} ${ROW_HEIGHT_PX}">`,
    parts.join(''),
    '</svg></section>',
  ].join('\n');
}

/** A tail shorter than this joins the previous row rather than making a sliver row. */
const ROW_TAIL_FOLD_MS = 1000;

/** Rows needed for a recording of total_ms. */
export function rowCount(total_ms: number): number {
  return Math.max(1, Math.ceil((total_ms - ROW_TAIL_FOLD_MS) / ROW_MS));
}

/** Which row shows time t. */
export function rowOf(t: number, row_count: number): number {
  return Math.min(row_count - 1, Math.max(0, Math.floor(t / ROW_MS)));
}
