// A link drop at every chunk boundary of a 128 KB upload: the upload reconnects, asks the
// ring where it stands (begin) and continues from the ring's offset; it completes, the
// image in the slot is the image sent, and the bytes sent again are at most one window of
// chunks per drop. Without RING_FAULTS a seeded subset; make faults (RING_FAULTS=full) all.

import t from 'tap';
import { bootRing, clientFor, factoryFlash, imageSha, testImage } from '../helpers/image.js';
import { RecordingFlash, pickCuts } from '../helpers/sweep.js';
import { uploadImage, imageState } from '../../host/image/upload.js';
import { readSlot } from '../../sim/boot/boot-stage.js';

const FULL = process.env.RING_FAULTS === 'full';
const SUBSET = 6;

t.test('a link drop at every chunk boundary', async (t) => {
  const old_image = testImage();
  const image = testImage({ version: { major: 1, minor: 1, patch: 0 }, security_counter: 2, image_bytes: 128 * 1024 });
  const sha = imageSha(image);
  const start = factoryFlash(old_image);
  bootRing(start);
  const probe = bootRing(RecordingFlash.copyOf(start));
  const probe_client = clientFor(probe);
  const clean = await uploadImage(probe_client, image, sha);
  await probe_client.close();
  const boundaries: number[] = [];
  for (let k = 1; k * clean.chunk_bytes < image.length; k++) boundaries.push(k * clean.chunk_bytes);
  const chosen = FULL ? boundaries : pickCuts(boundaries, SUBSET, 5);
  let failures = 0;
  let resent_max = 0;
  for (const boundary of chosen) {
    const flash = RecordingFlash.copyOf(start);
    const ring = bootRing(flash);
    const client = clientFor(ring);
    let dropped = false;
    const r = await uploadImage(client, image, sha, {
      onProgress: (p) => {
        // The ring has acknowledged the chunk ending at this boundary: the link drops now.
        if (p.phase === 'upload' && !dropped && p.done_bytes >= boundary) {
          dropped = true;
          ring.device.link.disconnect('peripheral-terminated');
        }
      },
    });
    const state = await imageState(client);
    const stored = readSlot(ring.flash, state.upload.slot);
    const intact = Buffer.compare(Buffer.from(stored), Buffer.from(image)) === 0;
    const window_bytes = r.window * r.chunk_bytes;
    resent_max = Math.max(resent_max, r.bytes_resent);
    const ok = dropped && r.drops === 1 && intact && state.upload.off === image.length && r.bytes_resent <= window_bytes * r.drops &&
      r.resumed_from.length === 1 && r.resumed_from[0] >= boundary;
    if (!ok) {
      failures++;
      t.fail(`drop at ${boundary}: drops ${r.drops}, resumed from ${r.resumed_from}, resent ${r.bytes_resent} (window ${window_bytes}), intact ${intact}`);
    }
    await client.close();
  }
  t.comment(`link-drop sweep: ${chosen.length} of ${boundaries.length} chunk boundaries (${FULL ? 'all' : 'seeded subset'}), ${failures} failures, at most ${resent_max} bytes re-sent per drop`);
  t.equal(failures, 0, `${chosen.length} link drops, 0 failures`);
});
