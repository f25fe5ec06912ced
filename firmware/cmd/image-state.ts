// Update state (docs/image-format.md, "Update state"): an append-only log of 32-byte
// records in the update-state partition (firmware/flash-map.ts), shared by the boot stage
// (sim/boot/boot-stage.ts, the ring's native loader) and the firmware's image commands
// (firmware/cmd/image.ts). Both read it the same way and append to it; nothing is ever
// rewritten in place, so a power cut at any flash operation leaves either the old state or
// the new one:
//   - a record counts only when its CRC-32 checks: a torn record is garbage and skipped;
//   - a slot is appended to only when all 32 bytes still read 0xFF, so a torn record is
//     never programmed again (NOR allows a unit two writes between erases);
//   - the partition is two halves; a full half is compacted by erasing the other half
//     and writing a SNAPSHOT there first. The state is the replay of the half holding
//     the SNAPSHOT with the highest sequence, from that snapshot on. An interrupted erase
//     or snapshot leaves the old half's snapshot the highest: nothing is lost.
// Record: word0 = 0xA5 tag | type << 16 | slot << 8 | reason; word1 = seq; word2 = a;
// word3 = b; bytes 16..28 = the first 12 bytes of the image's SHA-256; word7 = CRC-32 of
// bytes 0..28. Little-endian.

import type { FlashHal } from "../hal.js";
import { PART_UPDATE_STATE_ADDR, PART_UPDATE_STATE_BYTES } from "../flash-map.js";
import { crc32_boot, crc32_end, crc32_start, crc32_update } from "../store/crc32.js";

export const ST_REC_BYTES = 32;
export const ST_HASH_BYTES = 12;
export const ST_HALF_BYTES = PART_UPDATE_STATE_BYTES >> 1;
export const ST_RECS_PER_HALF = (ST_HALF_BYTES / ST_REC_BYTES) | 0;
const ST_TAG = 0xa5;

// Record types.
export const ST_SNAPSHOT = 1; // slot = active slot, a = min security counter, hash = active image
export const ST_UPLOAD_START = 2; // slot = target, a = image bytes, hash = image
export const ST_ERASED = 3; // a = bytes of the target slot erased for the upload
export const ST_UPLOADED = 4; // a = bytes written and kept (sector-aligned, or the whole image)
export const ST_TEST = 5; // boot slot once on trial at the next boot
export const ST_TRIAL = 6; // the boot stage started slot on trial
export const ST_CONFIRM = 7; // slot confirmed: active from now on; a = its security counter
export const ST_REVERT = 8; // the trial of slot ended without a confirm; reason says why
export const ST_REJECT = 9; // the boot stage refused slot's image; reason = IMG_ERR_*

// Reasons (REVERT, REJECT): a named error each (host/image/errors.ts has the names).
export const REASON_NONE = 0;
export const REASON_NOT_CONFIRMED = 1; // reset on trial without a confirm (watchdog, self-test, crash)
export const REASON_REVERT_REQUESTED = 2; // the host asked (image revert)

export const SLOT_NONE = 255;

// State words (st[]).
export const S_ACTIVE = 0; // confirmed slot, SLOT_NONE before provisioning
export const S_MIN_SC = 1; // lowest security counter the ring accepts
export const S_UPLOAD_SLOT = 2;
export const S_UPLOAD_LEN = 3;
export const S_UPLOAD_ERASED = 4;
export const S_UPLOAD_DONE = 5; // bytes of the upload that survive a reboot
export const S_PENDING = 6; // slot to try at the next boot, SLOT_NONE
export const S_TRIAL = 7; // slot on trial now, SLOT_NONE
export const S_LAST_TYPE = 8; // last REVERT / REJECT for the host to read
export const S_LAST_SLOT = 9;
export const S_LAST_REASON = 10;
export const S_NEXT_SEQ = 11;
export const S_WRITE_ADDR = 12; // next free record slot, -1 when the half is full
export const S_HALF = 13;
export const S_SNAP_FOUND = 14;
export const S_TORN = 15; // records skipped for a bad CRC
export const S_WORDS = 16;

