// Co-regulation figures of two rings on one time axis, from their shared summaries (the
// 60-second HRV windows: mean interval -> heart rate, RMSSD) and their rest/sleep periods.
//
// Physiological synchrony by windowed cross-correlation (WCC), as Boker et al. (Psychol
// Methods 7(3), 2002) define it and Palumbo et al. (Pers Soc Psychol Rev 21(2), 2017)
// review it for interpersonal autonomic synchrony: both series on a common 30-second grid,
// cut into windows (WINDOW_POINTS, overlapping by half); in each, both are linearly
// detrended (so the shared day/night rhythm does not count as synchrony) and correlated at
// lags up to +-LAG_POINTS; the window's synchrony is the largest correlation; the overall
// figure is the mean of the windows' Fisher z, transformed back. Rest overlap is the
// Jaccard index of the two rings' rest/sleep time.

export const GRID_MS = 30000;
export const WINDOW_POINTS = 40; // 20 minutes
export const LAG_POINTS = 6; // +-3 minutes
/** A window counts when both series have at least this share of its points. */
const WINDOW_VALID_MIN = 0.8;

export interface TimedValue {
  /** Common (aligned) time, ms. */
  t_ms: number;
  value: number;
}

export interface WccResult {
  /** tanh(mean z) over the windows, null without any window. */
  synchrony: number | null;
  windows: { start_ms: number; r_max: number; lag_ms: number }[];
}

/** Values on the grid [start, end) of GRID_MS (NaN where a ring has none). */
export function onGrid(values: TimedValue[], start_ms: number, end_ms: number): Float64Array {
  const n = Math.max(0, Math.floor((end_ms - start_ms) / GRID_MS));
  const out = new Float64Array(n).fill(NaN);
  for (const v of values) {
    const i = Math.round((v.t_ms - start_ms) / GRID_MS);
    if (i >= 0 && i < n && Number.isFinite(v.value)) out[i] = v.value;
  }
  return out;
}

function detrended(x: Float64Array): Float64Array {
  let n = 0, st = 0, sx = 0, stt = 0, stx = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) continue;
    n++; st += i; sx += x[i]; stt += i * i; stx += i * x[i];
  }
  const out = new Float64Array(x.length).fill(NaN);
  if (n < 3) return out;
  const d = n * stt - st * st;
  const slope = d === 0 ? 0 : (n * stx - st * sx) / d;
  const icept = (sx - slope * st) / n;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i])) out[i] = x[i] - (icept + slope * i);
  return out;
}

/** Pearson r of a[i] and b[i + lag] over the indices where both exist; null with < 10 pairs. */
function corrAtLag(a: Float64Array, b: Float64Array, lag: number): number | null {
  let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let i = 0; i < a.length; i++) {
    const j = i + lag;
    if (j < 0 || j >= b.length || Number.isNaN(a[i]) || Number.isNaN(b[j])) continue;
    n++; sa += a[i]; sb += b[j]; saa += a[i] * a[i]; sbb += b[j] * b[j]; sab += a[i] * b[j];
  }
  if (n < 10) return null;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  if (va <= 0 || vb <= 0) return null;
  return (sab - (sa * sb) / n) / Math.sqrt(va * vb);
}

export function windowedCrossCorrelation(a: Float64Array, b: Float64Array, start_ms: number): WccResult {
  const windows: WccResult['windows'] = [];
  const n = Math.min(a.length, b.length);
  const step = WINDOW_POINTS / 2;
  for (let s = 0; s + WINDOW_POINTS <= n; s += step) {
    const wa = a.subarray(s, s + WINDOW_POINTS);
    const wb = b.subarray(s, s + WINDOW_POINTS);
    const valid = (w: Float64Array): number => w.reduce((c, v) => c + (Number.isNaN(v) ? 0 : 1), 0) / w.length;
    if (valid(wa) < WINDOW_VALID_MIN || valid(wb) < WINDOW_VALID_MIN) continue;
    const da = detrended(wa);
    const db = detrended(wb);
    let best: number | null = null;
    let best_lag = 0;
    for (let lag = -LAG_POINTS; lag <= LAG_POINTS; lag++) {
      const r = corrAtLag(da, db, lag);
      if (r !== null && (best === null || r > best)) {
        best = r;
        best_lag = lag;
      }
    }
    if (best !== null) windows.push({ start_ms: start_ms + s * GRID_MS, r_max: best, lag_ms: best_lag * GRID_MS });
  }
  if (windows.length === 0) return { synchrony: null, windows };
  const z = windows.reduce((acc, w) => acc + Math.atanh(Math.max(-0.999, Math.min(0.999, w.r_max))), 0) / windows.length;
  return { synchrony: Math.tanh(z), windows };
}

export interface Interval {
  start_ms: number;
  end_ms: number;
}

function totalMs(xs: Interval[]): number {
  return xs.reduce((s, x) => s + Math.max(0, x.end_ms - x.start_ms), 0);
}

/** Jaccard index of two sets of intervals (each set non-overlapping): |A ∩ B| / |A ∪ B|, null when both are empty. */
export function restOverlap(a: Interval[], b: Interval[]): number | null {
  let inter = 0;
  for (const x of a) for (const y of b) inter += Math.max(0, Math.min(x.end_ms, y.end_ms) - Math.max(x.start_ms, y.start_ms));
  const union = totalMs(a) + totalMs(b) - inter;
  return union > 0 ? inter / union : null;
}
