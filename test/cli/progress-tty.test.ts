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

const long = path.join(tmp, 'long.ringfx');
const synth = ring(['fixture', 'synth', '-o', long, '--duration-s', '1800']);
if (synth.code !== 0) throw new Error(synth.stderr);

const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/** Run the CLI with stderr on a pseudo-terminal; returns what the terminal showed and stdout. */
function onTerminal(args: string[]): { code: number | null; terminal: string; stdout: string } {
  const out = path.join(tmp, 'stdout.txt');
  const cmd = `env -u NODE_OPTIONS ${quote(process.execPath)} ${quote(cliPath)} ${args.map(quote).join(' ')} > ${quote(out)}`;
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: repoRoot, encoding: 'utf8', timeout: 120000 });
  return { code: r.status, terminal: r.stdout, stdout: fs.readFileSync(out, 'utf8') };
}

const LINE = /\r\x1b\[K[^\r\n]+: \d+:\d\d of 30:00 simulated \(\d+%\), \d+x real time/;

for (const args of [['replay', long], ['replay', long, '--direct'], ['score', long]]) {
  t.test(`ring ${args.filter((a) => a !== long).join(' ')} of a 30-minute recording`, async (t) => {
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
