// The ring refuses bad images by name and keeps running the image it had: unsigned,
// wrongly signed, one flipped bit (header, payload, trailer), truncated, wrong target,
// downgraded. Each goes through the whole flow (upload, test, reset) without the host's
// own checks, so the ring's checks are what is tested.

import t from 'tap';
import { buildImage, signImage } from '../../host/image/format.js';
import { generateKey } from '../../host/image/keys.js';
import { flashImage } from '../../host/image/flash.js';
import { imageState } from '../../host/image/upload.js';
import { bootRing, clientFor, factoryFlash, firmwarePayload, imageSha, testImage } from '../helpers/image.js';
import { programSlot } from '../../sim/boot/boot-stage.js';
import { rejectReason } from '../../host/image/errors.js';
import * as S from '../../firmware/cmd/image-state.js';

const v = (major: number, minor: number, patch: number) => ({ major, minor, patch });

function flipped(image: Uint8Array, pos: number): Uint8Array {
  const bad = image.slice();
  bad[pos] ^= 0x10;
  return bad;
}

/** A cut copy whose header still claims the whole size: the ring cannot tell until the end. */
function truncated(image: Uint8Array): Uint8Array {
  return image.slice(0, image.length - 40);
}

t.test('bad images are refused by name; the ring keeps its image', async (t) => {
  const current = testImage({ version: v(1, 0, 0), security_counter: 3 });
  const good = testImage({ version: v(1, 1, 0), security_counter: 3 });
  const payload_len = firmwarePayload().length;
  const cases: [string, Uint8Array, string, string][] = [
    ['unsigned', testImage({ version: v(1, 1, 0), security_counter: 3, key: null }), 'rejected', 'IMAGE_UNSIGNED'],
    ['signed by an untrusted key', testImage({ version: v(1, 1, 0), security_counter: 3, key: generateKey(new Uint8Array(32).fill(5)) }), 'rejected', 'IMAGE_UNKNOWN_KEY'],
    ['trusted key id, wrong signature', (() => {
      const other = signImage(buildImage(firmwarePayload(), { version: v(1, 1, 0), security_counter: 3 }), generateKey(new Uint8Array(32).fill(6)));
      const img = good.slice();
      const sig_at = 64 + payload_len + 48;
      img.set(other.subarray(sig_at, sig_at + 64), sig_at);
      return img;
    })(), 'rejected', 'IMAGE_BAD_SIGNATURE'],
    ['bit flipped in the header (version)', flipped(good, 9), 'rejected', 'IMAGE_BAD_HASH'],
    ['bit flipped in the payload', flipped(good, 64 + 12345), 'rejected', 'IMAGE_BAD_HASH'],
    ['bit flipped in the trailer hash', flipped(good, 64 + payload_len + 20), 'rejected', 'IMAGE_BAD_HASH'],
    ['bit flipped in the signature', flipped(good, 64 + payload_len + 100), 'rejected', 'IMAGE_BAD_SIGNATURE'],
    ['truncated', truncated(good), 'refused', 'ERR_IMAGE_INVALID'],
    ['wrong target', testImage({ version: v(1, 1, 0), security_counter: 3, target_id: 0x52100002 }), 'refused', 'ERR_IMAGE_TARGET'],
    ['downgraded (security counter 2 < 3)', testImage({ version: v(2, 0, 0), security_counter: 2 }), 'refused', 'ERR_IMAGE_DOWNGRADE'],
  ];
  for (const [name, image, outcome, error] of cases) {
    const ring = bootRing(factoryFlash(current));
    const client = clientFor(ring);
    await client.connect();
    const r = await flashImage(client, image, { health_us: 100_000, check: false });
    t.equal(r.outcome, outcome, `${name}: ${outcome}`);
    t.equal(r.error, error, `${name}: ${error}`);
    t.equal(r.running_slot, 0, `${name}: slot A still runs`);
    t.equal(ring.booted.info.version.minor, 0, `${name}: the ring runs 1.0.0`);
    const state = await imageState(client);
    t.equal(state.active, 0, `${name}: slot A is still the confirmed one`);
    const info = await client.info();
    t.ok(info, `${name}: the ring answers`);
    await client.close();
  }
});

t.test('the boot stage enforces anti-rollback even when the test check is bypassed', async (t) => {
  // A ring that confirmed security counter 3 finds a counter-2 image pending, as if the
  // firmware's own check at test were missing: the boot stage refuses it and stays.
  const flash = factoryFlash(testImage({ security_counter: 3 }));
  const ring = bootRing(flash);
  const old = testImage({ version: v(0, 9, 0), security_counter: 2 });
  programSlot(flash, 1, old);
  t.equal(S.state_boot(flash), 0);
  t.equal(S.state_append(S.ST_TEST, 1, 0, 0, 0, imageSha(old), 0), 0);
  ring.reset('soft', 'test');
  t.equal(ring.booted.slot, 0, 'slot A runs');
  t.equal(ring.booted.trial, false);
  t.match(ring.booted.events.join('; '), /reject slot 1 IMAGE_DOWNGRADE/);
  t.equal(S.state_boot(flash), 0);
  t.equal(S.state_get(S.S_LAST_TYPE), S.ST_REJECT);
  t.equal(S.state_get(S.S_LAST_REASON), rejectReason('IMAGE_DOWNGRADE'));
});
