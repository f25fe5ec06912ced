// Image management (group 1, SMP's image group; PROTOCOL.md section 8.7): upload a new
// firmware image into the slot the ring is not running, ask the boot stage to try it,
// confirm or revert the trial. Everything that must survive a reset is in the update-state
// log (image-state.ts); RAM only holds the next offset of the upload in progress.
//
// Upload: begin {sha, len} starts an upload keyed by the image's SHA-256 (or resumes the
// one with that hash: a different image never resumes into another's bytes), erasing the
// target slot IMAGE_ERASE_SECTORS_PER_REQ sectors per request and answering the progress,
// so a long erase is visible; then upload {off, data} writes chunks in order. A chunk at
// another offset than the ring's is not written: the answer carries the ring's offset and
// the host continues from there (after a disconnect, the exact next byte). Every full
// sector written is recorded (ST_UPLOADED), so after a reset the upload resumes at the
// last recorded sector, which is erased again first with the one after it (they may hold
// bytes of the lost part: a NOR unit takes only two writes between erases).
//
// Verification of hash and signature is the boot stage's (it has the keys and SHA-256);
// test checks what the header says (format, size, target, anti-rollback) so the common
// mistakes are answered at once.

import type { FlashHal } from "../hal.js";
import { PART_SLOT_A_ADDR, PART_SLOT_B_ADDR, PART_SLOT_BYTES } from "../flash-map.js";
import {
  CBOR_HEAD_ARG_LO,
  CBOR_HEAD_MAJOR,
  CBOR_HEAD_WORDS,
  CBOR_MAJOR_BYTES,
  cbor_read_head,
} from "../../protocol/device/cbor.js";
import {
  CMD_IMAGE_BEGIN,
  CMD_IMAGE_CONFIRM,
  CMD_IMAGE_RESET,
  CMD_IMAGE_REVERT,
  CMD_IMAGE_STATE,
  CMD_IMAGE_TEST,
  CMD_IMAGE_UPLOAD,
  ERR_BAD_OP,
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_BUSY,
  ERR_FLASH,
  ERR_IMAGE_DOWNGRADE,
  ERR_IMAGE_INVALID,
  ERR_IMAGE_STATE,
  ERR_IMAGE_TARGET,
  ERR_MISSING_FIELD,
  ERR_TOO_LARGE,
  ERR_UNKNOWN_COMMAND,
  IMAGE_ERASE_SECTORS_PER_REQ,
  OP_READ,
  OP_WRITE,
} from "../../protocol/ids.js";
import {
  enc_bool,
  enc_bytes,
  enc_key_uint,
  enc_map,
  enc_text,
  fail_key,
  fail_unknown,
  req_buffer,
  req_find,
  req_key_is,
  req_limit,
  req_pair_count,
  req_uint,
  req_value,
} from "./codec.js";
import {
  IH_FORMAT,
  IH_HEADER_BYTES,
  IH_MAGIC,
  IH_PAYLOAD_BYTES,
  IH_SECURITY_COUNTER,
  IH_TARGET,
  IH_VER_MAJOR,
  IH_VER_MINOR,
  IH_VER_PATCH,
  IMG_FORMAT_VERSION,
  IMG_HEADER_BYTES,
  IMG_MAGIC,
  IMG_SHA256_BYTES,
  IMG_TARGET_RING_NRF52840,
  IMG_TRAILER_BYTES,
  IMG_TRAILER_MAGIC,
  IT_MAGIC,
  IT_SHA256,
  img_u16,
  img_u32,
} from "./image-header.js";
import {
  REASON_REVERT_REQUESTED,
  SLOT_NONE,
  ST_CONFIRM,
  ST_ERASED,
  ST_HASH_BYTES,
  ST_REVERT,
  ST_TEST,
  ST_UPLOADED,
  ST_UPLOAD_START,
  S_ACTIVE,
  S_LAST_REASON,
  S_LAST_SLOT,
  S_LAST_TYPE,
  S_MIN_SC,
  S_PENDING,
  S_TRIAL,
  S_UPLOAD_DONE,
  S_UPLOAD_ERASED,
  S_UPLOAD_LEN,
  S_UPLOAD_SLOT,
  state_append,
  state_boot,
  state_get,
  state_upload_hash,
} from "./image-state.js";

