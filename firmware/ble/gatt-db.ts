// The GATT database (PROTOCOL.md section 9), built once at attach. Handles follow from the
// order below and never change (so the server needs no Service Changed characteristic):
//
//   0x0001 GAP service 0x1800          0x0002/3 Device Name 0x2A00 (read)
//                                      0x0004/5 Appearance 0x2A01 (read)
//   0x0006 GATT service 0x1801         (no characteristics)
//   0x0007 ring service 7a3e0001-...   0x0008/9 frame 7a3e0002-... (write without response,
//                                               notify), 0x000A its CCCD
//   0x000B Heart Rate 0x180D           0x000C/D Heart Rate Measurement 0x2A37 (notify),
//                                               0x000E its CCCD
//                                      0x000F/10 Body Sensor Location 0x2A38 (read) = 3
//   0x0011 Battery 0x180F              0x0012/13 Battery Level 0x2A19 (read, notify),
//                                               0x0014 its CCCD
//   0x0015 Device Information 0x180A   0x0016/17 Manufacturer Name 0x2A29
//                                      0x0018/19 Model Number 0x2A24
//                                      0x001A/1B Serial Number 0x2A25
//                                      0x001C/1D Hardware Revision 0x2A27
//                                      0x001E/1F Firmware Revision 0x2A26
//                                      0x0020/21 Software Revision 0x2A28
// (declaration handle / value handle). The frame characteristic also accepts Write Request,
// for clients that cannot choose the write type; its declared properties stay as specified.

import { assert } from "../lib/assert.js";
import {
  BODY_SENSOR_LOCATION_FINGER,
  RING_FRAME_CHAR_UUID,
  RING_SERVICE_UUID,
  UUID16_BATTERY_LEVEL,
  UUID16_BATTERY_SERVICE,
  UUID16_BODY_SENSOR_LOCATION,
  UUID16_DEVICE_INFORMATION_SERVICE,
  UUID16_FIRMWARE_REVISION,
  UUID16_HARDWARE_REVISION,
  UUID16_HEART_RATE_MEASUREMENT,
  UUID16_HEART_RATE_SERVICE,
  UUID16_MANUFACTURER_NAME,
  UUID16_MODEL_NUMBER,
  UUID16_SERIAL_NUMBER,
  UUID16_SOFTWARE_REVISION,
} from "../../protocol/ids.js";
import {
  ATT_DYN_BATTERY,
  ATT_DYN_CCCD_BATTERY,
  ATT_DYN_CCCD_FRAME,
  ATT_DYN_CCCD_HRM,
  ATT_DYN_FRAME,
  ATT_DYN_HRM,
  ATT_DYN_NONE,
  ATT_PERM_READ,
  ATT_PERM_WRITE_CMD,
  ATT_PERM_WRITE_REQ,
  GATT_PROP_NOTIFY,
  GATT_PROP_READ,
  GATT_PROP_WRITE_NO_RSP,
  GATT_UUID_CCCD,
  GATT_UUID_CHARACTERISTIC,
  GATT_UUID_PRIMARY_SERVICE,
  UUID128_SIZE,
  att_add,
  att_count,
  att_pool_put_text,
  att_pool_put_u16,
  att_pool_put_u8,
  att_pool_put_uuid128,
  att_set_group_end,
  att_table_boot,
} from "./att.js";
import {
  DEVICE_APPEARANCE,
  DEVICE_HARDWARE_REV,
  DEVICE_MANUFACTURER,
  DEVICE_MODEL,
  DEVICE_NAME,
  DEVICE_SERIAL,
  DEVICE_SOFTWARE_REV,
  identity_fw_text,
  identity_fw_text_len,
} from "../cmd/identity.js";

export const UUID16_GAP_SERVICE = 0x1800;
export const UUID16_GATT_SERVICE = 0x1801;
export const UUID16_DEVICE_NAME = 0x2a00;
export const UUID16_APPEARANCE = 0x2a01;

/** Value handles the server and notifiers use (set by gatt_db_boot). */
export let gatt_h_frame = 0;
export let gatt_h_frame_cccd = 0;
export let gatt_h_hrm = 0;
export let gatt_h_hrm_cccd = 0;
export let gatt_h_battery = 0;
export let gatt_h_battery_cccd = 0;

const FAULT_GATT_DB = 80;

function service16(uuid16: number): number {
  const off = att_pool_put_u16(uuid16);
  return att_add(GATT_UUID_PRIMARY_SERVICE, -1, ATT_PERM_READ, ATT_DYN_NONE, off, 2);
}

function service128(uuid_text: string): number {
  const off = att_pool_put_uuid128(uuid_text);
  return att_add(GATT_UUID_PRIMARY_SERVICE, -1, ATT_PERM_READ, ATT_DYN_NONE, off, UUID128_SIZE);
}

function end_service(service_handle: number): void {
  att_set_group_end(service_handle, att_count());
}

