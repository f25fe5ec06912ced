// A CSV recording in other units than the ring's sensor: the importer says what is wrong
// with the signal and which option fixes it, instead of a replay that silently reads "no
// contact" or finds no beats. Each CSV is 30 s of a shipped synthetic recording (known
// beats), written as a user's tool might export it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ring } from '../helpers/cli.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { SENSOR_FULL_SCALE_COUNTS } from '../../firmware/config.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-import-signal-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

const source = loadFixture('fixtures/synth/synth-rest.ringfx');
const SAMPLES = 3000; // 30 s at 100 Hz
const period_ms = 1000 / source.meta.sample_rate_hz;

function csv(name: string, value: (x: number) => string): string {
  const lines = ['time_ms,ppg'];
  for (let i = 0; i < SAMPLES; i++) lines.push(`${i * period_ms},${value(source.ppg[i]!)}`);
  const file = path.join(tmp, `${name}.csv`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const files = {
  asIs: csv('as-is', (x) => String(x)),
  volts: csv('volts', (x) => (x / 1e5).toFixed(6)), // 1.742871: six decimals, x 10^6 by default
  photodiode: csv('photodiode', (x) => String(SENSOR_FULL_SCALE_COUNTS - x)), // the raw channel: pulses point down
  coarse: csv('coarse', (x) => String(Math.round(x / 10000))), // a pulse of about one count
  negVolts: csv('neg-volts', (x) => (-(x - 174000) / 1e5).toFixed(6)),
};

const beats = (stdout: string): number => Number(/^beats (\d+)/m.exec(stdout)?.[1] ?? NaN);
// The CSV as the sensor gives it, replayed once: no warning, and the beats the fixes must find.
const asIs = ring(['replay', files.asIs]);
const expected = beats(asIs.stdout);

t.test('the signal as the sensor gives it: no warning', async (t) => {
  const r = asIs;
  t.equal(r.code, 0);
  t.equal(r.stderr, '', 'nothing to say');
  t.ok(expected > 25, `${expected} beats in 30 s`);
});

// [what, args, exit code, the one stderr line, stdout]. Warnings, not errors: a ring off
// the skin is a recording too; the replay runs and says why it found no beats.
const cases: [string, string[], number, RegExp, RegExp | null][] = [
  ['volts with six decimals read as no contact: the --scale that fits', ['replay', files.volts], 0,
    /^warning: .*volts\.csv: 100% of the samples are above 507903 .*no skin contact.*--scale 100000\b/, /^no beats: the ring reported no skin contact 9\d% of the time$/m],
  ['the same through fixture import', ['fixture', 'import', files.volts, '-o', path.join(tmp, 'volts.ringfx')], 0, /^warning: .*--scale 100000\b/, null],
  ['the same through fixture info', ['fixture', 'info', files.volts], 0, /^warning: .*--scale 100000\b/, /samples/],
  ['a photodiode channel (pulses down): --invert', ['replay', files.photodiode], 0, /^warning: .*pulses seem to point down.*--invert/, /^beats \d+/m],
  ['a pulse of one count: says what to export', ['replay', files.coarse], 0, /^warning: .*no pulse to detect: .* 1 counts .*more decimals/, /^beats \d+/m],
  ['a --scale too small for the pulse: a larger --scale', ['replay', files.asIs, '--scale', '0.0001'], 0, /^warning: .*no pulse to detect.*scale it up with --scale 0\.1\b/, /^beats \d+/m],
  ['--scale on a container: refused', ['replay', 'fixtures/synth/synth-rest.ringfx', '--scale', '2'], 2, /^error: .*--scale and --invert apply to CSV recordings only/, null],
  ['--scale 0: refused', ['replay', files.volts, '--scale', '0'], 2, /^error: --scale must be a number above 0/, null],
];

for (const [what, args, code, stderr, stdout] of cases) {
  t.test(what, async (t) => {
    const r = ring(args);
    t.equal(r.code, code, `exit ${code}`);
    t.match(r.stderr, stderr);
    t.equal(r.stderr.split('\n').filter((l) => /^(warning|error):/.test(l)).length, 1, 'one line says it');
    if (stdout !== null) t.match(r.stdout, stdout);
    if (code === 2) t.equal(r.stdout, '', 'no result printed');
  });
}

t.test('the options named in the messages fix the signal: the beats come back', async (t) => {
  const fixes: [string, string[]][] = [
    ['volts --scale 100000', ['replay', files.volts, '--scale', '100000']],
    ['photodiode --invert', ['replay', files.photodiode, '--invert']],
    ['negative volts --invert --scale 100000', ['replay', files.negVolts, '--invert', '--scale', '100000']],
  ];
  for (const [what, args] of fixes) {
    const r = ring(args);
    t.equal(r.code, 0, `${what}: exit 0`);
    t.equal(r.stderr, '', `${what}: no warning left`);
    t.ok(Math.abs(beats(r.stdout) - expected) <= 1, `${what}: ${beats(r.stdout)} beats, as the original's ${expected}`);
  }
  const out = path.join(tmp, 'fixed.ringfx');
  const imp = ring(['fixture', 'import', files.photodiode, '--invert', '-o', out]);
  t.equal(imp.code, 0);
  const info = JSON.parse(ring(['fixture', 'info', out, '--json']).stdout) as { meta: { ppg_units: string; notes: Record<string, unknown> } };
  t.match(info.meta.ppg_units, /negated/, 'the container says the values were negated');
  t.equal(info.meta.notes.ppg_inverted, true);
});
