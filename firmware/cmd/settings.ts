// The measurement configuration the host sets (PROTOCOL.md section 8.3), kept in RAM:
// defaults at boot. The config command (config.ts) validates and applies changes; the
// stream layer and the HRS notifier read them here; the lead's pipeline reads the rate
// and window lengths it should run with (config_reboot_required says when they differ
// from what runs).

import {
  HRV_LONG_S_DEFAULT,
  HRV_SHORT_S_DEFAULT,
  PPG_DECIMATION_MIN,
  SAMPLE_RATE_HZ_DEFAULT,
} from "../../protocol/ids.js";

/** Samples per PPG notification by default (one second at 25 Hz). */
export const PPG_BATCH_DEFAULT = 25;

// Set by settings_reset at attach (literal initial values keep this module's top level out
// of bundles that do not use it).
let cfg_sample_rate_hz = 0;
let cfg_hrv_short_s = 0;
let cfg_hrv_long_s = 0;
let cfg_ppg_decim = 0;
let cfg_ppg_batch = 0;
let cfg_hr_period_s = 0;
let cfg_hrs = 0;

/** Defaults, with the sample rate the pipeline runs at (0 before ring_boot: the default). */
export function settings_reset(running_rate_hz: number): void {
  cfg_sample_rate_hz = running_rate_hz > 0 ? running_rate_hz : SAMPLE_RATE_HZ_DEFAULT;
  cfg_hrv_short_s = HRV_SHORT_S_DEFAULT;
  cfg_hrv_long_s = HRV_LONG_S_DEFAULT;
  cfg_ppg_decim = PPG_DECIMATION_MIN;
  cfg_ppg_batch = PPG_BATCH_DEFAULT;
  cfg_hr_period_s = 0;
  cfg_hrs = 1;
}

/** Apply a whole, already validated configuration. */
export function settings_apply(
  rate_hz: number,
  hrv_short_s: number,
  hrv_long_s: number,
  ppg_decim: number,
  ppg_batch: number,
  hr_period_s: number,
  hrs: number,
): void {
  cfg_sample_rate_hz = rate_hz;
  cfg_hrv_short_s = hrv_short_s;
  cfg_hrv_long_s = hrv_long_s;
  cfg_ppg_decim = ppg_decim;
  cfg_ppg_batch = ppg_batch;
  cfg_hr_period_s = hr_period_s;
  cfg_hrs = hrs !== 0 ? 1 : 0;
}

/** Configured PPG sample rate, Hz (25, 50, 100). Takes effect when the pipeline reboots. */
export function config_sample_rate_hz(): number {
  return cfg_sample_rate_hz;
}

/** Configured short HRV window, s (30..120, multiple of 30). */
export function config_hrv_short_s(): number {
  return cfg_hrv_short_s;
}

/** Configured long HRV window, s (120..300, multiple of 30, > short). */
export function config_hrv_long_s(): number {
  return cfg_hrv_long_s;
}

export function config_ppg_decim(): number {
  return cfg_ppg_decim;
}

export function config_ppg_batch(): number {
  return cfg_ppg_batch;
}

export function config_hr_period_s(): number {
  return cfg_hr_period_s;
}

/** 1 when standard Heart Rate Service notifications are on. */
export function config_hrs(): number {
  return cfg_hrs;
}
