// Pairing, authenticated sessions and consent-scoped sharing on the ring (PROTOCOL.md
// section 11). Three hooks into the command path:
//   auth_gate (dispatch, before a command runs): unwraps and verifies an authenticated
//     request {"ctr", "req", "mac"}, then checks the request against the ring's policy:
//     public, scoped (a viewer's history reads and streams) or owner only;
//   auth_seal_begin / auth_seal_end (around the command): the answer to an authenticated
//     request is {"ctr", "rsp", "mac"} with the MAC under the session key;
//   auth_record_visible (history, per record): a viewer sees its scopes' kinds in its time
//     range only.
// The auth group's commands are in auth-cmd.ts. State: the flash store (auth-store.ts) and
// one session per connection.
// A ring without an owner (new, or after a factory reset) is in setup mode: every command
// is open, as before this layer existed, and the first host to pair becomes its owner.

import type { AuthHal, FlashHal } from "../hal.js";
import * as out from "../output.js";
import {
  CBOR_HEAD_ARG_LO,
  CBOR_HEAD_MAJOR,
  CBOR_HEAD_WORDS,
  CBOR_MAJOR_BYTES,
  cbor_read_head,
  cbor_skip,
} from "../../protocol/device/cbor.js";
import {
  AUDIT_REFUSED,
  AUTH_BACKOFF_MS_BASE,
  AUTH_BACKOFF_MS_MAX,
  AUTH_DIR_HOST_TO_RING,
  AUTH_DIR_RING_TO_HOST,
  AUTH_FAILS_FREE,
  AUTH_HOST_ID_BYTES,
  AUTH_KEY_BYTES,
  AUTH_MAC_BYTES,
  AUTH_NONCE_BYTES,
  AUTH_RING_ID_BYTES,
  CMD_AUTH_LIST,
  CMD_CONFIG,
  CMD_HISTORY_READ,
  CMD_STREAM_SUBSCRIBE,
  ERR_AUTH_FAILED,
  ERR_AUTH_REQUIRED,
  ERR_BAD_MAC,
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_EXPIRED,
  ERR_NOT_PERMITTED,
  ERR_REPLAY,
  ERR_REVOKED,
  ERR_TOO_LARGE,
  GROUP_AUTH,
  GROUP_CONFIG,
  GROUP_HISTORY,
  GROUP_STREAM,
  RECORD_AUDIT,
  RECORD_SLEEP,
  RECORD_SLEEP_GAP,
  RECORD_STRESS,
  RECORD_STRESS_LEVEL,
  ROLE_OWNER,
  SCOPE_HR_SUMMARY,
  SCOPE_HRV_SUMMARY,
  SCOPE_SLEEP_SUMMARY,
  SCOPE_STRESS_SUMMARY,
  STREAM_ALL,
  STREAM_HR,
  STREAM_HRV,
  request_privileged,
} from "../../protocol/ids.js";
import { ring_clock_ms } from "../main.js";
import { log_append, log_rec_field, log_sync } from "../store/log-store.js";
import {
  enc_bytes,
  enc_failed,
  enc_frame,
  enc_key_uint,
  enc_map,
  enc_position,
  enc_reserve_tail,
  enc_text,
  fail_key,
  req_buffer,
  req_find,
  req_is_map_at,
  req_limit,
  req_open,
  req_pair_count,
  req_uint,
  req_value,
} from "../cmd/codec.js";
import { time_device_ms } from "../cmd/time.js";
import { GAP_END_MS, LEVEL_END_MS, SLEEP_WAKE_MS, STRESS_END_MS } from "../wellness/records.js";
import {
  H_EXPIRES_MS,
  H_FROM_MS,
  H_ID,
  H_REVOKED,
  H_ROLE,
  H_SCOPES,
  H_UNTIL_MS,
  auth_host_count,
  auth_host_offset,
  auth_host_time,
  auth_secret_offset,
  auth_store_boot,
  auth_store_has_secret,
  auth_store_ram_bytes,
  auth_store_snap,
} from "./auth-store.js";
import {
  hmac_begin,
  hmac_end,
  hmac_update,
  hmac_update_byte,
  hmac_update_text,
  hmac_update_u32,
  sha_boot,
  sha_ram_bytes,
} from "./sha256.js";

/** Access classes of requests on a ring with an owner. */
const ACC_PUBLIC = 0; // anyone: device info, battery, time get, image state, pair/session/status
const ACC_SCOPED = 1; // a session: history reads and streams, within a viewer's scopes
const ACC_OWNER = 2; // the owner's session

