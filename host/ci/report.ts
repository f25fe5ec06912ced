// `ring ci --report <dir>`: an HTML page per changed session, with the golden's and the new
// output's beats and heart rate drawn on one time axis (beats only one side has are
// marked), the first difference and the line diff; index.html lists them. Self-contained
// pages (inline CSS and SVG), like the score reports (host/report/html.ts).

import path from 'node:path';
import { escapeHtml } from '../report/html.js';
import { formatTime } from '../report/svg-row.js';
import { formatFirstDifference } from './first-diff.js';
import type { SessionResult } from './run-session.js';
import { ensureFolder, writeFileAtomic } from '../io/output-file.js';

export interface ChangedSession {
  result: SessionResult;
  golden_lines: readonly string[];
  new_lines: readonly string[];
}

interface Series {
  beats_ms: number[];
  hr: { t: number; bpm: number }[];
}

const WIDTH_PX = 1200;
const HR_TOP_PX = 10;
const HR_HEIGHT_PX = 160;
const LANE_OLD_Y = 190;
const LANE_NEW_Y = 215;
const LANE_H_PX = 18;
const AXIS_Y = 250;
const HEIGHT_PX = 262;

const STYLE = `body{font:14px system-ui,sans-serif;margin:16px;color:#222}
svg text{font-size:10px;fill:#555}.old{fill:none;stroke:#999;stroke-width:1.5}.new{fill:none;stroke:#1f77b4;stroke-width:1.2}
.tick-old{stroke:#999}.tick-new{stroke:#1f77b4}.only-old{fill:#d62728}.only-new{fill:#ff7f0e}
pre{background:#f6f6f6;padding:8px;overflow:auto}.legend span{margin-right:16px}`;

function series(lines: readonly string[]): Series {
  const s: Series = { beats_ms: [], hr: [] };
  for (const line of lines) {
    let r: { type?: unknown; time_ms?: unknown; hr_bpm_x10?: unknown };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      continue; // a damaged golden line shows in the diff; it has nothing to plot
    }
    if (r.type === 'beat' && typeof r.time_ms === 'number') s.beats_ms.push(r.time_ms);
    if (r.type === 'hr' && typeof r.time_ms === 'number' && typeof r.hr_bpm_x10 === 'number') s.hr.push({ t: r.time_ms, bpm: r.hr_bpm_x10 / 10 });
  }
  return s;
}

/** Beats of a with no beat of b at the same ms (both ascending). */
function onlyIn(a: readonly number[], b: readonly number[]): number[] {
  const set = new Set(b);
  return a.filter((t) => !set.has(t));
}

