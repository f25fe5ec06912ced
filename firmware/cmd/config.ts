// Configuration (group 66, command 0; PROTOCOL.md section 8.3). Get returns every key;
// set takes any subset, checks it in full, merges, checks the merge and only then applies
// (atomic). Changing sample_rate_hz or the HRV windows does not restart the pipeline here:
// the values are stored and "reboot_required" says that the running pipeline differs from
// them, until the firmware reboots its sensor pipeline with config_sample_rate_hz() and the
// window lengths (the lead wires that).

import {
  CBOR_INT_MAX,
  CMD_CONFIG,
  ERR_BAD_OP,
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_BUSY,
  ERR_UNKNOWN_COMMAND,
  HR_PERIOD_S_MAX,
  HRV_LONG_S_MAX,
  HRV_LONG_S_MIN,
  HRV_SHORT_S_MAX,
  HRV_SHORT_S_MIN,
  HRV_WINDOW_STEP_S,
  OP_READ,
  OP_WRITE,
  PPG_BATCH_MIN,
  PPG_BATCH_SAMPLES_MAX,
  PPG_DECIMATION_MAX,
  PPG_DECIMATION_MIN,
  SAMPLE_RATE_HZ_100,
  SAMPLE_RATE_HZ_25,
  SAMPLE_RATE_HZ_50,
  STREAM_PPG,
} from "../../protocol/ids.js";
import { ring_hrv_long_s, ring_hrv_short_s, ring_reboot_pipeline, ring_sample_rate_hz } from "../main.js";
import {
  enc_bool,
  enc_key_uint,
  enc_map,
  enc_text,
  fail_key,
  fail_unknown,
  req_bool,
  req_find,
  req_flag_value,
  req_is_map_at,
  req_key_is,
  req_open,
  req_pair_count,
  req_uint,
  req_value,
} from "./codec.js";
import {
  config_hr_period_s,
  config_hrs,
  config_hrv_long_s,
  config_hrv_short_s,
  config_ppg_batch,
  config_ppg_decim,
  config_sample_rate_hz,
  settings_apply,
} from "./settings.js";
import { stream_kinds } from "./stream.js";

/**
 * 1 when the configuration differs from what the pipeline runs (sample rate, HRV windows):
 * the firmware must reboot its sensor pipeline to apply it.
 */
export function config_reboot_required(): number {
  const running_hz = ring_sample_rate_hz();
  if (running_hz > 0 && running_hz !== config_sample_rate_hz()) return 1;
  if (running_hz > 0 && config_hrv_short_s() !== ring_hrv_short_s()) return 1;
  if (running_hz > 0 && config_hrv_long_s() !== ring_hrv_long_s()) return 1;
  return 0;
}

export function cmd_config(op: number, cmd: number): number {
  if (cmd !== CMD_CONFIG) return -ERR_UNKNOWN_COMMAND;
  if (op === OP_READ) {
    if (req_pair_count(0) > 0) return fail_unknown(0, 0, "");
    write_config();
    return 0;
  }
  if (op !== OP_WRITE) return -ERR_BAD_OP;
  const rc = config_set();
  if (rc < 0) return rc;
  // Apply at once: the sensor pipeline restarts with the new rate and windows, the ring's
  // time runs on. The response then reports reboot_required false.
  if (config_reboot_required() === 1) ring_reboot_pipeline(config_sample_rate_hz(), config_hrv_short_s(), config_hrv_long_s());
  write_config();
  return 0;
}

function top_key_known(i: number): boolean {
  return (
    req_key_is(0, i, "sample_rate_hz") ||
    req_key_is(0, i, "hrv_short_s") ||
    req_key_is(0, i, "hrv_long_s") ||
    req_key_is(0, i, "stream") ||
    req_key_is(0, i, "hrs")
  );
}

function stream_key_known(i: number): boolean {
  return req_key_is(1, i, "ppg_decim") || req_key_is(1, i, "ppg_batch") || req_key_is(1, i, "hr_period_s");
}

function window_ok(s: number): boolean {
  return s % HRV_WINDOW_STEP_S === 0;
}

