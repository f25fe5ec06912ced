// ring keys / image / flash as a user runs them: files in a temporary directory, the
// simulated ring's flash kept in a file between commands.

import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ring } from '../helpers/cli.js';
import { firmwarePayload, FIXTURE_FILE } from '../helpers/image.js';

t.test('keys, build, sign, verify, info, flash, list', async (t) => {
  firmwarePayload(); // make firmware-image when it is missing or stale
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-image-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const f = (n: string) => path.join(dir, n);
  let r = ring(['keys', 'generate', '-o', f('k.json'), '--json']);
  t.equal(r.code, 0, r.stderr);
  const key = JSON.parse(r.stdout) as { key_id: string; public_key_file: string };
  t.ok(fs.existsSync(f('k.pub.json')));
  t.equal(ring(['keys', 'generate', '-o', f('k.json')]).code, 2, 'an existing key is not overwritten');

  r = ring(['image', 'build', '--fw-version', '1.4.0', '--security-counter', '3', '-o', f('a.img')]);
  t.equal(r.code, 0, r.stderr);
  r = ring(['image', 'verify', f('a.img'), '--key', f('k.pub.json'), '--json']);
  t.equal(r.code, 1, 'unsigned: refused');
  t.equal(JSON.parse(r.stdout).error, 'IMAGE_UNSIGNED');
  t.equal(ring(['image', 'sign', f('a.img'), '--key', f('k.json')]).code, 0);
  r = ring(['image', 'verify', f('a.img'), '--key', f('k.pub.json'), '--json']);
  t.equal(r.code, 0);
  t.equal(JSON.parse(r.stdout).key_id, key.key_id);
  r = ring(['image', 'verify', f('a.img'), '--key', f('k.pub.json'), '--min-security-counter', '4']);
  t.equal(r.code, 1);
  t.match(r.stdout, /^refused: IMAGE_DOWNGRADE/);
  r = ring(['image', 'info', f('a.img'), '--json']);
  const info = JSON.parse(r.stdout) as { version: { minor: number }; sha256: string; hash_ok: boolean };
  t.equal(info.version.minor, 4);
  t.equal(info.hash_ok, true);
  const bad = fs.readFileSync(f('a.img'));
  bad[100] ^= 1;
  fs.writeFileSync(f('bad.img'), bad);
  r = ring(['image', 'info', f('bad.img'), '--json']);
  t.equal(JSON.parse(r.stdout).hash_ok, false, 'info shows a damaged image and says so');
  r = ring(['flash', f('bad.img'), '--sim', FIXTURE_FILE]);
  t.equal(r.code, 2, 'ring flash refuses a damaged image before sending it');
  t.match(r.stderr, /^error: IMAGE_BAD_HASH/);

  // Signed with the development key (what the simulated ring trusts): flashed and confirmed.
  r = ring(['image', 'sign', f('a.img'), '--key', path.join('fixtures/keys/dev-image-key.json'), '-o', f('dev.img')]);
  t.equal(r.code, 0, r.stderr);
  const sim = ['--sim', FIXTURE_FILE, '--flash', f('flash.bin'), '--mtu', '247', '--phy', '2M', '--interval-ms', '7.5'];
  r = ring(['flash', f('dev.img'), ...sim, '--json', '--capture', f('flash.btsnoop')]);
  t.equal(r.code, 0, r.stderr);
  // The update's frames decode with their names (PROTOCOL.md 8.7), as every other group's do.
  const dec = ring(['decode', '--capture', f('flash.btsnoop'), '--json']);
  t.equal(dec.code, 0, dec.stderr);
  const frames = (JSON.parse(dec.stdout) as { frames: { message?: string }[] }).frames;
  const names = new Set(frames.map((x) => x.message));
  for (const m of ['image.begin.req', 'image.begin.rsp', 'image.upload.req', 'image.upload.rsp', 'image.test.rsp', 'image.state.rsp']) {
    t.ok(names.has(m), `the capture holds ${m}`);
  }
  t.notOk(frames.some((x) => x.message === undefined), 'every frame of the update decodes to a named message');
  const out = JSON.parse(r.stdout) as { outcome: string; running_slot: string; running_new_image: boolean; upload: { drops: number } };
  t.equal(out.outcome, 'confirmed');
  t.equal(out.running_slot, 'B');
  t.equal(out.running_new_image, true);
  t.equal(r.stderr, '', 'quiet when stderr is not a TTY');
  r = ring(['image', 'list', ...sim, '--json']);
  const list = JSON.parse(r.stdout) as { slots: { version: string; flags: string[] }[]; min_security_counter: number };
  t.same(list.slots[1].flags, ['confirmed', 'running'], 'the flash file kept the update');
  t.equal(list.slots[1].version, '1.4.0');
  t.equal(list.min_security_counter, 3);
  // Signed by a key the ring does not trust: uploaded, refused by its boot stage, exit 1.
  r = ring(['flash', f('a.img'), ...sim]);
  t.equal(r.code, 1);
  t.match(r.stdout, /not flashed: the ring rejected the image \(IMAGE_UNKNOWN_KEY\); it keeps running slot B/);
  r = ring(['image', 'revert', ...sim]);
  t.equal(r.code, 2, 'nothing on trial to revert');
  t.match(r.stderr, /^error: .*ERR_IMAGE_STATE/);
});