// Session words, per connection.
export const S_ACTIVE = 0;
export const S_SLOT = 1; // host table slot
export const S_ROLE = 2;
const S_VERIFIED = 3; // a request under this session verified: the host holds the key
const S_ENVELOPE = 4; // the request being handled came authenticated
export const S_DROP_AFTER = 5; // end the session once the answer is sealed (factory reset)
const S_RSP_START = 6; // where the sealed answer's body starts in the frame
const S_WORDS = 7;

/** "mac" key and a 16-byte string after the sealed body: 4 + 1 + 16. */
const SEAL_TAIL_BYTES = 21;
/** Refused-request audit records: a bucket of 10, one more every 6 s (log spam bound). */
const AUDIT_TOKENS_MAX = 10;
const AUDIT_TOKEN_MS = 6000;
const BACKOFF_SHIFT_MAX = 10;
const AUDIT_FIELDS = 4;
/** audit(): the host is the id in host_id (not in the table). */
export const SLOT_GIVEN_ID = -2;

let auth_booted = 0;
let attached = 0;
let hal_auth!: AuthHal;
let sess!: Int32Array;
let nums!: Float64Array; // [ctr_rx, ctr of the request being answered, backoff_until_ms, audit clock]
let fails = 0;
let audit_tokens = AUDIT_TOKENS_MAX;
// Every byte buffer in one array (each typed array costs the engine an object or two).
let ab!: Uint8Array;
export const RING_ID = 0; // 8: the ring's public id
export const HOST_KEY = RING_ID + AUTH_RING_ID_BYTES; // 32: a host's derived key (wrapped for a grant)
export const SESS_KEY = HOST_KEY + AUTH_KEY_BYTES; // 32: this connection's session key
export const MAC = SESS_KEY + AUTH_KEY_BYTES; // 32: HMAC output
export const NONCE_R = MAC + AUTH_KEY_BYTES; // 16
export const NONCE_H = NONCE_R + AUTH_NONCE_BYTES; // 16
export const HOST_ID = NONCE_H + AUTH_NONCE_BYTES; // 8: the id a request named
const AB_BYTES = HOST_ID + AUTH_HOST_ID_BYTES;
let head!: Int32Array;
let audit_rec!: Int32Array;

const N_CTR_RX = 0;
export const N_CTR = 1;
export const N_BACKOFF_UNTIL = 2;
const N_AUDIT_CLOCK = 3;

export function auth_ram_bytes(): number {
  return (
    4 * S_WORDS + 8 * 4 + AB_BYTES + 4 * CBOR_HEAD_WORDS + 4 * AUDIT_FIELDS + sha_ram_bytes() + auth_store_ram_bytes()
  );
}

// check-firmware: boot -- runs once at start-up, after ring_ble_attach: allocates the auth buffers
export function auth_attach(hal: AuthHal, flash: FlashHal): number {
  if (auth_booted === 0) {
    sess = new Int32Array(S_WORDS);
    nums = new Float64Array(4);
    ab = new Uint8Array(AB_BYTES);
    head = new Int32Array(CBOR_HEAD_WORDS);
    audit_rec = new Int32Array(AUDIT_FIELDS);
    auth_booted = 1;
  }
  sha_boot();
  hal_auth = hal;
  const rc = auth_store_boot(flash);
  if (rc < 0) return rc;
  attached = 1;
  fails = 0;
  audit_tokens = AUDIT_TOKENS_MAX;
  nums[N_BACKOFF_UNTIL] = 0;
  nums[N_AUDIT_CLOCK] = ring_clock_ms();
  update_ring_id();
  auth_connection_reset();
  return 0;
}

/** A link came up or went down: no session. */
export function auth_connection_reset(): void {
  if (auth_booted === 0) return;
  for (let i = 0; i < S_WORDS; i++) sess[i] = 0;
  sess[S_SLOT] = -1;
  nums[N_CTR_RX] = 0;
  nums[N_CTR] = 0;
}

/** The ring has an owner: sessions are needed (outside setup mode). */
export function auth_owned(): boolean {
  return attached !== 0 && auth_store_has_secret() !== 0 && auth_host_count(ROLE_OWNER) > 0;
}

export function update_ring_id(): void {
  if (auth_store_has_secret() === 0) {
    for (let i = 0; i < AUTH_RING_ID_BYTES; i++) ab[RING_ID + i] = 0;
    return;
  }
  hmac_begin(auth_store_snap(), auth_secret_offset(), AUTH_KEY_BYTES);
  hmac_update_text("ring-sim ring id");
  hmac_end(ab, MAC);
  for (let i = 0; i < AUTH_RING_ID_BYTES; i++) ab[RING_ID + i] = ab[MAC + i];
}

