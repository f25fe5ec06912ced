// Image upload over the protocol (PROTOCOL.md section 8.7), through any Transport: begin
// (erase, with progress; the ring answers where the upload of this hash stands), then
// chunks sized to fill whole ATT writes at the negotiated MTU, several in flight. After a
// dropped link (or a ring reset) it reconnects, asks again with begin and continues from
// the ring's offset, so only what the ring had not kept is sent again.

import { sha256 } from '@noble/hashes/sha2.js';
import {
  CMD_IMAGE_BEGIN,
  CMD_IMAGE_CONFIRM,
  CMD_IMAGE_RESET,
  CMD_IMAGE_REVERT,
  CMD_IMAGE_STATE,
  CMD_IMAGE_TEST,
  CMD_IMAGE_UPLOAD,
  FRAME_SIZE_MAX,
  GROUP_IMAGE,
  OP_READ,
  OP_WRITE,
} from '../../protocol/ids.js';
import type { RingClient } from '../client/client.js';
import { SEAL_REQUEST_OVERHEAD_BYTES } from '../../protocol/host/auth.js';
import { TimeoutError } from '../client/errors.js';
import { DisconnectedError, TransportError } from '../transport/transport.js';
import { decodeImageBegin, decodeImageOffset, decodeImageReset, decodeImageSlot, decodeImageState, type ImageStateView } from './messages.js';

/** Frame bytes around a chunk's data: header 8, map 1, "off" 4 + uint 5, "data" 5 + bytes head 3. */
export const UPLOAD_FRAME_OVERHEAD_BYTES = 26;
const WRITE_UNIT_BYTES = 4; // the ring's flash write unit: chunks other than the last are multiples

/** Data bytes per chunk: the frame fills whole ATT writes of mtu - 3 bytes, at most FRAME_SIZE_MAX. */
export function chunkBytesForMtu(mtu: number, seal_overhead_bytes = 0): number {
  const piece = mtu - 3;
  const frame = Math.max(1, Math.floor(FRAME_SIZE_MAX / piece)) * piece;
  const data = Math.min(frame, FRAME_SIZE_MAX) - UPLOAD_FRAME_OVERHEAD_BYTES - seal_overhead_bytes;
  return data - (data % WRITE_UNIT_BYTES);
}

export interface UploadProgress {
  phase: 'erase' | 'upload';
  done_bytes: number;
  total_bytes: number;
  at_us: number;
}

export interface UploadOptions {
  /** Chunks in flight at most (default and at most the client's limit, the ring's buf_count). */
  window?: number;
  /** Link drops / ring resets to ride out before giving up (default 64). */
  reconnects_max?: number;
  onProgress?: (p: UploadProgress) => void;
}

export interface UploadResult {
  sha256: string;
  image_bytes: number;
  chunk_bytes: number;
  window: number;
  /** Data bytes sent in upload requests, all attempts. */
  bytes_sent: number;
  /** bytes_sent - image_bytes: sent again after drops and resets. */
  bytes_resent: number;
  drops: number;
  /** Offsets the ring resumed from, one per begin after the first. */
  resumed_from: number[];
  /** Virtual (or wall) µs: begin to the last chunk acknowledged, and the erase part of it. */
  elapsed_us: number;
  erase_us: number;
  upload_us: number;
}

export type { ImageStateView, SlotView } from './messages.js';

export class UploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadError';
  }
}

function isLinkError(err: unknown): boolean {
  return err instanceof DisconnectedError || err instanceof TimeoutError || err instanceof TransportError;
}

const write = (client: RingClient, name: string, cmd: number, body: unknown): Promise<unknown> =>
  client.once({ name, group: GROUP_IMAGE, cmd, op: OP_WRITE, body, idempotent: false });

export async function imageState(client: RingClient): Promise<ImageStateView> {
  return decodeImageState(await client.call({ name: 'image state', group: GROUP_IMAGE, cmd: CMD_IMAGE_STATE, op: OP_READ, idempotent: true }));
}

export async function imageTest(client: RingClient, image_sha: Uint8Array): Promise<{ slot: number }> {
  return decodeImageSlot(await write(client, 'image test', CMD_IMAGE_TEST, { sha: image_sha }), 'image test');
}

export async function imageConfirm(client: RingClient): Promise<{ slot: number }> {
  return decodeImageSlot(await write(client, 'image confirm', CMD_IMAGE_CONFIRM, {}), 'image confirm');
}

export async function imageRevert(client: RingClient): Promise<{ slot: number }> {
  return decodeImageSlot(await write(client, 'image revert', CMD_IMAGE_REVERT, {}), 'image revert');
}

