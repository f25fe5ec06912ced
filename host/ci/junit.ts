// The run as JUnit XML, which CI systems (GitHub Actions reporters, GitLab, Jenkins)
// display natively: one testsuite "ring ci", one testcase per session (name = session id),
// a <failure> per changed, new or missing golden and per accuracy threshold missed, an
// <error> for a session that could not be replayed, and a testcase for the overall
// accuracy when thresholds were given. The structure is Ant's JUnit report format as
// Jenkins reads it (test/data/junit/junit.xsd checks it). No times: the file is the
// same for every --jobs and for merged shards.

import type { CiResultDoc, CiSummary } from './result.js';
import { sessionThresholdFailures } from './result.js';
import { formatFirstDifference } from './first-diff.js';
import type { SessionResult } from './run-session.js';

const SUITE = 'ring ci';
const CLASS_PREFIX = 'ring-ci';

/** XML 1.0 text: escape markup, drop characters XML cannot carry. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function classname(id: string): string {
  const slash = id.lastIndexOf('/');
  return slash < 0 ? CLASS_PREFIX : `${CLASS_PREFIX}.${id.slice(0, slash).replace(/\//g, '.')}`;
}

function element(tag: 'failure' | 'error', type: string, message: string, body: string): string {
  return `      <${tag} type="${xmlEscape(type)}" message="${xmlEscape(message)}">${xmlEscape(body)}</${tag}>`;
}

function sessionCase(doc: CiResultDoc, s: SessionResult): { xml: string; failures: number; errors: number } {
  const inner: string[] = [];
  let failures = 0;
  let errors = 0;
  const update = doc.run.update_golden;
  if (s.status === 'errored') {
    inner.push(element('error', 'errored', s.error ?? 'error', `${s.error ?? ''}\nreproduce: ${s.reproduce}`));
    errors++;
  } else if (!update && s.status === 'changed') {
    const first = s.first_difference === null ? 'output changed' : formatFirstDifference(s.first_difference);
    inner.push(element('failure', 'changed', `golden changed: ${first}`, `${s.diff ?? ''}\nreproduce: ${s.reproduce}`));
    failures++;
  } else if (!update && s.status === 'new') {
    inner.push(element('failure', 'new', `no golden ${s.golden}: write it with ring ci --update-golden`, s.reproduce));
    failures++;
  } else if (!update && s.status === 'missing') {
    inner.push(element('failure', 'missing', `golden ${s.golden} has no recording`, s.golden));
    failures++;
  }
  for (const f of sessionThresholdFailures(s, doc.run.thresholds)) {
    inner.push(element('failure', 'accuracy', f, f));
    failures++;
  }
  if (s.score !== null) {
    const sc = s.score;
    const f = (v: number | null): string => (v === null ? '-' : String(Number(v.toFixed(4))));
    const figures = `F1 ${f(sc.f1)}, F1@50ms ${f(sc.f1_50ms)}, HR AAE ${f(sc.hr_mae_bpm)} bpm, median timing error ${f(sc.timing_error_ms_median)} ms, median RMSSD error ${f(sc.rmssd_error_ms_median)} ms`;
    inner.push(`      <system-out>${xmlEscape(figures)}</system-out>`);
  }
  const open = `    <testcase name="${xmlEscape(s.id)}" classname="${xmlEscape(classname(s.id))}"`;
  const xml = inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`;
  return { xml, failures, errors };
}

export function junitXml(doc: CiResultDoc, sum: CiSummary): string {
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  for (const s of doc.sessions) {
    const c = sessionCase(doc, s);
    cases.push(c.xml);
    // Counted per test, as JUnit does: a test with an error is an error, else a failure.
    if (c.errors > 0) errors++;
    else if (c.failures > 0) failures++;
  }
  const overall = sum.threshold_failures.filter((f) => f.startsWith('overall:'));
  const has_thresholds = Object.keys(doc.run.thresholds).length > 0;
  if (has_thresholds && sum.accuracy !== null) {
    const inner = overall.map((f) => element('failure', 'accuracy', f, f));
    if (overall.length > 0) failures++;
    const open = `    <testcase name="accuracy (overall)" classname="${CLASS_PREFIX}"`;
    cases.push(inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`);
  }
  const tests = cases.length;
  const counts = `tests="${tests}" failures="${failures}" errors="${errors}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${SUITE}" ${counts}>`,
    `  <testsuite name="${SUITE}" ${counts} skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