/** host_key = HMAC(secret, "ring-sim host key" | the id of host slot i). */
export function derive_host_key(slot: number): void {
  const snap = auth_store_snap();
  hmac_begin(snap, auth_secret_offset(), AUTH_KEY_BYTES);
  hmac_update_text("ring-sim host key");
  hmac_update(snap, auth_host_offset(slot) + H_ID, AUTH_HOST_ID_BYTES);
  hmac_end(ab, HOST_KEY);
}

export function random_fill(dst: Uint8Array, off: number, len: number): void {
  for (let i = 0; i < len; i += 4) {
    const v = hal_auth.random_u32();
    for (let k = 0; k < 4; k++) {
      if (i + k < len) dst[off + i + k] = (v >>> (8 * k)) & 0xff;
    }
  }
}

export function now_device_ms(): number {
  return time_device_ms(ring_clock_ms());
}

export function slot_byte(slot: number, field: number): number {
  return auth_store_snap()[auth_host_offset(slot) + field];
}

// ---------------------------------------------------------------------------------------
// Audit records (history kind RECORD_AUDIT): [event, host id bytes 0..3, 4..7, detail]

export function audit(event: number, slot: number, detail: number, limited: number): void {
  if (limited !== 0) {
    const now = ring_clock_ms();
    const earned = Math.floor((now - nums[N_AUDIT_CLOCK]) / AUDIT_TOKEN_MS);
    if (earned > 0) {
      audit_tokens = Math.min(AUDIT_TOKENS_MAX, audit_tokens + earned);
      nums[N_AUDIT_CLOCK] = nums[N_AUDIT_CLOCK] + earned * AUDIT_TOKEN_MS;
    }
    if (audit_tokens <= 0) return;
    audit_tokens = audit_tokens - 1;
  }
  // The host: a table slot's id, or (SLOT_GIVEN_ID) the id a host not in the table gave.
  const src = slot >= 0 ? auth_store_snap() : ab;
  const o = slot >= 0 ? auth_host_offset(slot) + H_ID : HOST_ID;
  audit_rec[0] = event;
  audit_rec[1] = 0;
  audit_rec[2] = 0;
  if (slot >= 0 || slot === SLOT_GIVEN_ID) {
    audit_rec[1] = (src[o] << 24) | (src[o + 1] << 16) | (src[o + 2] << 8) | src[o + 3];
    audit_rec[2] = (src[o + 4] << 24) | (src[o + 5] << 16) | (src[o + 6] << 8) | src[o + 7];
  }
  audit_rec[3] = detail;
  log_append(RECORD_AUDIT, audit_rec, AUDIT_FIELDS, ring_clock_ms());
  log_sync(); // on flash at once: a power cut must not erase who was let in or refused
}

function refuse(group: number, cmd: number, rc: number): number {
  if (auth_owned()) audit(AUDIT_REFUSED, sess[S_ACTIVE] !== 0 ? sess[S_SLOT] : -1, (group << 16) | (cmd << 8) | rc, 1);
  return -rc;
}

export function count_failure(): void {
  fails = fails + 1;
  if (fails < AUTH_FAILS_FREE) return;
  const shift = Math.min(fails - AUTH_FAILS_FREE, BACKOFF_SHIFT_MAX);
  nums[N_BACKOFF_UNTIL] = ring_clock_ms() + Math.min(AUTH_BACKOFF_MS_BASE * (1 << shift), AUTH_BACKOFF_MS_MAX);
}

// ---------------------------------------------------------------------------------------
// The gate

function access_class(op: number, group: number, cmd: number): number {
  if (request_privileged(group, cmd, op)) return ACC_OWNER;
  if (group === GROUP_HISTORY) return cmd === CMD_HISTORY_READ ? ACC_SCOPED : ACC_PUBLIC;
  if (group === GROUP_STREAM) return ACC_SCOPED;
  if (group === GROUP_CONFIG) return cmd === CMD_CONFIG ? ACC_OWNER : ACC_PUBLIC;
  if (group === GROUP_AUTH) return cmd === CMD_AUTH_LIST ? ACC_OWNER : ACC_PUBLIC;
  return ACC_PUBLIC;
}

function is_envelope(): boolean {
  return req_pair_count(0) === 3 && req_find(0, "ctr") >= 0 && req_find(0, "req") >= 0 && req_find(0, "mac") >= 0;
}

