// The synthetic fixtures shipped in fixtures/synth/: readable, small, as described, and
// reproducible byte for byte by scripts/gen-fixtures.ts.

import t from 'tap';
import path from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { decodeFixture, encodeFixture } from '../../sim/fixture/container.js';
import { SHIPPED_FIXTURES, shippedOptions } from '../../sim/synth/presets.js';
import { generateRingPpg } from '../../sim/synth/ring-ppg.js';
import { needsShared, repoRoot, sharedPath } from '../helpers/shared.js';



const SYNTH_DIR = path.join(repoRoot, 'fixtures', 'synth');
const SIZE_BYTES_MAX = 300 * 1024;

const EXPECT: Record<string, { duration_s: number; hr_lo: number; hr_hi: number }> = {
  'synth-rest.ringfx': { duration_s: 360, hr_lo: 60, hr_hi: 90 },
  'synth-sleep.ringfx': { duration_s: 360, hr_lo: 45, hr_hi: 62 },
  'synth-high-hr.ringfx': { duration_s: 120, hr_lo: 130, hr_hi: 170 },
  'synth-motion-nocontact.ringfx': { duration_s: 240, hr_lo: 60, hr_hi: 100 },
};

t.test('each shipped fixture decodes and matches its description', async (t) => {
  for (const spec of SHIPPED_FIXTURES) {
    const file = path.join(SYNTH_DIR, spec.file);
    t.ok(existsSync(file), `${spec.file} exists`);
    if (!existsSync(file)) continue;
    t.ok(statSync(file).size < SIZE_BYTES_MAX, `${spec.file}: ${statSync(file).size} bytes < 300 KB`);
    const f = decodeFixture(new Uint8Array(readFileSync(file)), file);
    const e = EXPECT[spec.file];
    t.equal(f.meta.sample_rate_hz, 100);
    t.equal(f.ppg.length / f.meta.sample_rate_hz, e.duration_s, `${spec.file}: ${e.duration_s} s`);
    t.equal(f.ref_kind, 'synthetic-truth-peaks');
    const beats = f.ref_beats_us!;
    const hr = (60e6 * (beats.length - 1)) / (beats[beats.length - 1] - beats[0]);
    const off_ms = f.events.filter((ev) => ev.kind === 'no-contact').reduce((s, ev) => s + ev.duration_ms!, 0);
    const hr_on = (hr * (beats[beats.length - 1] - beats[0])) / (beats[beats.length - 1] - beats[0] - off_ms * 1000);
    t.ok(hr_on >= e.hr_lo && hr_on <= e.hr_hi, `${spec.file}: mean ${hr_on.toFixed(1)} bpm in ${e.hr_lo}..${e.hr_hi}`);
  }
});

t.test('the motion fixture has two bursts and one ~20 s no-contact period, all excluded from scoring', async (t) => {
  const file = path.join(SYNTH_DIR, 'synth-motion-nocontact.ringfx');
  const f = decodeFixture(new Uint8Array(readFileSync(file)), file);
  t.equal(f.events.filter((e) => e.kind === 'motion').length, 2);
  const off = f.events.filter((e) => e.kind === 'no-contact');
  t.equal(off.length, 1);
  t.equal(off[0].duration_ms, 20000);
  t.equal(f.artifacts.length, 3, 'each event is an artifact span');
  t.ok(f.accel !== undefined, 'has an accelerometer channel');
});

t.test('regenerating the generated-RR fixture gives the shipped bytes', async (t) => {
  const high = SHIPPED_FIXTURES.find((s) => s.file === 'synth-high-hr.ringfx')!;
  const shipped = readFileSync(path.join(SYNTH_DIR, high.file));
  t.equal(Buffer.compare(Buffer.from(encodeFixture(generateRingPpg(shippedOptions(high, undefined)))), shipped), 0, high.file);
});

t.test('regenerating every fixture from the shared RR series gives the shipped bytes', needsShared('datasets'), async (t) => {
  const datasets = sharedPath(t, 'datasets');
  if (datasets === null) return;
  for (const spec of SHIPPED_FIXTURES) {
    const bytes = encodeFixture(generateRingPpg(shippedOptions(spec, datasets)));
    t.equal(Buffer.compare(Buffer.from(bytes), readFileSync(path.join(SYNTH_DIR, spec.file))), 0, `${spec.file} is reproducible`);
  }
});
