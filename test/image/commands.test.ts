// The image group's requests on the wire: what each bad request gets, and which commands
// are privileged (the authentication issue gates those).

import t from 'tap';
import {
  CMD_IMAGE_BEGIN, CMD_IMAGE_CONFIRM, CMD_IMAGE_RESET, CMD_IMAGE_REVERT, CMD_IMAGE_STATE, CMD_IMAGE_TEST, CMD_IMAGE_UPLOAD,
  GROUP_IMAGE, OP_WRITE, command_privileged,
} from '../../protocol/ids.js';
import { errorName } from '../../protocol/host/errors.js';
import { DeviceError } from '../../host/client/errors.js';
import type { RingClient } from '../../host/client/client.js';
import { bootRing, clientFor, factoryFlash, imageSha, testImage } from '../helpers/image.js';
import { imageState, imageTest, imageReset } from '../../host/image/upload.js';

async function send(client: RingClient, cmd: number, body: unknown, op = OP_WRITE): Promise<unknown> {
  try {
    return await client.once({ name: 'image', group: GROUP_IMAGE, cmd, op, body, idempotent: false });
  } catch (err) {
    if (err instanceof DeviceError) return { error: errorName(err.rc), key: err.key };
    throw err;
  }
}

t.test('privileged: every image command that changes the ring', async (t) => {
  for (const cmd of [CMD_IMAGE_UPLOAD, CMD_IMAGE_BEGIN, CMD_IMAGE_TEST, CMD_IMAGE_CONFIRM, CMD_IMAGE_REVERT, CMD_IMAGE_RESET]) {
    t.ok(command_privileged(GROUP_IMAGE, cmd), `command ${cmd}`);
  }
  t.notOk(command_privileged(GROUP_IMAGE, CMD_IMAGE_STATE), 'reading the state is not');
});

t.test('bad requests get named errors and change nothing', async (t) => {
  const ring = bootRing(factoryFlash(testImage()));
  const client = clientFor(ring);
  await client.connect();
  const image = testImage({ version: { major: 1, minor: 1, patch: 0 }, security_counter: 2 });
  const sha = imageSha(image);
  t.same(await send(client, CMD_IMAGE_UPLOAD, { off: 0, data: image.subarray(0, 8) }), { error: 'ERR_IMAGE_STATE', key: undefined }, 'upload before begin');
  t.same(await send(client, CMD_IMAGE_BEGIN, { sha }), { error: 'ERR_MISSING_FIELD', key: 'len' }, 'begin without len');
  t.same(await send(client, CMD_IMAGE_BEGIN, { sha: sha.subarray(0, 31), len: image.length }), { error: 'ERR_BAD_VALUE', key: 'sha' }, 'a 31-byte hash');
  t.same(await send(client, CMD_IMAGE_BEGIN, { sha, len: 300_000 }), { error: 'ERR_BAD_VALUE', key: 'len' }, 'larger than a slot');
  t.same(await send(client, CMD_IMAGE_BEGIN, { sha, len: image.length, x: 1 }), { error: 'ERR_UNKNOWN_FIELD', key: 'x' }, 'an unknown key');
  t.same(await send(client, CMD_IMAGE_BEGIN, { sha: 'abc', len: image.length }), { error: 'ERR_BAD_TYPE', key: 'sha' }, 'text for bytes');
  t.same(await send(client, CMD_IMAGE_STATE, {}, OP_WRITE), { error: 'ERR_BAD_OP', key: undefined }, 'state is read-only');
  let r = (await send(client, CMD_IMAGE_BEGIN, { sha, len: image.length })) as { erased: number; off: number; slot: number };
  t.equal(r.slot, 1, 'the upload goes to slot B');
  t.equal(r.off, 0);
  for (let i = 0; i < 20 && r.erased < image.length; i++) r = (await send(client, CMD_IMAGE_BEGIN, { sha, len: image.length })) as typeof r;
  t.equal(r.erased, image.length, 'begin erases with progress until done');
  t.same(await send(client, CMD_IMAGE_UPLOAD, { off: 0, data: image.subarray(0, 6) }), { error: 'ERR_BAD_VALUE', key: 'data' }, 'a chunk not a multiple of 4 bytes');
  t.same(await send(client, CMD_IMAGE_UPLOAD, { off: 400, data: image.subarray(400, 800) }), { off: 0 }, 'another offset: not written, the ring says where it is');
  t.same(await send(client, CMD_IMAGE_UPLOAD, { off: 0, data: image.subarray(0, 400) }), { off: 400 });
  t.same(await send(client, CMD_IMAGE_TEST, { sha }), { error: 'ERR_IMAGE_STATE', key: undefined }, 'test before the upload is complete');
  t.same(await send(client, CMD_IMAGE_REVERT, {}), { error: 'ERR_IMAGE_STATE', key: undefined }, 'revert with nothing on trial');
  const other = testImage({ version: { major: 1, minor: 2, patch: 0 }, security_counter: 2 });
  r = (await send(client, CMD_IMAGE_BEGIN, { sha: imageSha(other), len: other.length })) as typeof r;
  t.equal(r.off, 0, 'another image starts over: it never resumes into the first one\'s bytes');
  const st = await imageState(client);
  t.equal(st.active, 0);
  t.equal(st.upload.len, other.length);
  t.equal(ring.booted.slot, 0);
  await client.close();
});

t.test('begin while an image is on trial is refused', async (t) => {
  const ring = bootRing(factoryFlash(testImage()));
  const client = clientFor(ring);
  await client.connect();
  const image = testImage({ version: { major: 1, minor: 1, patch: 0 }, security_counter: 2 });
  const { uploadImage } = await import('../../host/image/upload.js');
  await uploadImage(client, image, imageSha(image));
  await imageTest(client, imageSha(image));
  await imageReset(client);
  await client.transport.clock.waitUntil(() => !client.transport.connected, 2_000_000);
  await client.connect();
  t.equal(ring.booted.trial, true);
  t.same(await send(client, CMD_IMAGE_BEGIN, { sha: imageSha(image), len: image.length }), { error: 'ERR_BUSY', key: undefined }, 'the other slot holds the confirmed image');
  await client.close();
});