/** MAC input after the key: direction, counter, op, group, command, then the body. */
function mac_header(dir: number, ctr: number, op: number, group: number, cmd: number): void {
  hmac_begin(ab, SESS_KEY, AUTH_KEY_BYTES);
  hmac_update_byte(dir);
  hmac_update_u32(ctr);
  hmac_update_byte(op);
  hmac_update_byte((group >>> 8) & 0xff);
  hmac_update_byte(group & 0xff);
  hmac_update_byte(cmd);
}

/** Verify {"ctr", "req", "mac"} under the session key; then the command reads "req". */
function open_envelope(op: number, group: number, cmd: number): number {
  let rc = req_uint(0, "", "ctr", 1, 0xffffffff);
  if (rc < 0) return rc;
  const ctr = req_value();
  const buf = req_buffer();
  const end = req_limit();
  const req_pos = req_find(0, "req");
  if (!req_is_map_at(req_pos)) return fail_key(-ERR_BAD_TYPE, "", "req");
  const req_end = cbor_skip(buf, req_pos, end);
  if (req_end < 0) return req_end;
  const mac_pos = req_find(0, "mac");
  const p = cbor_read_head(buf, mac_pos, end, head);
  if (p < 0) return fail_key(p, "", "mac");
  if (head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_BYTES) return fail_key(-ERR_BAD_TYPE, "", "mac");
  if (head[CBOR_HEAD_ARG_LO] !== AUTH_MAC_BYTES) return fail_key(-ERR_BAD_VALUE, "", "mac");
  if (ctr <= nums[N_CTR_RX]) return -ERR_REPLAY;
  mac_header(AUTH_DIR_HOST_TO_RING, ctr, op, group, cmd);
  hmac_update(buf, req_pos, req_end - req_pos);
  hmac_end(ab, MAC);
  let diff = 0;
  for (let i = 0; i < AUTH_MAC_BYTES; i++) diff = diff | (ab[MAC + i] ^ buf[p + i]);
  if (diff !== 0) {
    if (sess[S_VERIFIED] === 0) {
      // Nobody has shown the key on this session: a wrong key, or a guess. It counts.
      count_failure();
      auth_connection_reset();
    }
    return -ERR_BAD_MAC;
  }
  nums[N_CTR_RX] = ctr;
  nums[N_CTR] = ctr;
  sess[S_VERIFIED] = 1;
  fails = 0;
  rc = req_open(0, req_pos);
  if (rc < 0) return rc;
  sess[S_ENVELOPE] = 1;
  return 0;
}

/** The session's host may still act: not removed, not revoked, not expired. */
function host_valid(): number {
  const slot = sess[S_SLOT];
  if (slot < 0 || slot_byte(slot, H_ROLE) === 0) return -ERR_AUTH_FAILED;
  if (slot_byte(slot, H_REVOKED) !== 0) return -ERR_REVOKED;
  if (now_device_ms() >= auth_host_time(slot, H_EXPIRES_MS)) return -ERR_EXPIRED;
  return 0;
}

/** Stream kinds a viewer's scopes allow, when now is in its time range. */
function viewer_stream_kinds(slot: number): number {
  const now = now_device_ms();
  if (now < auth_host_time(slot, H_FROM_MS) || now >= auth_host_time(slot, H_UNTIL_MS)) return 0;
  const scopes = slot_byte(slot, H_SCOPES);
  let k = 0;
  if ((scopes & SCOPE_HR_SUMMARY) !== 0) k = k | STREAM_HR;
  if ((scopes & SCOPE_HRV_SUMMARY) !== 0) k = k | STREAM_HRV;
  return k;
}

/**
 * Before a command runs (the request map is open at level 0). Returns 0 to run it, or -rc.
 * An authenticated request is verified and unwrapped whatever the command; then the class
 * of the request decides.
 */
export function auth_gate(op: number, group: number, cmd: number): number {
  if (attached === 0) return 0;
  sess[S_ENVELOPE] = 0;
  sess[S_DROP_AFTER] = 0;
  const env = is_envelope();
  if (env) {
    if (sess[S_ACTIVE] === 0) return refuse(group, cmd, ERR_AUTH_REQUIRED);
    let rc = open_envelope(op, group, cmd);
    if (rc < 0) return refuse(group, cmd, -rc);
    rc = host_valid();
    if (rc < 0) {
      sess[S_ENVELOPE] = 0; // refused in the clear
      return refuse(group, cmd, -rc);
    }
  } else if (!auth_owned()) {
    return 0; // setup mode
  }
  const cls = access_class(op, group, cmd);
  if (cls === ACC_PUBLIC) return 0;
  if (!env) return refuse(group, cmd, ERR_AUTH_REQUIRED);
  if (sess[S_ROLE] === ROLE_OWNER) return 0;
  if (cls === ACC_OWNER) return refuse(group, cmd, ERR_NOT_PERMITTED);
  if (group === GROUP_STREAM && cmd === CMD_STREAM_SUBSCRIBE) {
    const r = req_uint(0, "", "kinds", 1, STREAM_ALL);
    if (r === 1 && (req_value() & ~viewer_stream_kinds(sess[S_SLOT])) !== 0) return refuse(group, cmd, ERR_NOT_PERMITTED);
  }
  return 0;
}

