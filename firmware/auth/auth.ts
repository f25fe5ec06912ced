// Pairing, authenticated sessions and consent-scoped sharing on the ring (PROTOCOL.md
// section 11). Three hooks into the command path:
//   auth_gate (dispatch, before a command runs): unwraps and verifies an authenticated
//     request {"ctr", "req", "mac"}, then checks the request against the ring's policy:
//     public, scoped (a viewer's history reads and streams) or owner only;
//   auth_seal_begin / auth_seal_end (around the command): the answer to an authenticated
//     request is {"ctr", "rsp", "mac"} with the MAC under the session key;
//   auth_record_visible (history, per record): a viewer sees its scopes' kinds in its time
//     range only.
// The auth group's commands (pair, session, status, grant, revoke, list, factory reset)
// live here too. State: the flash store (auth-store.ts) and one session per connection.
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
  AUDIT_AUTH_FAILED,
  AUDIT_FACTORY_RESET,
  AUDIT_GRANT,
  AUDIT_PAIR,
  AUDIT_REFUSED,
  AUDIT_REVOKE,
  AUTH_BACKOFF_MS_BASE,
  AUTH_BACKOFF_MS_MAX,
  AUTH_DIR_HOST_TO_RING,
  AUTH_DIR_RING_TO_HOST,
  AUTH_FAILS_FREE,
  AUTH_HOST_ID_BYTES,
  AUTH_HOSTS_MAX,
  AUTH_KEY_BYTES,
  AUTH_MAC_BYTES,
  AUTH_NONCE_BYTES,
  AUTH_RING_ID_BYTES,
  AUTH_TIME_MAX_MS,
  CMD_AUTH_FACTORY_RESET,
  CMD_AUTH_GRANT,
  CMD_AUTH_LIST,
  CMD_AUTH_PAIR,
  CMD_AUTH_REVOKE,
  CMD_AUTH_SESSION,
  CMD_AUTH_STATUS,
  CMD_CONFIG,
  CMD_HISTORY_READ,
  CMD_STREAM_SUBSCRIBE,
  ERR_AUTH_FAILED,
  ERR_AUTH_REQUIRED,
  ERR_BAD_MAC,
  ERR_BAD_OP,
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_EXPIRED,
  ERR_FLASH,
  ERR_MISSING_FIELD,
  ERR_NO_MEMORY,
  ERR_NOT_PERMITTED,
  ERR_NOT_SUPPORTED,
  ERR_PAIRING_CLOSED,
  ERR_RATE_LIMITED,
  ERR_REPLAY,
  ERR_REVOKED,
  ERR_TOO_LARGE,
  ERR_UNKNOWN_COMMAND,
  GROUP_AUTH,
  GROUP_CONFIG,
  GROUP_HISTORY,
  GROUP_STREAM,
  OP_READ,
  OP_WRITE,
  RECORD_AUDIT,
  ROLE_OWNER,
  ROLE_VIEWER,
  SCOPE_ALL,
  SCOPE_HR_SUMMARY,
  SCOPE_HRV_SUMMARY,
  STREAM_ALL,
  STREAM_HR,
  STREAM_HRV,
  request_privileged,
} from "../../protocol/ids.js";
import { ring_clock_ms } from "../main.js";
import { log_append, log_erase_all, log_rec_field, log_sync } from "../store/log-store.js";
import {
  enc_array,
  enc_bool,
  enc_bytes,
  enc_failed,
  enc_frame,
  enc_key_uint,
  enc_map,
  enc_position,
  enc_reserve_tail,
  enc_text,
  enc_uint,
  fail_key,
  fail_unknown,
  req_buffer,
  req_find,
  req_is_map_at,
  req_key_is,
  req_limit,
  req_open,
  req_pair_count,
  req_uint,
  req_value,
} from "../cmd/codec.js";
import { time_device_ms } from "../cmd/time.js";
import {
  H_EXPIRES_MS,
  H_FROM_MS,
  H_ID,
  H_REVOKED,
  H_ROLE,
  H_SCOPES,
  H_UNTIL_MS,
  auth_host_count,
  auth_host_find,
  auth_host_free,
  auth_host_offset,
  auth_host_set_time,
  auth_host_time,
  auth_secret_offset,
  auth_store_boot,
  auth_store_has_secret,
  auth_store_ram_bytes,
  auth_store_save,
  auth_store_snap,
  auth_store_wipe,
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
const S_ACTIVE = 0;
const S_SLOT = 1; // host table slot
const S_ROLE = 2;
const S_VERIFIED = 3; // a request under this session verified: the host holds the key
const S_ENVELOPE = 4; // the request being handled came authenticated
const S_DROP_AFTER = 5; // end the session once the answer is sealed (factory reset)
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
const SLOT_GIVEN_ID = -2;

let auth_booted = 0;
let attached = 0;
let hal_auth!: AuthHal;
let sess!: Int32Array;
let nums!: Float64Array; // [ctr_rx, ctr of the request being answered, backoff_until_ms, audit clock]
let fails = 0;
let audit_tokens = AUDIT_TOKENS_MAX;
// Every byte buffer in one array (each typed array costs the engine an object or two).
let ab!: Uint8Array;
const RING_ID = 0; // 8: the ring's public id
const HOST_KEY = RING_ID + AUTH_RING_ID_BYTES; // 32: a host's derived key (wrapped for a grant)
const SESS_KEY = HOST_KEY + AUTH_KEY_BYTES; // 32: this connection's session key
const MAC = SESS_KEY + AUTH_KEY_BYTES; // 32: HMAC output
const NONCE_R = MAC + AUTH_KEY_BYTES; // 16
const NONCE_H = NONCE_R + AUTH_NONCE_BYTES; // 16
const HOST_ID = NONCE_H + AUTH_NONCE_BYTES; // 8: the id a request named
const AB_BYTES = HOST_ID + AUTH_HOST_ID_BYTES;
let head!: Int32Array;
let audit_rec!: Int32Array;

const N_CTR_RX = 0;
const N_CTR = 1;
const N_BACKOFF_UNTIL = 2;
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

function update_ring_id(): void {
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
function derive_host_key(slot: number): void {
  const snap = auth_store_snap();
  hmac_begin(snap, auth_secret_offset(), AUTH_KEY_BYTES);
  hmac_update_text("ring-sim host key");
  hmac_update(snap, auth_host_offset(slot) + H_ID, AUTH_HOST_ID_BYTES);
  hmac_end(ab, HOST_KEY);
}

function random_fill(dst: Uint8Array, off: number, len: number): void {
  for (let i = 0; i < len; i += 4) {
    const v = hal_auth.random_u32();
    for (let k = 0; k < 4; k++) {
      if (i + k < len) dst[off + i + k] = (v >>> (8 * k)) & 0xff;
    }
  }
}

function now_device_ms(): number {
  return time_device_ms(ring_clock_ms());
}

function slot_byte(slot: number, field: number): number {
  return auth_store_snap()[auth_host_offset(slot) + field];
}

// ---------------------------------------------------------------------------------------
// Audit records (history kind RECORD_AUDIT): [event, host id bytes 0..3, 4..7, detail]

function audit(event: number, slot: number, detail: number, limited: number): void {
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

function count_failure(): void {
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
  else return false;
  return t >= auth_host_time(slot, H_FROM_MS) && t < auth_host_time(slot, H_UNTIL_MS);
}

// ---------------------------------------------------------------------------------------
// Commands (group GROUP_AUTH)

function only_keys(k0: string, k1: string, k2: string, k3: string, k4: string, k5: string): number {
  const n = req_pair_count(0);
  for (let i = 0; i < n; i++) {
    if (!(req_key_is(0, i, k0) || req_key_is(0, i, k1) || req_key_is(0, i, k2) || req_key_is(0, i, k3) || req_key_is(0, i, k4) || req_key_is(0, i, k5))) {
      return fail_unknown(0, i, "");
    }
  }
  return 0;
}

/** Byte string key of exactly len bytes into dst. 0, or -rc naming it. */
function req_bytes_into(name: string, len: number, dst: Uint8Array, dst_off: number): number {
  const pos = req_find(0, name);
  if (pos < 0) return fail_key(-ERR_MISSING_FIELD, "", name);
  const buf = req_buffer();
  const p = cbor_read_head(buf, pos, req_limit(), head);
  if (p < 0) return fail_key(p, "", name);
  if (head[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_BYTES) return fail_key(-ERR_BAD_TYPE, "", name);
  if (head[CBOR_HEAD_ARG_LO] !== len) return fail_key(-ERR_BAD_VALUE, "", name);
  for (let i = 0; i < len; i++) dst[dst_off + i] = buf[p + i];
  return 0;
}

/** Handle an auth command. Writes the response body; returns 0 or -rc. */
export function cmd_auth(op: number, cmd: number): number {
  if (attached === 0) return -ERR_NOT_SUPPORTED;
  if (cmd === CMD_AUTH_STATUS) return op === OP_READ ? cmd_status() : -ERR_BAD_OP;
  if (cmd === CMD_AUTH_LIST) return op === OP_READ ? cmd_list() : -ERR_BAD_OP;
  if (cmd > CMD_AUTH_FACTORY_RESET) return -ERR_UNKNOWN_COMMAND;
  if (op !== OP_WRITE) return -ERR_BAD_OP;
  if (cmd === CMD_AUTH_PAIR) return cmd_pair();
  if (cmd === CMD_AUTH_SESSION) return cmd_session();
  if (cmd === CMD_AUTH_GRANT) return cmd_grant();
  if (cmd === CMD_AUTH_REVOKE) return cmd_revoke();
  return cmd_factory_reset();
}

function cmd_status(): number {
  if (req_pair_count(0) > 0) return fail_unknown(0, 0, "");
  const owned = auth_owned();
  enc_map(4);
  enc_text("owned");
  enc_bool(owned ? 1 : 0);
  enc_text("window");
  enc_bool(!owned || hal_auth.charging() !== 0 ? 1 : 0);
  enc_key_uint("role", sess[S_ACTIVE] !== 0 ? sess[S_ROLE] : 0);
  enc_key_uint("hosts", auth_host_count(0));
  return 0;
}

function cmd_pair(): number {
  let rc = only_keys("host", "host", "host", "host", "host", "host");
  if (rc < 0) return rc;
  rc = req_bytes_into("host", AUTH_HOST_ID_BYTES, ab, HOST_ID);
  if (rc < 0) return rc;
  const owned = auth_owned();
  if (owned && hal_auth.charging() === 0) {
    audit(AUDIT_REFUSED, SLOT_GIVEN_ID, (GROUP_AUTH << 16) | (CMD_AUTH_PAIR << 8) | ERR_PAIRING_CLOSED, 1);
    return -ERR_PAIRING_CLOSED;
  }
  const snap = auth_store_snap();
  if (!owned) {
    // A new owner: a new secret, so no key made before (another owner's) works any more.
    for (let i = 0; i < snap.length; i++) snap[i] = 0;
    random_fill(snap, auth_secret_offset(), AUTH_KEY_BYTES);
  }
  let slot = auth_host_find(ab, HOST_ID);
  if (slot < 0) slot = auth_host_free();
  if (slot < 0) return -ERR_NO_MEMORY;
  const o = auth_host_offset(slot);
  for (let i = 0; i < AUTH_HOST_ID_BYTES; i++) snap[o + H_ID + i] = ab[HOST_ID + i];
  snap[o + H_ROLE] = ROLE_OWNER;
  snap[o + H_SCOPES] = SCOPE_ALL;
  snap[o + H_REVOKED] = 0;
  auth_host_set_time(slot, H_FROM_MS, 0);
  auth_host_set_time(slot, H_UNTIL_MS, AUTH_TIME_MAX_MS);
  auth_host_set_time(slot, H_EXPIRES_MS, AUTH_TIME_MAX_MS);
  if (auth_store_save() < 0) return -ERR_FLASH;
  update_ring_id();
  audit(AUDIT_PAIR, slot, ROLE_OWNER, 0);
  derive_host_key(slot);
  enc_map(3);
  enc_text("ring");
  enc_bytes(ab, RING_ID, AUTH_RING_ID_BYTES);
  enc_text("key");
  enc_bytes(ab, HOST_KEY, AUTH_KEY_BYTES);
  enc_key_uint("role", ROLE_OWNER);
  return 0;
}

function cmd_session(): number {
  let rc = only_keys("host", "nonce", "host", "host", "host", "host");
  if (rc < 0) return rc;
  rc = req_bytes_into("host", AUTH_HOST_ID_BYTES, ab, HOST_ID);
  if (rc < 0) return rc;
  rc = req_bytes_into("nonce", AUTH_NONCE_BYTES, ab, NONCE_H);
  if (rc < 0) return rc;
  if (ring_clock_ms() < nums[N_BACKOFF_UNTIL]) return -ERR_RATE_LIMITED;
  auth_connection_reset(); // a new session replaces the old one, verified or not
  if (!auth_owned()) return -ERR_AUTH_FAILED; // setup mode: no session to open, nothing to guess
  const slot = auth_host_find(ab, HOST_ID);
  if (slot < 0) {
    count_failure();
    audit(AUDIT_AUTH_FAILED, SLOT_GIVEN_ID, ERR_AUTH_FAILED, 1);
    return -ERR_AUTH_FAILED;
  }
  if (slot_byte(slot, H_REVOKED) !== 0) {
    count_failure();
    audit(AUDIT_AUTH_FAILED, slot, ERR_REVOKED, 1);
    return -ERR_REVOKED;
  }
  if (now_device_ms() >= auth_host_time(slot, H_EXPIRES_MS)) {
    audit(AUDIT_AUTH_FAILED, slot, ERR_EXPIRED, 1);
    return -ERR_EXPIRED;
  }
  derive_host_key(slot);
  random_fill(ab, NONCE_R, AUTH_NONCE_BYTES);
  // session key = HMAC(host key, label | nonce_r | nonce_h): fresh when either side is.
  hmac_begin(ab, HOST_KEY, AUTH_KEY_BYTES);
  hmac_update_text("ring-sim session");
  hmac_update(ab, NONCE_R, AUTH_NONCE_BYTES);
  hmac_update(ab, NONCE_H, AUTH_NONCE_BYTES);
  hmac_end(ab, SESS_KEY);
  // The ring's proof: only a holder of the host key computes it for these nonces.
  hmac_begin(ab, SESS_KEY, AUTH_KEY_BYTES);
  hmac_update_byte(AUTH_DIR_RING_TO_HOST);
  hmac_update_text("proof");
  hmac_update(ab, NONCE_H, AUTH_NONCE_BYTES);
  hmac_update(ab, NONCE_R, AUTH_NONCE_BYTES);
  hmac_end(ab, MAC);
  sess[S_ACTIVE] = 1;
  sess[S_SLOT] = slot;
  sess[S_ROLE] = slot_byte(slot, H_ROLE);
  enc_map(5);
  enc_text("ring");
  enc_bytes(ab, RING_ID, AUTH_RING_ID_BYTES);
  enc_text("nonce");
  enc_bytes(ab, NONCE_R, AUTH_NONCE_BYTES);
  enc_text("proof");
  enc_bytes(ab, MAC, AUTH_MAC_BYTES);
  enc_key_uint("role", sess[S_ROLE]);
  enc_key_uint("scopes", slot_byte(slot, H_SCOPES));
  return 0;
}

function req_time(name: string, dflt: number): number {
  const r = req_uint(0, "", name, 0, AUTH_TIME_MAX_MS);
  if (r < 0) return r;
  return r === 1 ? req_value() : dflt;
}

function cmd_grant(): number {
  let rc = only_keys("host", "role", "scopes", "from_ms", "until_ms", "expires_ms");
  if (rc < 0) return rc;
  rc = req_bytes_into("host", AUTH_HOST_ID_BYTES, ab, HOST_ID);
  if (rc < 0) return rc;
  rc = req_uint(0, "", "role", ROLE_OWNER, ROLE_VIEWER);
  if (rc < 0) return rc;
  if (rc === 0) return fail_key(-ERR_MISSING_FIELD, "", "role");
  const role = req_value();
  rc = req_uint(0, "", "scopes", 0, SCOPE_ALL);
  if (rc < 0) return rc;
  const scopes = role === ROLE_OWNER ? SCOPE_ALL : rc === 1 ? req_value() : 0;
  const from_ms = req_time("from_ms", 0);
  if (from_ms < 0) return from_ms;
  const until_ms = req_time("until_ms", AUTH_TIME_MAX_MS);
  if (until_ms < 0) return until_ms;
  const expires_ms = req_time("expires_ms", AUTH_TIME_MAX_MS);
  if (expires_ms < 0) return expires_ms;
  if (until_ms <= from_ms) return fail_key(-ERR_BAD_VALUE, "", "until_ms");
  if (auth_host_find(ab, HOST_ID) === sess[S_SLOT]) return fail_key(-ERR_BAD_VALUE, "", "host"); // not oneself
  let slot = auth_host_find(ab, HOST_ID);
  if (slot < 0) slot = auth_host_free();
  if (slot < 0) return -ERR_NO_MEMORY;
  const snap = auth_store_snap();
  const o = auth_host_offset(slot);
  for (let i = 0; i < AUTH_HOST_ID_BYTES; i++) snap[o + H_ID + i] = ab[HOST_ID + i];
  snap[o + H_ROLE] = role;
  snap[o + H_SCOPES] = scopes;
  snap[o + H_REVOKED] = 0;
  auth_host_set_time(slot, H_FROM_MS, role === ROLE_OWNER ? 0 : from_ms);
  auth_host_set_time(slot, H_UNTIL_MS, role === ROLE_OWNER ? AUTH_TIME_MAX_MS : until_ms);
  auth_host_set_time(slot, H_EXPIRES_MS, role === ROLE_OWNER ? AUTH_TIME_MAX_MS : expires_ms);
  if (auth_store_save() < 0) return -ERR_FLASH;
  audit(AUDIT_GRANT, slot, (role << 8) | scopes, 0);
  // The new host's key, wrapped for the owner: key XOR HMAC(session key, label | ctr | id).
  derive_host_key(slot);
  hmac_begin(ab, SESS_KEY, AUTH_KEY_BYTES);
  hmac_update_byte(AUTH_DIR_RING_TO_HOST);
  hmac_update_text("wrap");
  hmac_update_u32(nums[N_CTR]);
  hmac_update(ab, HOST_ID, AUTH_HOST_ID_BYTES);
  hmac_end(ab, MAC);
  for (let i = 0; i < AUTH_KEY_BYTES; i++) ab[HOST_KEY + i] = ab[HOST_KEY + i] ^ ab[MAC + i];
  enc_map(2);
  enc_text("ring");
  enc_bytes(ab, RING_ID, AUTH_RING_ID_BYTES);
  enc_text("key");
  enc_bytes(ab, HOST_KEY, AUTH_KEY_BYTES);
  return 0;
}

function cmd_revoke(): number {
  let rc = only_keys("host", "host", "host", "host", "host", "host");
  if (rc < 0) return rc;
  rc = req_bytes_into("host", AUTH_HOST_ID_BYTES, ab, HOST_ID);
  if (rc < 0) return rc;
  const slot = auth_host_find(ab, HOST_ID);
  if (slot < 0 || slot === sess[S_SLOT]) return fail_key(-ERR_BAD_VALUE, "", "host");
  auth_store_snap()[auth_host_offset(slot) + H_REVOKED] = 1;
  if (auth_store_save() < 0) return -ERR_FLASH;
  audit(AUDIT_REVOKE, slot, 0, 0);
  enc_map(1);
  enc_text("revoked");
  enc_bool(1);
  return 0;
}

function cmd_list(): number {
  if (req_pair_count(0) > 0) return fail_unknown(0, 0, "");
  const snap = auth_store_snap();
  enc_map(1);
  enc_text("hosts");
  enc_array(auth_host_count_all());
  for (let i = 0; i < AUTH_HOSTS_MAX; i++) {
    const o = auth_host_offset(i);
    if (snap[o + H_ROLE] === 0) continue;
    enc_array(7);
    enc_bytes(snap, o + H_ID, AUTH_HOST_ID_BYTES);
    enc_uint(snap[o + H_ROLE]);
    enc_uint(snap[o + H_SCOPES]);
    enc_uint(auth_host_time(i, H_FROM_MS));
    enc_uint(auth_host_time(i, H_UNTIL_MS));
    enc_uint(auth_host_time(i, H_EXPIRES_MS));
    enc_bool(snap[o + H_REVOKED]);
  }
  return 0;
}

function auth_host_count_all(): number {
  const snap = auth_store_snap();
  let n = 0;
  for (let i = 0; i < AUTH_HOSTS_MAX; i++) {
    if (snap[auth_host_offset(i) + H_ROLE] !== 0) n = n + 1;
  }
  return n;
}

function cmd_factory_reset(): number {
  if (req_pair_count(0) > 0) return fail_unknown(0, 0, "");
  const slot = sess[S_SLOT];
  for (let i = 0; i < AUTH_HOST_ID_BYTES; i++) ab[HOST_ID + i] = slot >= 0 ? slot_byte(slot, H_ID + i) : 0;
  if (auth_store_wipe() < 0) return -ERR_FLASH;
  if (log_erase_all() < 0) return -ERR_FLASH;
  update_ring_id();
  audit_tokens = AUDIT_TOKENS_MAX;
  audit(AUDIT_FACTORY_RESET, SLOT_GIVEN_ID, 0, 0); // the first record of the new log says who reset it
  sess[S_DROP_AFTER] = 1;
  enc_map(0);
  return 0;
}
