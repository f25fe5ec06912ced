// Self-contained HTML report per record (inline CSS and SVG, no scripts or external
// assets) and an index page linking them. Only writeReports touches the file system.

import { OutputError, ensureFolder, writeFileAtomic } from '../io/output-file.js';
import { join } from 'node:path';
import type { Fixture } from '../../sim/fixture/types.js';
import type { ReplayResult } from '../../sim/replay-types.js';
import type { MatchResult } from '../score/match.js';
import type { RecordScore } from '../score/score.js';
import { formatTime, renderRow, rowCount, rowOf } from './svg-row.js';

export interface ReportOptions {
  /** Shaded as not scored; pass the warm-up given to scoreRecord. */
  warmup_ms?: number;
}

export interface ReportItem {
  fixture: Fixture;
  result: ReplayResult;
  score: RecordScore;
  /** The ±150 ms match (RecordScoreDetail.match). */
  match: MatchResult;
  opts?: ReportOptions;
}

const STYLE = `
body{font:14px system-ui,sans-serif;margin:16px;color:#222}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}
.row h3{font-size:13px;margin:12px 0 2px}
svg text{font-size:10px;fill:#555}
.ppg{fill:none;stroke:#2b3a55;stroke-width:1}
.ref{stroke:#2ca02c;stroke-width:1.5}
.det{stroke:#1f77b4;stroke-width:1.5}
.fn{fill:#d62728}
.fp{fill:#ff7f0e}
.excl{fill:#000;fill-opacity:.12}
.warm{fill:#e6c200;fill-opacity:.15}
.times a{margin-right:8px}
.legend span{margin-right:16px}
`;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  return escapeHtml(String(v));
}

function summaryTable(fixture: Fixture, result: ReplayResult, score: RecordScore): string {
  const rows: [string, unknown][] = [
    ['source', fixture.meta.source],
    ['reference', fixture.ref_kind ?? '-'],
    ['sample rate Hz', fixture.meta.sample_rate_hz],
    ['replay rate Hz / seed', `${result.rate_hz} / ${result.seed}`],
    ['duration', formatTime(result.duration_ms)],
  ];
  for (const [k, v] of Object.entries(score)) if (k !== 'pooled' && k !== 'record') rows.push([k, v]);
  const body = rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${fmt(v)}</td></tr>`).join('\n');
  return `<table class="summary">\n${body}\n</table>`;
}

function timeLinks(title: string, cls: string, times: readonly number[], row_count: number): string {
  const links = times.map((t) => `<a class="${cls}-link" href="#row-${rowOf(t, row_count)}">${formatTime(t)}</a>`);
  const body = links.length === 0 ? 'none' : links.join(' ');
  return `<h2>${title} (${times.length})</h2>\n<p class="times">${body}</p>`;
}

const LEGEND =
  '<p class="legend"><span style="color:#2ca02c">| reference beat</span>' +
  '<span style="color:#1f77b4">| detected beat</span><span style="color:#d62728">● missed (FN)</span>' +
  '<span style="color:#ff7f0e">● false (FP)</span>' +
  '<span>▒ grey: excluded</span><span>▒ yellow: warm-up</span></p>';

function page(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    body,
    '</body></html>',
    '',
  ].join('\n');
}

/** One record's page: summary, FN/FP lists linking to their rows, then the 30-s rows. */
export function renderRecordReport(
  fixture: Fixture,
  result: ReplayResult,
  score: RecordScore,
  matchDetail: MatchResult,
  opts: ReportOptions = {},
): string {
  const fs_hz = fixture.meta.sample_rate_hz;
  const ref_ms = Float64Array.from(fixture.ref_beats_us ?? [], (us) => us / 1000);
  const det_ms = Float64Array.from(result.beats, (b) => b.time_ms).sort();
  const total_ms = Math.max(
    result.duration_ms,
    (fixture.ppg.length * 1000) / fs_hz,
    ref_ms.length > 0 ? ref_ms[ref_ms.length - 1]! + 1 : 0,
    det_ms.length > 0 ? det_ms[det_ms.length - 1]! + 1 : 0,
    1,
  );
  const rows: string[] = [];
  const row_count = rowCount(total_ms);
  for (let index = 0; index < row_count; index++) {
    rows.push(
      renderRow({
        index,
        ppg: fixture.ppg,
        sample_rate_hz: fs_hz,
        ref_ms,
        det_ms,
        fn_ms: matchDetail.fn_ms,
        fp_ms: matchDetail.fp_ms,
        excluded: fixture.artifacts,
        warmup_ms: opts.warmup_ms ?? 0,
        total_ms,
        row_count,
      }),
    );
  }
  const title = `${score.record}: beat detection report`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p><a href="index.html">all records</a> · F1 ${(score.f1 * 100).toFixed(1)} % at ±${matchDetail.tol_ms} ms</p>`,
    summaryTable(fixture, result, score),
    timeLinks('Missed beats (FN)', 'fn', matchDetail.fn_ms, row_count),
    timeLinks('False beats (FP)', 'fp', matchDetail.fp_ms, row_count),
    LEGEND,
    ...rows,
  ];
  return page(title, body.join('\n'));
}

/** File name for a record: anything outside [A-Za-z0-9._-] becomes "_". */
export function reportFileName(record: string): string {
  return `${record.replace(/[^A-Za-z0-9._-]/g, '_')}.html`;
}

function renderIndex(items: readonly ReportItem[]): string {
  const rows = items.map((it) => {
    const s = it.score;
    const link = `<a href="${escapeHtml(reportFileName(s.record))}">${escapeHtml(s.record)}</a>`;
    const cells = [s.f1, s.sensitivity, s.ppv, s.f1_50ms].map((v) => `<td>${(v * 100).toFixed(1)}</td>`);
    return `<tr><td>${link}</td>${cells.join('')}<td>${s.tp}</td><td>${s.fp}</td><td>${s.fn}</td></tr>`;
  });
  const head = '<tr><th>record</th><th>F1 %</th><th>Se %</th><th>PPV %</th><th>F1@50 %</th>' +
    '<th>TP</th><th>FP</th><th>FN</th></tr>';
  const title = 'Beat detection reports';
  return page(title, `<h1>${title}</h1>\n<table>\n${head}\n${rows.join('\n')}\n</table>`);
}

/** Write `<dir>/<record>.html` per item and `<dir>/index.html`; returns the paths written. */
export function writeReports(dir: string, items: readonly ReportItem[]): string[] {
  const names = new Map<string, string>();
  for (const it of items) {
    const name = reportFileName(it.score.record);
    const other = names.get(name);
    if (name === 'index.html' || other !== undefined) {
      throw new OutputError(`report file ${name} for record ${it.score.record} clashes with ${other ?? 'the index page'}`);
    }
    names.set(name, it.score.record);
  }
  // Every page is rendered before the first is written: the writes then follow each other
  // closely, and Ctrl-C during the rendering ends the run at once with nothing written.
  const pages = items.map((it) => [join(dir, reportFileName(it.score.record)), renderRecordReport(it.fixture, it.result, it.score, it.match, it.opts)] as const);
  pages.push([join(dir, 'index.html'), renderIndex(items)]);
  ensureFolder(dir);
  for (const [path, html] of pages) writeFileAtomic(path, html);
  return pages.map(([path]) => path);
}