export const ST_ERR_FLASH = -1;

let st!: Int32Array;
let rec!: Uint8Array;
let active_hash!: Uint8Array;
let upload_hash!: Uint8Array;
let pending_hash!: Uint8Array;
let fl!: FlashHal;
let booted = 0;

export function state_boot(flash: FlashHal): number {
  crc32_boot(flash); // each boot: the platform's CRC-32 or the firmware's tables
  if (booted === 0) {
    st = new Int32Array(S_WORDS);
    rec = new Uint8Array(ST_REC_BYTES);
    active_hash = new Uint8Array(ST_HASH_BYTES);
    upload_hash = new Uint8Array(ST_HASH_BYTES);
    pending_hash = new Uint8Array(ST_HASH_BYTES);
    booted = 1;
  }
  fl = flash;
  return state_load();
}

export function state_get(word: number): number {
  return st[word];
}

export function state_active_hash(): Uint8Array {
  return active_hash;
}

export function state_upload_hash(): Uint8Array {
  return upload_hash;
}

export function state_pending_hash(): Uint8Array {
  return pending_hash;
}

function u32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 255;
  b[off + 1] = (v >>> 8) & 255;
  b[off + 2] = (v >>> 16) & 255;
  b[off + 3] = (v >>> 24) & 255;
}

function rec_blank(): boolean {
  for (let i = 0; i < ST_REC_BYTES; i++) {
    if (rec[i] !== 255) return false;
  }
  return true;
}

function rec_valid(): boolean {
  if (rec[3] !== ST_TAG) return false;
  return crc32_end(crc32_update(crc32_start(), rec, 0, 28)) === u32(rec, 28);
}

function rec_read(addr: number): number {
  return fl.flash_read(addr, rec, 0, ST_REC_BYTES);
}

function half_addr(half: number): number {
  return PART_UPDATE_STATE_ADDR + half * ST_HALF_BYTES;
}

/** Replay the log into st[]. Returns 0 or ST_ERR_FLASH. */
export function state_load(): number {
  for (let i = 0; i < S_WORDS; i++) st[i] = 0;
  st[S_ACTIVE] = SLOT_NONE;
  st[S_UPLOAD_SLOT] = SLOT_NONE;
  st[S_PENDING] = SLOT_NONE;
  st[S_TRIAL] = SLOT_NONE;
  st[S_LAST_SLOT] = SLOT_NONE;
  st[S_NEXT_SEQ] = 1;
  st[S_WRITE_ADDR] = PART_UPDATE_STATE_ADDR;
  // The half with the newest snapshot.
  let best_seq = -1;
  let best_half = 0;
  let best_addr = -1;
  let max_seq = 0;
  for (let h = 0; h < 2; h++) {
    const base = half_addr(h);
    for (let i = 0; i < ST_RECS_PER_HALF; i++) {
      if (rec_read(base + i * ST_REC_BYTES) < 0) return ST_ERR_FLASH;
      if (!rec_valid()) continue;
      const seq = u32(rec, 4);
      if (seq > max_seq) max_seq = seq;
      if (rec[2] === ST_SNAPSHOT && seq > best_seq) {
        best_seq = seq;
        best_half = h;
        best_addr = base + i * ST_REC_BYTES;
      }
    }
  }
  st[S_NEXT_SEQ] = max_seq + 1;
  st[S_HALF] = best_half;
  if (best_addr < 0) {
    // Never provisioned (or every snapshot lost to garbage): appends go after the last used slot of half 0.
    st[S_WRITE_ADDR] = state_free_after(half_addr(0), half_addr(0));
    return 0;
  }
  st[S_SNAP_FOUND] = 1;
  const base = half_addr(best_half);
  const end = base + ST_HALF_BYTES;
  let last_used = best_addr;
  const first = ((best_addr - base) / ST_REC_BYTES) | 0;
  for (let i = first; i < ST_RECS_PER_HALF; i++) {
    const a = base + i * ST_REC_BYTES;
    if (rec_read(a) < 0) return ST_ERR_FLASH;
    if (!rec_blank()) last_used = a;
    if (!rec_valid()) {
      if (!rec_blank()) st[S_TORN]++;
      continue;
    }
    if (u32(rec, 4) < best_seq) continue;
    apply();
  }
  st[S_WRITE_ADDR] = last_used + ST_REC_BYTES < end ? last_used + ST_REC_BYTES : -1;
  return 0;
}

