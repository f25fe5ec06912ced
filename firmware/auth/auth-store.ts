// The ring's authentication state on flash (PART_AUTH, firmware/flash-map.ts; PROTOCOL.md
// section 11): the ring secret (32 bytes from the HAL's entropy source, made when the first
// owner pairs) and the table of paired hosts (id, role, scopes, time range, expiry,
// revoked). Host keys are not stored: each is HMAC(secret, label | host id), derived when
// needed, so the table stays small and fixed.
//
// Format: snapshots of AUTH_SNAP_BYTES, appended in one of two 4 KB sectors; each carries a
// generation and a CRC-32, and the valid snapshot with the highest generation is the state.
// A full sector moves the next snapshot to the other sector, erased first. A power cut
// during a write leaves a snapshot whose CRC fails (ignored: the previous one stands), one
// during the erase leaves the other sector's snapshots intact. The RAM copy is one snapshot
// buffer, read and changed in place.

import type { FlashHal } from "../hal.js";
import { PART_AUTH_ADDR, PART_AUTH_BYTES } from "../flash-map.js";
import { AUTH_HOST_ID_BYTES, AUTH_HOSTS_MAX, AUTH_KEY_BYTES } from "../../protocol/ids.js";
import { crc32_boot, crc32_end, crc32_start, crc32_update } from "../store/crc32.js";

const MAGIC = 0x54554152; // "RAUT"
// Snapshot layout (little-endian words).
const OFF_MAGIC = 0;
const OFF_GEN = 4;
const OFF_SECRET = 8;
const OFF_HOSTS = OFF_SECRET + AUTH_KEY_BYTES; // 40
export const HOST_BYTES = 36;
// Host entry layout, from its start.
export const H_ID = 0; // 8 bytes
export const H_ROLE = 8; // 0: free slot
export const H_SCOPES = 9;
export const H_REVOKED = 10;
export const H_FROM_MS = 12; // u32 lo, u32 hi
export const H_UNTIL_MS = 20;
export const H_EXPIRES_MS = 28;
const OFF_CRC = OFF_HOSTS + AUTH_HOSTS_MAX * HOST_BYTES; // 328
/** One snapshot, a multiple of every write unit (1..16 bytes). */
export const AUTH_SNAP_BYTES = 336;
const SECTORS = 2;

export const AUTH_ST_ERR_FLASH = -1;

let st_booted = 0;
let fl!: FlashHal;
let snap!: Uint8Array; // the state
let scratch!: Uint8Array; // boot scan
let sector_bytes = 4096;
let per_sector = 0;
let cur_sector = 0; // sector of the newest snapshot
let next_slot = 0; // where the next snapshot goes in cur_sector; per_sector: switch sectors
let gen = 0;
let have_secret = 0;

export function auth_store_ram_bytes(): number {
  return 2 * AUTH_SNAP_BYTES;
}

/** Allocate (first call only) and load the newest valid snapshot from flash. */
export function auth_store_boot(flash: FlashHal): number {
  crc32_boot(flash); // each boot: the platform's CRC-32 or the firmware's tables
  if (st_booted === 0) {
    snap = new Uint8Array(AUTH_SNAP_BYTES);
    scratch = new Uint8Array(AUTH_SNAP_BYTES);
    st_booted = 1;
  }
  fl = flash;
  sector_bytes = flash.flash_sector_bytes();
  per_sector = (sector_bytes / AUTH_SNAP_BYTES) | 0;
  return auth_store_load();
}

