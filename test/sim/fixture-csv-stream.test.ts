// A CSV recording is read from its file a piece at a time (1 MiB) and parsed into one typed
// array per column: a file more than a piece long gives exactly the fixture importCsv gives
// for its whole text, with CRLF line ends, comments with multi-byte characters cut by the
// pieces, and errors that name the same line and field, also past the first piece.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { importCsv } from '../../sim/fixture/import-csv.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { fixtureErrorOf } from '../helpers/fixture-error.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-csv-stream-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ROWS = 45_000; // about 1.4 MB: two read pieces

/** 7.5 minutes at 100 Hz: time, decimal ppg, a beat column, accelerometer; a comment every 997 rows. */
function csvText(eol: string): string {
  const out = ['# ring-sim test recording, 心拍 ♥' + eol, 'time_ms,ppg,beat,accel_x_mg,accel_y_mg,accel_z_mg' + eol];
  for (let i = 0; i < ROWS; i++) {
    if (i % 997 === 0) out.push(`# minute ${(i / 6000).toFixed(2)}: ein Kommentar über Herzschläge ✓${eol}`);
    const ppg = (1000 + 50 * Math.sin((2 * Math.PI * i) / 83)).toFixed(2);
    out.push(`${(i * 10).toString()},${ppg},${i % 83 === 20 ? 1 : 0},${i % 7},${-(i % 5)},1000${eol}`);
  }
  return out.join('');
}

t.test('a file read in pieces gives the fixture of its whole text', async (t) => {
  for (const eol of ['\n', '\r\n']) {
    const text = csvText(eol);
    const file = path.join(tmp, `rec-${eol.length}.csv`);
    fs.writeFileSync(file, text);
    t.ok(fs.statSync(file).size > 1 << 20, `${fs.statSync(file).size} bytes: more than one piece`);
    const streamed = loadFixture(file);
    const whole = importCsv(text, file);
    t.equal(streamed.ppg.length, ROWS, `${JSON.stringify(eol)}: every row`);
    t.same(streamed.meta, whole.meta, 'the same meta (rate, scale from the decimals)');
    t.ok(Buffer.from(streamed.ppg.buffer, streamed.ppg.byteOffset, streamed.ppg.byteLength).equals(Buffer.from(whole.ppg.buffer, whole.ppg.byteOffset, whole.ppg.byteLength)), 'the same samples');
    t.same(Array.from(streamed.ref_beats_us!), Array.from(whole.ref_beats_us!), 'the same reference beats');
    t.same([streamed.accel!.x_mg, streamed.accel!.y_mg, streamed.accel!.z_mg].map((a) => Array.from(a.subarray(0, 50))), [whole.accel!.x_mg, whole.accel!.y_mg, whole.accel!.z_mg].map((a) => Array.from(a.subarray(0, 50))), 'the same accelerometer');
  }
});

t.test('errors past the first piece name the line and field the whole text names', async (t) => {
  const lines = csvText('\n').split('\n');
  const at = lines.length - 1000; // past the first piece
  const cases: [string, (ls: string[]) => void, RegExp][] = [
    ['a ppg that is not a number', (ls) => (ls[at] = ls[at]!.replace(/,([\d.]+),/, ',1o2,')), /line \d+: ppg value "1o2" is not a number$/],
    ['a time that goes back', (ls) => (ls[at] = ls[at]!.replace(/^\d+/, '5')), /line \d+: time_ms does not increase$/],
    ['a short row', (ls) => (ls[at] = '10,20'), /line \d+: expected 6 fields like the header, found 2$/],
    ['a bad beat mark', (ls) => (ls[at] = ls[at]!.replace(/,[01],/, ',x,')), /line \d+: beat must be 1, 0 or empty, got "x"$/],
    ['an accelerometer value with decimals', (ls) => (ls[at] = ls[at]!.replace(/,1000$/, ',999.50')), /line \d+: accel_z_mg must be an integer in -32767\.\.32767 mg, got "999\.50"$/],
  ];
  for (const [what, edit, pattern] of cases) {
    const ls = [...lines];
    edit(ls);
    const text = ls.join('\n');
    const file = path.join(tmp, 'bad.csv');
    fs.writeFileSync(file, text);
    const streamed = fixtureErrorOf(() => loadFixture(file));
    t.match(streamed, pattern, `${what}: ${streamed}`);
    t.equal(streamed, fixtureErrorOf(() => importCsv(text, file)), `${what}: the whole text's error`);
    t.match(streamed, new RegExp(`line ${at + 1}:`), `${what}: on the edited line`);
  }
});

t.test('bytes that are not UTF-8 past the first piece: one error', async (t) => {
  const file = path.join(tmp, 'latin1.csv');
  fs.writeFileSync(file, Buffer.concat([Buffer.from(csvText('\n')), Buffer.from([0x23, 0x20, 0xe9, 0x0a])]));
  t.equal(fixtureErrorOf(() => loadFixture(file)), `${file}: not UTF-8 text`);
});
