// The auth group's commands (group 70, PROTOCOL.md section 11): pair, session, status,
// grant, revoke, list, factory reset. The session state, the gate and the audit records are
// in auth.ts; the flash state in auth-store.ts.

import {
  CBOR_HEAD_ARG_LO,
  CBOR_HEAD_MAJOR,
  CBOR_MAJOR_BYTES,
  cbor_read_head,
} from "../../protocol/device/cbor.js";
import {
  AUDIT_AUTH_FAILED,
  AUDIT_FACTORY_RESET,
  AUDIT_GRANT,
  AUDIT_PAIR,
  AUDIT_REFUSED,
  AUDIT_REVOKE,
  AUTH_DIR_RING_TO_HOST,
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
  ERR_AUTH_FAILED,
  ERR_BAD_OP,
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_EXPIRED,
  ERR_FLASH,
  ERR_MISSING_FIELD,
  ERR_NO_MEMORY,
  ERR_NOT_SUPPORTED,
  ERR_PAIRING_CLOSED,
  ERR_RATE_LIMITED,
  ERR_REVOKED,
  ERR_UNKNOWN_COMMAND,
  GROUP_AUTH,
  OP_READ,
  OP_WRITE,
  ROLE_OWNER,
  ROLE_VIEWER,
  SCOPE_ALL,
} from "../../protocol/ids.js";
import { ring_clock_ms } from "../main.js";
import { log_erase_all } from "../store/log-store.js";
import {
  enc_array,
  enc_bool,
  enc_bytes,
  enc_key_uint,
  enc_map,
  enc_text,
  enc_uint,
  fail_key,
  fail_unknown,
  req_buffer,
  req_find,
  req_key_is,
  req_limit,
  req_pair_count,
  req_uint,
  req_value,
} from "../cmd/codec.js";
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
} from "./sha256.js";

import {
  HOST_ID,
  HOST_KEY,
  MAC,
  NONCE_H,
  NONCE_R,
  N_BACKOFF_UNTIL,
  N_CTR,
  RING_ID,
  SESS_KEY,
  SLOT_GIVEN_ID,
  S_ACTIVE,
  S_DROP_AFTER,
  S_ROLE,
  S_SLOT,
  audit,
  auth_ab,
  auth_attached,
  auth_audit_refill,
  auth_charging,
  auth_connection_reset,
  auth_head,
  auth_nums,
  auth_owned,
  auth_sess,
  count_failure,
  derive_host_key,
  now_device_ms,
  random_fill,
  slot_byte,
  update_ring_id,
} from "./auth.js";


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
  const p = cbor_read_head(buf, pos, req_limit(), auth_head());
  if (p < 0) return fail_key(p, "", name);
  if (auth_head()[CBOR_HEAD_MAJOR] !== CBOR_MAJOR_BYTES) return fail_key(-ERR_BAD_TYPE, "", name);
  if (auth_head()[CBOR_HEAD_ARG_LO] !== len) return fail_key(-ERR_BAD_VALUE, "", name);
  for (let i = 0; i < len; i++) dst[dst_off + i] = buf[p + i];
  return 0;
}

/** Handle an auth command. Writes the response body; returns 0 or -rc. */
export function cmd_auth(op: number, cmd: number): number {
  if (!auth_attached()) return -ERR_NOT_SUPPORTED;
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
  enc_bool(!owned || auth_charging() !== 0 ? 1 : 0);
  enc_key_uint("role", auth_sess()[S_ACTIVE] !== 0 ? auth_sess()[S_ROLE] : 0);
  enc_key_uint("hosts", auth_host_count(0));
  return 0;
}

function cmd_pair(): number {
  let rc = only_keys("host", "host", "host", "host", "host", "host");
  if (rc < 0) return rc;
  rc = req_bytes_into("host", AUTH_HOST_ID_BYTES, auth_ab(), HOST_ID);
  if (rc < 0) return rc;
  const owned = auth_owned();
  if (owned && auth_charging() === 0) {
    audit(AUDIT_REFUSED, SLOT_GIVEN_ID, (GROUP_AUTH << 16) | (CMD_AUTH_PAIR << 8) | ERR_PAIRING_CLOSED, 1);
    return -ERR_PAIRING_CLOSED;
  }
  const snap = auth_store_snap();
  if (!owned) {
    // A new owner: a new secret, so no key made before (another owner's) works any more.
    for (let i = 0; i < snap.length; i++) snap[i] = 0;
    random_fill(snap, auth_secret_offset(), AUTH_KEY_BYTES);
  }
  let slot = auth_host_find(auth_ab(), HOST_ID);
  if (slot < 0) slot = auth_host_free();
  if (slot < 0) return -ERR_NO_MEMORY;
  const o = auth_host_offset(slot);
  for (let i = 0; i < AUTH_HOST_ID_BYTES; i++) snap[o + H_ID + i] = auth_ab()[HOST_ID + i];
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
  enc_bytes(auth_ab(), RING_ID, AUTH_RING_ID_BYTES);
  enc_text("key");
  enc_bytes(auth_ab(), HOST_KEY, AUTH_KEY_BYTES);
  enc_key_uint("role", ROLE_OWNER);
  return 0;
}