/** First slot after the last non-blank one in the half at base (from start on); -1 when full. */
function state_free_after(base: number, start: number): number {
  let last_used = -1;
  const first = ((start - base) / ST_REC_BYTES) | 0;
  for (let i = first; i < ST_RECS_PER_HALF; i++) {
    const a = base + i * ST_REC_BYTES;
    if (rec_read(a) < 0) return -1;
    if (!rec_blank()) last_used = a;
  }
  if (last_used < 0) return start;
  return last_used + ST_REC_BYTES < base + ST_HALF_BYTES ? last_used + ST_REC_BYTES : -1;
}

function copy_hash(dst: Uint8Array): void {
  for (let i = 0; i < ST_HASH_BYTES; i++) dst[i] = rec[16 + i];
}

function apply(): void {
  const type = rec[2];
  const slot = rec[1];
  const a = u32(rec, 8);
  switch (type) {
    case ST_SNAPSHOT:
      st[S_ACTIVE] = slot;
      st[S_MIN_SC] = a;
      copy_hash(active_hash);
      st[S_UPLOAD_SLOT] = SLOT_NONE;
      st[S_PENDING] = SLOT_NONE;
      st[S_TRIAL] = SLOT_NONE;
      break;
    case ST_UPLOAD_START:
      st[S_UPLOAD_SLOT] = slot;
      st[S_UPLOAD_LEN] = a;
      st[S_UPLOAD_ERASED] = 0;
      st[S_UPLOAD_DONE] = 0;
      copy_hash(upload_hash);
      if (st[S_PENDING] === slot) st[S_PENDING] = SLOT_NONE;
      break;
    case ST_ERASED:
      if (slot === st[S_UPLOAD_SLOT]) st[S_UPLOAD_ERASED] = a;
      break;
    case ST_UPLOADED:
      if (slot === st[S_UPLOAD_SLOT]) st[S_UPLOAD_DONE] = a;
      break;
    case ST_TEST:
      st[S_PENDING] = slot;
      copy_hash(pending_hash);
      break;
    case ST_TRIAL:
      st[S_TRIAL] = slot;
      if (st[S_PENDING] === slot) st[S_PENDING] = SLOT_NONE;
      break;
    case ST_CONFIRM:
      st[S_ACTIVE] = slot;
      if (a > st[S_MIN_SC]) st[S_MIN_SC] = a;
      copy_hash(active_hash);
      st[S_TRIAL] = SLOT_NONE;
      if (st[S_UPLOAD_SLOT] === slot) st[S_UPLOAD_SLOT] = SLOT_NONE;
      break;
    case ST_REVERT:
    case ST_REJECT:
      if (st[S_TRIAL] === slot) st[S_TRIAL] = SLOT_NONE;
      if (st[S_PENDING] === slot) st[S_PENDING] = SLOT_NONE;
      st[S_LAST_TYPE] = type;
      st[S_LAST_SLOT] = slot;
      st[S_LAST_REASON] = rec[0];
      break;
    default:
      break;
  }
}

function rec_build(type: number, slot: number, reason: number, a: number, b: number, hash: Uint8Array, hash_off: number): void {
  rec[0] = reason & 255;
  rec[1] = slot & 255;
  rec[2] = type;
  rec[3] = ST_TAG;
  put32(rec, 4, st[S_NEXT_SEQ]);
  put32(rec, 8, a);
  put32(rec, 12, b);
  for (let i = 0; i < ST_HASH_BYTES; i++) rec[16 + i] = hash_off >= 0 ? hash[hash_off + i] : 0;
  put32(rec, 28, crc32_end(crc32_update(crc32_start(), rec, 0, 28)));
}

