// Standard Heart Rate Service and Battery Service notifications (PROTOCOL.md section 9).
//
// On each HR record, when config "hrs" is on and the client enabled the Heart Rate
// Measurement CCCD: one 0x2A37 notification (protocol/device/hrs.ts) with
// HR = floor((hr_bpm_x10 + 5) / 10), sensor contact from the last signal status, and the
// RR-intervals (ibi_ms of beats with ibi_valid) since the previous measurement, as many as
// fit in MTU - 3 bytes; the rest wait for the next one. If the link refuses the
// notification the intervals are kept for the next one. The RR buffer is bounded
// (HRS_RR_MAX): when it is full the oldest interval goes.
// With the CCCD off, intervals are forgotten at each HR record (nothing stale later).
// Battery Level: notified when the level differs from the last one notified (checked at
// each HR record), if the client enabled its CCCD.

import * as out from "../output.js";
import { SIGNAL_NO_CONTACT } from "../dsp/signal-quality.js";
import { HRM_RR_MS_MAX } from "../../protocol/ids.js";
import {
  HRS_CONTACT_DETECTED,
  HRS_CONTACT_NOT_DETECTED,
  HRS_ENERGY_ABSENT,
  bas_level_encode,
  hrs_measurement_encode,
} from "../../protocol/device/hrs.js";
import { ATT_SERVER_MTU_MAX, CCCD_BATTERY, CCCD_HRM, CCCD_NOTIFY } from "./att.js";
import { gatt_h_battery, gatt_h_hrm } from "./gatt-db.js";
import {
  STAT_BATTERY_SENT,
  STAT_HRS_REFUSED,
  STAT_HRS_SENT,
  link_cccd,
  conn_up,
  link_connected,
  link_count,
  link_mtu,
  link_notify,
} from "./link.js";
import { config_hrs } from "../cmd/settings.js";
import { battery_level_pct } from "../cmd/device-info.js";

/** RR-intervals kept between measurements (a measurement at MTU 247 carries up to 121). */
export const HRS_RR_MAX = 32;

export function hrs_ram_bytes(): number {
  return 4 * HRS_RR_MAX + 2 * ATT_SERVER_MTU_MAX + 4;
}

let hrs_booted = 0;
let rr_ms!: Int32Array;
let rr_written!: Int32Array;
let value!: Uint8Array; // the measurement value
let pdu!: Uint8Array; // the notification PDU
let rr_count = 0;
let contact = 0; // HRS_CONTACT_* (set at boot)
let battery_notified = -1; // level last notified, -1 for none this connection

export function hrs_boot(): void {
  if (hrs_booted === 0) {
    rr_ms = new Int32Array(HRS_RR_MAX);
    rr_written = new Int32Array(1);
    value = new Uint8Array(ATT_SERVER_MTU_MAX);
    pdu = new Uint8Array(ATT_SERVER_MTU_MAX);
    hrs_booted = 1;
  }
  contact = HRS_CONTACT_DETECTED;
  hrs_reset();
}

/** New connection or disconnect: no intervals pending, battery not yet notified. */
export function hrs_reset(): void {
  rr_count = 0;
  battery_notified = -1;
}

export function hrs_rr_pending(): number {
  return rr_count;
}

function rr_drop(n: number): void {
  for (let i = n; i < rr_count; i++) rr_ms[i - n] = rr_ms[i];
  rr_count = rr_count - n;
}

function listening(cccd_index: number): boolean {
  return link_connected() && (link_cccd(cccd_index) & CCCD_NOTIFY) !== 0;
}

export function hrs_on_record(kind: number, record: Int32Array, field_count: number): void {
  if (kind === out.OUT_KIND_STATUS && field_count >= out.STATUS_FIELDS) {
    if (record[out.STATUS_CODE] === out.STATUS_SIGNAL) {
      contact = record[out.STATUS_VALUE] === SIGNAL_NO_CONTACT ? HRS_CONTACT_NOT_DETECTED : HRS_CONTACT_DETECTED;
    }
  } else if (kind === out.OUT_KIND_BEAT && field_count >= out.BEAT_FIELDS) {
    const ibi_ms = record[out.BEAT_IBI_MS];
    if (record[out.BEAT_IBI_VALID] !== 0 && ibi_ms >= 1 && ibi_ms <= HRM_RR_MS_MAX) {
      // The interval joins the RR list (the oldest goes when it is full).
      if (rr_count === HRS_RR_MAX) rr_drop(1);
      rr_ms[rr_count] = ibi_ms;
      rr_count = rr_count + 1;
    }
  } else if (kind === out.OUT_KIND_HR && field_count >= out.HR_FIELDS) {
    if (conn_up === 0 || !link_connected()) {
      rr_count = 0; // what notify_measurement does unheard; battery_check sends nothing either
      return;
    }
    notify_measurement(record[out.HR_BPM_X10]);
    battery_check();
  }
}

function notify_measurement(hr_bpm_x10: number): void {
  if (config_hrs() === 0 || !listening(CCCD_HRM)) {
    rr_count = 0;
    return;
  }
  let bpm = Math.floor((hr_bpm_x10 + 5) / 10);
  if (bpm < 0) bpm = 0;
  if (bpm > 0xffff) bpm = 0xffff;
  const len = hrs_measurement_encode(value, link_mtu(), bpm, contact, HRS_ENERGY_ABSENT, rr_ms, 0, rr_count, rr_written);
  if (len < 0) {
    rr_count = 0; // cannot happen with checked intervals; never resend a bad one
    return;
  }
  if (link_notify(pdu, gatt_h_hrm, value, 0, len) !== 0) {
    link_count(STAT_HRS_REFUSED);
    return;
  }
  link_count(STAT_HRS_SENT);
  rr_drop(rr_written[0]);
}

/** Notify the battery level when it changed (and the client listens). */
export function battery_check(): void {
  if (!listening(CCCD_BATTERY)) return;
  const level = battery_level_pct();
  if (level === battery_notified) return;
  bas_level_encode(value, level);
  if (link_notify(pdu, gatt_h_battery, value, 0, 1) !== 0) return;
  link_count(STAT_BATTERY_SENT);
  battery_notified = level;
}
