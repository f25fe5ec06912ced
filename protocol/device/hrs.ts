// Bluetooth SIG Heart Rate Service values (device side, firmware subset). PROTOCOL.md section 8.
//
// Heart Rate Measurement (0x2A37), little-endian:
//   flags u8: bit0 HR is u16, bit1 contact detected, bit2 contact supported,
//             bit3 energy expended present, bit4 RR-intervals present
//   HR u8 or u16 (bpm); energy expended u16 (kJ) if flagged; RR-intervals u16 in 1/1024 s,
//   as many as fit in the notification (MTU - 3 bytes), oldest first.
// Battery Level (0x2A19) is one u8, 0..100 %.

import {
  ERR_BAD_VALUE,
  ERR_TOO_LARGE,
  HRM_ENERGY_KJ_MAX,
  HRM_FLAG_CONTACT_DETECTED,
  HRM_FLAG_CONTACT_SUPPORTED,
  HRM_FLAG_ENERGY_PRESENT,
  HRM_FLAG_HR_U16,
  HRM_FLAG_RR_PRESENT,
  HRM_RR_MS_MAX,
  HRM_RR_UNITS_PER_S,
} from '../ids.js';
import { frag_payload_size } from './fragment.js';

/** Sensor contact, the `contact` argument of hrs_measurement_encode. */
export const HRS_CONTACT_UNSUPPORTED = 0;
export const HRS_CONTACT_NOT_DETECTED = 1;
export const HRS_CONTACT_DETECTED = 2;
/** Pass as energy_kj when no energy expended field is sent. */
export const HRS_ENERGY_ABSENT = -1;

/**
 * An RR-interval in ms as 1/1024 s units, rounded to nearest (halves up):
 * floor((rr_ms * 1024 + 500) / 1000). Overflow bound: rr_ms <= 63999 gives
 * 63999 * 1024 + 500 = 65,535,476 < 2^31, result <= 65535. -ERR_BAD_VALUE outside 1..63999.
 */
export function hrs_rr_ms_to_1024(rr_ms: number): number {
  if (!(rr_ms >= 1 && rr_ms <= HRM_RR_MS_MAX)) return -ERR_BAD_VALUE;
  return Math.floor((rr_ms * HRM_RR_UNITS_PER_S + 500) / 1000);
}

/**
 * Encode one Heart Rate Measurement value into dst[0..), limited to mtu - 3 bytes and to
 * dst.length. hr_bpm 0..65535 (u8 form when <= 255); contact HRS_CONTACT_*; energy_kj
 * HRS_ENERGY_ABSENT or >= 0 (clamped to 65535 as the spec says); RR-intervals from
 * rr_ms[rr_off..+rr_count), each 1..63999 ms, as many as fit, oldest first. The number of
 * intervals written goes to out_rr_written[0]; the caller sends the rest in the next value.
 * Returns the value's length, -ERR_BAD_VALUE (an argument or interval out of range) or
 * -ERR_TOO_LARGE (dst shorter than the fixed fields).
 */
export function hrs_measurement_encode(
  dst: Uint8Array,
  mtu: number,
  hr_bpm: number,
  contact: number,
  energy_kj: number,
  rr_ms: Int32Array,
  rr_off: number,
  rr_count: number,
  out_rr_written: Int32Array,
): number {
  const payload = frag_payload_size(mtu);
  if (payload < 0) return payload;
  if (!(hr_bpm >= 0 && hr_bpm <= 0xffff) || Math.floor(hr_bpm) !== hr_bpm) return -ERR_BAD_VALUE;
  if (contact < HRS_CONTACT_UNSUPPORTED || contact > HRS_CONTACT_DETECTED) return -ERR_BAD_VALUE;
  if (energy_kj !== HRS_ENERGY_ABSENT && !(energy_kj >= 0)) return -ERR_BAD_VALUE;
  if (rr_off < 0 || rr_count < 0 || rr_off + rr_count > rr_ms.length || out_rr_written.length < 1) {
    return -ERR_BAD_VALUE;
  }
  let limit = payload;
  if (dst.length < limit) limit = dst.length;
  let flags = 0;
  if (hr_bpm > 0xff) flags |= HRM_FLAG_HR_U16;
  if (contact === HRS_CONTACT_NOT_DETECTED) flags |= HRM_FLAG_CONTACT_SUPPORTED;
  if (contact === HRS_CONTACT_DETECTED) flags |= HRM_FLAG_CONTACT_SUPPORTED | HRM_FLAG_CONTACT_DETECTED;
  if (energy_kj !== HRS_ENERGY_ABSENT) flags |= HRM_FLAG_ENERGY_PRESENT;
  const fixed = 1 + ((flags & HRM_FLAG_HR_U16) !== 0 ? 2 : 1) + ((flags & HRM_FLAG_ENERGY_PRESENT) !== 0 ? 2 : 0);
  if (fixed > limit) return -ERR_TOO_LARGE;
  let rr_fit = (limit - fixed) >> 1; // >= 7 at MTU 23 with every field (20 - 5 = 15 bytes)
  if (rr_fit > rr_count) rr_fit = rr_count;
  for (let i = 0; i < rr_fit; i++) {
    if (hrs_rr_ms_to_1024(rr_ms[rr_off + i]) < 0) return -ERR_BAD_VALUE; // checked before writing
  }
  if (rr_fit > 0) flags |= HRM_FLAG_RR_PRESENT;
  dst[0] = flags;
  let p = 1;
  dst[p] = hr_bpm & 0xff;
  p += 1;
  if ((flags & HRM_FLAG_HR_U16) !== 0) {
    dst[p] = hr_bpm >> 8;
    p += 1;
  }
  if ((flags & HRM_FLAG_ENERGY_PRESENT) !== 0) {
    const kj = energy_kj > HRM_ENERGY_KJ_MAX ? HRM_ENERGY_KJ_MAX : Math.floor(energy_kj);
    dst[p] = kj & 0xff;
    dst[p + 1] = kj >> 8;
    p += 2;
  }
  for (let i = 0; i < rr_fit; i++) {
    const rr_1024 = hrs_rr_ms_to_1024(rr_ms[rr_off + i]);
    dst[p] = rr_1024 & 0xff;
    dst[p + 1] = rr_1024 >> 8;
    p += 2;
  }
  out_rr_written[0] = rr_fit;
  return p;
}

/** Battery Level (0x2A19): one byte, percent clamped to 0..100. Returns 1 or -ERR_TOO_LARGE. */
export function bas_level_encode(dst: Uint8Array, level_pct: number): number {
  if (dst.length < 1) return -ERR_TOO_LARGE;
  let v = Math.floor(level_pct);
  if (!(v >= 0)) v = 0; // NaN and negatives
  if (v > 100) v = 100;
  dst[0] = v;
  return 1;
}