function write_at(addr: number): number {
  if (fl.flash_write(addr, rec, 0, ST_REC_BYTES) < 0) return ST_ERR_FLASH;
  st[S_NEXT_SEQ]++;
  return 0;
}

/**
 * Append one record (hash: 12 bytes at hash_off, or hash_off -1 for none) and apply it.
 * Compacts into the other half when this one is full. Returns 0 or ST_ERR_FLASH.
 */
export function state_append(type: number, slot: number, reason: number, a: number, b: number, hash: Uint8Array, hash_off: number): number {
  if (st[S_WRITE_ADDR] < 0 || st[S_SNAP_FOUND] === 0 && type !== ST_SNAPSHOT) {
    const rc = state_compact();
    if (rc < 0) return rc;
  }
  rec_build(type, slot, reason, a, b, hash, hash_off);
  const addr = st[S_WRITE_ADDR];
  if (write_at(addr) < 0) return ST_ERR_FLASH;
  apply();
  if (type === ST_SNAPSHOT) st[S_SNAP_FOUND] = 1;
  st[S_WRITE_ADDR] = addr + ST_REC_BYTES < half_addr(st[S_HALF]) + ST_HALF_BYTES ? addr + ST_REC_BYTES : -1;
  return 0;
}

/**
 * Erase the other half and start it with a snapshot of the confirmed state, then the
 * upload in progress and a pending test (records after the snapshot). A cut before the
 * snapshot leaves this half current; a cut after it only forgets the upload progress or
 * the pending test (the ring keeps running its confirmed image).
 */
function state_compact(): number {
  const other = st[S_HALF] === 0 ? 1 : 0;
  const sectors = Math.floor(ST_HALF_BYTES / fl.flash_sector_bytes());
  for (let s = 0; s < sectors; s++) {
    if (fl.flash_erase(half_addr(other) + s * fl.flash_sector_bytes()) < 0) return ST_ERR_FLASH;
  }
  const up_slot = st[S_UPLOAD_SLOT];
  const up_len = st[S_UPLOAD_LEN];
  const up_erased = st[S_UPLOAD_ERASED];
  const up_done = st[S_UPLOAD_DONE];
  const pending = st[S_PENDING];
  const trial = st[S_TRIAL];
  st[S_HALF] = other;
  st[S_WRITE_ADDR] = half_addr(other);
  rec_build(ST_SNAPSHOT, st[S_ACTIVE], 0, st[S_MIN_SC], 0, active_hash, 0);
  if (write_at(half_addr(other)) < 0) return ST_ERR_FLASH;
  st[S_SNAP_FOUND] = 1;
  apply();
  st[S_WRITE_ADDR] = half_addr(other) + ST_REC_BYTES;
  let rc = 0;
  if (up_slot !== SLOT_NONE) {
    rc = carry(ST_UPLOAD_START, up_slot, up_len, upload_hash);
    if (rc === 0 && up_erased > 0) rc = carry(ST_ERASED, up_slot, up_erased, upload_hash);
    if (rc === 0 && up_done > 0) rc = carry(ST_UPLOADED, up_slot, up_done, upload_hash);
  }
  if (rc === 0 && pending !== SLOT_NONE) rc = carry(ST_TEST, pending, 0, pending_hash);
  if (rc === 0 && trial !== SLOT_NONE) rc = carry(ST_TRIAL, trial, 0, pending_hash);
  return rc;
}

function carry(type: number, slot: number, a: number, hash: Uint8Array): number {
  rec_build(type, slot, 0, a, 0, hash, 0);
  const addr = st[S_WRITE_ADDR];
  if (write_at(addr) < 0) return ST_ERR_FLASH;
  apply();
  st[S_WRITE_ADDR] = addr + ST_REC_BYTES;
  return 0;
}