const SLOT_COUNT = 2;
const IMAGE_BYTES_MIN = IMG_HEADER_BYTES + IMG_TRAILER_BYTES;

let fl!: FlashHal;
let head!: Int32Array;
let hdr!: Uint8Array; // a header or a trailer read from a slot
let tail!: Uint8Array; // the last chunk, padded with 0xFF to whole write units
let sha!: Uint8Array;
let cur_off = 0; // next byte of the upload in progress
let reerase_at = -1; // sector to erase again before the first write after a reset
let reset_requested = 0;
let image_booted = 0;

export function image_ram_bytes(): number {
  return 4 * CBOR_HEAD_WORDS + IMG_TRAILER_BYTES + 16 + IMG_SHA256_BYTES;
}

/** Mount the update state; where an upload stands after a reset. Returns 0 or a negative error. */
export function image_boot(flash: FlashHal): number {
  if (image_booted === 0) {
    head = new Int32Array(CBOR_HEAD_WORDS);
    hdr = new Uint8Array(IMG_TRAILER_BYTES);
    tail = new Uint8Array(16);
    sha = new Uint8Array(IMG_SHA256_BYTES);
    image_booted = 1;
  }
  fl = flash;
  reset_requested = 0;
  const rc = state_boot(flash);
  if (rc < 0) return rc;
  cur_off = state_get(S_UPLOAD_DONE);
  reerase_at = -1;
  if (state_get(S_UPLOAD_SLOT) !== SLOT_NONE && cur_off < state_get(S_UPLOAD_LEN)) reerase_at = cur_off;
  return 0;
}

/** 1 once a reset command has been answered: the ring's owner resets it. */
export function image_reset_requested(): number {
  return reset_requested;
}

export function slot_addr(slot: number): number {
  return slot === 0 ? PART_SLOT_A_ADDR : PART_SLOT_B_ADDR;
}

/** The slot running now: the one on trial, else the confirmed one. */
function running_slot(): number {
  const trial = state_get(S_TRIAL);
  return trial !== SLOT_NONE ? trial : state_get(S_ACTIVE);
}

export function cmd_image(op: number, cmd: number): number {
  switch (cmd) {
    case CMD_IMAGE_STATE:
      return op === OP_READ ? image_state() : -ERR_BAD_OP;
    case CMD_IMAGE_UPLOAD:
      return op === OP_WRITE ? image_upload() : -ERR_BAD_OP;
    case CMD_IMAGE_BEGIN:
      return op === OP_WRITE ? image_begin() : -ERR_BAD_OP;
    case CMD_IMAGE_TEST:
      return op === OP_WRITE ? image_test() : -ERR_BAD_OP;
    case CMD_IMAGE_CONFIRM:
      return op === OP_WRITE ? image_confirm() : -ERR_BAD_OP;
    case CMD_IMAGE_REVERT:
      return op === OP_WRITE ? image_revert() : -ERR_BAD_OP;
    case CMD_IMAGE_RESET:
      if (op !== OP_WRITE) return -ERR_BAD_OP;
      if (req_pair_count(0) > 0) return fail_unknown(0, 0, "");
      reset_requested = 1;
      enc_map(0);
      return 0;
    default:
      return -ERR_UNKNOWN_COMMAND;
  }
}

/** Only the keys named (up to 3, "" for none) may appear. */
function only_keys(k0: string, k1: string, k2: string): number {
  const n = req_pair_count(0);
  for (let i = 0; i < n; i++) {
    if (!(req_key_is(0, i, k0) || req_key_is(0, i, k1) || req_key_is(0, i, k2))) return fail_unknown(0, i, "");
  }
  return 0;
}