function cmd_session(): number {
  let rc = only_keys("host", "nonce", "host", "host", "host", "host");
  if (rc < 0) return rc;
  rc = req_bytes_into("host", AUTH_HOST_ID_BYTES, auth_ab(), HOST_ID);
  if (rc < 0) return rc;
  rc = req_bytes_into("nonce", AUTH_NONCE_BYTES, auth_ab(), NONCE_H);
  if (rc < 0) return rc;
  if (ring_clock_ms() < auth_nums()[N_BACKOFF_UNTIL]) return -ERR_RATE_LIMITED;
  auth_connection_reset(); // a new session replaces the old one, verified or not
  if (!auth_owned()) return -ERR_AUTH_FAILED; // setup mode: no session to open, nothing to guess
  const slot = auth_host_find(auth_ab(), HOST_ID);
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
  random_fill(auth_ab(), NONCE_R, AUTH_NONCE_BYTES);
  // session key = HMAC(host key, label | nonce_r | nonce_h): fresh when either side is.
  hmac_begin(auth_ab(), HOST_KEY, AUTH_KEY_BYTES);
  hmac_update_text("ring-sim session");
  hmac_update(auth_ab(), NONCE_R, AUTH_NONCE_BYTES);
  hmac_update(auth_ab(), NONCE_H, AUTH_NONCE_BYTES);
  hmac_end(auth_ab(), SESS_KEY);
  // The ring's proof: only a holder of the host key computes it for these nonces.
  hmac_begin(auth_ab(), SESS_KEY, AUTH_KEY_BYTES);
  hmac_update_byte(AUTH_DIR_RING_TO_HOST);
  hmac_update_text("proof");
  hmac_update(auth_ab(), NONCE_H, AUTH_NONCE_BYTES);
  hmac_update(auth_ab(), NONCE_R, AUTH_NONCE_BYTES);
  hmac_end(auth_ab(), MAC);
  auth_sess()[S_ACTIVE] = 1;
  auth_sess()[S_SLOT] = slot;
  auth_sess()[S_ROLE] = slot_byte(slot, H_ROLE);
  enc_map(5);
  enc_text("ring");
  enc_bytes(auth_ab(), RING_ID, AUTH_RING_ID_BYTES);
  enc_text("nonce");
  enc_bytes(auth_ab(), NONCE_R, AUTH_NONCE_BYTES);
  enc_text("proof");
  enc_bytes(auth_ab(), MAC, AUTH_MAC_BYTES);
  enc_key_uint("role", auth_sess()[S_ROLE]);
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
  rc = req_bytes_into("host", AUTH_HOST_ID_BYTES, auth_ab(), HOST_ID);
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
  if (auth_host_find(auth_ab(), HOST_ID) === auth_sess()[S_SLOT]) return fail_key(-ERR_BAD_VALUE, "", "host"); // not oneself
  let slot = auth_host_find(auth_ab(), HOST_ID);
  if (slot < 0) slot = auth_host_free();
  if (slot < 0) return -ERR_NO_MEMORY;
  const snap = auth_store_snap();
  const o = auth_host_offset(slot);
  for (let i = 0; i < AUTH_HOST_ID_BYTES; i++) snap[o + H_ID + i] = auth_ab()[HOST_ID + i];
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
  hmac_begin(auth_ab(), SESS_KEY, AUTH_KEY_BYTES);
  hmac_update_byte(AUTH_DIR_RING_TO_HOST);
  hmac_update_text("wrap");
  hmac_update_u32(auth_nums()[N_CTR]);
  hmac_update(auth_ab(), HOST_ID, AUTH_HOST_ID_BYTES);
  hmac_end(auth_ab(), MAC);
  for (let i = 0; i < AUTH_KEY_BYTES; i++) auth_ab()[HOST_KEY + i] = auth_ab()[HOST_KEY + i] ^ auth_ab()[MAC + i];
  enc_map(2);
  enc_text("ring");
  enc_bytes(auth_ab(), RING_ID, AUTH_RING_ID_BYTES);
  enc_text("key");
  enc_bytes(auth_ab(), HOST_KEY, AUTH_KEY_BYTES);
  return 0;
}

function cmd_revoke(): number {
  let rc = only_keys("host", "host", "host", "host", "host", "host");
  if (rc < 0) return rc;
  rc = req_bytes_into("host", AUTH_HOST_ID_BYTES, auth_ab(), HOST_ID);
  if (rc < 0) return rc;
  const slot = auth_host_find(auth_ab(), HOST_ID);
  if (slot < 0 || slot === auth_sess()[S_SLOT]) return fail_key(-ERR_BAD_VALUE, "", "host");
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
  const slot = auth_sess()[S_SLOT];
  for (let i = 0; i < AUTH_HOST_ID_BYTES; i++) auth_ab()[HOST_ID + i] = slot >= 0 ? slot_byte(slot, H_ID + i) : 0;
  if (auth_store_wipe() < 0) return -ERR_FLASH;
  if (log_erase_all() < 0) return -ERR_FLASH;
  update_ring_id();
  auth_audit_refill();
  audit(AUDIT_FACTORY_RESET, SLOT_GIVEN_ID, 0, 0); // the first record of the new log says who reset it
  auth_sess()[S_DROP_AFTER] = 1;
  enc_map(0);
  return 0;
}
