// Report page per record scored on windowed heart rate: the ring's estimate against the
// reference over time, with the accelerometer magnitude underneath (where motion was).
// Self-contained HTML with inline SVG.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fixture } from '../../sim/fixture/types.js';
import type { HrWindowRecord } from '../score/hr-window.js';
import { escapeHtml } from './html.js';

export interface HrReportItem {
  fixture: Fixture;
  score: HrWindowRecord;
}

const W = 1000;
const H_HR = 260;
const H_ACC = 100;
const PAD = 40;

function polyline(points: [number, number][], cls: string): string {
  if (points.length === 0) return '';
  return `<polyline class="${cls}" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
}

/** Accelerometer magnitude (mg, gravity removed by a 1 s mean) per 0.2 s, for the lower plot. */
function accelMagnitude(f: Fixture): { t_s: number; mg: number }[] {
  const a = f.accel;
  if (a === undefined) return [];
  const n = Math.min(a.x_mg.length, a.y_mg.length, a.z_mg.length);
  const step = Math.max(1, Math.round(a.sample_rate_hz / 5));
  const out: { t_s: number; mg: number }[] = [];
  for (let i = 0; i + step <= n; i += step) {
    let sx = 0, sy = 0, sz = 0;
    for (let k = i; k < i + step; k++) { sx += a.x_mg[k]!; sy += a.y_mg[k]!; sz += a.z_mg[k]!; }
    let dev = 0;
    for (let k = i; k < i + step; k++) dev += Math.hypot(a.x_mg[k]! - sx / step, a.y_mg[k]! - sy / step, a.z_mg[k]! - sz / step);
    out.push({ t_s: i / a.sample_rate_hz, mg: dev / step });
  }
  return out;
}

export function hrPage(item: HrReportItem): string {
  const s = item.score;
  const dur_s = Math.max(1, ...s.windows.map((w) => w.end_ms / 1000));
  const bpms = s.windows.flatMap((w) => (w.est_bpm === null ? [w.ref_bpm] : [w.ref_bpm, w.est_bpm]));
  const lo = Math.floor(Math.min(...bpms, 60) / 10) * 10;
  const hi = Math.ceil(Math.max(...bpms, 120) / 10) * 10;
  const x = (t_s: number): number => PAD + ((W - 2 * PAD) * t_s) / dur_s;
  const y = (bpm: number): number => PAD / 2 + (H_HR - PAD) * (1 - (bpm - lo) / (hi - lo));
  const ref = s.windows.map((w): [number, number] => [x(w.end_ms / 1000), y(w.ref_bpm)]);
  const est = s.windows.flatMap((w): [number, number][] => (w.est_bpm === null ? [] : [[x(w.end_ms / 1000), y(w.est_bpm)]]));
  const acc = accelMagnitude(item.fixture);
  const acc_max = Math.max(1, ...acc.map((p) => p.mg));
  const ya = (mg: number): number => H_HR + H_ACC - 10 - ((H_ACC - 20) * mg) / acc_max;
  const accLine = acc.map((p): [number, number] => [x(p.t_s), ya(p.mg)]);
  const grid: string[] = [];
  for (let b = lo; b <= hi; b += 20) grid.push(`<line class="grid" x1="${PAD}" x2="${W - PAD}" y1="${y(b)}" y2="${y(b)}"/><text x="4" y="${y(b) + 3}">${b}</text>`);
  for (let t = 0; t <= dur_s; t += 60) grid.push(`<text x="${x(t)}" y="${H_HR + H_ACC + 12}">${t} s</text>`);
  const svg = [
    `<svg width="${W}" height="${H_HR + H_ACC + 20}" xmlns="http://www.w3.org/2000/svg">`,
    ...grid,
    polyline(ref, 'ref'),
    polyline(est, 'est'),
    `<text x="${PAD}" y="${H_HR + 8}">accelerometer magnitude (mg, peak ${acc_max.toFixed(0)})</text>`,
    polyline(accLine, 'acc'),
    '</svg>',
  ].join('\n');
  const rows = Object.entries(s)
    .filter(([k]) => k !== 'windows')
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v))}</td></tr>`)
    .join('\n');
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(s.record)}: heart rate</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:16px}td{border:1px solid #ccc;padding:2px 8px}svg text{font-size:10px;fill:#555}',
    '.ref{fill:none;stroke:#2ca02c;stroke-width:2}.est{fill:none;stroke:#1f77b4;stroke-width:1.5}.acc{fill:none;stroke:#888;stroke-width:1}.grid{stroke:#eee}</style>',
    `</head><body><h1>${escapeHtml(s.record)}: heart rate per 8 s window</h1>`,
    '<p><span style="color:#2ca02c">— reference (ECG)</span> &nbsp; <span style="color:#1f77b4">— ring estimate</span> &nbsp; <span style="color:#888">— accelerometer</span></p>',
    svg,
    `<table>${rows}</table>`,
    '</body></html>',
  ].join('\n');
}

export function writeHrReports(dir: string, items: readonly HrReportItem[]): void {
  mkdirSync(dir, { recursive: true });
  const links: string[] = [];
  for (const item of items) {
    const file = `${item.score.record}.html`;
    writeFileSync(join(dir, file), hrPage(item));
    const aae = item.score.hr_window_aae_bpm;
    links.push(`<li><a href="${escapeHtml(file)}">${escapeHtml(item.score.record)}</a> AAE ${aae === null ? '-' : aae.toFixed(2)} bpm</li>`);
  }
  writeFileSync(join(dir, 'index.html'), `<!DOCTYPE html><html><head><meta charset="utf-8"><title>heart rate</title></head><body><ul>\n${links.join('\n')}\n</ul></body></html>\n`);
}