function plot(old: Series, neu: Series): string {
  const end_ms = Math.max(1, ...old.beats_ms, ...neu.beats_ms, ...old.hr.map((h) => h.t), ...neu.hr.map((h) => h.t));
  const x = (t: number): string => ((t / end_ms) * (WIDTH_PX - 40) + 30).toFixed(1);
  const bpms = [...old.hr, ...neu.hr].map((h) => h.bpm);
  const lo = bpms.length > 0 ? Math.floor(Math.min(...bpms) - 5) : 40;
  const hi = bpms.length > 0 ? Math.ceil(Math.max(...bpms) + 5) : 120;
  const y = (bpm: number): string => (HR_TOP_PX + HR_HEIGHT_PX - ((bpm - lo) / Math.max(1, hi - lo)) * HR_HEIGHT_PX).toFixed(1);
  const line = (hr: Series['hr'], cls: string): string =>
    hr.length === 0 ? '' : `<polyline class="${cls}" points="${hr.map((h) => `${x(h.t)},${y(h.bpm)}`).join(' ')}"/>`;
  const ticks = (beats: number[], cls: string, top: number): string =>
    beats.length === 0 ? '' : `<path class="${cls}" d="${beats.map((t) => `M${x(t)} ${top}v${LANE_H_PX}`).join('')}"/>`;
  const marks = (beats: number[], cls: string, cy: number): string => beats.map((t) => `<circle class="${cls}" cx="${x(t)}" cy="${cy}" r="4"/>`).join('');
  const axis: string[] = [];
  const step_ms = Math.max(1000, Math.ceil(end_ms / 10 / 1000) * 1000);
  for (let t = 0; t <= end_ms; t += step_ms) axis.push(`<text x="${x(t)}" y="${AXIS_Y + 10}">${formatTime(t)}</text>`);
  return [
    `<svg width="${WIDTH_PX}" height="${HEIGHT_PX}" viewBox="0 0 ${WIDTH_PX} ${HEIGHT_PX}" xmlns="http://www.w3.org/2000/svg">`,
    `<text x="0" y="${HR_TOP_PX + 8}">${hi} bpm</text><text x="0" y="${HR_TOP_PX + HR_HEIGHT_PX}">${lo} bpm</text>`,
    line(old.hr, 'old'),
    line(neu.hr, 'new'),
    `<text x="0" y="${LANE_OLD_Y + 12}">old</text><text x="0" y="${LANE_NEW_Y + 12}">new</text>`,
    ticks(old.beats_ms, 'tick-old', LANE_OLD_Y),
    ticks(neu.beats_ms, 'tick-new', LANE_NEW_Y),
    marks(onlyIn(old.beats_ms, neu.beats_ms), 'only-old', LANE_OLD_Y + LANE_H_PX / 2),
    marks(onlyIn(neu.beats_ms, old.beats_ms), 'only-new', LANE_NEW_Y + LANE_H_PX / 2),
    ...axis,
    '</svg>',
  ].join('\n');
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

const LEGEND =
  '<p class="legend"><span style="color:#999">— golden (old)</span><span style="color:#1f77b4">— new</span>' +
  '<span style="color:#d62728">● beat only in the golden</span><span style="color:#ff7f0e">● beat only in the new output</span></p>';

export function sessionPage(c: ChangedSession): string {
  const r = c.result;
  const old = series(c.golden_lines);
  const neu = series(c.new_lines);
  const first = r.first_difference === null ? '' : `<p>first difference: ${escapeHtml(formatFirstDifference(r.first_difference))}</p>`;
  const body = [
    `<h1>${escapeHtml(r.id)}</h1>`,
    `<p>${escapeHtml(r.recording)} at ${r.rate_hz} Hz, seed ${r.seed}; golden ${escapeHtml(r.golden)}: ${r.golden_lines} lines, new output: ${r.lines} lines</p>`,
    `<p>beats ${old.beats_ms.length} -> ${neu.beats_ms.length}, only in the golden ${onlyIn(old.beats_ms, neu.beats_ms).length}, only in the new output ${onlyIn(neu.beats_ms, old.beats_ms).length}</p>`,
    first,
    '<h2>Heart rate and beats</h2>',
    LEGEND,
    plot(old, neu),
    '<h2>Line diff</h2>',
    `<pre>${escapeHtml(r.diff ?? '')}</pre>`,
    `<p>reproduce: <code>${escapeHtml(r.reproduce)}</code></p>`,
  ];
  return page(`ring ci: ${r.id}`, body.join('\n'));
}

/** The file name of a session's page: its id with '/' as '__'. */
export function pageName(id: string): string {
  return `${id.replace(/\//g, '__')}.html`;
}

export function writeChangedReport(dir: string, changed: readonly ChangedSession[], total_sessions: number): void {
  ensureFolder(dir);
  for (const c of changed) writeFileAtomic(path.join(dir, pageName(c.result.id)), sessionPage(c));
  const rows = changed.map((c) => {
    const d = c.result.first_difference;
    return `<tr><td><a href="${escapeHtml(pageName(c.result.id))}">${escapeHtml(c.result.id)}</a></td><td>${escapeHtml(d === null ? '' : formatFirstDifference(d))}</td></tr>`;
  });
  const body = [
    `<h1>ring ci: ${changed.length} of ${total_sessions} sessions changed</h1>`,
    rows.length === 0 ? '<p>No session changed.</p>' : `<table>\n<tr><th>session</th><th>first difference</th></tr>\n${rows.join('\n')}\n</table>`,
  ];
  writeFileAtomic(path.join(dir, 'index.html'), page('ring ci: changed sessions', body.join('\n')));
}
