// The result of a CI run as one JSON document (what `--json` prints and `ring ci merge`
// reads), the summary computed from it, and the merge of shard results. The summary is a
// function of the sessions alone, so n merged shards give exactly one run's summary.

import fs from 'node:fs';
import { aggregate, type AggregateScore, type RecordScore } from '../score/score.js';
import { formatScoreTable } from '../score/format.js';
import { CiError } from './errors.js';
import { formatFirstDifference } from './first-diff.js';
import type { SessionResult, SessionStatus } from './run-session.js';
import type { Shard } from './shard.js';

export const RESULT_FORMAT = 'ring-ci-result';
export const RESULT_VERSION = 1;

/** Accuracy floors and ceilings; each applies to the overall figures and to every scored session. */
export interface CiThresholds {
  min_f1?: number;
  max_hr_aae_bpm?: number;
  max_timing_error_ms?: number;
  max_rmssd_error_ms?: number;
}

export interface CiRun {
  /** 'protocol' (over the simulated BLE link) or 'direct' (the firmware's output sink). */
  mode: 'protocol' | 'direct';
  /** The firmware bundle replayed, or null for the built-in firmware. */
  firmware: string | null;
  thresholds: CiThresholds;
  update_golden: boolean;
}

export interface CiResultDoc {
  format: typeof RESULT_FORMAT;
  version: typeof RESULT_VERSION;
  shard: Shard | null;
  run: CiRun;
  sessions: SessionResult[];
}

export interface CiSummary {
  sessions: number;
  counts: Record<SessionStatus, number>;
  /** Recording time replayed (ms), the shard's load. */
  replayed_ms: number;
  accuracy: Omit<AggregateScore, never> | null;
  threshold_failures: string[];
  ok: boolean;
}

const STATUSES: SessionStatus[] = ['passed', 'changed', 'new', 'missing', 'errored'];

interface Check {
  key: keyof CiThresholds;
  flag: string;
  label: string;
  value: (s: Pick<RecordScore, 'f1' | 'hr_mae_bpm' | 'timing_error_ms_median' | 'rmssd_error_ms_median'>) => number | null;
  floor: boolean;
  unit: string;
}

export const THRESHOLD_CHECKS: readonly Check[] = [
  { key: 'min_f1', flag: '--min-f1', label: 'F1', value: (s) => s.f1, floor: true, unit: '' },
  { key: 'max_hr_aae_bpm', flag: '--max-hr-aae-bpm', label: 'HR AAE', value: (s) => s.hr_mae_bpm, floor: false, unit: ' bpm' },
  { key: 'max_timing_error_ms', flag: '--max-timing-error-ms', label: 'median timing error', value: (s) => s.timing_error_ms_median, floor: false, unit: ' ms' },
  { key: 'max_rmssd_error_ms', flag: '--max-rmssd-error-ms', label: 'median RMSSD error', value: (s) => s.rmssd_error_ms_median, floor: false, unit: ' ms' },
];

function checkFigures(who: string, s: Parameters<Check['value']>[0], t: CiThresholds): string[] {
  const out: string[] = [];
  for (const c of THRESHOLD_CHECKS) {
    const limit = t[c.key];
    if (limit === undefined) continue;
    const v = c.value(s);
    if (v === null) continue; // nothing to judge (no HR window, no HRV window)
    if (c.floor ? v < limit : v > limit) out.push(`${who}: ${c.label} ${round(v)}${c.unit} ${c.floor ? '<' : '>'} ${c.flag} ${limit}`);
  }
  return out;
}

const round = (v: number): string => String(Number(v.toFixed(4)));

/** Threshold failures of one session (empty when it meets them or has no score). */
export function sessionThresholdFailures(s: SessionResult, t: CiThresholds): string[] {
  return s.score === null ? [] : checkFigures(`session ${s.id}`, s.score, t);
}

export function summarize(doc: CiResultDoc): CiSummary {
  const counts = Object.fromEntries(STATUSES.map((k) => [k, 0])) as Record<SessionStatus, number>;
  for (const s of doc.sessions) counts[s.status]++;
  const scores = doc.sessions.flatMap((s) => (s.score === null ? [] : [s.score]));
  const accuracy = scores.length > 0 ? aggregate(scores) : null;
  const threshold_failures = doc.sessions.flatMap((s) => sessionThresholdFailures(s, doc.run.thresholds));
  if (accuracy !== null) threshold_failures.push(...checkFigures('overall', accuracy, doc.run.thresholds));
  const golden_ok = doc.run.update_golden || (counts.changed === 0 && counts.new === 0 && counts.missing === 0);
  return {
    sessions: doc.sessions.length,
    counts,
    replayed_ms: doc.sessions.reduce((a, s) => a + (s.duration_ms ?? 0), 0),
    accuracy,
    threshold_failures,
    ok: golden_ok && counts.errored === 0 && threshold_failures.length === 0,
  };
}

