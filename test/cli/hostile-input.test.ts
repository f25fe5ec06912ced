// What a hostile (or just unlucky) user's files get, one class per table: each row is a
// file made the way a user would make it and the command they would run on it, with the
// exit code and the message they must get. No row may end in exit 3, a hang or a silently
// wrong answer.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ring } from '../helpers/cli.js';
import { sweep } from '../helpers/long.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-hostile-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

/** A CSV with a ppg column that has a pulse (so a replay has something to find). */
function csv(rows: number, time: (i: number) => string | null, ppg: (i: number) => string = (i) => String(400000 - Math.round(2000 * Math.sin((2 * Math.PI * i) / 80)))): string {
  const head = time(0) === null ? 'ppg' : 'time_ms,ppg';
  const lines = [head];
  for (let i = 0; i < rows; i++) {
    const tm = time(i);
    lines.push(tm === null ? ppg(i) : `${tm},${ppg(i)}`);
  }
  return lines.join('\n') + '\n';
}

// Files more than one row reads, each made by whichever row comes first (a seeded subset may
// leave out the row that made it in the whole table).
const JITTER_CSV = csv(6000, (i) => (i * 10.0002 + (i % 3 === 0 ? 0.2 : -0.1)).toFixed(1));
const NORATE_CSV = csv(3000, () => null);

interface Row {
  what: string;
  args: () => string[];
  code: number;
  stderr?: RegExp;
  stdout?: RegExp;
}

// Sample rates the formats accept but the simulator did not: whole rates, jittered
// timestamps of a whole rate, and fractional rates refused at import with the reason.
const RATES: Row[] = [
  { what: '62.5 Hz from its time column is refused at import', args: () => ['fixture', 'import', file('r625.csv', csv(2000, (i) => String(i * 16))), '-o', path.join(tmp, 'r625.ringfx')], code: 2, stderr: /^error: .*62\.5 Hz is not a whole number of Hz/ },
  { what: '62.5 Hz is refused by replay too', args: () => ['replay', file('r625b.csv', csv(2000, (i) => String(i * 16)))], code: 2, stderr: /62\.5 Hz is not a whole number/ },
  { what: 'jittered timestamps of a 100 Hz logger (99.998 Hz) are 100 Hz', args: () => ['fixture', 'info', file('jitter.csv', JITTER_CSV)], code: 0, stdout: /^rate\s+100 Hz$/m },
  { what: 'jittered timestamps replay', args: () => ['replay', file('jitter.csv', JITTER_CSV)], code: 0, stdout: /rate 50 Hz/ },
  { what: 'no time column and no rate: the message names --input-rate-hz', args: () => ['replay', file('norate.csv', NORATE_CSV)], code: 2, stderr: /give its sample rate with --input-rate-hz/ },
  { what: 'no time column, rate given with --input-rate-hz', args: () => ['replay', file('norate.csv', NORATE_CSV), '--input-rate-hz', '100'], code: 0, stdout: /^record norate/m },
  { what: '--input-rate-hz must be whole', args: () => ['replay', file('norate.csv', NORATE_CSV), '--input-rate-hz', '62.5'], code: 2, stderr: /--input-rate-hz must be a whole number/ },
];

// Values at the edges of the int32 sample range: the CSV importer takes what the JSON importer takes.
const RANGES: Row[] = [
  { what: 'CSV ppg value -2^31', args: () => ['fixture', 'info', file('min.csv', csv(100, () => null, (i) => (i === 5 ? '-2147483648' : String(i)))), '--input-rate-hz', '50'], code: 0, stdout: /ppg range\s+-2147483648\.\.99/ },
  { what: 'CSV ppg value 2^31', args: () => ['fixture', 'info', file('over.csv', csv(100, () => null, (i) => (i === 5 ? '2147483648' : String(i)))), '--input-rate-hz', '50'], code: 2, stderr: /line 7: ppg value 2147483648 does not fit 32 bits/ },
  { what: 'JSON nested 100k levels deep', args: () => ['fixture', 'info', file('deep.json', '{"a":'.repeat(100000) + '1' + '}'.repeat(100000))], code: 2, stderr: /^error: .*deep\.json/ },
  { what: 'JSON arrays nested 100k levels deep', args: () => ['replay', file('deep2.json', '['.repeat(100000) + ']'.repeat(100000))], code: 2, stderr: /^error: .*deep2\.json/ },
];

