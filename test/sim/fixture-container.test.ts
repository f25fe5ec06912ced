// The .ringfx container: byte-identical round trips, and a clear FixtureError for every
// way a file can be broken (never a raw codec exception).

import t, { type Test } from 'tap';
import { Encoder } from 'cbor-x';
import {
  CONTAINER_HEADER_SIZE_BYTES,
  decodeFixture,
  encodeFixture,
  FixtureError,
} from '../../sim/fixture/container.js';
import { crc32 } from '../../sim/fixture/crc32.js';
import type { Fixture } from '../../sim/fixture/types.js';
import { Prng } from '../../sim/prng.js';
import { generateRingPpg } from '../../sim/synth/ring-ppg.js';
import { generateRrSeries } from '../../sim/synth/rr-series.js';

const NAME = 'test.ringfx';

/** A fixture using every optional field, small enough to inspect. */
function fullFixture(): Fixture {
  return {
    format_version: 1,
    meta: {
      record: 'full',
      source: 'test:full',
      license: 'test data',
      sample_rate_hz: 50,
      ppg_units: 'counts',
      start_time_unix_ms: 1700000000123,
      notes: { subject: { age_years: 40.5 }, list: [1, 'two', null], flag: true },
    },
    ppg: Int32Array.from([0, -1, 2147483647, -2147483648, 12345]),
    accel: { sample_rate_hz: 25, x_mg: Int16Array.from([1, -2]), y_mg: Int16Array.from([3, 4]), z_mg: Int16Array.from([-1000, 32767]) },
    events: [{ time_ms: 10, kind: 'note', duration_ms: 5, text: 'hello' }, { time_ms: 20.5, kind: 'motion' }],
    ref_beats_us: Float64Array.from([0, 1000.5, 2e6]),
    ref_kind: 'annotated-ppg-peaks',
    ref_labels: 'NVN',
    ecg_r_peaks_us: Float64Array.from([500, 1500]),
    artifacts: [{ start_ms: 0, end_ms: 1.5 }],
  };
}

function synthFixture(seed: number): Fixture {
  const rr = generateRrSeries({ seed: 9, duration_s: 40, hr_bpm: 70 });
  return generateRingPpg({ seed, rr_ms: rr.rr_ms, rr_source: rr.source, duration_s: 30 });
}

/** A container around an arbitrary body, with a correct header and checksum. */
function containerOf(body: Uint8Array, version = 1): Uint8Array {
  const out = new Uint8Array(CONTAINER_HEADER_SIZE_BYTES + body.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('RINGFX'), 0);
  view.setUint16(6, version, false);
  view.setUint32(8, body.length, false);
  view.setUint32(12, crc32(body), false);
  out.set(body, CONTAINER_HEADER_SIZE_BYTES);
  return out;
}

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, variableMapSize: true });
function bodyOf(value: unknown): Uint8Array {
  return new Uint8Array(cbor.encode(value));
}

function expectError(tt: Test, bytes: Uint8Array, pattern: RegExp, what: string): void {
  tt.throws(() => decodeFixture(bytes, NAME), FixtureError, `${what}: FixtureError`);
  try {
    decodeFixture(bytes, NAME);
  } catch (err) {
    const message = (err as Error).message;
    tt.match(message, pattern, `${what}: ${message}`);
    tt.ok(message.startsWith(`${NAME}: `), `${what}: names the file`);
    tt.notOk(message.includes('\n'), `${what}: one line`);
  }
}

t.test('round trip is byte-identical and preserves every field', async (t) => {
  for (const f of [fullFixture(), synthFixture(1)]) {
    const a = encodeFixture(f);
    const d = decodeFixture(a, NAME);
    const b = encodeFixture(d);
    t.same(Buffer.from(b), Buffer.from(a), `${f.meta.record}: re-encoding gives the same bytes`);
    t.ok(d.ppg instanceof Int32Array, 'ppg stays an Int32Array');
    t.ok(d.ref_beats_us instanceof Float64Array, 'ref_beats_us stays a Float64Array');
    t.same(Array.from(d.ppg), Array.from(f.ppg), 'samples equal');
    t.same(Array.from(d.ref_beats_us!), Array.from(f.ref_beats_us!), 'beats equal');
    t.same(d.meta, f.meta, 'meta equal');
    t.same(d.events, f.events, 'events equal');
    t.same(d.artifacts, f.artifacts, 'artifacts equal');
  }
  const d = decodeFixture(encodeFixture(fullFixture()), NAME);
  t.ok(d.accel!.z_mg instanceof Int16Array, 'accel axes stay Int16Array');
  t.equal(d.ref_labels, 'NVN');
  t.same(Array.from(d.ecg_r_peaks_us!), [500, 1500]);
});

