// Heart rate against a windowed reference (the IEEE Signal Processing Cup 2015 protocol,
// ../shared/datasets/README.md): for each window k of the reference (8 s, 2 s step), the
// ring's latest heart-rate record at or before the window's end against ref_hr.bpm[k].
// Average absolute error per record, then the mean over records is the headline.

import type { ReplayFixture as Fixture } from '../../sim/fixture/types.js';
import type { ReplayView } from '../../sim/replay-types.js';
import { mean, percentile } from './stats.js';

export class HrWindowScoreError extends Error {}

export interface HrWindowFigures {
  /** Reference windows. */
  hr_windows: number;
  /** Windows for which the ring had reported a heart rate by the window's end. */
  hr_windows_estimated: number;
  hr_window_estimate_fraction: number;
  /** Mean |estimate - reference| over the estimated windows (bpm). */
  hr_window_aae_bpm: number | null;
  hr_window_error_p95_bpm: number | null;
}

export interface HrWindowRecord extends HrWindowFigures {
  record: string;
  rate_hz: number;
  /** Per window: its end (ms), the reference, the estimate (null when none). */
  windows: { end_ms: number; ref_bpm: number; est_bpm: number | null }[];
}

export interface HrWindowAggregate extends HrWindowFigures {
  record_count: number;
  /** The records with the largest AAE, worst first. */
  worst: { record: string; hr_window_aae_bpm: number | null }[];
}

export function hasHrReference(f: Fixture): boolean {
  return f.ref_hr !== undefined && f.ref_hr.bpm.length > 0;
}

export function scoreHrWindows(fixture: Fixture, result: ReplayView): HrWindowRecord {
  const ref = fixture.ref_hr;
  if (ref === undefined || ref.bpm.length === 0) throw new HrWindowScoreError(`${fixture.meta.record}: no windowed heart-rate reference (ref_hr)`);
  const hr = [...result.hr].sort((a, b) => a.time_ms - b.time_ms);
  const windows: HrWindowRecord['windows'] = [];
  let j = -1;
  for (let k = 0; k < ref.bpm.length; k++) {
    const end_ms = Math.round((k * ref.step_s + ref.window_s) * 1000);
    while (j + 1 < hr.length && hr[j + 1]!.time_ms <= end_ms) j++;
    windows.push({ end_ms, ref_bpm: ref.bpm[k]!, est_bpm: j >= 0 ? hr[j]!.hr_bpm_x10 / 10 : null });
  }
  const errors = windows.flatMap((w) => (w.est_bpm === null ? [] : [Math.abs(w.est_bpm - w.ref_bpm)]));
  return { record: fixture.meta.record, rate_hz: result.rate_hz, ...figures(windows.length, errors, mean(errors)), windows };
}

function figures(total: number, errors: number[], aae: number | null): HrWindowFigures {
  return {
    hr_windows: total,
    hr_windows_estimated: errors.length,
    hr_window_estimate_fraction: total === 0 ? 0 : errors.length / total,
    hr_window_aae_bpm: aae,
    hr_window_error_p95_bpm: percentile(errors, 95),
  };
}

/** AAE: the mean of the records' AAE (the literature's convention); p95 over every window. */
export function aggregateHrWindows(records: readonly HrWindowRecord[]): HrWindowAggregate {
  if (records.length === 0) throw new HrWindowScoreError('aggregate: no records to aggregate');
  const errors = records.flatMap((r) => r.windows.flatMap((w) => (w.est_bpm === null ? [] : [Math.abs(w.est_bpm - w.ref_bpm)])));
  const per_record = records.flatMap((r) => (r.hr_window_aae_bpm === null ? [] : [r.hr_window_aae_bpm]));
  const total = records.reduce((s, r) => s + r.hr_windows, 0);
  const worst = [...records]
    .sort((a, b) => (b.hr_window_aae_bpm ?? Infinity) - (a.hr_window_aae_bpm ?? Infinity))
    .slice(0, 3)
    .map((r) => ({ record: r.record, hr_window_aae_bpm: r.hr_window_aae_bpm }));
  return { record_count: records.length, ...figures(total, errors, mean(per_record)), worst };
}

/** Plain-text table: one row per record, then the aggregate. */
export function formatHrWindowTable(records: readonly HrWindowRecord[], agg: HrWindowAggregate): string {
  const head = ['record', 'rate Hz', 'windows', 'estimated %', 'AAE bpm', 'p95 err bpm'];
  const row = (label: string, rate: string, f: HrWindowFigures): string[] => [
    label,
    rate,
    String(f.hr_windows),
    (f.hr_window_estimate_fraction * 100).toFixed(1),
    f.hr_window_aae_bpm === null ? '-' : f.hr_window_aae_bpm.toFixed(2),
    f.hr_window_error_p95_bpm === null ? '-' : f.hr_window_error_p95_bpm.toFixed(1),
  ];
  const rates = new Set(records.map((r) => r.rate_hz));
  const rows = [head, ...records.map((r) => row(r.record, String(r.rate_hz), r)), row(`all (${agg.record_count})`, rates.size === 1 ? String(records[0]!.rate_hz) : '-', agg)];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1, -1).map(line), rule, line(rows[rows.length - 1]!)].join('\n') + '\n';
}
