// A small library of generated ring recordings for the ring ci tests (sim/synth, as
// `ring fixture synth` makes them): two at rest, one fast, one with motion bursts in a
// sub-folder. Short, so the tests stay quick.

import fs from 'node:fs';
import path from 'node:path';
import { encodeFixture } from '../../sim/fixture/container.js';
import { cliSynthOptions } from '../../sim/synth/presets.js';
import { generateRingPpg } from '../../sim/synth/ring-ppg.js';

export const LIBRARY_DURATION_S = 30;

const RECORDINGS = [
  { name: 'rest-a.ringfx', seed: 1, hr_bpm: 70, motion: false },
  { name: 'rest-b.ringfx', seed: 4, hr_bpm: 60, motion: false },
  { name: 'fast.ringfx', seed: 3, hr_bpm: 120, motion: false },
  { name: 'walk/motion.ringfx', seed: 2, hr_bpm: 70, motion: true },
];

export const LIBRARY_IDS = ['fast', 'rest-a', 'rest-b', 'walk/motion'];

/** Write the recordings under dir (recreating it). */
export function writeLibrary(dir: string): void {
  writeLibraryOf(dir, LIBRARY_DURATION_S);
}

/** As writeLibrary, with recordings of duration_s each: for tests of how sessions are run, not of what a replay finds. */
export function writeLibraryOf(dir: string, duration_s: number): void {
  for (const r of RECORDINGS) {
    const file = path.join(dir, r.name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const opts = cliSynthOptions({ seed: r.seed, duration_s, sample_rate_hz: 100, hr_bpm: r.hr_bpm, motion: r.motion, no_contact: false });
    fs.writeFileSync(file, encodeFixture(generateRingPpg(opts)));
  }
}
