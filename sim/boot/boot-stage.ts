// The ring's boot stage (the native loader in the boot partition, firmware/flash-map.ts), in
// the spirit of MCUboot's RAM-load mode with revert: the two slots are equals, the boot
// stage verifies the image it is about to run (SHA-256 and Ed25519 signature by a trusted
// key, target, anti-rollback security counter) and loads its payload; it never copies or
// swaps slots, so its only writes are single records in the update-state log
// (firmware/cmd/image-state.ts), each atomic: a power cut at any of its flash operations
// leaves a state from which the next boot makes the same or the next decision.
//
// Decision at each reset:
//   1. never provisioned: the first valid image (slot A, then B) becomes the confirmed one;
//   2. a trial was running and the ring reset without a confirm: REVERT (reason: the reset
//      cause: watchdog, fault, failed self-test, or a plain reset);
//   3. a test is pending: verify that slot (its hash must be the one the test named);
//      valid: TRIAL and run it; invalid: REJECT with the named reason;
//   4. run the confirmed slot; should it fail verification (it cannot, short of flash
//      corruption), the other slot if it verifies and passes anti-rollback.

import * as H from '../../firmware/cmd/image-header.js';
import { PART_SLOT_A_ADDR, PART_SLOT_B_ADDR, PART_SLOT_BYTES } from '../../firmware/flash-map.js';
import type { FlashHal } from '../../firmware/hal.js';
import * as S from '../../firmware/cmd/image-state.js';
import { ImageError, REVERT_REASON_NAMES, rejectReason } from '../../host/image/errors.js';
import { verifyImage, type ImageInfo } from '../../host/image/format.js';

export type ResetCause = 'power-on' | 'soft' | 'watchdog' | 'fault' | 'self-test';

/** REVERT reasons by reset cause (REASON_NOT_CONFIRMED and REASON_REVERT_REQUESTED are 1, 2). */
export const REVERT_REASON: Record<ResetCause, number> = {
  'power-on': S.REASON_NOT_CONFIRMED,
  soft: S.REASON_NOT_CONFIRMED,
  watchdog: 3,
  fault: 4,
  'self-test': 5,
};

export interface BootPolicy {
  trusted_keys: Uint8Array[];
  target_id?: number;
}

export interface BootDecision {
  slot: number;
  trial: boolean;
  info: ImageInfo;
  payload: Uint8Array;
  /** What the boot stage did, for logs and tests: e.g. "revert slot 1 (WATCHDOG)". */
  events: string[];
}

/** No slot holds an image the boot stage may run: the ring is bricked (must never happen). */
export class NoBootableImage extends Error {
  constructor(detail: string) {
    super(`no bootable image: ${detail}`);
    this.name = 'NoBootableImage';
  }
}

/** Read this many bytes per flash read (one operation each in the fault sweeps). */
const READ_CHUNK_BYTES = 4096;

export function slotAddr(slot: number): number {
  return slot === 0 ? PART_SLOT_A_ADDR : PART_SLOT_B_ADDR;
}

/** The image in slot, read through the HAL: header first, then as many bytes as it says. */
export function readSlot(flash: FlashHal, slot: number): Uint8Array {
  const head = new Uint8Array(H.IMG_HEADER_BYTES);
  check(flash.flash_read(slotAddr(slot), head, 0, head.length));
  const payload_bytes = H.img_u32(head, H.IH_PAYLOAD_BYTES);
  if (H.img_u32(head, H.IH_MAGIC) !== H.IMG_MAGIC) return head;
  const total = H.IMG_HEADER_BYTES + payload_bytes + H.IMG_TRAILER_BYTES;
  if (total > PART_SLOT_BYTES) throw new ImageError('IMAGE_TOO_LARGE', `slot ${slot}: header says ${total} bytes, the slot holds ${PART_SLOT_BYTES}`);
  const img = new Uint8Array(total);
  img.set(head, 0);
  for (let off = H.IMG_HEADER_BYTES; off < total; off += READ_CHUNK_BYTES) {
    const n = Math.min(READ_CHUNK_BYTES, total - off);
    check(flash.flash_read(slotAddr(slot) + off, img, off, n));
  }
  return img;
}

function check(rc: number): void {
  if (rc < 0) throw new Error(`flash read failed (${rc})`);
}

function hashPrefix(info: ImageInfo): Uint8Array {
  return new Uint8Array(Buffer.from(info.sha256.slice(0, S.ST_HASH_BYTES * 2), 'hex'));
}

