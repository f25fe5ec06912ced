// What runs is what was flashed: a firmware build whose detector differs (beats closer
// than 1500 ms are never both reported, instead of 250 ms) is flashed onto a ring running
// the current build; the records the ring makes afterwards, read back over the protocol,
// follow the new rule, while the same ring without the update keeps reporting beats
// closer than that (a resting heart beats every 0.8..1.1 s).

import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/shared.js';
import { bootRing, buildPayload, bundlePayload, clientFor, factoryFlash, firmwarePayload, PAYLOAD_FILE, testImage } from '../helpers/image.js';
import { flashImage } from '../../host/image/flash.js';
import { readHistory } from '../../host/client/history.js';
import type { RingClient } from '../../host/client/client.js';
import { RECORD_BEAT } from '../../protocol/ids.js';

const SPACING_MS = 1500;

/**
 * The payload of a firmware build with one constant changed: the ES5 modules of the current
 * build (firmwarePayload() brings them up to date with the sources, as make firmware-image
 * does) with the compiled constant changed, bundled as make firmware-image bundles them.
 * tsc lowers each module alone, so changing its output is changing its source; the tree's
 * ES5 compile (most of a build's CPU) is not repeated for one constant.
 */
function changedBuild(): Uint8Array {
  firmwarePayload();
  const source = fs.readFileSync(path.join(repoRoot, 'firmware/config.ts'), 'utf8');
  if (!source.includes('export const BEAT_SPACING_MS_MIN = 250;')) throw new Error('firmware/config.ts no longer has BEAT_SPACING_MS_MIN = 250: update this test');
  const es5 = path.join(repoRoot, 'build/firmware-ring-es5');
  if (!fs.existsSync(es5)) buildPayload(repoRoot, PAYLOAD_FILE); // the payload without its modules (build/ removed): build both again
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-fw-'));
  try {
    fs.cpSync(es5, path.join(dir, 'build/firmware-ring-es5'), { recursive: true });
    fs.cpSync(path.join(repoRoot, 'sim/boot/ring-bundle-entry.js'), path.join(dir, 'sim/boot/ring-bundle-entry.js'));
    const config = path.join(dir, 'build/firmware-ring-es5/firmware/config.js');
    const compiled = fs.readFileSync(config, 'utf8');
    const changed = compiled.replace('export var BEAT_SPACING_MS_MIN = 250;', `export var BEAT_SPACING_MS_MIN = ${SPACING_MS};`);
    if (changed === compiled) throw new Error('the ES5 build of firmware/config.ts no longer has BEAT_SPACING_MS_MIN = 250: update this test');
    fs.writeFileSync(config, changed);
    const out = path.join(dir, 'payload.js');
    bundlePayload(dir, out);
    return new Uint8Array(fs.readFileSync(out));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Beat-to-beat spacings (ms) of the beats logged after sequence `after`. */
async function spacingsAfter(client: RingClient, after: number): Promise<number[]> {
  const h = await readHistory(client, { from_seq: after + 1, kinds: 1 << (RECORD_BEAT - 1) });
  const times = h.records.flatMap((r) => (r.type === 'beat' ? [r.time_ms] : []));
  return times.slice(1).map((t, i) => t - times[i]);
}

async function lastSeq(client: RingClient): Promise<number> {
  return (await client.historyPage(0, 1)).last_seq;
}

t.test('a replay after the flash runs the flashed detector', async (t) => {
  const image = testImage({ version: { major: 1, minor: 1, patch: 0 }, security_counter: 2, payload: changedBuild() });
  const start = factoryFlash(testImage());

  const ring = bootRing(start);
  const client = clientFor(ring);
  await client.connect();
  const r = await flashImage(client, image, { health_us: 100_000 });
  t.equal(r.outcome, 'confirmed');
  t.equal(ring.booted.info.sha256, r.image.sha256, 'the boot stage loaded the new image');
  const from = await lastSeq(client);
  await client.transport.clock.waitUntil(() => false, 40_000_000);
  const flashed = await spacingsAfter(client, from);
  await client.close();

  const control = bootRing(factoryFlash(testImage()));
  const control_client = clientFor(control);
  await control_client.connect();
  await control_client.transport.clock.waitUntil(() => false, 42_000_000);
  const control_from = await lastSeq(control_client);
  await control_client.transport.clock.waitUntil(() => false, 40_000_000);
  const unchanged = await spacingsAfter(control_client, control_from);
  await control_client.close();

  t.ok(flashed.length >= 10, `the flashed ring reports beats (${flashed.length + 1})`);
  t.ok(Math.min(...flashed) >= SPACING_MS, `no two beats closer than ${SPACING_MS} ms after the flash (closest ${Math.min(...flashed)} ms)`);
  t.ok(unchanged.filter((d) => d < SPACING_MS).length > unchanged.length / 2, `without the update most beats are closer (closest ${Math.min(...unchanged)} ms)`);
  t.ok(unchanged.length > flashed.length, `the old detector reports more beats (${unchanged.length + 1} vs ${flashed.length + 1})`);
});
