// Power loss at every flash operation of a 128 KB image update and of the boot stage's
// slot handling (test/helpers/sweep.ts says how the cuts are chosen). Without
// RING_FAULTS a seeded subset (for a run from source); make faults (RING_FAULTS=full) runs every cut.

import t from 'tap';
import { factoryFlash, bootRing, testImage } from '../helpers/image.js';
import { RecordingFlash, cutsFor, pickCuts, runScenario } from '../helpers/sweep.js';
import * as S from '../../firmware/cmd/image-state.js';
import { PART_UPDATE_STATE_ADDR, PART_UPDATE_STATE_BYTES } from '../../firmware/flash-map.js';

const FULL = process.env.RING_FAULTS === 'full';
const SUBSET = 10;
const SEED = 11;

t.test('power loss at every flash operation of an update', async (t) => {
  const old_image = testImage({ version: { major: 1, minor: 0, patch: 0 }, security_counter: 1 });
  const new_image = testImage({ version: { major: 1, minor: 1, patch: 0 }, security_counter: 2, image_bytes: 128 * 1024 });
  // The starting flash: the factory image booted once (provisioned), as a ring in use.
  const start = factoryFlash(old_image);
  bootRing(start);
  const clean = await runScenario(start, old_image, new_image, null, 'no fault');
  t.ok(clean.ok, `a clean update completes ${clean.detail}`);
  const ops = clean.flash.modifying_ops;
  t.ok(ops.filter((o) => o.kind === 'erase').length >= 32, 'the update erases the 32 sectors of a 128 KB image');
  t.ok(ops.filter((o) => o.kind === 'write').length >= 138, 'and writes it in chunks');
  const all = cutsFor(ops, SEED);
  const cuts = FULL ? all : pickCuts(all, SUBSET, SEED);
  let failures = 0;
  for (const { cut, label } of cuts) {
    const r = await runScenario(start, old_image, new_image, cut, label);
    if (!r.ok) {
      failures++;
      t.fail(`${label}: ${r.detail}`);
    }
  }
  t.comment(`power-loss sweep: ${cuts.length} scenarios of ${all.length} (${ops.length} flash writes and erases of the update, ${FULL ? 'all' : 'seeded subset'}), ${failures} failures`);
  t.equal(failures, 0, `${cuts.length} power-loss scenarios, 0 failures`);
});

t.test('power loss in the boot stage\'s first boot and in a compaction of the update state', async (t) => {
  const old_image = testImage({ version: { major: 1, minor: 0, patch: 0 }, security_counter: 1 });
  const new_image = testImage({ version: { major: 1, minor: 1, patch: 0 }, security_counter: 2 });
  // Factory-fresh (the first boot provisions: its snapshot write is swept too) ...
  const factory = factoryFlash(old_image);
  // ... and a ring whose update-state half is nearly full, so the update compacts it.
  const nearly_full = RecordingFlash.copyOf(factory);
  bootRing(nearly_full);
  t.equal(S.state_boot(nearly_full), 0);
  const free = S.ST_RECS_PER_HALF - 1 - 6;
  let appended = 0;
  for (let i = 0; i < free; i++) if (S.state_append(0, 0, 0, i, 0, new Uint8Array(12), 0) === 0) appended++;
  t.equal(appended, free, `${free} filler records: 6 slots left in the half`);
  let scenarios = 0;
  let failures = 0;
  for (const [name, start] of [['first boot', factory], ['compaction', nearly_full]] as const) {
    const clean = await runScenario(start, old_image, new_image, null, `${name}: no fault`);
    t.ok(clean.ok, `${name}: a clean update completes ${clean.detail}`);
    const state_ops = clean.flash.modifying_ops.filter((o) => o.addr >= PART_UPDATE_STATE_ADDR && o.addr < PART_UPDATE_STATE_ADDR + PART_UPDATE_STATE_BYTES);
    if (name === 'compaction') t.ok(state_ops.filter((o) => o.kind === 'erase').length >= 4, 'the update compacts the update state');
    const all = cutsFor(state_ops, SEED);
    const cuts = FULL ? all : pickCuts(all, 6, SEED);
    for (const { cut, label } of cuts) {
      scenarios++;
      const r = await runScenario(start, old_image, new_image, cut, `${name}: ${label}`);
      if (!r.ok) {
        failures++;
        t.fail(`${name}: ${label}: ${r.detail}`);
      }
    }
  }
  t.comment(`update-state sweep (first boot, compaction): ${scenarios} scenarios, ${failures} failures`);
  t.equal(failures, 0, `${scenarios} update-state power-loss scenarios, 0 failures`);
});