t.test('a typed-array view (subarray) encodes only its own elements', async (t) => {
  const f = fullFixture();
  f.ppg = Int32Array.from([9, 8, 7, 6]).subarray(1, 3);
  t.same(Array.from(decodeFixture(encodeFixture(f), NAME).ppg), [8, 7]);
});

t.test('the header is magic, version, body size and CRC-32', async (t) => {
  const bytes = encodeFixture(fullFixture());
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  t.equal(new TextDecoder().decode(bytes.subarray(0, 6)), 'RINGFX');
  t.equal(view.getUint16(6, false), 1);
  t.equal(view.getUint32(8, false), bytes.length - CONTAINER_HEADER_SIZE_BYTES);
  t.equal(view.getUint32(12, false), crc32(bytes.subarray(CONTAINER_HEADER_SIZE_BYTES)));
});

t.test('broken containers each give a clear FixtureError', async (t) => {
  const good = encodeFixture(synthFixture(2));
  expectError(t, good.subarray(0, good.length >> 1), /truncated file: header says \d+ bytes of body, found \d+/, 'cut in half');
  expectError(t, good.subarray(0, 10), /truncated file: 10 bytes, shorter than the 16-byte header/, 'cut inside the header');
  expectError(t, new Uint8Array(0), /empty file/, 'empty');
  const flipped = good.slice();
  flipped[flipped.length - 100] ^= 0x40;
  expectError(t, flipped, /corrupt data: body checksum 0x[0-9a-f]{8} does not match the stored 0x[0-9a-f]{8}/, 'a flipped bit');
  const magic = good.slice();
  magic[0] = 0x58;
  expectError(t, magic, /not a ring fixture container \(wrong magic, expected "RINGFX"\)/, 'wrong magic');
  expectError(t, new TextEncoder().encode('{"fs": 100}'), /wrong magic/, 'JSON given as a container');
  const version = good.slice();
  new DataView(version.buffer).setUint16(6, 7, false);
  expectError(t, version, /unknown format version 7 \(this build reads version 1\)/, 'unknown version');
  const trailing = new Uint8Array(good.length + 3);
  trailing.set(good);
  expectError(t, trailing, /3 unexpected bytes after the \d+-byte body/, 'trailing bytes');
});

t.test('a body that is not valid CBOR is reported, not thrown raw', async (t) => {
  expectError(t, containerOf(Uint8Array.from([0xff, 0xfe, 0x01])), /corrupt CBOR body \(.+\)/, 'garbage');
  const body = bodyOf({ meta: { record: 'x' } });
  expectError(t, containerOf(body.subarray(0, body.length - 2)), /corrupt CBOR body/, 'CBOR cut short');
});

