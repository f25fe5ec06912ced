// How `ring ci` shares sessions between its jobs (host/ci/pool.ts): each job takes the next
// session itself, so every session is replayed once whatever N and the output stays the
// same bytes; a session that cannot be checked is errored on a worker as on the calling
// thread; a worker that dies holding a session fails the run with one line (exit 3); and
// Ctrl-C ends a run whose threads are all inside a session. The firmware builds here wrap
// the compiled firmware to act differently on a worker thread (node:worker_threads'
// isMainThread) and leave marker files, so the test knows where each thread is without
// timing anything.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { cliPath, ring } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { LIBRARY_IDS, writeLibraryOf } from './library.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-ci-pool-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
// 10 s recordings: what is checked here is how the jobs share sessions, not what a replay finds.
writeLibraryOf(path.join(tmp, 'recs'), 10);
const ci = (args: string[], env: NodeJS.ProcessEnv = process.env) => ring(['ci', 'recs', '--golden', 'golden', ...args], { cwd: tmp, env });

interface JobStats {
  job: number;
  thread: string;
  sessions: number;
  cpu_ms: number | null;
  first_session_ms: number | null;
  warmup_cpu_ms: number | null;
}

/** The per-job figures of the run's 'ring ci done' info line. */
function perJob(stderr: string): JobStats[] {
  const line = stderr.split('\n').find((l) => l.includes('"ring ci done"'));
  if (line === undefined) throw new Error(`no 'ring ci done' line in: ${stderr}`);
  return (JSON.parse(line) as { per_job: JobStats[] }).per_job;
}

/**
 * A firmware build: the compiled firmware with ring_boot (called as each session starts)
 * replaced by `boot`, a function body over (fw, hal, rate, isMainThread, mark, nap_ms).
 */
function firmwareBuild(name: string, boot: string): string {
  const fw = pathToFileURL(path.join(repoRoot, 'dist/firmware/ring.js')).href;
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `import fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import * as fw from ${JSON.stringify(fw)};
export * from ${JSON.stringify(fw)};
const nap = new Int32Array(new SharedArrayBuffer(4));
const nap_ms = (ms) => Atomics.wait(nap, 0, 0, ms);
const mark = (what) => fs.writeFileSync(${JSON.stringify(tmp)} + '/' + what, '');
const exists = (what) => fs.existsSync(${JSON.stringify(tmp)} + '/' + what);
export function ring_boot(hal, rate) {
${boot}
  return fw.ring_boot(hal, rate);
}
`);
  return file;
}

t.test('goldens, then --jobs 1, 2 and 3: the same bytes, every session replayed once, per-job figures', async (t) => {
  const upd = ci(['--jobs', '2', '--update-golden']);
  t.equal(upd.code, 0, `--update-golden writes the goldens: ${upd.stderr}`);
  const env = { ...process.env, RING_LOG_LEVEL: 'info' };
  const runs = [1, 2, 3].map((n) => ({ n, r: ci(['--jobs', String(n), '--json'], env) }));
  for (const { n, r } of runs) {
    t.equal(r.code, 0, `--jobs ${n} passes`);
    t.equal(r.stdout, runs[0]!.r.stdout, `--jobs ${n} prints the bytes of --jobs 1`);
    const jobs = perJob(r.stderr);
    t.same(jobs.map((j) => [j.job, j.thread]), [[0, 'main'], [1, 'worker'], [2, 'worker']].slice(0, n), `${n} jobs: this thread and ${n - 1} workers`);
    t.equal(jobs.reduce((a, j) => a + j.sessions, 0), LIBRARY_IDS.length, `--jobs ${n}: each session replayed once`);
    for (const j of jobs) {
      // Linux tells each thread's CPU time; a job that replayed sessions spent some.
      if (j.sessions > 0) t.ok(j.cpu_ms !== null && j.cpu_ms > 0, `job ${j.job}: ${j.sessions} sessions, ${j.cpu_ms} ms of its thread's CPU`);
      // Its warm-up: when its first session started, and its thread's CPU before it (module
      // loading; for this thread the CLI's start too); none for a job that took no session.
      if (j.sessions > 0) {
        t.ok(j.first_session_ms !== null && j.first_session_ms >= 0, `job ${j.job}: first session ${j.first_session_ms} ms into the pool`);
        t.ok(j.warmup_cpu_ms !== null && j.warmup_cpu_ms > 0, `job ${j.job}: ${j.warmup_cpu_ms} ms of its thread's CPU before its first session`);
      } else {
        t.same([j.first_session_ms, j.warmup_cpu_ms], [null, null], `job ${j.job} took no session: no warm-up figures`);
      }
    }
  }
  t.ok(perJob(runs[0]!.r.stderr)[0]!.sessions === LIBRARY_IDS.length, 'one job replays everything on this thread');
});