/** Byte string key: its position in the request buffer (length in head[ARG_LO]), or -rc. */
function req_bytes(name: string, len_min: number, len_max: number): number {
  const pos = req_find(0, name);
  if (pos < 0) return fail_key(-ERR_MISSING_FIELD, "", name);
  const p = cbor_read_head(req_buffer(), pos, req_limit(), head);
  if (p < 0) return fail_key(p, "", name);
  if (head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_BYTES) return fail_key(-ERR_BAD_TYPE, "", name);
  const len = head[CBOR_HEAD_ARG_LO];
  if (len < len_min || len > len_max) return fail_key(-ERR_BAD_VALUE, "", name);
  return p;
}

function req_sha(): number {
  const p = req_bytes("sha", IMG_SHA256_BYTES, IMG_SHA256_BYTES);
  if (p < 0) return p;
  const buf = req_buffer();
  for (let i = 0; i < IMG_SHA256_BYTES; i++) sha[i] = buf[p + i];
  return 0;
}

function upload_hash_is_sha(): boolean {
  const h = state_upload_hash();
  for (let i = 0; i < ST_HASH_BYTES; i++) {
    if (h[i] !== sha[i]) return false;
  }
  return true;
}

function erase_bytes_for(len: number): number {
  const sector = fl.flash_sector_bytes();
  return Math.floor((len + sector - 1) / sector) * sector;
}

function image_begin(): number {
  let rc = only_keys("sha", "len", "");
  if (rc < 0) return rc;
  rc = req_sha();
  if (rc < 0) return rc;
  rc = req_uint(0, "", "len", IMAGE_BYTES_MIN, PART_SLOT_BYTES);
  if (rc < 0) return rc;
  if (rc === 0) return fail_key(-ERR_MISSING_FIELD, "", "len");
  const len = req_value();
  if (state_get(S_TRIAL) !== SLOT_NONE) return -ERR_BUSY; // the other slot holds the confirmed image
  if (state_get(S_ACTIVE) === SLOT_NONE) return -ERR_IMAGE_STATE;
  const same = state_get(S_UPLOAD_SLOT) !== SLOT_NONE && state_get(S_UPLOAD_LEN) === len && upload_hash_is_sha();
  if (!same) {
    const target = state_get(S_ACTIVE) === 0 ? 1 : 0;
    if (state_append(ST_UPLOAD_START, target, 0, len, 0, sha, 0) < 0) return -ERR_FLASH;
    cur_off = 0;
    reerase_at = -1;
  }
  const slot = state_get(S_UPLOAD_SLOT);
  const need = erase_bytes_for(len);
  let erased = state_get(S_UPLOAD_ERASED);
  if (erased < need) {
    const sector = fl.flash_sector_bytes();
    for (let i = 0; i < IMAGE_ERASE_SECTORS_PER_REQ; i++) {
      if (erased >= need) break;
      if (fl.flash_erase(slot_addr(slot) + erased) < 0) return -ERR_FLASH;
      erased += sector;
    }
    if (state_append(ST_ERASED, slot, 0, erased, 0, sha, 0) < 0) return -ERR_FLASH;
  }
  enc_map(4);
  enc_key_uint("slot", slot);
  enc_key_uint("erased", erased >= need ? len : erased);
  enc_key_uint("len", len);
  enc_key_uint("off", cur_off);
  return 0;
}

