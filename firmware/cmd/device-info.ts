// Device information (group 64, command 0, read; PROTOCOL.md section 8.1) and battery
// (group 69, command 0, read; section 8.6).

import {
  CAP_BATTERY,
  CAP_HISTORY,
  CAP_HRS,
  CAP_STREAM_BEATS,
  CAP_STREAM_HR,
  CAP_STREAM_HRV,
  CAP_STREAM_PPG,
  CAP_TIME_SET,
  CBOR_DEPTH_MAX,
  CBOR_TEXT_MAX,
  CMD_BATTERY,
  CMD_DEVICE_INFO,
  ERR_BAD_OP,
  ERR_UNKNOWN_COMMAND,
  FRAME_SIZE_MAX,
  HISTORY_PAGE_RECORDS_MAX,
  OP_READ,
  PPG_BATCH_SAMPLES_MAX,
  PROTOCOL_VERSION,
  RX_BUFFER_COUNT,
} from "../../protocol/ids.js";
import { link_ble, link_mtu } from "../ble/link.js";
import {
  LOG_RING_BEATS,
  LOG_RING_SUMMARY,
  log_capacity_bytes,
  log_first_seq,
  log_last_seq,
  log_ring_bytes_per_day,
  log_ring_capacity_bytes,
  log_ring_first_seq,
  log_used_bytes,
} from "../store/log-store.js";
import { ring_clock_ms } from "../main.js";
import {
  enc_bool,
  enc_bytes,
  enc_key_uint,
  enc_map,
  enc_text,
  enc_text_bytes,
  fail_unknown,
  req_pair_count,
} from "./codec.js";
import {
  DEVICE_MODEL,
  DEVICE_SERIAL,
  identity_build_hash,
  identity_build_hash_len,
  identity_fw_text,
  identity_fw_text_len,
} from "./identity.js";

/** What this firmware can do: every capability of protocol version 1. */
export function device_caps(): number {
  return CAP_STREAM_BEATS | CAP_STREAM_HR | CAP_STREAM_HRV | CAP_STREAM_PPG | CAP_HISTORY | CAP_TIME_SET | CAP_HRS | CAP_BATTERY;
}

/**
 * Cell voltage estimated from the state of charge while the HAL reports only a percentage:
 * a linear Li-ion curve, 3300 mV empty .. 4200 mV full (9 mV per %).
 */
export const BATTERY_MV_EMPTY = 3300;
export const BATTERY_MV_PER_PCT = 9;

export function cmd_device(op: number, cmd: number): number {
  if (cmd !== CMD_DEVICE_INFO) return -ERR_UNKNOWN_COMMAND;
  if (op !== OP_READ) return -ERR_BAD_OP;
  if (req_pair_count(0) > 0) return fail_unknown(0, 0, "");
  enc_map(9);
  enc_text("fw");
  enc_text_bytes(identity_fw_text(), 0, identity_fw_text_len());
  enc_text("build");
  enc_bytes(identity_build_hash(), 0, identity_build_hash_len());
  enc_key_uint("proto", PROTOCOL_VERSION);
  enc_key_uint("caps", device_caps());
  enc_text("limits");
  enc_map(6);
  enc_key_uint("frame_max", FRAME_SIZE_MAX);
  enc_key_uint("buf_count", RX_BUFFER_COUNT);
  enc_key_uint("depth_max", CBOR_DEPTH_MAX);
  enc_key_uint("text_max", CBOR_TEXT_MAX);
  enc_key_uint("page_max", HISTORY_PAGE_RECORDS_MAX);
  enc_key_uint("ppg_batch_max", PPG_BATCH_SAMPLES_MAX);
  enc_key_uint("mtu", link_mtu());
  write_log_info();
  enc_text("model");
  enc_text(DEVICE_MODEL);
  enc_text("serial");
  enc_text(DEVICE_SERIAL);
  return 0;
}

/** The history log (PROTOCOL.md 8.1 "log"): sizes, sequences and write rates. */
function write_log_info(): void {
  const uptime_ms = ring_clock_ms();
  enc_text("log");
  enc_map(9);
  enc_key_uint("capacity_bytes", log_capacity_bytes());
  enc_key_uint("used_bytes", log_used_bytes());
  enc_key_uint("first_seq", log_first_seq());
  enc_key_uint("last_seq", log_last_seq());
  enc_key_uint("beats_first_seq", log_ring_first_seq(LOG_RING_BEATS));
  enc_key_uint("summary_capacity_bytes", log_ring_capacity_bytes(LOG_RING_SUMMARY));
  enc_key_uint("beats_capacity_bytes", log_ring_capacity_bytes(LOG_RING_BEATS));
  enc_key_uint("summary_bytes_per_day", log_ring_bytes_per_day(LOG_RING_SUMMARY, uptime_ms));
  enc_key_uint("beats_bytes_per_day", log_ring_bytes_per_day(LOG_RING_BEATS, uptime_ms));
}

/** Battery level from the BLE HAL, clamped to 0..100 (0 without one). */
export function battery_level_pct(): number {
  const ble = link_ble();
  if (ble === null) return 0;
  const v = Math.floor(ble.battery_percent());
  if (!(v >= 0)) return 0; // negative or NaN
  return v > 100 ? 100 : v;
}

export function cmd_battery(op: number, cmd: number): number {
  if (cmd !== CMD_BATTERY) return -ERR_UNKNOWN_COMMAND;
  if (op !== OP_READ) return -ERR_BAD_OP;
  if (req_pair_count(0) > 0) return fail_unknown(0, 0, "");
  const pct = battery_level_pct();
  enc_map(3);
  enc_key_uint("level_pct", pct);
  enc_key_uint("mv", BATTERY_MV_EMPTY + BATTERY_MV_PER_PCT * pct);
  enc_text("charging");
  enc_bool(0);
  return 0;
}
