// `ring report`: self-contained HTML pages (inline SVG, no scripts, no external files) per
// night and per day of one or more rings: a hypnogram-like rest/sleep band, heart rate and
// HRV through the night, the stress indicator and episodes over the day, and for several
// rings every trace on one time axis with the pair's synchrony.

import type { ReplayResult } from '../../sim/replay-types.js';
import type { DaylifeTruth } from '../../sim/synth/daylife.js';
import { shiftWellness, wellnessFromRecords, type Wellness } from './records.js';
import type { PairFigures } from './together.js';
import type { TimedValue } from './synchrony.js';

export interface ReportRing {
  record: string;
  /** Every time below is UTC ms. */
  hr: TimedValue[];
  rmssd: TimedValue[];
  wellness: Wellness;
  /** Ground truth of a generated recording, on the same clock, when there is one. */
  truth?: DaylifeTruth & { start_utc_ms: number };
}

export interface ReportPage {
  file: string;
  title: string;
  html: string;
}

const COLORS = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce'];
const W = 1100;
const PAD_L = 70;
const PAD_R = 20;
const MS_H = 3600000;

/** A ring's trace from a direct replay (times from the recording's start time). */
export function ringFromReplay(r: ReplayResult, start_utc_ms: number, truth: DaylifeTruth | null): ReportRing {
  const hr: TimedValue[] = [];
  const rmssd: TimedValue[] = [];
  for (const h of r.hrv) {
    if (h.window_s > 120 || !h.published) continue;
    const t_ms = start_utc_ms + h.end_ms - (h.window_s * 1000) / 2;
    hr.push({ t_ms, value: 600000 / h.mean_ibi_ms_x10 });
    rmssd.push({ t_ms, value: h.rmssd_ms_x10 / 10 });
  }
  const wellness = shiftWellness(wellnessFromRecords(r.wellness ?? []), start_utc_ms);
  return { record: r.record, hr, rmssd, wellness, truth: truth ? { ...truth, start_utc_ms } : undefined };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

interface Axis {
  t0: number;
  t1: number;
}

const xOf = (a: Axis, t: number): number => PAD_L + ((t - a.t0) / (a.t1 - a.t0)) * (W - PAD_L - PAD_R);

function timeTicks(a: Axis, y: number): string {
  const out: string[] = [];
  const step = a.t1 - a.t0 > 12 * MS_H ? 2 * MS_H : MS_H;
  for (let t = Math.ceil(a.t0 / step) * step; t <= a.t1; t += step) {
    const x = xOf(a, t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="0" y2="${y}" stroke="#ddd"/><text x="${x}" y="${y + 14}" font-size="11" text-anchor="middle">${clock(t)}</text>`);
  }
  return out.join('');
}

/** Rows of spans (one row per ring or truth): asleep, interruptions, stress, activity. */
function bandChart(a: Axis, rows: { label: string; spans: { start_ms: number; end_ms: number; color: string }[] }[]): string {
  const rowH = 22;
  const h = rows.length * (rowH + 6) + 4;
  const body = rows.map((r, i) => {
    const y = 4 + i * (rowH + 6);
    const rects = r.spans.map((s) => {
      const x0 = Math.max(PAD_L, xOf(a, s.start_ms));
      const x1 = Math.min(W - PAD_R, xOf(a, s.end_ms));
      return x1 > x0 ? `<rect x="${x0.toFixed(1)}" y="${y}" width="${(x1 - x0).toFixed(1)}" height="${rowH}" fill="${s.color}"/>` : '';
    }).join('');
    return `<rect x="${PAD_L}" y="${y}" width="${W - PAD_L - PAD_R}" height="${rowH}" fill="#f1f1f1"/>${rects}<text x="4" y="${y + 15}" font-size="11">${esc(r.label)}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h + 18}">${timeTicks(a, h)}${body}</svg>`;
}

/** A line per series; points further apart than gap_ms are not joined (a gap in the data). */
function lineChart(a: Axis, title: string, unit: string, series: { label: string; color: string; points: TimedValue[] }[], shade: { start_ms: number; end_ms: number }[] = [], gap_ms = 5 * 60000): string {
  const h = 200;
  const pts = series.flatMap((s) => s.points.filter((p) => p.t_ms >= a.t0 && p.t_ms <= a.t1));
  if (pts.length === 0) return `<p>${esc(title)}: no data in this span.</p>`;
  let lo = Math.min(...pts.map((p) => p.value));
  let hi = Math.max(...pts.map((p) => p.value));
  if (hi - lo < 1) { hi += 0.5; lo -= 0.5; }
  const yOf = (v: number): number => 8 + (1 - (v - lo) / (hi - lo)) * (h - 16);
  const shaded = shade.map((s) => {
    const x0 = Math.max(PAD_L, xOf(a, s.start_ms));
    const x1 = Math.min(W - PAD_R, xOf(a, s.end_ms));
    return x1 > x0 ? `<rect x="${x0.toFixed(1)}" y="0" width="${(x1 - x0).toFixed(1)}" height="${h}" fill="#fde68a"/>` : '';
  }).join('');
  const lines = series.map((s) => {
    const segs: string[] = [];
    let cur: string[] = [];
    let prev = -Infinity;
    for (const p of s.points) {
      if (p.t_ms < a.t0 || p.t_ms > a.t1) continue;
      if (p.t_ms - prev > gap_ms && cur.length > 0) { segs.push(cur.join(' ')); cur = []; }
      cur.push(`${xOf(a, p.t_ms).toFixed(1)},${yOf(p.value).toFixed(1)}`);
      prev = p.t_ms;
    }
    if (cur.length > 0) segs.push(cur.join(' '));
    // A lone point (its neighbours beyond gap_ms) shows as a dot.
    return segs.map((d) => d.includes(' ') ? `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${d}"/>`
      : `<circle cx="${d.split(',')[0]}" cy="${d.split(',')[1]}" r="2.5" fill="${s.color}"/>`).join('');
  }).join('');
  const yTicks = [lo, (lo + hi) / 2, hi].map((v) => `<text x="${PAD_L - 6}" y="${yOf(v) + 4}" font-size="11" text-anchor="end">${v.toFixed(0)}</text>`).join('');
  const legend = series.map((s, i) => `<tspan fill="${s.color}" dx="${i ? 16 : 0}">${esc(s.label)}</tspan>`).join('');
  return `<h3>${esc(title)} <small>(${esc(unit)})</small></h3><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h + 36}">${shaded}${timeTicks(a, h)}<rect x="${PAD_L}" y="0" width="${W - PAD_L - PAD_R}" height="${h}" fill="none" stroke="#999"/>${yTicks}${lines}<text x="${PAD_L}" y="${h + 32}" font-size="12">${legend}</text></svg>`;
}

function sleepRow(r: ReportRing): { start_ms: number; end_ms: number; color: string }[] {
  return [
    ...r.wellness.periods.map((p) => ({ start_ms: p.onset_ms, end_ms: p.wake_ms, color: p.type === 'sleep' ? '#1e3a8a' : '#60a5fa' })),
    ...r.wellness.gaps.map((g) => ({ ...g, color: '#f59e0b' })),
  ];
}

function truthRow(r: ReportRing): { start_ms: number; end_ms: number; color: string }[] {
  const t = r.truth;
  if (!t) return [];
  const at = (ms: number): number => t.start_utc_ms + ms;
  return [
    ...t.sleeps.map((s) => ({ start_ms: at(s.onset_ms), end_ms: at(s.wake_ms), color: '#6b7280' })),
    ...t.sleeps.flatMap((s) => s.awake.map((x) => ({ start_ms: at(x.start_ms), end_ms: at(x.end_ms), color: '#fbbf24' }))),
    ...t.stress.map((s) => ({ start_ms: at(s.start_ms), end_ms: at(s.end_ms), color: '#dc2626' })),
    ...t.activity.map((s) => ({ start_ms: at(s.start_ms), end_ms: at(s.end_ms), color: '#16a34a' })),
  ];
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
    `<style>body{font-family:sans-serif;margin:16px;background:#fff;color:#111}h1{font-size:20px}h3{font-size:14px;margin:14px 0 4px}` +
    `table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}.note{font-size:12px;color:#555}</style>` +
    `</head><body><h1>${esc(title)}</h1>${body}<p class="note">Wellness indicators computed on the ring (docs/wellness.md), not diagnoses.</p></body></html>\n`;
}

const fmt = (v: number | null, d = 1): string => (v === null ? '-' : v.toFixed(d));

function nightTable(rings: ReportRing[], a: Axis): string {
  const rows = rings.flatMap((r) => r.wellness.periods.filter((p) => p.wake_ms > a.t0 && p.onset_ms < a.t1).map((p) =>
    `<tr><td>${esc(r.record)}</td><td>${p.type}</td><td>${clock(p.onset_ms)}</td><td>${clock(p.wake_ms)}</td><td>${(p.asleep_min / 60).toFixed(1)} h</td>` +
    `<td>${p.interruptions}</td><td>${fmt(p.lowest_hr_bpm)}</td><td>${fmt(p.rmssd_ms)}</td>` +
    `<td>${p.hrv_window ? `${clock(p.hrv_window.start_ms)}-${clock(p.hrv_window.end_ms)} (${p.hrv_window.windows})` : '-'}</td><td>${p.recovery ?? '-'}</td></tr>`));
  return `<table><tr><th>ring</th><th>period</th><th>onset</th><th>wake</th><th>asleep</th><th>interruptions</th><th>lowest HR (bpm)</th>` +
    `<th>nightly RMSSD (ms)</th><th>HRV window (UTC, windows)</th><th>recovery</th></tr>${rows.join('')}</table>`;
}

function pairTable(pairs: PairFigures[]): string {
  if (pairs.length === 0) return '';
  const rows = pairs.map((p) => `<tr><td>${esc(p.a)} + ${esc(p.b)}</td><td>${fmt(p.hr_synchrony, 2)}</td><td>${fmt(p.hrv_synchrony, 2)}</td><td>${p.windows}</td><td>${fmt(p.rest_overlap, 2)}</td></tr>`);
  return `<h3>Synchrony (whole recording)</h3><table><tr><th>pair</th><th>HR synchrony</th><th>HRV synchrony</th><th>windows</th><th>rest overlap</th></tr>${rows.join('')}</table>` +
    `<p class="note">Windowed cross-correlation of detrended 20-minute windows, lags up to 3 minutes (Boker et al. 2002; Palumbo et al. 2017); rest overlap: Jaccard index of rest/sleep time.</p>`;
}

function bands(rings: ReportRing[], a: Axis): string {
  const rows = rings.flatMap((r) => {
    const own = [{ label: `${r.record}`, spans: [...sleepRow(r), ...r.wellness.stress.map((s) => ({ ...s, color: '#dc2626' }))] }];
    const truth = truthRow(r);
    return truth.length > 0 ? [...own, { label: 'truth', spans: truth }] : own;
  });
  return `<h3>Rest and sleep <small>(dark: sleep, light: rest, amber: interruption, red: stress; truth rows from the generator)</small></h3>${bandChart(a, rows)}`;
}

/** Night spans: an hour either side of each sleep period of the first ring (or of any ring). */
function nights(rings: ReportRing[]): Axis[] {
  const all = rings.flatMap((r) => r.wellness.periods.filter((p) => p.type === 'sleep'));
  all.sort((x, y) => x.onset_ms - y.onset_ms);
  const out: Axis[] = [];
  for (const p of all) {
    const a = { t0: p.onset_ms - MS_H, t1: p.wake_ms + MS_H };
    const last = out[out.length - 1];
    if (last && a.t0 < last.t1) last.t1 = Math.max(last.t1, a.t1);
    else out.push(a);
  }
  return out;
}

function extent(rings: ReportRing[]): Axis {
  const ts = rings.flatMap((r) => r.hr.map((p) => p.t_ms));
  return { t0: Math.min(...ts), t1: Math.max(...ts) };
}

/** Days: from each night's end to the next night's start (the recording's ends otherwise), when half an hour or longer. */
function days(rings: ReportRing[], ns: Axis[]): Axis[] {
  const all = extent(rings);
  const cuts = [all.t0, ...ns.flatMap((n) => [n.t0, n.t1]), all.t1];
  const out: Axis[] = [];
  for (let i = 0; i + 1 < cuts.length; i += 2) if (cuts[i + 1] - cuts[i] >= MS_H / 2) out.push({ t0: cuts[i], t1: cuts[i + 1] });
  return out;
}

export function buildReport(rings: ReportRing[], pairs: PairFigures[]): ReportPage[] {
  if (rings.length === 0 || rings.every((r) => r.hr.length === 0)) throw new RangeError('nothing to report: the rings gave no heart rate');
  const who = rings.map((r) => r.record).join(' + ');
  const color = (i: number): string => COLORS[i % COLORS.length];
  const pages: ReportPage[] = [];
  const ns = nights(rings);
  ns.forEach((a, i) => {
    const title = `Night ${i + 1} (${day(a.t0)}), ${who}`;
    const body = nightTable(rings, a) + bands(rings, a) +
      lineChart(a, 'Heart rate through the night', 'bpm, 60 s windows', rings.map((r, k) => ({ label: r.record, color: color(k), points: r.hr }))) +
      lineChart(a, 'HRV through the night', 'RMSSD ms, 60 s windows', rings.map((r, k) => ({ label: r.record, color: color(k), points: r.rmssd }))) +
      pairTable(pairs);
    pages.push({ file: `night-${i + 1}.html`, title, html: page(title, body) });
  });
  days(rings, ns).forEach((a, i) => {
    const title = `Day ${i + 1} (${day(a.t0)} ${clock(a.t0)}-${clock(a.t1)} UTC), ${who}`;
    const levels = rings.map((r, k) => ({
      label: r.record, color: color(k),
      points: r.wellness.levels.filter((l) => l.score !== null).map((l) => ({ t_ms: l.end_ms - 7.5 * 60000, value: l.score! })),
    }));
    const episodes = rings.flatMap((r) => r.wellness.stress);
    const list = rings.flatMap((r) => r.wellness.stress.filter((s) => s.end_ms > a.t0 && s.start_ms < a.t1).map((s) =>
      `<li>${esc(r.record)}: ${clock(s.start_ms)}-${clock(s.end_ms)} UTC, peak ${s.peak}, mean ${s.mean}</li>`));
    const body = bands(rings, a) +
      `<h3>Stress episodes</h3>${list.length > 0 ? `<ul>${list.join('')}</ul>` : '<p>None detected.</p>'}` +
      lineChart(a, 'Stress indicator (15-minute mean of scored minutes; episodes shaded)', '0..100', levels, episodes, 20 * 60000) +
      lineChart(a, 'Heart rate over the day', 'bpm, 60 s windows', rings.map((r, k) => ({ label: r.record, color: color(k), points: r.hr })), episodes) +
      lineChart(a, 'HRV over the day', 'RMSSD ms, 60 s windows', rings.map((r, k) => ({ label: r.record, color: color(k), points: r.rmssd })), episodes) +
      pairTable(pairs);
    pages.push({ file: `day-${i + 1}.html`, title, html: page(title, body) });
  });
  return pages;
}
