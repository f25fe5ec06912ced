// Time (group 65, command 0; PROTOCOL.md section 8.2). The ring keeps an offset from its
// HAL clock (ms since boot) to the host's UTC ms since the epoch: device clock =
// clock_ms + offset, which is uptime until the first set. Record times (ms since the first
// sample, firmware/output.ts) become device clock the same way when they are sent.
// Values beyond 2^31 (epoch ms) are exact integers below 2^53 in JS numbers.

import { assert } from "../lib/assert.js";
import {
  DRIFT_PPM_X10_LIMIT,
  ERR_BAD_OP,
  ERR_BAD_VALUE,
  ERR_MISSING_FIELD,
  OP_READ,
  OP_WRITE,
  TIME_ADJUST_MS_MAX,
  TIME_EPOCH_MS_MAX,
  TIME_EPOCH_MS_MIN,
} from "../../protocol/ids.js";
import { ring_clock_ms } from "../main.js";
import {
  enc_bool,
  enc_int,
  enc_key_uint,
  enc_map,
  enc_text,
  fail_key,
  fail_unknown,
  req_key_is,
  req_pair_count,
  req_find,
  req_uint,
  req_value,
} from "./codec.js";

/** A drift estimate needs at least this long between two sets. */
export const TIME_DRIFT_SPAN_MS_MIN = 60000;
/** Spans beyond this (about 17,800 years) are not measured: keeps the long division exact. */
const TIME_DRIFT_SPAN_MS_MAX = 562949953421311; // 2^49 - 1: span * 10 < 2^53
const DRIFT_DIGITS = 7; // 10^7: ppm x10

const FAULT_TIME = 76;

// The device clock's offset from the HAL clock and the last sync time are ms since 1970,
// beyond int32: they live in a Float64Array, so setting them allocates nothing on an engine
// that boxes large numbers in its heap (JerryScript: 16 bytes per variable holding one).
const T_OFFSET_MS = 0; // device clock - HAL clock
const T_LAST_SYNC_MS = 1; // device clock just after the last set
const time_ms = new Float64Array(2);
let synced = 0;
let last_set_clock_ms = 0; // HAL clock at the last set
let drift_known = 0;
let drift_ppm_x10 = 0;

/** Back to uptime: no offset, never set. */
export function time_reset(): void {
  time_ms[T_OFFSET_MS] = 0;
  synced = 0;
  last_set_clock_ms = 0;
  time_ms[T_LAST_SYNC_MS] = 0;
  drift_known = 0;
  drift_ppm_x10 = 0;
}

/** Device clock minus HAL clock, ms (0 until the time is set). */
export function time_offset_ms(): number {
  return time_ms[T_OFFSET_MS];
}

/** A firmware time (ms since boot or since the first sample) as device clock ms (>= 0). */
export function time_device_ms(t_ms: number): number {
  const v = t_ms + time_ms[T_OFFSET_MS];
  return v >= 0 ? v : 0;
}

/**
 * -offset_ms * 10^7 / span_ms, truncated toward zero, clamped to +-DRIFT_PPM_X10_LIMIT.
 * Integer long division, one decimal digit at a time: the remainder stays below span_ms,
 * so every product is below 10 * 2^49 < 2^53 and exact.
 */
export function time_drift_ppm_x10(off_ms: number, span_ms: number): number {
  assert(span_ms > 0 && span_ms <= TIME_DRIFT_SPAN_MS_MAX, FAULT_TIME);
  const negative = off_ms > 0; // the device was ahead of the host: it runs fast
  const a = Math.abs(off_ms);
  if (a >= span_ms) return negative ? -DRIFT_PPM_X10_LIMIT : DRIFT_PPM_X10_LIMIT; // |result| >= 10^7
  let q = 0;
  let r = a;
  for (let d = 0; d < DRIFT_DIGITS; d++) {
    r = r * 10;
    const digit = Math.floor(r / span_ms);
    q = q * 10 + digit;
    r = r - digit * span_ms;
  }
  if (q === 0) return 0;
  return negative ? -q : q;
}

/** Handle a time request (op read = get, write = set). Writes the response body. */
export function cmd_time(op: number): number {
  if (op === OP_READ) return time_get();
  if (op === OP_WRITE) return time_set();
  return -ERR_BAD_OP;
}

function time_get(): number {
  const n = req_pair_count(0);
  if (n > 0) return fail_unknown(0, 0, "");
  const clock = ring_clock_ms();
  enc_map(3 + (synced !== 0 ? 1 : 0) + (drift_known !== 0 ? 1 : 0));
  enc_key_uint("now_ms", time_device_ms(clock));
  enc_key_uint("uptime_ms", clock);
  enc_text("synced");
  enc_bool(synced);
  if (synced !== 0) enc_key_uint("last_sync_ms", time_ms[T_LAST_SYNC_MS]);
  if (drift_known !== 0) {
    enc_text("drift_ppm_x10");
    enc_int(drift_ppm_x10);
  }
  return 0;
}

/**
 * The device clock a set asks for: "now_ms" as given, or the clock at this instant plus
 * "adjust_ms" (a host that measured the offset moves the clock by it, so the link's latency
 * does not enter the result). Exactly one of the two; returns -rc on failure.
 */
function time_set_target(clock: number): number {
  const n = req_pair_count(0);
  for (let i = 0; i < n; i++) {
    if (!req_key_is(0, i, "now_ms") && !req_key_is(0, i, "adjust_ms")) return fail_unknown(0, i, "");
  }
  const rc = req_uint(0, "", "now_ms", TIME_EPOCH_MS_MIN, TIME_EPOCH_MS_MAX);
  if (rc < 0) return rc;
  if (rc === 1) {
    if (req_find(0, "adjust_ms") >= 0) return fail_key(-ERR_BAD_VALUE, "", "adjust_ms"); // one or the other
    return req_value();
  }
  const rc_adjust = req_uint(0, "", "adjust_ms", -TIME_ADJUST_MS_MAX, TIME_ADJUST_MS_MAX);
  if (rc_adjust < 0) return rc_adjust;
  if (rc_adjust === 0) return fail_key(-ERR_MISSING_FIELD, "", "now_ms");
  const target_ms = clock + time_ms[T_OFFSET_MS] + req_value(); // |each| < 2^43: exact
  if (target_ms < TIME_EPOCH_MS_MIN || target_ms > TIME_EPOCH_MS_MAX) return fail_key(-ERR_BAD_VALUE, "", "adjust_ms");
  return target_ms;
}

function time_set(): number {
  const clock = ring_clock_ms();
  const host_ms = time_set_target(clock);
  if (host_ms < 0) return host_ms;
  const change_ms = host_ms - (clock + time_ms[T_OFFSET_MS]); // new device clock minus old one
  let drift_now = 0;
  const span_ms = clock - last_set_clock_ms;
  if (synced !== 0 && span_ms >= TIME_DRIFT_SPAN_MS_MIN && span_ms <= TIME_DRIFT_SPAN_MS_MAX) {
    drift_ppm_x10 = time_drift_ppm_x10(change_ms, span_ms);
    drift_known = 1;
    drift_now = 1;
  }
  time_ms[T_OFFSET_MS] = host_ms - clock;
  synced = 1;
  last_set_clock_ms = clock;
  time_ms[T_LAST_SYNC_MS] = host_ms;
  enc_map(1 + drift_now);
  enc_text("offset_ms");
  enc_int(change_ms);
  if (drift_now !== 0) {
    enc_text("drift_ppm_x10");
    enc_int(drift_ppm_x10);
  }
  return 0;
}