/** The human summary: counts, then each session that did not pass, accuracy, thresholds, verdict. */
export function formatSummary(doc: CiResultDoc, sum: CiSummary): string {
  const out: string[] = [];
  const fw = doc.run.firmware === null ? 'built-in firmware' : `firmware ${doc.run.firmware}`;
  const shard = doc.shard === null ? '' : `, shard ${doc.shard.index}/${doc.shard.count}`;
  out.push(`ring ci: ${sum.sessions} sessions (${doc.run.mode} replay, ${fw}${shard}), ${(sum.replayed_ms / 60000).toFixed(1)} min of recordings`);
  out.push(STATUSES.map((k) => `${sum.counts[k]} ${k}`).join(', '));
  const notPassed = doc.sessions.filter((s) => s.status !== 'passed');
  if (notPassed.length > 0) out.push('');
  for (const s of notPassed) {
    const updated = doc.run.update_golden && s.status !== 'errored' ? ' (golden updated)' : '';
    switch (s.status) {
      case 'changed':
        out.push(`changed  ${s.id}${updated}`);
        if (s.first_difference !== null) out.push(`         ${formatFirstDifference(s.first_difference)}`);
        out.push(`         ${s.golden_lines} -> ${s.lines} lines; reproduce: ${s.reproduce}`);
        break;
      case 'new':
        out.push(`new      ${s.id}${updated}: no golden ${s.golden}${updated ? '' : ' (write it with --update-golden)'}`);
        break;
      case 'missing':
        out.push(`missing  ${s.id}${doc.run.update_golden ? ' (golden removed)' : ''}: golden ${s.golden} has no recording`);
        break;
      case 'errored':
        out.push(`errored  ${s.id}: ${s.error}`);
        break;
      default:
        break;
    }
  }
  const scored = doc.sessions.filter((s) => s.score !== null);
  if (sum.accuracy !== null) {
    out.push('');
    out.push(`accuracy (${scored.length} sessions with reference beats)`);
    const rows = scored.map((s) => ({ ...s.score!, record: s.id }));
    out.push(formatScoreTable(rows, sum.accuracy).trimEnd());
  }
  const given = THRESHOLD_CHECKS.filter((c) => doc.run.thresholds[c.key] !== undefined);
  if (given.length > 0) {
    out.push('');
    out.push(`thresholds: ${given.map((c) => `${c.flag} ${doc.run.thresholds[c.key]}`).join(', ')}${sum.accuracy === null ? ' (no session has reference beats)' : ''}`);
    for (const f of sum.threshold_failures) out.push(`  FAILED ${f}`);
  }
  out.push('');
  out.push(verdict(sum));
  return out.join('\n') + '\n';
}

function verdict(sum: CiSummary): string {
  if (sum.ok) return 'result: OK';
  const why = (['changed', 'new', 'missing', 'errored'] as const).filter((k) => sum.counts[k] > 0).map((k) => `${sum.counts[k]} ${k}`);
  if (sum.threshold_failures.length > 0) why.push(`${sum.threshold_failures.length} below accuracy thresholds`);
  return `result: FAILED (${why.join(', ')})`;
}

export function resultJson(doc: CiResultDoc, sum: CiSummary): string {
  return JSON.stringify({ ...doc, summary: sum }, null, 2) + '\n';
}

/** Read a result written by `ring ci --json`. */
export function readResult(file: string): CiResultDoc {
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CiError(code === 'ENOENT' ? `no such result file: ${file}` : `${file}: not a ring ci result (${err instanceof Error ? err.message : String(err)})`);
  }
  const d = v as Partial<CiResultDoc> | null;
  if (d === null || typeof d !== 'object' || d.format !== RESULT_FORMAT) throw new CiError(`${file}: not a ring ci result (written by ring ci --json)`);
  if (d.version !== RESULT_VERSION) throw new CiError(`${file}: result version ${String(d.version)}, this ring reads version ${RESULT_VERSION}`);
  if (!Array.isArray(d.sessions) || typeof d.run !== 'object' || d.run === null) throw new CiError(`${file}: result without sessions or run options`);
  return d as CiResultDoc;
}

/** Join shard results into the result of one unsharded run. */
export function mergeResults(docs: readonly { file: string; doc: CiResultDoc }[]): CiResultDoc {
  if (docs.length === 0) throw new CiError('ring ci merge needs at least one result file');
  const first = docs[0]!;
  const runKey = JSON.stringify(first.doc.run);
  for (const { file, doc } of docs) {
    if (JSON.stringify(doc.run) !== runKey) throw new CiError(`${file} ran with other options than ${first.file} (${JSON.stringify(doc.run)} vs ${runKey})`);
  }
  const count = first.doc.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const { file, doc } of docs) {
    const k = doc.shard?.index ?? 1;
    const n = doc.shard?.count ?? 1;
    if (n !== count) throw new CiError(`${file} is shard ${k}/${n} but ${first.file} is one of ${count} shards`);
    const dup = seen.get(k);
    if (dup !== undefined) throw new CiError(`${file} and ${dup} are both shard ${k}/${n}`);
    seen.set(k, file);
  }
  const absent = [...Array(count).keys()].map((i) => i + 1).filter((k) => !seen.has(k));
  if (absent.length > 0) throw new CiError(`shard results missing: ${absent.map((k) => `${k}/${count}`).join(', ')} (a merge needs every shard)`);
  const sessions = docs.flatMap(({ doc }) => doc.sessions);
  const ids = new Set<string>();
  for (const s of sessions) {
    if (ids.has(s.id)) throw new CiError(`session ${s.id} appears in two shard results (were the shards run on different libraries?)`);
    ids.add(s.id);
  }
  sessions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { format: RESULT_FORMAT, version: RESULT_VERSION, shard: null, run: first.doc.run, sessions };
}