function u32_at(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

function put_u32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

function snap_valid(b: Uint8Array): boolean {
  if (u32_at(b, OFF_MAGIC) !== MAGIC) return false;
  const crc = crc32_end(crc32_update(crc32_start(), b, 0, OFF_CRC));
  return crc >>> 0 === u32_at(b, OFF_CRC);
}

function slot_blank(b: Uint8Array): boolean {
  for (let i = 0; i < AUTH_SNAP_BYTES; i++) {
    if (b[i] !== 0xff) return false;
  }
  return true;
}

function slot_addr(sector: number, slot: number): number {
  return PART_AUTH_ADDR + sector * sector_bytes + slot * AUTH_SNAP_BYTES;
}

/** Scan both sectors: the newest valid snapshot is the state (none: no owner, no secret). */
export function auth_store_load(): number {
  let best_gen = -1;
  let best_sector = 0;
  let best_slot = -1;
  for (let s = 0; s < SECTORS; s++) {
    for (let i = 0; i < per_sector; i++) {
      if (fl.flash_read(slot_addr(s, i), scratch, 0, AUTH_SNAP_BYTES) < 0) return AUTH_ST_ERR_FLASH;
      if (!snap_valid(scratch)) continue;
      const g = u32_at(scratch, OFF_GEN);
      if (g > best_gen) {
        best_gen = g;
        best_sector = s;
        best_slot = i;
        snap.set(scratch, 0);
      }
    }
  }
  if (best_slot < 0) {
    auth_store_clear_ram();
    cur_sector = 0;
    next_slot = per_sector; // the first save erases sector 0 (its contents are unknown)
    gen = 0;
    return 0;
  }
  gen = best_gen;
  cur_sector = best_sector;
  have_secret = 1;
  next_slot = per_sector;
  for (let i = best_slot + 1; i < per_sector; i++) {
    if (fl.flash_read(slot_addr(cur_sector, i), scratch, 0, AUTH_SNAP_BYTES) < 0) return AUTH_ST_ERR_FLASH;
    if (slot_blank(scratch)) {
      next_slot = i;
      break;
    }
  }
  return 0;
}

function auth_store_clear_ram(): void {
  for (let i = 0; i < AUTH_SNAP_BYTES; i++) snap[i] = 0;
  have_secret = 0;
}

/** Write the RAM state as a new snapshot. 0 or AUTH_ST_ERR_FLASH. */
export function auth_store_save(): number {
  gen = gen + 1;
  put_u32(snap, OFF_MAGIC, MAGIC);
  put_u32(snap, OFF_GEN, gen);
  put_u32(snap, OFF_CRC, crc32_end(crc32_update(crc32_start(), snap, 0, OFF_CRC)));
  if (next_slot >= per_sector) {
    const other = next_slot === per_sector && have_secret !== 0 ? 1 - cur_sector : cur_sector;
    if (fl.flash_erase(PART_AUTH_ADDR + other * sector_bytes) < 0) return AUTH_ST_ERR_FLASH;
    cur_sector = other;
    next_slot = 0;
  }
  if (fl.flash_write(slot_addr(cur_sector, next_slot), snap, 0, AUTH_SNAP_BYTES) < 0) return AUTH_ST_ERR_FLASH;
  next_slot = next_slot + 1;
  have_secret = 1;
  return 0;
}

/** Forget everything: both sectors erased, no secret, no host (factory reset). */
export function auth_store_wipe(): number {
  for (let s = 0; s < SECTORS; s++) {
    if (fl.flash_erase(PART_AUTH_ADDR + s * sector_bytes) < 0) return AUTH_ST_ERR_FLASH;
  }
  auth_store_clear_ram();
  gen = 0;
  cur_sector = 0;
  next_slot = 0;
  return 0;
}

export function auth_store_has_secret(): number {
  return have_secret;
}

/** The state buffer: the secret at auth_secret_offset(), host i at auth_host_offset(i). */
export function auth_store_snap(): Uint8Array {
  return snap;
}

export function auth_secret_offset(): number {
  return OFF_SECRET;
}

export function auth_host_offset(i: number): number {
  return OFF_HOSTS + i * HOST_BYTES;
}

/** Host slot holding this id (id_buf[id_off..+8)), or -1. */
export function auth_host_find(id_buf: Uint8Array, id_off: number): number {
  for (let i = 0; i < AUTH_HOSTS_MAX; i++) {
    const o = OFF_HOSTS + i * HOST_BYTES;
    if (snap[o + H_ROLE] === 0) continue;
    let same = 1;
    for (let k = 0; k < AUTH_HOST_ID_BYTES; k++) {
      if (snap[o + H_ID + k] !== id_buf[id_off + k]) same = 0;
    }
    if (same !== 0) return i;
  }
  return -1;
}

/** A free host slot, or -1. */
export function auth_host_free(): number {
  for (let i = 0; i < AUTH_HOSTS_MAX; i++) {
    if (snap[OFF_HOSTS + i * HOST_BYTES + H_ROLE] === 0) return i;
  }
  return -1;
}

/** A time field of host i (H_FROM_MS, H_UNTIL_MS, H_EXPIRES_MS), ms. */
export function auth_host_time(i: number, field: number): number {
  const o = OFF_HOSTS + i * HOST_BYTES + field;
  return u32_at(snap, o) + u32_at(snap, o + 4) * 4294967296;
}

export function auth_host_set_time(i: number, field: number, ms: number): void {
  const o = OFF_HOSTS + i * HOST_BYTES + field;
  const hi = Math.floor(ms / 4294967296);
  put_u32(snap, o, ms - hi * 4294967296);
  put_u32(snap, o + 4, hi);
}

/** Hosts with a role that are not revoked, of this role (0: any). */
export function auth_host_count(role: number): number {
  let n = 0;
  for (let i = 0; i < AUTH_HOSTS_MAX; i++) {
    const o = OFF_HOSTS + i * HOST_BYTES;
    if (snap[o + H_ROLE] === 0 || snap[o + H_REVOKED] !== 0) continue;
    if (role === 0 || snap[o + H_ROLE] === role) n = n + 1;
  }
  return n;
}

/** The store's partition, for tests and docs. */
export function auth_store_partition_bytes(): number {
  return PART_AUTH_BYTES;
}