function image_upload(): number {
  let rc = only_keys("off", "data", "");
  if (rc < 0) return rc;
  rc = req_uint(0, "", "off", 0, PART_SLOT_BYTES);
  if (rc < 0) return rc;
  if (rc === 0) return fail_key(-ERR_MISSING_FIELD, "", "off");
  const off = req_value();
  const p = req_bytes("data", 1, PART_SLOT_BYTES);
  if (p < 0) return p;
  const n = head[CBOR_HEAD_ARG_LO];
  const slot = state_get(S_UPLOAD_SLOT);
  const len = state_get(S_UPLOAD_LEN);
  if (slot === SLOT_NONE || state_get(S_UPLOAD_ERASED) < erase_bytes_for(len)) return -ERR_IMAGE_STATE;
  if (off !== cur_off || off >= len) {
    enc_map(1);
    enc_key_uint("off", cur_off); // not written: the host continues from the ring's offset
    return 0;
  }
  const unit = fl.flash_write_unit_bytes();
  if (off + n > len) return fail_key(-ERR_TOO_LARGE, "", "data");
  if (off + n < len && n % unit !== 0) return fail_key(-ERR_BAD_VALUE, "", "data");
  const sector = fl.flash_sector_bytes();
  const base = slot_addr(slot);
  if (reerase_at >= 0) {
    // Bytes past the resume point may have been written before the reset: the rest of
    // that sector, and the start of the next one (a chunk is shorter than a sector).
    if (fl.flash_erase(base + reerase_at) < 0) return -ERR_FLASH;
    if (reerase_at + sector < state_get(S_UPLOAD_ERASED) && fl.flash_erase(base + reerase_at + sector) < 0) return -ERR_FLASH;
    reerase_at = -1;
  }
  const whole = n - (n % unit);
  const buf = req_buffer();
  if (whole > 0 && fl.flash_write(base + off, buf, p, whole) < 0) return -ERR_FLASH;
  if (whole < n) {
    for (let i = 0; i < unit; i++) tail[i] = whole + i < n ? buf[p + whole + i] : 255;
    if (fl.flash_write(base + off + whole, tail, 0, unit) < 0) return -ERR_FLASH;
  }
  const next = off + n;
  cur_off = next;
  const kept = next === len ? len : Math.floor(next / sector) * sector;
  if (kept > state_get(S_UPLOAD_DONE)) {
    if (state_append(ST_UPLOADED, slot, 0, kept, 0, state_upload_hash(), 0) < 0) return -ERR_FLASH;
  }
  enc_map(1);
  enc_key_uint("off", cur_off);
  return 0;
}

/** Read the header of the image in slot into hdr[0..64). Returns 0, or -ERR_IMAGE_INVALID. */
function read_header(slot: number): number {
  if (fl.flash_read(slot_addr(slot), hdr, 0, IMG_HEADER_BYTES) < 0) return -ERR_FLASH;
  if (img_u32(hdr, IH_MAGIC) !== IMG_MAGIC || img_u16(hdr, IH_FORMAT) !== IMG_FORMAT_VERSION) return -ERR_IMAGE_INVALID;
  if (img_u16(hdr, IH_HEADER_BYTES) !== IMG_HEADER_BYTES) return -ERR_IMAGE_INVALID;
  return 0;
}

/** The image's size from its header (header + payload + trailer). */
function header_image_bytes(): number {
  return IMG_HEADER_BYTES + img_u32(hdr, IH_PAYLOAD_BYTES) + IMG_TRAILER_BYTES;
}

function image_test(): number {
  let rc = only_keys("sha", "", "");
  if (rc < 0) return rc;
  rc = req_sha();
  if (rc < 0) return rc;
  const slot = state_get(S_UPLOAD_SLOT);
  const len = state_get(S_UPLOAD_LEN);
  if (slot === SLOT_NONE || !upload_hash_is_sha() || state_get(S_UPLOAD_DONE) !== len) return -ERR_IMAGE_STATE;
  rc = read_header(slot);
  if (rc < 0) return rc;
  if (header_image_bytes() !== len) return -ERR_IMAGE_INVALID;
  if (img_u32(hdr, IH_TARGET) !== IMG_TARGET_RING_NRF52840) return -ERR_IMAGE_TARGET;
  if (img_u32(hdr, IH_SECURITY_COUNTER) < state_get(S_MIN_SC)) return -ERR_IMAGE_DOWNGRADE;
  if (state_append(ST_TEST, slot, 0, 0, 0, sha, 0) < 0) return -ERR_FLASH;
  enc_map(1);
  enc_key_uint("slot", slot);
  return 0;
}

