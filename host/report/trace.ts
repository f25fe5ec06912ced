// Decimate a PPG trace for drawing: per pixel column keep the minimum and the maximum
// (in time order), so every peak and trough survives at any zoom-out.

import assert from 'node:assert/strict';

export interface TracePoint {
  /** Pixel column from the row start. */
  x_px: number;
  value: number;
}

export interface TraceRange {
  start_ms: number;
  end_ms: number;
  ms_per_px: number;
}

/** Samples at sample_rate_hz, sample i at i * 1000 / rate ms. At most 2 points per column. */
export function decimateMinMax(ppg: ArrayLike<number>, sample_rate_hz: number, range: TraceRange): TracePoint[] {
  if (!(sample_rate_hz > 0)) throw new RangeError(`sample_rate_hz must be > 0, got ${sample_rate_hz}`);
  if (!(range.ms_per_px > 0)) throw new RangeError(`ms_per_px must be > 0, got ${range.ms_per_px}`);
  const first = Math.max(0, Math.ceil((range.start_ms * sample_rate_hz) / 1000));
  const end = Math.min(ppg.length, Math.ceil((range.end_ms * sample_rate_hz) / 1000));
  const out: TracePoint[] = [];
  let col = -1;
  let iMin = -1;
  let iMax = -1;
  const flush = (): void => {
    if (col < 0) return;
    const [a, b] = iMin <= iMax ? [iMin, iMax] : [iMax, iMin];
    out.push({ x_px: col, value: ppg[a]! });
    if (b !== a) out.push({ x_px: col, value: ppg[b]! });
  };
  for (let i = first; i < end; i++) {
    const c = Math.floor(((i * 1000) / sample_rate_hz - range.start_ms) / range.ms_per_px);
    if (c !== col) {
      flush();
      col = c;
      iMin = i;
      iMax = i;
    } else {
      if (ppg[i]! < ppg[iMin]!) iMin = i;
      if (ppg[i]! > ppg[iMax]!) iMax = i;
    }
  }
  flush();
  assert.ok(out.length <= 2 * Math.max(0, end - first));
  return out;
}