function sameHash(info: ImageInfo, prefix: Uint8Array): boolean {
  return Buffer.from(prefix).toString('hex') === info.sha256.slice(0, S.ST_HASH_BYTES * 2);
}

function tryVerify(flash: FlashHal, slot: number, policy: BootPolicy, min_sc: number): { info: ImageInfo; image: Uint8Array } | ImageError {
  try {
    const image = readSlot(flash, slot);
    const info = verifyImage(image, { trusted_keys: policy.trusted_keys, target_id: policy.target_id, min_security_counter: min_sc });
    return { info, image };
  } catch (err) {
    if (err instanceof ImageError) return err;
    throw err;
  }
}

function append(type: number, slot: number, reason: number, a: number, hash: Uint8Array | null): void {
  const rc = S.state_append(type, slot, reason, a, 0, hash ?? new Uint8Array(S.ST_HASH_BYTES), 0);
  if (rc < 0) throw new Error(`update state write failed (${rc})`);
}

function decision(slot: number, trial: boolean, v: { info: ImageInfo; image: Uint8Array }, events: string[]): BootDecision {
  const payload = v.image.subarray(H.IMG_HEADER_BYTES, H.IMG_HEADER_BYTES + v.info.payload_bytes);
  return { slot, trial, info: v.info, payload, events };
}

/** Decide what to run after a reset; writes the update state as it goes. */
export function bootStage(flash: FlashHal, policy: BootPolicy, cause: ResetCause): BootDecision {
  const events: string[] = [];
  if (S.state_boot(flash) < 0) throw new Error('update state unreadable');
  if (S.state_get(S.S_SNAP_FOUND) === 0) {
    for (const slot of [0, 1]) {
      const v = tryVerify(flash, slot, policy, 0);
      if (v instanceof ImageError) {
        events.push(`provision: slot ${slot} ${v.code}`);
        continue;
      }
      append(S.ST_SNAPSHOT, slot, 0, v.info.security_counter, hashPrefix(v.info));
      events.push(`provision: slot ${slot} confirmed`);
      return decision(slot, false, v, events);
    }
    throw new NoBootableImage(events.join('; '));
  }
  const trial = S.state_get(S.S_TRIAL);
  if (trial !== S.SLOT_NONE) {
    const reason = REVERT_REASON[cause];
    append(S.ST_REVERT, trial, reason, 0, null);
    events.push(`revert slot ${trial} (${REVERT_REASON_NAMES[reason]})`);
  }
  const min_sc = S.state_get(S.S_MIN_SC);
  const pending = S.state_get(S.S_PENDING);
  if (pending !== S.SLOT_NONE) {
    const v = tryVerify(flash, pending, policy, min_sc);
    if (!(v instanceof ImageError) && !sameHash(v.info, S.state_pending_hash())) {
      append(S.ST_REJECT, pending, rejectReason('IMAGE_BAD_HASH'), 0, null);
      events.push(`reject slot ${pending} IMAGE_BAD_HASH (not the image the test named)`);
    } else if (v instanceof ImageError) {
      append(S.ST_REJECT, pending, rejectReason(v.code), 0, null);
      events.push(`reject slot ${pending} ${v.code}`);
    } else {
      append(S.ST_TRIAL, pending, 0, 0, null);
      events.push(`trial slot ${pending} ${v.info.version.major}.${v.info.version.minor}.${v.info.version.patch}`);
      return decision(pending, true, v, events);
    }
  }
  const active = S.state_get(S.S_ACTIVE);
  const v = tryVerify(flash, active, policy, 0);
  if (!(v instanceof ImageError)) {
    events.push(`boot slot ${active}`);
    return decision(active, false, v, events);
  }
  events.push(`confirmed slot ${active} fails verification: ${v.code}`);
  const other = active === 0 ? 1 : 0;
  const w = tryVerify(flash, other, policy, min_sc);
  if (!(w instanceof ImageError)) {
    events.push(`boot slot ${other} (fallback)`);
    return decision(other, false, w, events);
  }
  throw new NoBootableImage(events.join('; '));
}

/** Put an image into a slot as a factory would (erase, write): a ring's first image. */
export function programSlot(flash: FlashHal, slot: number, image: Uint8Array): void {
  const sector = flash.flash_sector_bytes();
  const unit = flash.flash_write_unit_bytes();
  const padded = new Uint8Array(Math.ceil(image.length / unit) * unit).fill(0xff);
  padded.set(image);
  for (let off = 0; off < padded.length; off += sector) check(flash.flash_erase(slotAddr(slot) + off));
  check(flash.flash_write(slotAddr(slot), padded, 0, padded.length));
}
