// Image format on the host: build, sign, parse, verify; every way an image is refused
// has its named error (ImageError.code), whichever bit of it is damaged.

import t from 'tap';
import { buildImage, parseImage, signImage, verifyImage, IMAGE_OVERHEAD_BYTES } from '../../host/image/format.js';
import { ImageError } from '../../host/image/errors.js';
import { generateKey } from '../../host/image/keys.js';
import { devKey } from '../helpers/image.js';

const payload = new Uint8Array(4000).map((_, i) => (i * 31 + 7) & 0xff);
const key = devKey();
const policy = { trusted_keys: [key.public_key], min_security_counter: 3 };
const good = signImage(buildImage(payload, { version: { major: 2, minor: 1, patch: 7 }, security_counter: 5, build_hash: new Uint8Array(20).fill(0xab) }), key);

function code(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    if (err instanceof ImageError) return err.code;
    throw err;
  }
}

t.test('a signed image verifies and says what it is', async (t) => {
  const info = verifyImage(good, policy);
  t.same(info.version, { major: 2, minor: 1, patch: 7 });
  t.equal(info.security_counter, 5);
  t.equal(info.payload_bytes, payload.length);
  t.equal(info.image_bytes, payload.length + IMAGE_OVERHEAD_BYTES);
  t.equal(info.build_hash, 'ab'.repeat(20));
  t.ok(info.signed);
  t.equal(info.key_id.length, 16);
  t.match(info.sha256, /^[0-9a-f]{64}$/);
});

t.test('each kind of bad image gets its named error', async (t) => {
  const unsigned = buildImage(payload, { version: { major: 2, minor: 1, patch: 7 }, security_counter: 5 });
  t.equal(code(() => verifyImage(unsigned, policy)), 'IMAGE_UNSIGNED', 'unsigned');
  const other = generateKey(new Uint8Array(32).fill(9));
  t.equal(code(() => verifyImage(signImage(unsigned, other), policy)), 'IMAGE_UNKNOWN_KEY', 'signed by an untrusted key');
  const forged = good.slice();
  const t0 = 64 + payload.length;
  forged.set(signImage(unsigned, other).subarray(t0 + 48, t0 + 112), t0 + 48); // trusted key id, another key's signature
  t.equal(code(() => verifyImage(forged, policy)), 'IMAGE_BAD_SIGNATURE', 'wrongly signed');
  t.equal(code(() => verifyImage(good.subarray(0, good.length - 1), policy)), 'IMAGE_TRUNCATED', 'truncated by a byte');
  t.equal(code(() => verifyImage(good.subarray(0, 40), policy)), 'IMAGE_TRUNCATED', 'truncated inside the header');
  const wrong_target = signImage(buildImage(payload, { version: { major: 2, minor: 1, patch: 7 }, security_counter: 5, target_id: 0x1234 }), key);
  t.equal(code(() => verifyImage(wrong_target, policy)), 'IMAGE_WRONG_TARGET', 'wrong target');
  const old = signImage(buildImage(payload, { version: { major: 3, minor: 0, patch: 0 }, security_counter: 2 }), key);
  t.equal(code(() => verifyImage(old, policy)), 'IMAGE_DOWNGRADE', 'security counter below the minimum');
  t.equal(code(() => verifyImage(new Uint8Array(200), policy)), 'IMAGE_BAD_MAGIC', 'not an image');
});

t.test('one flipped bit anywhere is refused', async (t) => {
  // Every byte of header and trailer, and every 13th byte of the payload, each bit once per byte in turn.
  const positions: number[] = [];
  for (let i = 0; i < good.length; i++) {
    const in_payload = i >= 64 && i < 64 + payload.length;
    if (!in_payload || i % 13 === 0) positions.push(i);
  }
  const seen = new Map<string, number>();
  let accepted = 0;
  for (const pos of positions) {
    const bad = good.slice();
    bad[pos] ^= 1 << (pos % 8);
    const c = code(() => verifyImage(bad, policy));
    if (c === 'accepted') accepted++;
    seen.set(c, (seen.get(c) ?? 0) + 1);
  }
  t.equal(accepted, 0, `${positions.length} single-bit flips, none accepted`);
  for (const c of ['IMAGE_BAD_MAGIC', 'IMAGE_BAD_FORMAT', 'IMAGE_BAD_HASH', 'IMAGE_UNKNOWN_KEY', 'IMAGE_BAD_SIGNATURE', 'IMAGE_TRUNCATED']) {
    t.ok((seen.get(c) ?? 0) > 0, `some flips give ${c}`);
  }
});

t.test('parse reads unsigned images; signing checks the hash first', async (t) => {
  const unsigned = buildImage(payload, { version: { major: 1, minor: 0, patch: 0 }, security_counter: 0 });
  t.equal(parseImage(unsigned).signed, false);
  const bad = unsigned.slice();
  bad[100] ^= 0x80;
  t.equal(code(() => signImage(bad, key)), 'IMAGE_BAD_HASH', 'a damaged image is not signed');
  t.throws(() => buildImage(new Uint8Array(0), { version: { major: 1, minor: 0, patch: 0 }, security_counter: 0 }), /payload is empty/);
  t.throws(() => buildImage(payload, { version: { major: 1, minor: 0, patch: 0 }, security_counter: -1 }), /security counter/);
});