t.test('a session that cannot be checked is errored on a worker as on this thread', async (t) => {
  fs.mkdirSync(path.join(tmp, 'lib-bad'));
  for (const id of ['fast', 'rest-a']) {
    fs.copyFileSync(path.join(tmp, 'recs', `${id}.ringfx`), path.join(tmp, 'lib-bad', `${id}.ringfx`));
    fs.mkdirSync(path.join(tmp, 'golden-bad', `${id}.ndjson`), { recursive: true }); // a golden that cannot be read
  }
  // This thread holds its first session until the worker has booted the other one
  // (bounded: 60 s), so each job checks one session.
  const bundle = firmwareBuild('fw-hold.mjs', `
  if (!isMainThread) mark('worker-booted');
  else for (let i = 0; i < 6000 && !exists('worker-booted'); i++) nap_ms(10);`);
  const r = ring(['ci', 'lib-bad', '--golden', 'golden-bad', '--jobs', '2', '--firmware', bundle, '--json'], {
    cwd: tmp, env: { ...process.env, RING_LOG_LEVEL: 'info' },
  });
  t.equal(r.code, 1, 'errored sessions fail the run');
  t.same(perJob(r.stderr).map((j) => j.sessions), [1, 1], 'one session on each job');
  const doc = JSON.parse(r.stdout) as { sessions: { id: string; status: string; error: string | null }[] };
  t.same(doc.sessions.map((s) => [s.id, s.status]), [['fast', 'errored'], ['rest-a', 'errored']]);
  for (const s of doc.sessions) t.match(s.error, new RegExp(`^cannot read golden file golden-bad/${s.id}\\.ndjson: EISDIR$`));
});

t.test('a worker that dies inside a session fails the run: exit 3, its error line, no result written', async (t) => {
  // The worker leaves a mark and ends its thread at its first session's boot; this thread
  // holds its first session until the mark is there, so the worker has taken one (bounded: 60 s).
  const bundle = firmwareBuild('fw-worker-dies.mjs', `
  if (!isMainThread) { mark('worker-took-one'); process.exit(7); }
  for (let i = 0; i < 6000 && !exists('worker-took-one'); i++) nap_ms(10);`);
  const r = ci(['--jobs', '2', '--firmware', bundle, '--junit', 'dies.xml']);
  t.equal(r.code, 3, 'an internal fault');
  t.equal(r.stderr.split('\n')[0], 'error: a ring ci worker exited (code 7) before the run finished');
  t.match(r.stderr, /^error: .*\nthis is a bug or a firmware fault; rerun with RING_DEBUG=1 for the stack\n$/, 'and how to see the stack, as every internal fault');
  t.equal(r.stdout, '');
  t.notOk(fs.existsSync(path.join(tmp, 'dies.xml')), 'no JUnit file');
});

t.test('Ctrl-C while this thread and a worker are each inside a session ends the run', async (t) => {
  // Each thread marks its session's boot, then stays in it (bounded: 60 s); the test sends
  // SIGINT once both marks are there.
  const bundle = firmwareBuild('fw-long-boot.mjs', `
  mark(isMainThread ? 'busy-main' : 'busy-worker');
  for (let i = 0; i < 6000; i++) nap_ms(10);`);
  // Without the test runner's NODE_OPTIONS: its hooks hold signals until the event loop
  // turns, which is not how the CLI meets a user's Ctrl-C (as test/cli/ctrl-c.test.ts).
  const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, cliPath, 'ci', 'recs', '--golden', 'golden', '--jobs', '2', '--firmware', bundle, '--junit', 'int.xml'], {
    cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let sent = false;
  for (let i = 0; i < 600 && !sent && child.exitCode === null; i++) {
    if (fs.existsSync(path.join(tmp, 'busy-main')) && fs.existsSync(path.join(tmp, 'busy-worker'))) sent = child.kill('SIGINT');
    else await new Promise((r) => setTimeout(r, 100));
  }
  const { code, signal } = await ended;
  t.ok(sent, 'Ctrl-C reached the run while both threads were in a session');
  t.ok(code === 130 || signal === 'SIGINT', `ended by Ctrl-C (code ${code}, signal ${signal})`);
  t.equal(stdout, '', 'it ended before printing its result');
  t.notMatch(stderr, /\n\s+at |error:/, 'no stack trace, no error line');
  t.notOk(fs.existsSync(path.join(tmp, 'int.xml')), 'no JUnit file');
});