function config_set(): number {
  // 1. every key known (the nested "stream" map too, once it is known to be a map)
  const n = req_pair_count(0);
  for (let i = 0; i < n; i++) {
    if (!top_key_known(i)) return fail_unknown(0, i, "");
  }
  const stream_pos = req_find(0, "stream");
  if (stream_pos >= 0) {
    if (!req_is_map_at(stream_pos)) return fail_key(-ERR_BAD_TYPE, "", "stream");
    const rc_open = req_open(1, stream_pos);
    if (rc_open < 0) return rc_open;
    const m = req_pair_count(1);
    for (let i = 0; i < m; i++) {
      if (!stream_key_known(i)) return fail_unknown(1, i, "stream.");
    }
  }
  // 2. each value: type, then range
  let rate_hz = config_sample_rate_hz();
  let rc = req_uint(0, "", "sample_rate_hz", 0, CBOR_INT_MAX);
  if (rc < 0) return rc;
  if (rc === 1) {
    rate_hz = req_value();
    if (rate_hz !== SAMPLE_RATE_HZ_25 && rate_hz !== SAMPLE_RATE_HZ_50 && rate_hz !== SAMPLE_RATE_HZ_100) {
      return fail_key(-ERR_BAD_VALUE, "", "sample_rate_hz");
    }
  }
  let short_s = config_hrv_short_s();
  rc = req_uint(0, "", "hrv_short_s", HRV_SHORT_S_MIN, HRV_SHORT_S_MAX);
  if (rc < 0) return rc;
  if (rc === 1) {
    short_s = req_value();
    if (!window_ok(short_s)) return fail_key(-ERR_BAD_VALUE, "", "hrv_short_s");
  }
  let long_s = config_hrv_long_s();
  rc = req_uint(0, "", "hrv_long_s", HRV_LONG_S_MIN, HRV_LONG_S_MAX);
  if (rc < 0) return rc;
  if (rc === 1) {
    long_s = req_value();
    if (!window_ok(long_s)) return fail_key(-ERR_BAD_VALUE, "", "hrv_long_s");
  }
  let decim = config_ppg_decim();
  let batch = config_ppg_batch();
  let hr_period_s = config_hr_period_s();
  if (stream_pos >= 0) {
    rc = req_uint(1, "stream.", "ppg_decim", PPG_DECIMATION_MIN, PPG_DECIMATION_MAX);
    if (rc < 0) return rc;
    if (rc === 1) decim = req_value();
    rc = req_uint(1, "stream.", "ppg_batch", PPG_BATCH_MIN, PPG_BATCH_SAMPLES_MAX);
    if (rc < 0) return rc;
    if (rc === 1) batch = req_value();
    rc = req_uint(1, "stream.", "hr_period_s", 0, HR_PERIOD_S_MAX);
    if (rc < 0) return rc;
    if (rc === 1) hr_period_s = req_value();
  }
  let hrs = config_hrs();
  rc = req_bool(0, "", "hrs");
  if (rc < 0) return rc;
  if (rc === 1) hrs = req_flag_value();
  // 3. the merge
  if (long_s <= short_s) return fail_key(-ERR_BAD_VALUE, "", "hrv_long_s");
  // 4. conflicts with a running PPG stream (its period would change under the host)
  if ((stream_kinds() & STREAM_PPG) !== 0) {
    if (rate_hz !== config_sample_rate_hz()) return fail_key(-ERR_BUSY, "", "sample_rate_hz");
    if (decim !== config_ppg_decim()) return fail_key(-ERR_BUSY, "stream.", "ppg_decim");
  }
  settings_apply(rate_hz, short_s, long_s, decim, batch, hr_period_s, hrs);
  return 0;
}

/** The whole configuration, and whether it waits for a pipeline reboot. */
function write_config(): void {
  enc_map(6);
  enc_key_uint("sample_rate_hz", config_sample_rate_hz());
  enc_key_uint("hrv_short_s", config_hrv_short_s());
  enc_key_uint("hrv_long_s", config_hrv_long_s());
  enc_text("stream");
  enc_map(3);
  enc_key_uint("ppg_decim", config_ppg_decim());
  enc_key_uint("ppg_batch", config_ppg_batch());
  enc_key_uint("hr_period_s", config_hr_period_s());
  enc_text("hrs");
  enc_bool(config_hrs());
  enc_text("reboot_required");
  enc_bool(config_reboot_required());
}
