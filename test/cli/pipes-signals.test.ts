// Pipes and signals as a shell user meets them: `ring ... | head -1` ends quietly with
// exit 0 when the reader closes early (EPIPE), as Unix tools do; Ctrl-C ends a command at
// once with the SIGINT status (130 in the shell) and leaves no partial output file: every
// file the CLI writes appears whole (written beside its target, then renamed).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cliPath } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { writeFileAtomic, OutputError } from '../../host/io/output-file.js';

const rest = 'fixtures/synth/synth-rest.ringfx';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-pipes-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout_bytes: number;
}

/**
 * The built CLI as a user runs it, without the test runner's NODE_OPTIONS (its loader and
 * process hooks catch signals themselves and hold them until the event loop turns, which is
 * not how the CLI meets a user's Ctrl-C): `env` execs node in its own process, as
 * ctrl-c.test.ts does.
 */
function spawnCli(args: string[], stdout: 'pipe' | number): ReturnType<typeof spawn> {
  return spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, cliPath, ...args], { cwd: repoRoot, stdio: ['ignore', stdout, 'pipe'] });
}

/** Spawns the CLI; `onStart` may close its stdout or signal it. */
function run(args: string[], onStart: (child: ReturnType<typeof spawn>) => void): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawnCli(args, 'pipe');
    let stderr = '';
    let stdout_bytes = 0;
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => (stdout_bytes += d.length));
    child.stdout!.on('error', () => {});
    onStart(child);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout_bytes }));
  });
}

// replay --ndjson and --json meet the reader going away on the half-hour recording below.
// (Not replay's table: it is written at once at the end, so a reader closing after its first
// chunk leaves nothing to refuse; each command here is still writing when the reader goes.)
const PIPED: string[][] = [
  ['history', '--sim', rest, '--ndjson'],
  ['stream', '--sim', rest, '--ndjson', '--beats', '--hr', '--duration-s', '60'],
];

for (const args of PIPED) {
  t.test(`ring ${args.join(' ')} | head -1: exit 0, nothing on stderr`, async (t) => {
    const r = await run(args, (child) => child.stdout!.once('data', () => child.stdout!.destroy()));
    t.equal(r.code, 0, 'exit 0 when the reader goes away');
    t.equal(r.stderr, '', 'no stack trace, no error line');
  });
}

// The reader going away ends the command at the write it refuses, not after the rest of
// the output has been formatted for nobody: the log (a file, written as each line is
// logged) has no 'replay done' line then, while a reader that takes everything gets it.
// Half an hour of recording: its output is several times what a pipe holds, so the CLI is
// still writing when the reader goes.
t.test('a reader that goes away ends the replay at that write', async (t) => {
  const long = path.join(tmp, 'half-hour.ringfx');
  const synth = await run(['fixture', 'synth', '-o', long, '--seed', '3', '--duration-s', '1800'], () => {});
  t.equal(synth.code, 0, synth.stderr);
  const logged = (name: string): string => {
    const file = path.join(tmp, name);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  };
  for (const mode of [['--ndjson'], ['--json'], ['--direct', '--ndjson']]) {
    const what = mode.join(' ');
    const log = `early-${mode.join('')}.log`;
    const r = await run(['--log-level', 'info', '--log-file', path.join(tmp, log), 'replay', long, ...mode], (child) => child.stdout!.once('data', () => child.stdout!.destroy()));
    t.equal(r.code, 0, `${what}: exit 0 when the reader goes away`);
    // --log-level info logs to stderr too: nothing else may be there.
    t.same(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{"level":')), [], `${what}: no stack trace, no error line`);
    t.match(logged(log), /"msg":"replay"/, `${what}: the replay was logged as it started`);
    t.notMatch(logged(log), /replay done/, `${what}: it ended at the refused write, before the end of its output`);
  }
  const full = await run(['--log-level', 'info', '--log-file', path.join(tmp, 'full.log'), 'replay', long, '--ndjson'], () => {});
  t.equal(full.code, 0);
  t.ok(full.stdout_bytes > 4 * 65536, `the whole output, ${full.stdout_bytes} bytes, is several pipes' worth`);
  t.match(logged('full.log'), /replay done/, 'a reader that takes everything: replay done');
});

t.test('stdout on a full disk: one line and exit 2', { skip: fs.existsSync('/dev/full') ? false : 'no /dev/full here' }, async (t) => {
  const r = await new Promise<Ended>((resolve) => {
    const out = fs.openSync('/dev/full', 'w');
    const child = spawnCli(['replay', rest, '--ndjson'], out);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      fs.closeSync(out);
      resolve({ code, signal, stderr, stdout_bytes: 0 });
    });
  });
  t.equal(r.code, 2);
  t.equal(r.stderr, 'error: cannot write to stdout: ENOSPC\n');
});

// Ctrl-C while the run computes (before any page is written): it ends at once with the
// SIGINT status and leaves nothing behind.
t.test('Ctrl-C while ring score --report computes', async (t) => {
  const dir = path.join(tmp, 'report-interrupted');
  let sent = false;
  // Sent once the CLI says it is at work (its first info line), not before Node has started.
  const r = await run(['--log-level', 'info', 'score', 'fixtures/synth', '--report', dir], (child) => {
    let seen = '';
    child.stderr!.on('data', (d) => {
      seen += d;
      if (!sent && /"level":30/.test(seen)) sent = child.kill('SIGINT');
    });
  });
  t.ok(sent, 'Ctrl-C reached the run');
  t.ok(r.code === 130 || r.signal === 'SIGINT', `ended by Ctrl-C (code ${r.code}, signal ${r.signal})`);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  t.same(files.filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  t.notOk(files.includes('index.html'), 'an interrupted run wrote no index');
});

t.test('a write that fails keeps the old file and leaves no temporary file', async (t) => {
  const target = path.join(tmp, 'keep.txt');
  fs.writeFileSync(target, 'old\n');
  writeFileAtomic(target, 'new\n');
  t.equal(fs.readFileSync(target, 'utf8'), 'new\n', 'replaced whole');
  const folder = path.join(tmp, 'a-folder');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'inside.txt'), 'x');
  t.throws(() => writeFileAtomic(folder, 'data'), OutputError, 'renaming over a folder fails as a user error');
  t.same(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')), [], 'temporary file removed');
  t.equal(fs.readFileSync(path.join(folder, 'inside.txt'), 'utf8'), 'x', 'the folder is untouched');
});