/** Declaration (props, value handle, 16-bit UUID), then the value attribute. Returns its handle. */
function char16(props: number, uuid16: number, perm: number, dyn: number, value_off: number, value_len: number): number {
  const value_handle = att_count() + 2;
  const decl = att_pool_put_u8(props);
  att_pool_put_u16(value_handle);
  att_pool_put_u16(uuid16);
  att_add(GATT_UUID_CHARACTERISTIC, -1, ATT_PERM_READ, ATT_DYN_NONE, decl, 5);
  const h = att_add(uuid16, -1, perm, dyn, value_off, value_len);
  assert(h === value_handle, FAULT_GATT_DB);
  return h;
}

/** As char16 with a 128-bit UUID; the value attribute's type points into the declaration. */
function char128(props: number, uuid_text: string, perm: number, dyn: number): number {
  const value_handle = att_count() + 2;
  const decl = att_pool_put_u8(props);
  att_pool_put_u16(value_handle);
  const uuid_off = att_pool_put_uuid128(uuid_text);
  att_add(GATT_UUID_CHARACTERISTIC, -1, ATT_PERM_READ, ATT_DYN_NONE, decl, 3 + UUID128_SIZE);
  const h = att_add(0, uuid_off, perm, dyn, 0, 0);
  assert(h === value_handle, FAULT_GATT_DB);
  return h;
}

function cccd(dyn: number): number {
  return att_add(GATT_UUID_CCCD, -1, ATT_PERM_READ | ATT_PERM_WRITE_REQ, dyn, 0, 0);
}

function char_text16(uuid16: number, text: string): number {
  const off = att_pool_put_text(text);
  return char16(GATT_PROP_READ, uuid16, ATT_PERM_READ, ATT_DYN_NONE, off, text.length);
}

/** Build the table (identity_boot first: the firmware revision is the version text). */
export function gatt_db_boot(): void {
  att_table_boot();
  const gap = service16(UUID16_GAP_SERVICE);
  char_text16(UUID16_DEVICE_NAME, DEVICE_NAME);
  const appearance = att_pool_put_u16(DEVICE_APPEARANCE);
  char16(GATT_PROP_READ, UUID16_APPEARANCE, ATT_PERM_READ, ATT_DYN_NONE, appearance, 2);
  end_service(gap);

  const gatt = service16(UUID16_GATT_SERVICE);
  end_service(gatt);

  const ring = service128(RING_SERVICE_UUID);
  gatt_h_frame = char128(
    GATT_PROP_WRITE_NO_RSP | GATT_PROP_NOTIFY,
    RING_FRAME_CHAR_UUID,
    ATT_PERM_WRITE_CMD | ATT_PERM_WRITE_REQ,
    ATT_DYN_FRAME,
  );
  gatt_h_frame_cccd = cccd(ATT_DYN_CCCD_FRAME);
  end_service(ring);

  const hrs = service16(UUID16_HEART_RATE_SERVICE);
  gatt_h_hrm = char16(GATT_PROP_NOTIFY, UUID16_HEART_RATE_MEASUREMENT, 0, ATT_DYN_HRM, 0, 0);
  gatt_h_hrm_cccd = cccd(ATT_DYN_CCCD_HRM);
  const location = att_pool_put_u8(BODY_SENSOR_LOCATION_FINGER);
  char16(GATT_PROP_READ, UUID16_BODY_SENSOR_LOCATION, ATT_PERM_READ, ATT_DYN_NONE, location, 1);
  end_service(hrs);

  const bas = service16(UUID16_BATTERY_SERVICE);
  gatt_h_battery = char16(GATT_PROP_READ | GATT_PROP_NOTIFY, UUID16_BATTERY_LEVEL, ATT_PERM_READ, ATT_DYN_BATTERY, 0, 0);
  gatt_h_battery_cccd = cccd(ATT_DYN_CCCD_BATTERY);
  end_service(bas);

  const dis = service16(UUID16_DEVICE_INFORMATION_SERVICE);
  char_text16(UUID16_MANUFACTURER_NAME, DEVICE_MANUFACTURER);
  char_text16(UUID16_MODEL_NUMBER, DEVICE_MODEL);
  char_text16(UUID16_SERIAL_NUMBER, DEVICE_SERIAL);
  char_text16(UUID16_HARDWARE_REVISION, DEVICE_HARDWARE_REV);
  const fw = identity_fw_text();
  const fw_len = identity_fw_text_len();
  const fw_off = att_pool_put_u8(fw[0]);
  for (let i = 1; i < fw_len; i++) att_pool_put_u8(fw[i]);
  char16(GATT_PROP_READ, UUID16_FIRMWARE_REVISION, ATT_PERM_READ, ATT_DYN_NONE, fw_off, fw_len);
  char_text16(UUID16_SOFTWARE_REVISION, DEVICE_SOFTWARE_REV);
  end_service(dis);
}