/** Ask for a reset. A link that drops before the answer arrives is the reset happening. */
export async function imageReset(client: RingClient): Promise<void> {
  try {
    decodeImageReset(await write(client, 'image reset', CMD_IMAGE_RESET, {}));
  } catch (err) {
    if (!(err instanceof DisconnectedError)) throw err;
  }
}

/** The SHA-256 the ring keys the upload by: the image's own (header + payload) from its trailer. */
export function imageKey(image: Uint8Array, trailer_sha: Uint8Array | null = null): Uint8Array {
  return trailer_sha ?? sha256(image);
}

export async function uploadImage(client: RingClient, image: Uint8Array, key_sha: Uint8Array, opts: UploadOptions = {}): Promise<UploadResult> {
  const clock = client.transport.clock;
  const len = image.length;
  const reconnects_max = opts.reconnects_max ?? 64;
  const res: UploadResult = {
    sha256: Buffer.from(key_sha).toString('hex'), image_bytes: len, chunk_bytes: 0, window: 0, bytes_sent: 0, bytes_resent: 0,
    drops: 0, resumed_from: [], elapsed_us: 0, erase_us: 0, upload_us: 0,
  };
  const t0 = clock.now_us();
  let erase_done_at = -1;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.connect();
      const chunk = chunkBytesForMtu(client.transport.mtu, client.auth !== null ? SEAL_REQUEST_OVERHEAD_BYTES : 0); // sealed under a session: PROTOCOL.md 11
      const window = Math.max(1, Math.min(opts.window ?? client.inflight_limit, client.inflight_limit));
      res.chunk_bytes = chunk;
      res.window = window;
      let off = await begin(client, key_sha, len, opts, clock);
      if (erase_done_at < 0) erase_done_at = clock.now_us();
      if (attempt > 0) res.resumed_from.push(off);
      off = await sendChunks(client, image, off, chunk, window, res, opts, clock);
      if (off >= len) break;
    } catch (err) {
      if (!isLinkError(err)) throw err;
      res.drops++;
      if (res.drops > reconnects_max) throw new UploadError(`upload: gave up after ${res.drops} dropped links (${(err as Error).message})`);
      if (client.transport.connected && err instanceof TimeoutError) await client.transport.disconnect();
    }
  }
  const t1 = clock.now_us();
  res.elapsed_us = t1 - t0;
  res.erase_us = erase_done_at - t0;
  res.upload_us = t1 - erase_done_at;
  res.bytes_resent = res.bytes_sent - len;
  return res;
}

/** Begin until the slot is erased; returns the ring's offset for this image. */
async function begin(client: RingClient, sha: Uint8Array, len: number, opts: UploadOptions, clock: { now_us(): number }): Promise<number> {
  for (let round = 0; round < 1 + Math.ceil(len / 4096); round++) {
    const r = decodeImageBegin(await write(client, 'image begin', CMD_IMAGE_BEGIN, { sha, len }));
    opts.onProgress?.({ phase: 'erase', done_bytes: r.erased, total_bytes: len, at_us: clock.now_us() });
    if (r.erased >= len) return r.off;
  }
  throw new UploadError('upload: the ring did not finish erasing the slot');
}

async function sendChunks(
  client: RingClient, image: Uint8Array, from: number, chunk: number, window: number,
  res: UploadResult, opts: UploadOptions, clock: { now_us(): number },
): Promise<number> {
  const len = image.length;
  let next = from;
  let ring_off = from;
  let failure: unknown = null;
  let resync = false;
  const inflight = new Set<Promise<void>>();
  while (ring_off < len) {
    while (failure === null && !resync && inflight.size < window && next < len) {
      const off = next;
      const n = Math.min(chunk, len - off);
      next += n;
      res.bytes_sent += n;
      const p: Promise<void> = write(client, 'image upload', CMD_IMAGE_UPLOAD, { off, data: image.subarray(off, off + n) }).then(
        (r) => {
          let got: number;
          try {
            got = decodeImageOffset(r).off;
          } catch (err) {
            // A malformed answer fails the upload as a refused chunk does.
            if (failure === null) failure = err;
            return;
          }
          if (got !== off + n) resync = true; // the ring is elsewhere: continue from its offset
          ring_off = Math.max(ring_off, got);
          if (resync) ring_off = got;
          opts.onProgress?.({ phase: 'upload', done_bytes: ring_off, total_bytes: len, at_us: clock.now_us() });
        },
        (err: unknown) => {
          if (failure === null) failure = err;
        },
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    if (inflight.size === 0) {
      if (failure !== null) throw failure;
      if (resync) {
        resync = false;
        next = ring_off;
        continue;
      }
      if (next >= len && ring_off < len) throw new UploadError(`upload: the ring stopped at ${ring_off} of ${len} bytes`);
      continue;
    }
    await Promise.race(inflight);
  }
  return ring_off;
}