function image_confirm(): number {
  const rc = only_keys("", "", "");
  if (rc < 0) return rc;
  const trial = state_get(S_TRIAL);
  if (trial !== SLOT_NONE) {
    const h = read_header(trial);
    if (h < 0) return h;
    const sc = img_u32(hdr, IH_SECURITY_COUNTER);
    if (fl.flash_read(slot_addr(trial) + header_image_bytes() - IMG_TRAILER_BYTES, hdr, 0, IMG_TRAILER_BYTES) < 0) return -ERR_FLASH;
    if (state_append(ST_CONFIRM, trial, 0, sc, 0, hdr, IT_SHA256) < 0) return -ERR_FLASH;
  }
  enc_map(1);
  enc_key_uint("slot", state_get(S_ACTIVE));
  return 0;
}

function image_revert(): number {
  const rc = only_keys("", "", "");
  if (rc < 0) return rc;
  const trial = state_get(S_TRIAL);
  if (trial === SLOT_NONE) return -ERR_IMAGE_STATE;
  if (state_append(ST_REVERT, trial, REASON_REVERT_REQUESTED, 0, 0, sha, -1) < 0) return -ERR_FLASH;
  reset_requested = 1;
  enc_map(1);
  enc_key_uint("slot", state_get(S_ACTIVE));
  return 0;
}

function image_state(): number {
  const rc = only_keys("", "", "");
  if (rc < 0) return rc;
  const up = state_get(S_UPLOAD_SLOT);
  enc_map(9);
  enc_key_uint("active", state_get(S_ACTIVE));
  enc_key_uint("running", running_slot());
  enc_text("trial");
  enc_bool(state_get(S_TRIAL) !== SLOT_NONE ? 1 : 0);
  enc_key_uint("min_sc", state_get(S_MIN_SC));
  enc_key_uint("pending", state_get(S_PENDING));
  enc_text("upload");
  enc_map(4);
  enc_key_uint("slot", up);
  enc_key_uint("len", up !== SLOT_NONE ? state_get(S_UPLOAD_LEN) : 0);
  enc_key_uint("erased", up !== SLOT_NONE ? state_get(S_UPLOAD_ERASED) : 0);
  enc_key_uint("off", up !== SLOT_NONE ? cur_off : 0);
  enc_text("last");
  enc_map(3);
  enc_key_uint("type", state_get(S_LAST_TYPE));
  enc_key_uint("slot", state_get(S_LAST_SLOT));
  enc_key_uint("reason", state_get(S_LAST_REASON));
  for (let s = 0; s < SLOT_COUNT; s++) {
    enc_text(s === 0 ? "slot_a" : "slot_b");
    encode_slot(s);
  }
  return 0;
}

/** {ver, sc, size, sha} of the image in slot, or {} when it has no readable header. */
function encode_slot(slot: number): void {
  if (up_in_slot(slot) || read_header(slot) < 0) {
    enc_map(0);
    return;
  }
  const ver = hdr[IH_VER_MAJOR] * 65536 * 256 + hdr[IH_VER_MINOR] * 65536 + img_u16(hdr, IH_VER_PATCH);
  const sc = img_u32(hdr, IH_SECURITY_COUNTER);
  const size = header_image_bytes();
  if (size > PART_SLOT_BYTES || fl.flash_read(slot_addr(slot) + size - IMG_TRAILER_BYTES, hdr, 0, IMG_TRAILER_BYTES) < 0 ||
      img_u32(hdr, IT_MAGIC) !== IMG_TRAILER_MAGIC) {
    enc_map(0);
    return;
  }
  enc_map(4);
  enc_key_uint("ver", ver);
  enc_key_uint("sc", sc);
  enc_key_uint("size", size);
  enc_text("sha");
  enc_bytes(hdr, IT_SHA256, IMG_SHA256_BYTES);
}

/** An incomplete upload occupies the slot: its bytes are not an image yet. */
function up_in_slot(slot: number): boolean {
  return state_get(S_UPLOAD_SLOT) === slot && state_get(S_UPLOAD_DONE) !== state_get(S_UPLOAD_LEN);
}
