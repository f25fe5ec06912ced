// Replaying a .ringfx container from the file (sim/fixture/stream.ts): the same checks and
// messages as the whole-file decoder, the same replay, errors at the point a file changes
// or shrinks under a running replay, and memory that does not grow with the recording.

import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Encoder } from 'cbor-x';
import { CONTAINER_HEADER_SIZE_BYTES, decodeFixture, encodeFixture, FixtureError } from '../../sim/fixture/container.js';
import { crc32 } from '../../sim/fixture/crc32.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { openFixtureStream } from '../../sim/fixture/stream.js';
import type { Fixture } from '../../sim/fixture/types.js';
import { Prng } from '../../sim/prng.js';
import { replayFixture, replayFixtureInto } from '../../sim/replay.js';
import { compactReplay } from '../../sim/replay-store.js';
import { cliSynthOptions } from '../../sim/synth/presets.js';
import { generateRingPpg } from '../../sim/synth/ring-ppg.js';
import { replayNdjsonLines } from '../../host/replay/format.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-fixture-stream-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

function synth(duration_s: number, motion: boolean, seed = 3): Fixture {
  return generateRingPpg(cliSynthOptions({ seed, duration_s, sample_rate_hz: 100, hr_bpm: 70, motion, no_contact: motion }));
}

function writeFile(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

function messageOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (!(err instanceof FixtureError)) throw err;
    return err.message;
  }
}

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, variableMapSize: true });
function containerOf(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(CONTAINER_HEADER_SIZE_BYTES + body.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('RINGFX'), 0);
  view.setUint16(6, 1, false);
  view.setUint32(8, body.length, false);
  view.setUint32(12, crc32(body), false);
  out.set(body, CONTAINER_HEADER_SIZE_BYTES);
  return out;
}

t.test('a broken file gets the whole-file decoder\'s error, before any sample', async (t) => {
  const good = encodeFixture(synth(30, true));
  const flipped = good.slice();
  flipped[flipped.length >> 1] ^= 0x40; // in the middle of the samples
  const version = good.slice();
  new DataView(version.buffer).setUint16(6, 7, false);
  const trailing = new Uint8Array(good.length + 3);
  trailing.set(good);
  const minimal = { meta: { record: 'r', source: 's', sample_rate_hz: 100, ppg_units: 'u' }, ppg: Int32Array.from([1, 2]), events: [], artifacts: [] };
  const cases: [string, Uint8Array, RegExp][] = [
    ['cut in half', good.subarray(0, good.length >> 1), /truncated file: header says \d+ bytes of body, found \d+/],
    ['cut inside the header', good.subarray(0, 10), /truncated file: 10 bytes, shorter than the 16-byte header/],
    ['empty', new Uint8Array(0), /empty file/],
    ['a flipped bit in the samples', flipped, /corrupt data: body checksum 0x[0-9a-f]{8} does not match the stored 0x[0-9a-f]{8}/],
    ['unknown version', version, /unknown format version 7/],
    ['trailing bytes', trailing, /3 unexpected bytes after the \d+-byte body/],
    ['ppg as a plain array', containerOf(new Uint8Array(cbor.encode({ ...minimal, ppg: [1, 2] }))), /field "ppg" must be a typed array Int32Array/],
    ['accel axes differ', containerOf(new Uint8Array(cbor.encode({ ...minimal, accel: { sample_rate_hz: 25, x_mg: new Int16Array(2), y_mg: new Int16Array(2), z_mg: new Int16Array(1) } }))), /accel axes differ in length \(2, 2, 1\)/],
    ['not a map', containerOf(new Uint8Array(cbor.encode([1, 2]))), /field "body" must be a map with text keys, got an array/],
  ];
  for (const [what, bytes, pattern] of cases) {
    const file = writeFile('broken.ringfx', bytes);
    const whole = messageOf(() => decodeFixture(bytes, file));
    const streamed = messageOf(() => openFixtureStream(file));
    t.match(streamed, pattern, `${what}: ${streamed}`);
    t.equal(streamed, whole, `${what}: the same message as the whole-file decoder`);
  }
});