// Scoring nothing is not 100 %.
const NOTHING: Row[] = [
  { what: 'a warm-up longer than the recording scores nothing', args: () => ['score', 'fixtures/synth/synth-high-hr.ringfx', '--warmup-ms', '999999999'], code: 1, stderr: /^nothing scored: /m, stdout: /^synth-high-hr\s+50\s+0\s+0\s+0\s+0\s+0\s+-\s+-\s+-\s+-/m },
  { what: '... and says so in JSON', args: () => ['score', 'fixtures/synth/synth-high-hr.ringfx', '--warmup-ms', '999999999', '--json'], code: 1, stdout: /"nothing_scored": true/ },
];

// Record names with newlines or terminal escapes are shown escaped, never raw.
const EVIL = `evil\nforged line\u001b[2J\u001b]0;title\u0007\u202e`;
const EVIL_FILE = path.join(tmp, 'evil.ringfx');
const EVIL_SYNTH = (): string[] => ['fixture', 'synth', '-o', EVIL_FILE, '--duration-s', '20', '--record', EVIL];
/** The recording the first row writes; made the same way when that row is not in the subset. */
function evil(): string {
  if (!fs.existsSync(EVIL_FILE) && ring(EVIL_SYNTH()).code !== 0) throw new Error('fixture synth --record failed');
  return EVIL_FILE;
}
const NAMES: Row[] = [
  { what: 'synth writes a record id with control characters', args: EVIL_SYNTH, code: 0 },
  { what: 'fixture info escapes it', args: () => ['fixture', 'info', evil()], code: 0, stdout: /^record\s+evil\\nforged line\\x1b\[2J\\x1b\]0;title\\x07\\u202e$/m },
  { what: 'replay escapes it', args: () => ['replay', evil()], code: 0, stdout: /^record evil\\nforged line\\x1b/m },
  { what: 'score escapes it', args: () => ['score', evil()], code: 0, stdout: /^evil\\nforged line\\x1b\[2J/m },
  { what: 'an error naming it escapes it', args: () => ['score', evil(), evil()], code: 2, stderr: /^error: record id 'evil\\nforged line\\x1b\[2J/ },
];

// A replay that finds no beats says why; signal-state changes are shown with their meaning.
const WHY: Row[] = [
  { what: 'a ring off the skin (raw counts near full scale)', args: () => ['replay', file('offskin.csv', csv(3000, (i) => String(i * 10), (i) => String(520000 + (i % 80))))], code: 0, stdout: /^no beats: the ring reported no skin contact 9\d% of the time$/m },
  // A value held for a second is a stuck or pinned sensor: signal quality calls it an artifact.
  { what: 'a flat signal in range', args: () => ['replay', file('flat.csv', csv(3000, (i) => String(i * 10), () => '300000'))], code: 0, stdout: /^no beats: the ring reported artifact or motion 9\d%/m },
  { what: 'signal states with their meaning', args: () => ['replay', 'fixtures/synth/synth-motion-nocontact.ringfx'], code: 0, stdout: /^\d\d:\d\d\.\d{3}\s+no skin contact: no beats reported$/m },
];

for (const [klass, rows] of [['sample rates', RATES], ['value ranges', RANGES], ['nothing scored', NOTHING], ['hostile names', NAMES], ['why no beats', WHY]] as const) {
  t.test(klass, async (t) => {
    // Each row is a process: `make test` runs a seeded three of each class, make test-long all.
    for (const row of sweep(t, klass, rows, 3)) {
      const r = ring(row.args());
      t.equal(r.code, row.code, `${row.what}: exit ${row.code}`, { stderr: r.stderr.slice(0, 400) });
      if (row.stderr) t.match(r.stderr, row.stderr, `${row.what}: stderr`);
      if (row.stdout) t.match(r.stdout, row.stdout, `${row.what}: stdout`);
      t.notMatch(r.stderr, /this is a bug|\n\s+at /, `${row.what}: no internal fault, no stack`);
      t.notOk(/[\u001b\u0007\u202e]/.test(r.stdout + r.stderr), `${row.what}: no raw control character reaches the terminal`);
    }
  });
}
