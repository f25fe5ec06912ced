// The whole update of a ring (ring flash): upload, ask for a test boot, reset, check the
// new image came up on trial and answers (health check), confirm. The outcome says which
// image runs afterwards and, when the ring refused the image, the named reason.

import { errorName } from '../../protocol/host/errors.js';
import type { RingClient } from '../client/client.js';
import { DeviceError } from '../client/errors.js';
import { REVERT_REASON_NAMES, rejectCode } from './errors.js';
import { parseImage, peekImage, type ImageInfo } from './format.js';
import {
  imageConfirm, imageReset, imageState, imageTest, uploadImage,
  type ImageStateView, type UploadOptions, type UploadResult,
} from './upload.js';
import { ST_REJECT, ST_REVERT } from '../../firmware/cmd/image-state.js';

export type FlashOutcome = 'confirmed' | 'refused' | 'rejected' | 'reverted';

export interface FlashResult {
  outcome: FlashOutcome;
  /** The named error: ERR_IMAGE_* from the ring's test, IMAGE_* from its boot stage, or the revert reason. */
  error: string | null;
  image: ImageInfo;
  upload: UploadResult;
  /** The slot running at the end and whether it is the new image. */
  running_slot: number;
  running_new_image: boolean;
}

export interface FlashOptions extends UploadOptions {
  /** Reconnect within this long after the reset, µs (default 5 s). */
  reset_timeout_us?: number;
  /** Extra health check after the trial boot: the ring must still answer this long after, µs (default 2 s). */
  health_us?: number;
  /**
   * Check the image's structure and hash on the host first (default true). Tests turn it
   * off to send damaged images and see the ring refuse them.
   */
  check?: boolean;
}

function slotSha(state: ImageStateView, slot: number): string {
  const s = slot === 0 ? state.slot_a : state.slot_b;
  return s.sha ? Buffer.from(s.sha).toString('hex') : '';
}

export async function flashImage(client: RingClient, image: Uint8Array, opts: FlashOptions = {}): Promise<FlashResult> {
  const info = opts.check === false ? peekImage(image) : parseImage(image);
  const sha = new Uint8Array(Buffer.from(info.sha256, 'hex'));
  const upload = await uploadImage(client, image, sha, opts);
  const done = (outcome: FlashOutcome, error: string | null, state: ImageStateView): FlashResult => ({
    outcome, error, image: info, upload, running_slot: state.running, running_new_image: slotSha(state, state.running) === info.sha256,
  });
  try {
    await imageTest(client, sha);
  } catch (err) {
    if (err instanceof DeviceError) return done('refused', errorName(err.rc), await imageState(client));
    throw err;
  }
  await imageReset(client);
  const clock = client.transport.clock;
  await clock.waitUntil(() => !client.transport.connected, opts.reset_timeout_us ?? 5_000_000);
  await client.connect();
  let state = await imageState(client);
  if (!state.trial || slotSha(state, state.running) !== info.sha256) {
    if (state.last.type === ST_REJECT) return done('rejected', rejectCode(state.last.reason) ?? `reason ${state.last.reason}`, state);
    if (state.last.type === ST_REVERT) return done('reverted', REVERT_REASON_NAMES[state.last.reason] ?? `reason ${state.last.reason}`, state);
    return done('reverted', 'NOT_ON_TRIAL', state);
  }
  // Health check: the new firmware answers, and still does a while later.
  await client.info();
  await clock.waitUntil(() => false, opts.health_us ?? 2_000_000);
  if (!client.transport.connected) await client.connect();
  state = await imageState(client);
  if (!state.trial || slotSha(state, state.running) !== info.sha256) {
    return done('reverted', state.last.type === ST_REVERT ? REVERT_REASON_NAMES[state.last.reason] ?? null : 'NOT_ON_TRIAL', state);
  }
  await imageConfirm(client);
  state = await imageState(client);
  return done(state.active === state.running && !state.trial ? 'confirmed' : 'reverted', null, state);
}
