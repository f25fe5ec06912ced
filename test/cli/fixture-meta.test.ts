// `ring fixture info` on containers whose metadata holds CBOR that JSON has no word for:
// 64-bit integers, `undefined`, shared references (tags 28/29, which can make a cycle).
// Each is shown, in the table and in --json, and none is an internal fault.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Decoder, Encoder } from 'cbor-x';
import { ring } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { crc32 } from '../../sim/fixture/crc32.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-meta-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

const HEADER = 16;
const base = new Uint8Array(fs.readFileSync(path.join(repoRoot, 'fixtures/synth/synth-high-hr.ringfx')));

/** The shipped container with meta.notes replaced, re-encoded with a valid checksum. */
function withNotes(name: string, notes: unknown, encoderOptions: Record<string, unknown> = {}): string {
  const opts = { useRecords: false, mapsAsObjects: true, variableMapSize: true } as const;
  const body = new Decoder(opts).decode(base.subarray(HEADER)) as { meta: Record<string, unknown> };
  body.meta.notes = notes;
  const encoded = new Encoder({ ...opts, ...encoderOptions }).encode(body);
  const out = new Uint8Array(HEADER + encoded.length);
  out.set(base.subarray(0, HEADER));
  const view = new DataView(out.buffer);
  out.set(encoded, HEADER);
  view.setUint32(8, encoded.length, false);
  view.setUint32(12, crc32(out.subarray(HEADER)), false);
  const file = path.join(tmp, name);
  fs.writeFileSync(file, out);
  return file;
}

const shared = { gain: 3 };
const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;

// One container holds every kind (a recording's notes may hold them all at once): `fixture
// info` reads it twice, as a table and as --json, and each kind is looked for in both.
const file = withNotes('every-kind.ringfx', {
  counter: 2n ** 63n - 1n,
  gone: undefined,
  kept: 1,
  a: shared,
  b: shared,
  c: cyclic,
}, { largeBigIntToFloat: false, structuredClone: true });
const runs = [false, true].map((json) => ({ json, r: ring(['fixture', 'info', file, ...(json ? ['--json'] : [])]) }));

t.test('the container holds each kind', async (t) => {
  const opts = { useRecords: false, mapsAsObjects: true, variableMapSize: true, structuredClone: true } as const;
  const notes = (new Decoder(opts).decode(fs.readFileSync(file).subarray(HEADER)) as { meta: { notes: Record<string, unknown> } }).meta.notes;
  t.equal(notes.counter, 2n ** 63n - 1n, 'a 64-bit integer');
  t.ok('gone' in notes && notes.gone === undefined, 'undefined');
  t.equal(notes.a, notes.b, 'a shared reference');
  t.equal((notes.c as { self: unknown }).self, notes.c, 'a cycle');
});

const CASES: [string, RegExp][] = [
  ['a 64-bit integer', /9223372036854775807/],
  ['undefined', /kept/],
  ['a shared reference', /gain/],
  ['a cycle through a shared reference', /loop/],
];

for (const [what, shown] of CASES) {
  t.test(`meta.notes holding ${what}`, async (t) => {
    for (const { json, r } of runs) {
      t.equal(r.code, 0, `${json ? '--json' : 'table'}: exit 0 (${r.stderr.trim()})`);
      t.match(r.stdout, shown, 'the value is shown');
      if (json) t.doesNotThrow(() => JSON.parse(r.stdout), 'one valid JSON document');
    }
  });
}

// A cycle is cut where it closes, as "[circular]"; a reference seen twice on different paths
// is shown in full both times (it is shared, not a cycle).
t.test('a cycle is shown as [circular] where it closes, a shared value in full', async (t) => {
  const json = runs.find((x) => x.json)!.r;
  const doc = JSON.parse(json.stdout) as { meta: { notes: Record<string, { self?: unknown; gain?: number; name?: string }> } };
  const notes = doc.meta.notes;
  t.equal(notes.c?.name, 'loop', '--json: the cyclic value itself');
  t.equal(notes.c?.self, '[circular]', '--json: its reference to itself');
  t.same([notes.a?.gain, notes.b?.gain], [3, 3], '--json: the shared value under both keys');
  const table = runs.find((x) => !x.json)!.r.stdout;
  t.match(table, /note c\s+\{"name":"loop","self":"\[circular\]"\}/, 'table: the cycle cut where it closes');
});
