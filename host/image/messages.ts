// Typed answers of the image commands (PROTOCOL.md 8.7), checked as host/client/messages.ts
// checks the others: a missing or mistyped key is a ResponseError naming it, unknown keys
// are ignored.

import { ResponseError } from '../client/errors.js';
import { asObject, bool, bytes, int } from '../client/messages.js';

const U32_MAX = 0xffffffff;
const SLOT_MAX = 255;

export interface SlotView {
  ver?: number;
  sc?: number;
  size?: number;
  sha?: Uint8Array;
}

export interface ImageStateView {
  active: number;
  running: number;
  trial: boolean;
  min_sc: number;
  pending: number;
  upload: { slot: number; len: number; erased: number; off: number };
  last: { type: number; slot: number; reason: number };
  slot_a: SlotView;
  slot_b: SlotView;
}

function slotInfo(v: unknown, what: string): SlotView {
  const o = asObject(v, what);
  if (o.ver === undefined) return {};
  const sha = bytes(o, 'sha', what);
  if (sha.length !== 32) throw new ResponseError(`${what}: "sha" must be 32 bytes, got ${sha.length}`);
  return { ver: int(o, 'ver', what, 0, U32_MAX), sc: int(o, 'sc', what, 0, U32_MAX), size: int(o, 'size', what, 0, U32_MAX), sha };
}

export function decodeImageState(body: unknown): ImageStateView {
  const w = 'image state';
  const o = asObject(body, w);
  const up = asObject(o.upload, `${w} upload`);
  const last = asObject(o.last, `${w} last`);
  return {
    active: int(o, 'active', w, 0, SLOT_MAX),
    running: int(o, 'running', w, 0, SLOT_MAX),
    trial: bool(o, 'trial', w),
    min_sc: int(o, 'min_sc', w, 0, U32_MAX),
    pending: int(o, 'pending', w, 0, SLOT_MAX),
    upload: {
      slot: int(up, 'slot', `${w} upload`, 0, SLOT_MAX), len: int(up, 'len', `${w} upload`, 0, U32_MAX),
      erased: int(up, 'erased', `${w} upload`, 0, U32_MAX), off: int(up, 'off', `${w} upload`, 0, U32_MAX),
    },
    last: { type: int(last, 'type', `${w} last`, 0, 255), slot: int(last, 'slot', `${w} last`, 0, SLOT_MAX), reason: int(last, 'reason', `${w} last`, 0, 255) },
    slot_a: slotInfo(o.slot_a, `${w} slot_a`),
    slot_b: slotInfo(o.slot_b, `${w} slot_b`),
  };
}

export interface ImageBeginView {
  slot: number;
  erased: number;
  len: number;
  off: number;
}

export function decodeImageBegin(body: unknown): ImageBeginView {
  const w = 'image begin';
  const o = asObject(body, w);
  return { slot: int(o, 'slot', w, 0, SLOT_MAX), erased: int(o, 'erased', w, 0, U32_MAX), len: int(o, 'len', w, 0, U32_MAX), off: int(o, 'off', w, 0, U32_MAX) };
}

/** upload: the ring's next offset. */
export function decodeImageOffset(body: unknown): { off: number } {
  const o = asObject(body, 'image upload');
  return { off: int(o, 'off', 'image upload', 0, U32_MAX) };
}

/** test, confirm, revert: a slot. */
export function decodeImageSlot(body: unknown, what = 'image'): { slot: number } {
  const o = asObject(body, what);
  return { slot: int(o, 'slot', what, 0, SLOT_MAX) };
}

/** reset: an empty map. */
export function decodeImageReset(body: unknown): Record<string, never> {
  asObject(body, 'image reset');
  return {};
}
