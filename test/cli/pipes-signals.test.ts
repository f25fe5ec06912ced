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
import { sweep } from '../helpers/long.js';
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

/** Spawns the CLI; `onStart` may close its stdout or signal it. */
function run(args: string[], onStart: (child: ReturnType<typeof spawn>) => void): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout_bytes = 0;
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => (stdout_bytes += d.length));
    child.stdout!.on('error', () => {});
    onStart(child);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout_bytes }));
  });
}

const PIPED: string[][] = [
  ['replay', rest, '--ndjson'],
  ['replay', rest, '--json'],
  ['replay', rest],
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

t.test('stdout on a full disk: one line and exit 2', { skip: fs.existsSync('/dev/full') ? false : 'no /dev/full here' }, async (t) => {
  const r = await new Promise<Ended>((resolve) => {
    const out = fs.openSync('/dev/full', 'w');
    const child = spawn(process.execPath, [cliPath, 'replay', rest, '--ndjson'], { cwd: repoRoot, stdio: ['ignore', out, 'pipe'] });
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

// Ctrl-C at several moments of a run that writes report pages: the run ends promptly with
// the SIGINT status, and whatever is in the folder is whole.
const DELAYS_MS = [150, 400, 700, 1000, 1300, 1600, 2000, 2500];
for (const delay_ms of sweep(t, 'Ctrl-C moments', DELAYS_MS, 3)) {
  t.test(`Ctrl-C ${delay_ms} ms into ring score --report`, async (t) => {
    const dir = path.join(tmp, `report-${delay_ms}`);
    const started = process.hrtime.bigint();
    let killed_ns = 0n;
    const r = await run(['score', 'fixtures/synth', '--report', dir], (child) => {
      setTimeout(() => {
        killed_ns = process.hrtime.bigint();
        child.kill('SIGINT');
      }, delay_ms);
    });
    t.ok(killed_ns > started);
    t.ok(r.code === 0 || r.code === 130 || r.signal === 'SIGINT', `ended by Ctrl-C or finished before it (code ${r.code}, signal ${r.signal})`);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    t.same(files.filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
    for (const f of files) t.match(fs.readFileSync(path.join(dir, f), 'utf8'), /<\/html>\s*$/, `${f} is whole`);
    if (r.code === 0) t.ok(files.includes('index.html'), 'a finished run wrote its index');
  });
}

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