t.test('missing and mistyped fields are named', async (t) => {
  const ok = (): Record<string, unknown> => ({
    meta: { record: 'r', source: 's', sample_rate_hz: 100, ppg_units: 'u' },
    ppg: Int32Array.from([1, 2]),
    events: [],
    artifacts: [],
  });
  t.equal(decodeFixture(containerOf(bodyOf(ok())), NAME).meta.record, 'r', 'the minimal body decodes');
  const cases: [string, (b: Record<string, any>) => void, RegExp][] = [
    ['no ppg', (b) => delete b.ppg, /missing field "ppg"/],
    ['no meta.sample_rate_hz', (b) => delete b.meta.sample_rate_hz, /missing field "meta.sample_rate_hz"/],
    ['no events', (b) => delete b.events, /missing field "events"/],
    ['ppg as a plain array', (b) => (b.ppg = [1, 2]), /field "ppg" must be a typed array Int32Array \(CBOR tag 78\), got an array/],
    ['ppg as Float64Array', (b) => (b.ppg = Float64Array.from([1])), /field "ppg" must be a typed array Int32Array.*got a Float64Array/],
    ['rate as text', (b) => (b.meta.sample_rate_hz = '100'), /field "meta.sample_rate_hz" must be a finite number, got a string/],
    ['rate 0', (b) => (b.meta.sample_rate_hz = 0), /meta.sample_rate_hz must be a number in 1..10000, got 0/],
    ['rate 20000', (b) => (b.meta.sample_rate_hz = 20000), /meta.sample_rate_hz must be a number in 1..10000, got 20000/],
    ['beats descending', (b) => (b.ref_beats_us = Float64Array.from([5, 3])), /ref_beats_us not ascending at index 1 \(5 then 3 us\)/],
    ['beats repeated', (b) => (b.ref_beats_us = Float64Array.from([5, 5])), /ref_beats_us not ascending at index 1/],
    ['negative beat', (b) => (b.ref_beats_us = Float64Array.from([-1])), /ref_beats_us\[0\] is -1, must be a finite time >= 0/],
    ['span backwards', (b) => (b.artifacts = [{ start_ms: 10, end_ms: 5 }]), /artifacts\[0\] is \[10, 5\) ms, must satisfy 0 <= start < end/],
    ['span without end', (b) => (b.artifacts = [{ start_ms: 10 }]), /missing field "artifacts\[0\].end_ms"/],
    ['event without kind', (b) => (b.events = [{ time_ms: 1 }]), /missing field "events\[0\].kind"/],
    ['labels miscounted', (b) => ((b.ref_beats_us = Float64Array.from([1, 2])), (b.ref_labels = 'N')), /ref_labels has 1 labels for 2 reference beats/],
    ['accel axes differ', (b) => (b.accel = { sample_rate_hz: 25, x_mg: new Int16Array(2), y_mg: new Int16Array(2), z_mg: new Int16Array(1) }), /accel axes differ in length/],
    ['empty map', (b) => Object.keys(b).forEach((k) => delete b[k]), /missing field "meta"/],
  ];
  for (const [what, mutate, pattern] of cases) {
    const b = ok();
    mutate(b);
    expectError(t, containerOf(bodyOf(b)), pattern, what);
  }
  expectError(t, containerOf(bodyOf([1, 2])), /field "body" must be a map with text keys, got an array/, 'array body');
});

t.test('random corruption of the body only ever gives FixtureError', async (t) => {
  const good = encodeFixture(fullFixture());
  const body = good.subarray(CONTAINER_HEADER_SIZE_BYTES);
  const prng = new Prng(2024);
  let rejected = 0;
  for (let round = 0; round < 2000; round++) {
    const mutated = body.slice();
    const flips = 1 + prng.nextBelow(4);
    for (let k = 0; k < flips; k++) mutated[prng.nextBelow(mutated.length)] = prng.nextBelow(256);
    // A fresh checksum, so the CBOR decoder and the field checks see the damage.
    const bytes = containerOf(mutated.subarray(0, prng.nextBelow(4) === 0 ? prng.nextBelow(mutated.length) : mutated.length));
    try {
      decodeFixture(bytes, NAME);
    } catch (err) {
      if (!(err instanceof FixtureError)) {
        t.fail(`round ${round}: ${(err as Error).name}: ${(err as Error).message}`);
        return;
      }
      rejected++;
    }
  }
  t.ok(rejected > 500, `${rejected} of 2000 damaged bodies rejected, all with FixtureError`);
});

t.test('the encoder refuses fixtures the decoder would reject', async (t) => {
  const f = fullFixture();
  f.ref_beats_us = Float64Array.from([2, 1]);
  f.ref_labels = undefined;
  t.throws(() => encodeFixture(f), /fixture "full": ref_beats_us not ascending at index 1/);
  const g = fullFixture();
  g.meta.sample_rate_hz = 0;
  t.throws(() => encodeFixture(g), FixtureError);
});