/** Before the command writes its answer: the sealed answer's head, room for its MAC. */
export function auth_seal_begin(): void {
  if (attached === 0 || sess[S_ENVELOPE] === 0) return;
  enc_map(3);
  enc_key_uint("ctr", nums[N_CTR]);
  enc_text("rsp");
  sess[S_RSP_START] = enc_position();
  enc_reserve_tail(SEAL_TAIL_BYTES);
}

/** After the command wrote its answer: the MAC over it. 0, or -ERR_TOO_LARGE. */
export function auth_seal_end(op: number, group: number, cmd: number): number {
  if (attached === 0 || sess[S_ENVELOPE] === 0) return 0;
  if (enc_failed()) return -ERR_TOO_LARGE;
  const start = sess[S_RSP_START];
  const end = enc_position();
  enc_reserve_tail(0);
  mac_header(AUTH_DIR_RING_TO_HOST, nums[N_CTR], op, group, cmd);
  hmac_update(enc_frame(), start, end - start);
  hmac_end(ab, MAC);
  enc_text("mac");
  enc_bytes(ab, MAC, AUTH_MAC_BYTES);
  if (sess[S_DROP_AFTER] !== 0) auth_connection_reset();
  return enc_failed() ? -ERR_TOO_LARGE : 0;
}

/** History: whether the record log_read holds may be shown to this request. */
export function auth_record_visible(kind: number): boolean {
  if (attached === 0 || sess[S_ENVELOPE] === 0 || sess[S_ROLE] === ROLE_OWNER) return true;
  const slot = sess[S_SLOT];
  const scopes = slot_byte(slot, H_SCOPES);
  let t = 0;
  if (kind === out.OUT_KIND_HR && (scopes & SCOPE_HR_SUMMARY) !== 0) t = time_device_ms(log_rec_field(out.HR_TIME_MS));
  else if (kind === out.OUT_KIND_HRV && (scopes & SCOPE_HRV_SUMMARY) !== 0) t = time_device_ms(log_rec_field(out.HRV_END_MS));
  // Wellness summaries are dated by their end, as HRV windows: a period is in the range
  // when it ended there.
  else if (kind === RECORD_SLEEP && (scopes & SCOPE_SLEEP_SUMMARY) !== 0) t = time_device_ms(log_rec_field(SLEEP_WAKE_MS));
  else if (kind === RECORD_SLEEP_GAP && (scopes & SCOPE_SLEEP_SUMMARY) !== 0) t = time_device_ms(log_rec_field(GAP_END_MS));
  else if (kind === RECORD_STRESS && (scopes & SCOPE_STRESS_SUMMARY) !== 0) t = time_device_ms(log_rec_field(STRESS_END_MS));
  else if (kind === RECORD_STRESS_LEVEL && (scopes & SCOPE_STRESS_SUMMARY) !== 0) t = time_device_ms(log_rec_field(LEVEL_END_MS));
  else return false;
  return t >= auth_host_time(slot, H_FROM_MS) && t < auth_host_time(slot, H_UNTIL_MS);
}

// ---------------------------------------------------------------------------------------
// For the auth group's commands (auth-cmd.ts)

export function auth_attached(): boolean {
  return attached !== 0;
}

/** The byte buffer: RING_ID, HOST_KEY, SESS_KEY, MAC, NONCE_R, NONCE_H, HOST_ID at their offsets. */
export function auth_ab(): Uint8Array {
  return ab;
}

/** The session words (S_*). */
export function auth_sess(): Int32Array {
  return sess;
}

/** [ctr_rx, ctr of the request being answered (N_CTR), back-off end (N_BACKOFF_UNTIL), audit clock]. */
export function auth_nums(): Float64Array {
  return nums;
}

export function auth_head(): Int32Array {
  return head;
}

/** 1 on the charger: the pairing window is open. */
export function auth_charging(): number {
  return hal_auth.charging();
}

/** A new log (factory reset): the refusal audit bucket is full again. */
export function auth_audit_refill(): void {
  audit_tokens = AUDIT_TOKENS_MAX;
}
