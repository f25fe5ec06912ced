// The spooled record lists (sim/replay-store.ts): what goes in comes out, field for field,
// in order and by index, across blocks held in memory and blocks in the spool file.

import t from 'tap';
import { compactReplay, closeReplay, SPOOL_BLOCK_ROWS } from '../../sim/replay-store.js';
import type { BeatOut } from '../../sim/replay-types.js';

function beat(i: number): BeatOut {
  // Fractions and large values: rows are float64, nothing is rounded.
  return { time_ms: i * 811 + 0.25, ibi_ms: 700 + (i % 300), ibi_valid: i % 3 !== 0, sqi: i % 101, amplitude: -i * 7, index: i, emitted_us: i * 811_000 + 2 ** 40 };
}

t.test('records come back as they went in, across spooled blocks', async (t) => {
  const view = compactReplay();
  t.teardown(() => closeReplay(view));
  const n = 2 * SPOOL_BLOCK_ROWS + 123;
  let lengths_ok = true;
  for (let i = 0; i < n; i++) lengths_ok &&= view.beats.push(beat(i)) === i + 1;
  t.ok(lengths_ok, 'push returns the new length');
  t.equal(view.beats.length, n, 'length counts spooled and held rows');
  let k = 0;
  let same = true;
  for (const b of view.beats) same &&= JSON.stringify(b) === JSON.stringify(beat(k++));
  t.ok(same && k === n, `in order: ${k} records, each field for field (keys in their declared order)`);
  for (const i of [0, 1, SPOOL_BLOCK_ROWS - 1, SPOOL_BLOCK_ROWS, n - 124, n - 1, 5, SPOOL_BLOCK_ROWS + 9]) {
    t.same(view.beats.at(i), beat(i), `at(${i})`);
  }
  t.same(view.beats.at(-1), beat(n - 1), 'at(-1) is the last');
  t.equal(view.beats.at(n), undefined, 'past the end: undefined');
  t.equal(view.beats.at(-n - 1), undefined, 'before the start: undefined');
  // Two readers at once (the NDJSON merge reads four lists side by side) do not disturb each other.
  const a = view.beats[Symbol.iterator]();
  const b = view.beats[Symbol.iterator]();
  for (let i = 0; i < SPOOL_BLOCK_ROWS + 2; i++) a.next();
  t.same(b.next().value, beat(0), 'a second iterator starts at the beginning');
  t.same(a.next().value, beat(SPOOL_BLOCK_ROWS + 2), 'the first goes on where it was');
});

t.test('records pushed after a read are read too; close empties the list', async (t) => {
  const view = compactReplay();
  for (let i = 0; i < SPOOL_BLOCK_ROWS + 1; i++) view.hr.push({ time_ms: i, hr_bpm_x10: 600 + i, confidence: 3, emitted_us: i * 1000 });
  t.same(view.hr.at(3), { time_ms: 3, hr_bpm_x10: 603, confidence: 3, emitted_us: 3000 });
  view.hr.push({ time_ms: -1, hr_bpm_x10: 1, confidence: 0, emitted_us: 9 });
  t.same(view.hr.at(-1), { time_ms: -1, hr_bpm_x10: 1, confidence: 0, emitted_us: 9 }, 'the newest record');
  t.equal([...view.hr].length, SPOOL_BLOCK_ROWS + 2, 'all of them in order');
  closeReplay(view);
  t.equal(view.hr.length, 0, 'closed: empty');
  t.equal([...view.hr].length, 0, 'closed: nothing to read');
});
