// The boot stage's trial: an image that does not confirm itself in time, whose self-test
// (boot) fails, that throws out of the firmware or hangs, is reverted at the next reset
// with the reason recorded; the ring runs its confirmed image again. A confirmed image
// stays across resets.

import t from 'tap';
import { bootRing, clientFor, factoryFlash, firmwarePayload, imageSha, testImage } from '../helpers/image.js';
import { imageConfirm, imageReset, imageState, imageTest, uploadImage } from '../../host/image/upload.js';
import { REVERT_REASON_NAMES } from '../../host/image/errors.js';
import { ST_REVERT } from '../../firmware/cmd/image-state.js';
import type { BootedRing } from '../../sim/boot/booted-ring.js';
import type { RingClient } from '../../host/client/client.js';

/** The real firmware with one entry point replaced (JavaScript appended to the bundle). */
function patched(js: string): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from(firmwarePayload()), Buffer.from(`\n${js}\n`)]));
}

async function testBoot(ring: BootedRing, client: RingClient, image: Uint8Array): Promise<void> {
  await client.connect();
  await uploadImage(client, image, imageSha(image));
  await imageTest(client, imageSha(image));
  await imageReset(client);
  await client.transport.clock.waitUntil(() => !client.transport.connected, 2_000_000);
  void ring;
}

async function settle(client: RingClient, ms: number): Promise<void> {
  await client.transport.clock.waitUntil(() => false, ms * 1000);
}

const cases: [string, string, string][] = [
  ['a failed self-test (ring_boot returns an error)', 'RingFirmware.ring_boot = function () { return -7; };', 'SELF_TEST_FAILED'],
  ['an exception escaping the firmware', 'RingFirmware.ring_on_sensor_irq = function () { throw new Error("boom"); };', 'FAULT'],
  ['a hang', 'RingFirmware.ring_on_sensor_irq = function () { for (;;) {} };', 'WATCHDOG'],
];

for (const [name, js, reason] of cases) {
  t.test(`${name} is reverted`, async (t) => {
    // A call that has not returned after 1 s of wall time is a hang (the real firmware's calls take microseconds).
    const ring = bootRing(factoryFlash(testImage()), { watchdog_call_ms: 1000 });
    const client = clientFor(ring);
    const image = testImage({ version: { major: 1, minor: 1, patch: 0 }, security_counter: 2, payload: patched(js) });
    await testBoot(ring, client, image);
    await settle(client, 3000);
    const trial = ring.resets.find((r) => r.decision?.trial);
    t.ok(trial, 'the new image was booted on trial');
    t.equal(ring.booted.slot, 0, 'slot A runs again');
    t.equal(ring.booted.trial, false);
    await client.connect();
    const st = await imageState(client);
    t.equal(st.last.type, ST_REVERT);
    t.equal(REVERT_REASON_NAMES[st.last.reason], reason, `reason ${reason}`);
    t.equal(st.active, 0);
    t.equal(st.min_sc, 1, 'the security counter did not move');
    await client.close();
  });
}

t.test('an image that is not confirmed in time is reverted by the watchdog', async (t) => {
  const ring = bootRing(factoryFlash(testImage()), { confirm_window_ms: 5000 });
  const client = clientFor(ring);
  const image = testImage({ version: { major: 1, minor: 1, patch: 0 }, security_counter: 2 });
  await testBoot(ring, client, image);
  await settle(client, 1000);
  t.equal(ring.booted.slot, 1, 'on trial in slot B');
  t.equal(ring.booted.trial, true);
  await settle(client, 6000);
  t.equal(ring.booted.slot, 0, 'back on slot A');
  t.equal(ring.resets.at(-1)?.cause, 'watchdog');
  await client.connect();
  const st = await imageState(client);
  t.equal(REVERT_REASON_NAMES[st.last.reason], 'WATCHDOG');
  await client.close();
});

t.test('a confirmed image stays across resets and raises the security counter', async (t) => {
  const ring = bootRing(factoryFlash(testImage()), { confirm_window_ms: 5000 });
  const client = clientFor(ring);
  const image = testImage({ version: { major: 1, minor: 1, patch: 0 }, security_counter: 7 });
  await testBoot(ring, client, image);
  await client.connect();
  await imageConfirm(client);
  await settle(client, 6000);
  ring.reset('power-on', 'test');
  ring.reset('soft', 'test');
  t.equal(ring.booted.slot, 1);
  t.equal(ring.booted.trial, false);
  await client.connect();
  const st = await imageState(client);
  t.equal(st.active, 1);
  t.equal(st.min_sc, 7);
  t.equal(st.trial, false);
  await client.close();
});
