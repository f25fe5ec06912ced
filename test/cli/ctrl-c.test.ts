// Ctrl-C as a shell user meets it on long runs: whatever the command is doing (simulating a
// long recording, reading the ring's history, about to write a capture, a golden file or a
// report), it ends before finishing its work, with the SIGINT status (130 in the shell), no
// stack trace, and no output file: not a partial one, not an empty placeholder, no
// temporary file. And after a file was written, a later Ctrl-C is not held back.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cliPath } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { encodeFixture } from '../../sim/fixture/container.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-ctrl-c-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Two 30-minute synthetic recordings: each takes the CLI seconds to replay. */
const long1 = path.join(tmp, 'long1.ringfx');
const long2 = path.join(tmp, 'long2.ringfx');
const synth = spawnSync(process.execPath, [cliPath, 'fixture', 'synth', '-o', long1, '--seed', '1', '--duration-s', '1800'], { cwd: repoRoot, encoding: 'utf8' });
if (synth.status !== 0) throw new Error(`fixture synth failed: ${synth.stderr}`);
// The second is the first under another record id (score takes each record once): as long
// to score, without generating it again.
const first = loadFixture(long1);
fs.writeFileSync(long2, encodeFixture({ ...first, meta: { ...first.meta, record: 'long2' } }));

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawn `node args`; send SIGINT once stderr shows `ready` (the work is under way). */
function interrupt(args: string[], ready: RegExp): Promise<Ended & { sent: boolean }> {
  return new Promise((resolve) => {
    // Without the test runner's NODE_OPTIONS (it puts them back into any env it is given):
    // its process hooks catch signals themselves and hold them until the event loop turns,
    // which is not how the CLI meets a user's Ctrl-C. `env` execs node in its own process.
    const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && ready.test(stderr)) sent = child.kill('SIGINT');
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, sent }));
  });
}

const leftovers = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.partial'));

// [what, arguments, the stderr line that says the work is under way, the output it must not leave]
const cases: [string, string[], RegExp, string][] = [
  ['replay --capture', ['replay', long1, '--capture', path.join(tmp, 'replay.btsnoop')], /"msg":"replay"/, 'replay.btsnoop'],
  ['history --capture', ['history', '--sim', long1, '--capture', path.join(tmp, 'history.btsnoop'), '--ndjson'], /"level":30/, 'history.btsnoop'],
  ['replay --update-golden', ['replay', long1, '--golden', path.join(tmp, 'g.ndjson'), '--update-golden'], /"msg":"replay"/, 'g.ndjson'],
  ['score --report (after the first record)', ['score', long1, long2, '--report', path.join(tmp, 'report')], /"msg":"scored"/, 'report'],
];

for (const [what, args, ready, output] of cases) {
  t.test(`Ctrl-C during ring ${what} on a long recording`, async (t) => {
    const r = await interrupt([cliPath, '--log-level', 'info', ...args], ready);
    t.ok(r.sent, 'Ctrl-C reached the run while it worked');
    t.ok(r.code === 130 || r.signal === 'SIGINT', `ended by Ctrl-C (code ${r.code}, signal ${r.signal})`);
    t.equal(r.stdout, '', 'it ended before printing its result');
    t.notMatch(r.stderr, /\n\s+at |error:/, 'no stack trace, no error line');
    t.notOk(fs.existsSync(path.join(tmp, output)), `no ${output} left behind`);
    t.same(leftovers(tmp), [], 'no temporary file left behind');
  });
}

// The CLI's writer of whole files, in a process that carries on computing after a write:
// the Ctrl-C that comes later ends it at once, not when the computation yields.
t.test('after a file is written, Ctrl-C is not held until the computation yields', async (t) => {
  const moduleUrl = new URL(`file://${path.join(repoRoot, 'dist/host/io/output-file.js')}`).href;
  const target = path.join(tmp, 'written.txt');
  const script = `
    const { writeFileAtomic } = await import(${JSON.stringify(moduleUrl)});
    writeFileAtomic(${JSON.stringify(target)}, 'whole\\n');
    await new Promise((r) => setImmediate(r));
    process.stderr.write('written\\n');
    const end = Date.now() + 30000; // a long synchronous computation (bounded)
    while (Date.now() < end) {}
    process.stdout.write('finished\\n');
  `;
  const r = await interrupt(['--input-type=module', '-e', script], /written/);
  t.ok(r.sent, 'Ctrl-C sent during the computation');
  t.ok(r.code === 130 || r.signal === 'SIGINT', `ended by Ctrl-C (code ${r.code}, signal ${r.signal})`);
  t.equal(r.stdout, '', 'the computation did not run to its end');
  t.equal(fs.readFileSync(target, 'utf8'), 'whole\n', 'the file written before stays whole');
});
