// What the ring says about itself: firmware version (firmware/config.ts), build hash,
// model and the Device Information Service strings. Shared by the device-info command
// and the GATT database, so both always agree.
//
// Build hash: the leading bytes of the source commit id, as hex. A bundler sets it with
// `esbuild --define:RING_BUILD_HASH_HEX='"1a2b3c4d5e6f7081"'`; without one it is
// BUILD_HASH_HEX_DEFAULT (zeros).

import { assert } from "../lib/assert.js";
import { FW_VERSION_MAJOR, FW_VERSION_MINOR, FW_VERSION_PATCH } from "../config.js";
import { BUILD_HASH_LEN_MAX, BUILD_HASH_LEN_MIN, FW_VERSION_LEN_MAX } from "../../protocol/ids.js";

declare const RING_BUILD_HASH_HEX: string;

export const BUILD_HASH_HEX_DEFAULT = "0000000000000000";
export const DEVICE_NAME = "ring-sim";
export const DEVICE_MANUFACTURER = "ring-sim project";
export const DEVICE_MODEL = "ring-sim-1";
export const DEVICE_SERIAL = "00000001";
export const DEVICE_HARDWARE_REV = "sim-1";
export const DEVICE_SOFTWARE_REV = "proto 1"; // PROTOCOL.md section 9: "proto " + PROTOCOL_VERSION
/** GAP Appearance: Generic Heart Rate Sensor (0x0340). */
export const DEVICE_APPEARANCE = 0x0340;

const FAULT_IDENTITY = 75;

let identity_booted = 0;
let fw_text!: Uint8Array; // "major.minor.patch", ASCII
let fw_text_len = 0;
let build_hash!: Uint8Array;
let build_hash_len = 0;

export function identity_ram_bytes(): number {
  return FW_VERSION_LEN_MAX + BUILD_HASH_LEN_MAX;
}

function put_decimal(dst: Uint8Array, pos: number, value: number): number {
  assert(value >= 0 && value <= 99999, FAULT_IDENTITY);
  let p = pos;
  let started = false;
  let div = 10000;
  for (let i = 0; i < 5; i++) {
    const digit = Math.floor(value / div) % 10;
    if (digit !== 0 || started || div === 1) {
      dst[p] = 48 + digit;
      p = p + 1;
      started = true;
    }
    div = Math.floor(div / 10);
  }
  return p;
}

function hex_value(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The build hash text in force: the bundler's define, or the default. */
export function identity_build_hash_hex(): string {
  return typeof RING_BUILD_HASH_HEX === "string" ? RING_BUILD_HASH_HEX : BUILD_HASH_HEX_DEFAULT;
}

/** Build the version text and the build hash bytes (first call only). */
export function identity_boot(): void {
  if (identity_booted !== 0) return;
  fw_text = new Uint8Array(FW_VERSION_LEN_MAX);
  let p = put_decimal(fw_text, 0, FW_VERSION_MAJOR);
  fw_text[p] = 46; // '.'
  p = put_decimal(fw_text, p + 1, FW_VERSION_MINOR);
  fw_text[p] = 46;
  p = put_decimal(fw_text, p + 1, FW_VERSION_PATCH);
  fw_text_len = p;
  const hex = identity_build_hash_hex();
  build_hash = new Uint8Array(BUILD_HASH_LEN_MAX);
  let n = hex.length >> 1;
  if (n > BUILD_HASH_LEN_MAX) n = BUILD_HASH_LEN_MAX;
  let ok = n >= BUILD_HASH_LEN_MIN;
  for (let i = 0; i < n; i++) {
    const hi = hex_value(hex.charCodeAt(2 * i));
    const lo = hex_value(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) ok = false;
    build_hash[i] = ((hi << 4) | lo) & 0xff;
  }
  if (!ok) {
    // A malformed define: report zeros of the minimum length rather than garbage.
    for (let i = 0; i < BUILD_HASH_LEN_MAX; i++) build_hash[i] = 0;
    n = BUILD_HASH_LEN_MIN;
  }
  build_hash_len = n;
  identity_booted = 1;
}

export function identity_fw_text(): Uint8Array {
  return fw_text;
}

export function identity_fw_text_len(): number {
  return fw_text_len;
}

export function identity_build_hash(): Uint8Array {
  return build_hash;
}

export function identity_build_hash_len(): number {
  return build_hash_len;
}
