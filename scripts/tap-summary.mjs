// tap reporter for `make test`, a summary that fits on one screen: progress while files run
// (a dot per file, or a counter on a terminal), a line for each file that failed or skipped
// with every failing assertion and its diagnostics, then one line per test folder (files,
// assertions, failures, time), the slowest files, skip reasons once, and a final
// `# { total: N, pass: N, fail: N, skip: N, todo: N }` line that .ci/run sums.
// RING_TEST_FILES=1 prints a line for every file, as it ends.
// Loaded by tap as `--reporter=./scripts/tap-summary.mjs`: a Transform that reads raw TAP.

import { Transform } from 'node:stream';
import { Parser } from 'tap-parser';

const MAX_DIAG_LINES = 40;

function yamlish(value, indent) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  const lines = String(text).split('\n');
  const shown = lines.slice(0, MAX_DIAG_LINES);
  if (lines.length > shown.length) shown.push(`... ${lines.length - shown.length} more lines`);
  return shown.map((l) => indent + l).join('\n');
}

function formatFailure(res, path) {
  const out = [`  not ok ${path.concat(res.name).filter(Boolean).join(' > ')}`];
  const d = res.diag;
  if (d && typeof d === 'object') {
    for (const key of ['message', 'error', 'diff', 'found', 'wanted', 'at', 'stack', 'exitCode', 'signal', 'timeout']) {
      if (d[key] === undefined) continue;
      if (key === 'at' && typeof d.at === 'object') {
        out.push(`      at: ${d.at.fileName}:${d.at.lineNumber}:${d.at.columnNumber}`);
        continue;
      }
      if (key === 'stack' && d.at) continue;
      out.push(`      ${key}:`);
      out.push(yamlish(d[key], '        '));
    }
  }
  return out.join('\n');
}

export default class TapSummary extends Transform {
  #parser = new Parser();
  #totals = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 };
  #files = { ok: 0, fail: 0 };
  #skipReasons = new Map();
  #folders = new Map();
  #times = [];
  #done = 0;
  #tty = Boolean(process.stdout.isTTY);
  #everyFile = process.env.RING_TEST_FILES === '1';
  #dots = 0;

  constructor() {
    super();
    this.#parser.on('child', (child) => this.#watchFile(child));
    this.#parser.on('complete', () => this.#finish());
  }

  /** One test file: count its leaf assertions, keep failures, print a line when it closes. */
  #watchFile(fileParser) {
    const stats = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0, failures: [] };
    const watch = (parser, path) => {
      let lastChild = null;
      parser.on('child', (c) => {
        lastChild = c;
        watch(c, path.concat(c.name));
      });
      parser.on('assert', (res) => {
        const c = lastChild;
        lastChild = null;
        // A subtest's closing test point repeats its children's verdict: not an assertion.
        if (c && res.name === c.name && c.results && res.ok === c.results.ok && c.results.count && !res.todo && !res.skip) return;
        stats.total++;
        if (res.skip) {
          stats.skip++;
          const reason = `${typeof res.skip === 'string' ? res.skip : res.name}`;
          this.#skipReasons.set(reason, (this.#skipReasons.get(reason) ?? 0) + 1);
        } else if (res.todo) stats.todo++;
        else if (res.ok) stats.pass++;
        else {
          stats.fail++;
          stats.failures.push(formatFailure(res, path));
        }
      });
    };
    watch(fileParser, []);
    this.#parser.once('assert', (res) => {
      // The file's own test point: a file that crashed or timed out fails here with no failing assert.
      if (!res.ok && stats.fail === 0) {
        stats.fail++;
        stats.total++;
        stats.failures.push(formatFailure(res, []));
      }
      const ok = res.ok && stats.fail === 0;
      if (ok) this.#files.ok++;
      else this.#files.fail++;
      for (const k of ['total', 'pass', 'fail', 'skip', 'todo']) this.#totals[k] += stats[k];
      // make test runs the compiled copies (build/tsjs/...js): named by their sources.
      const name = (fileParser.name || res.name).replace(/^build\/tsjs\//, '').replace(/\.js$/, '.ts');
      const time_ms = res.time ?? 0;
      const folder = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '.';
      const f = this.#folders.get(folder) ?? { files: 0, asserts: 0, failed: 0, time_ms: 0 };
      f.files++;
      f.asserts += stats.total;
      f.failed += stats.fail;
      f.time_ms += time_ms;
      this.#folders.set(folder, f);
      this.#times.push([time_ms, name]);
      this.#done++;
      const extra = [stats.skip ? `${stats.skip} skipped` : '', stats.todo ? `${stats.todo} todo` : '', stats.fail ? `${stats.fail} failed` : '']
        .filter(Boolean)
        .join(', ');
      if (ok && !extra && !this.#everyFile) {
        this.#progress(name);
        return;
      }
      this.#endProgress();
      const time_s = res.time ? (res.time / 1000).toFixed(1) : '?';
      this.push(`${ok ? 'ok  ' : 'FAIL'} ${time_s.padStart(6)}s ${String(stats.total).padStart(5)} asserts  ${name}${extra ? `  (${extra})` : ''}\n`);
      for (const f of stats.failures) this.push(f + '\n');
    });
  }

  /** A file that passed: a dot (a counter with its name on a terminal). */
  #progress(name) {
    if (this.#tty) {
      this.push(`\r\x1b[K[${this.#done}] ${name}`);
      this.#dots = 1;
      return;
    }
    this.push(this.#dots > 0 && this.#dots % 60 === 0 ? '\n.' : '.');
    this.#dots++;
  }

  #endProgress() {
    if (this.#dots > 0) this.push(this.#tty ? '\r\x1b[K' : '\n');
    this.#dots = 0;
  }

  #finish() {
    this.#endProgress();
    const width = Math.max(6, ...[...this.#folders.keys()].map((k) => k.length));
    for (const [folder, f] of [...this.#folders].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const status = f.failed ? `${f.failed} failed` : 'ok';
      this.push(`${folder.padEnd(width)} ${String(f.files).padStart(3)} files ${String(f.asserts).padStart(6)} asserts ${(f.time_ms / 1000).toFixed(1).padStart(7)} s  ${status}\n`);
    }
    const slow = [...this.#times].sort((a, b) => b[0] - a[0]).slice(0, 5);
    if (slow.length) this.push(`slowest: ${slow.map(([ms, n]) => `${n.replace(/^test\//, '')} ${(ms / 1000).toFixed(1)} s`).join(', ')}\n`);
    if (this.#skipReasons.size) {
      this.push('skipped:\n');
      for (const [reason, n] of this.#skipReasons) this.push(`  ${n} x ${reason}\n`);
    }
    const t = this.#totals;
    this.push(`${this.#files.ok + this.#files.fail} files: ${this.#files.ok} ok, ${this.#files.fail} failed\n`);
    this.push(`# { total: ${t.total}, pass: ${t.pass}, fail: ${t.fail}, skip: ${t.skip}, todo: ${t.todo} }\n`);
  }

  _transform(chunk, _enc, cb) {
    this.#parser.write(chunk);
    cb();
  }

  _flush(cb) {
    this.#parser.end();
    cb();
  }
}
