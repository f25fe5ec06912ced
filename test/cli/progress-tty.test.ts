// Progress of one long recording: on a terminal, `replay` and `score` rewrite one stderr
// line with the simulated time done and the speed; into a pipe or a file they say nothing.
// The terminal is a real pseudo-terminal (`script` from util-linux), stdout goes to a file.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cliPath, ring } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';

const haveScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-progress-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The first line comes once a run has lasted 200 ms (host/cli/sim-progress.ts): an hour over
// the protocol or scored lasts several times that (half an hour sometimes did not); a replay
// straight from the firmware sink is a few times faster, so it gets two hours.
const synthesized = (seconds: number): string => {
  const file = path.join(tmp, `long-${seconds}.ringfx`);
  const r = ring(['fixture', 'synth', '-o', file, '--duration-s', String(seconds)]);
  if (r.code !== 0) throw new Error(r.stderr);
  return file;
};
const hour = synthesized(3600);
const two_hours = synthesized(7200);

const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/** Run the CLI with stderr on a pseudo-terminal; returns what the terminal showed and stdout. */
function onTerminal(args: string[]): { code: number | null; terminal: string; stdout: string } {
  const out = path.join(tmp, 'stdout.txt');
  const cmd = `env -u NODE_OPTIONS ${quote(process.execPath)} ${quote(cliPath)} ${args.map(quote).join(' ')} > ${quote(out)}`;
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: repoRoot, encoding: 'utf8', timeout: 120000 });
  return { code: r.status, terminal: r.stdout, stdout: fs.readFileSync(out, 'utf8') };
}

const line = (total: string): RegExp => new RegExp(`\\r\\x1b\\[K[^\\r\\n]+: [\\d:]+ of ${total} simulated \\(\\d+%\\), \\d+x real time`);

const CASES: [string[], string, string][] = [
  [['replay', hour], '1:00:00', '1-hour'],
  [['replay', two_hours, '--direct'], '2:00:00', '2-hour'],
  [['score', hour], '1:00:00', '1-hour'],
];
for (const [args, total, length] of CASES) {
  const LINE = line(total);
  t.test(`ring ${args.filter((a) => !a.endsWith('.ringfx')).join(' ')} of a ${length} recording`, async (t) => {
    // script(1) is Debian's bsdutils, which `make deps` installs: without it this test fails.
    t.ok(haveScript, 'script(1) is installed (bsdutils: run make deps)');
    if (!haveScript) return;
    const tty = onTerminal(args);
    t.equal(tty.code, 0, 'exit 0 on a terminal');
    t.match(tty.terminal, LINE, 'a progress line: simulated time done, share, speed');
    t.match(tty.terminal, /\r\x1b\[K$/, 'the line is cleared at the end');
    const piped = ring(args);
    t.equal(piped.code, 0);
    t.equal(piped.stderr, '', 'nothing on stderr into a pipe');
    t.equal(tty.stdout, piped.stdout, 'the same result either way');
  });
}