t.test('random damage with a fresh checksum only ever gives FixtureError', async (t) => {
  const body = encodeFixture(synth(5, true)).subarray(CONTAINER_HEADER_SIZE_BYTES);
  const prng = new Prng(77);
  let rejected = 0;
  for (let round = 0; round < 150; round++) {
    const mutated = body.slice();
    // Damage near the start, where the structure is (meta, the sample headers).
    for (let k = 0; k <= prng.nextBelow(3); k++) mutated[prng.nextBelow(Math.min(mutated.length, 2000))] = prng.nextBelow(256);
    const file = writeFile('damaged.ringfx', containerOf(mutated.subarray(0, prng.nextBelow(4) === 0 ? prng.nextBelow(mutated.length) : mutated.length)));
    try {
      const f = openFixtureStream(file);
      f.close();
    } catch (err) {
      if (!(err instanceof FixtureError)) {
        t.fail(`round ${round}: ${(err as Error).name}: ${(err as Error).message}`);
        return;
      }
      rejected++;
    }
  }
  t.ok(rejected > 25, `${rejected} of 150 damaged bodies rejected, all with FixtureError`);
});

t.test('a replay from the file equals a replay of the decoded fixture', async (t) => {
  // 800 s at 100 Hz: the samples span two read windows.
  const f = synth(800, true);
  const file = writeFile('motion.ringfx', encodeFixture(f));
  const opened = openFixtureStream(file);
  t.teardown(() => opened.close());
  t.notOk(opened.ppg instanceof Int32Array, 'the PPG stays in the file');
  t.equal(opened.ppg.length, f.ppg.length, 'as many samples');
  t.same(opened.meta, f.meta, 'meta decoded');
  t.same(Array.from(opened.ref_beats_us!), Array.from(f.ref_beats_us!), 'reference beats decoded');
  for (const rate_hz of [25, 50]) {
    const whole = replayNdjsonLines(replayFixture(loadFixture(file), { rate_hz, seed: 5 }));
    const streamed = replayNdjsonLines(replayFixtureInto(opened, { rate_hz, seed: 5 }, compactReplay()));
    t.equal(streamed.length, whole.length, `${rate_hz} Hz: as many records`);
    t.same(streamed, whole, `${rate_hz} Hz: the same records, field for field`);
  }
});

t.test('a file that shrinks or changes under a running replay stops it there with a clear error', async (t) => {
  const bytes = encodeFixture(synth(1200, false));
  for (const [what, damage, pattern] of [
    ['truncated', (file: string) => fs.truncateSync(file, bytes.length >> 1), /truncated file: it shrank from \d+ to \d+ bytes while "ppg" \(samples \d+\.\.\d+\) was being read/],
    ['rewritten', (file: string) => {
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Uint8Array.from([1, 2, 3, 4]), 0, 4, bytes.length - 1000);
      fs.closeSync(fd);
      fs.utimesSync(file, new Date(), new Date(Date.UTC(2030, 0, 1)));
    }, /the file changed while "ppg" \(samples \d+\.\.\d+\) was being read \(its checksum was verified when it was opened\)/],
  ] as const) {
    const file = writeFile(`${what}.ringfx`, bytes);
    const opened = openFixtureStream(file);
    const into = compactReplay();
    let damaged_at_us = -1;
    const err = messageOf(() => replayFixtureInto(opened, {
      rate_hz: 50, seed: 1,
      onProgress: (now_us) => {
        if (damaged_at_us < 0) {
          damage(file);
          damaged_at_us = now_us;
        }
      },
    }, into));
    opened.close();
    t.match(err, pattern, `${what}: ${err}`);
    t.ok(err!.startsWith(`${file}: `), `${what}: names the file`);
    t.ok(damaged_at_us > 0 && into.beats.length > 0, `${what}: the replay had run (${into.beats.length} beats) when the file changed`);
    const last = into.beats.at(-1)!;
    t.ok(last.time_ms < 1200 * 1000 - 60_000, `${what}: it stopped where the change was found (last beat at ${last.time_ms} ms), not at the end`);
  }
});

// Memory against the recording's length: test/replay/memory.test.ts, as peak RSS of the CLI
// in fresh processes. Measured here, inside a tap process that holds this file's other
// subtests, the live heap varied by 3 MB between runs of the same replay, more than the
// bound it checked.
