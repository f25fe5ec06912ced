// BLE entry points of the firmware (re-exported from firmware/main.ts): attach the radio,
// connection changes, ATT PDUs in, link space, and the record / raw-sample hooks.
//
// Contracts:
// - ring_ble_attach(ble, flash): once at start-up, before or after ring_boot (before it to
//   log the boot record). Allocates every BLE, command and log buffer (the only allocation
//   of this layer), resets all of its state and mounts the history log on the flash's log
//   partition (firmware/flash-map.ts): what the flash holds survives, RAM state does not.
//   Returns 0, or a negative LOG_ERR_* when the flash cannot hold the log.
// - ring_ble_connected(connected, mtu_bytes): a link came up (1) or went down (0), with
//   the ATT MTU in force (23 on a new link). Either way the per-connection state starts
//   over: CCCDs off, partial frame dropped, outgoing queue and pending response emptied,
//   stream subscriptions ended, unsolicited sequence 0, RR-intervals forgotten.
// - ring_ble_rx(pdu, length): one ATT PDU from the client. Returns 0 when taken, negative
//   when refused (an ATT Error Response or a protocol error response went out, or it was
//   dropped). Never throws for any input bytes.
// - ring_ble_tx_space(): the controller can take PDUs again: pending response, queued
//   frame pieces and staged stream items go out (and a stale partial request frame is
//   answered ERR_TIMEOUT, as at every record).
// - ble_on_record / stream_on_raw_sample (hook.ts): see there.
// None of them may be called from inside BleHal.att_send (a nested ring_ble_rx is dropped).

import type { BleHal, FlashHal } from "../hal.js";
import { PART_LOG_ADDR, PART_LOG_BYTES } from "../flash-map.js";
import { OUT_KIND_STATUS } from "../output.js";
import { hal_ref, ring_clock_ms, ring_sample_rate_hz, ring_tick_sample, ring_tick_start } from "../main.js";
import {
  LOG_FLUSH_MS_DEFAULT,
  LOG_SUMMARY_FLUSH_MS_DEFAULT,
  log_append,
  log_poll,
  log_ram_bytes,
  log_store_boot,
  poll_any as log_poll_any,
  poll_due_ms as log_poll_due_ms,
} from "../store/log-store.js";
import { codec_boot, codec_ram_bytes } from "../cmd/codec.js";
import { dispatch_boot, dispatch_ram_bytes } from "../cmd/dispatch.js";
import { identity_boot, identity_ram_bytes } from "../cmd/identity.js";
import { image_boot, image_ram_bytes } from "../cmd/image.js";
import { settings_reset } from "../cmd/settings.js";
import { kinds as stream_kinds, stream_boot, stream_flush, stream_on_raw_external, stream_on_record, stream_ram_bytes, stream_reset } from "../cmd/stream.js";
import { time_reset } from "../cmd/time.js";
import { att_table_ram_bytes } from "./att.js";
import { frame_rx_boot, frame_rx_expire, frame_rx_ram_bytes, frame_rx_reset } from "./frame-rx.js";
import { gatt_db_boot, gatt_h_frame } from "./gatt-db.js";
import { att_rx, gatt_server_boot, gatt_server_ram_bytes } from "./gatt-server.js";
import { ble_hooks_set } from "./hook.js";
import { hrs_boot, hrs_on_record, hrs_ram_bytes, hrs_reset } from "./hrs-notify.js";
import {
  STAT_RX_NOT_CONNECTED,
  STAT_RX_REENTERED,
  conn_up,
  link_boot,
  link_connected,
  link_count,
  link_mtu,
  link_ram_bytes,
  link_reset,
} from "./link.js";
import { txq_boot, txq_pump, txq_ram_bytes, txq_reset } from "./tx-queue.js";
import { auth_connection_reset } from "../auth/auth.js";

export { ble_on_record } from "./hook.js";

export const BLE_ERR_NOT_ATTACHED = -1;
export const BLE_ERR_REFUSED = -1;

let attached = 0;
let in_rx = 0;

// check-firmware: boot -- runs once at start-up when the radio is attached: allocates every BLE buffer
export function ring_ble_attach(ble: BleHal, flash: FlashHal): number {
  identity_boot();
  codec_boot();
  dispatch_boot();
  const log_rc = log_store_boot(flash, PART_LOG_ADDR, PART_LOG_BYTES, LOG_FLUSH_MS_DEFAULT, LOG_SUMMARY_FLUSH_MS_DEFAULT, ring_clock_ms());
  if (log_rc < 0) return log_rc;
  const image_rc = image_boot(flash);
  if (image_rc < 0) return image_rc;
  gatt_db_boot();
  gatt_server_boot();
  link_boot(ble);
  txq_boot(gatt_h_frame);
  frame_rx_boot();
  stream_boot();
  hrs_boot();
  time_reset();
  settings_reset(ring_sample_rate_hz());
  // The log's flush bound is checked before every TICK_SAMPLES-th sample (main.ts), not on
  // every sample: at the slowest rate (25 Hz) that is once a second, well inside
  // LOG_FLUSH_MS_DEFAULT. The raw PPG stream sets its own per-sample hook while it is on.
  ble_hooks_set(on_record, on_tick);
  ring_tick_start();
  attached = 1;
  in_rx = 0;
  return 0;
}

export function ring_ble_connected(connected: number, mtu_bytes: number): void {
  if (attached === 0) return;
  link_reset(connected, mtu_bytes);
  txq_reset();
  frame_rx_reset(link_mtu());
  stream_reset();
  hrs_reset();
  auth_connection_reset(); // a session lives as long as its connection
}

export function ring_ble_rx(pdu: Uint8Array, length: number): number {
  if (attached === 0) return BLE_ERR_NOT_ATTACHED;
  if (!link_connected()) {
    link_count(STAT_RX_NOT_CONNECTED);
    return BLE_ERR_REFUSED;
  }
  if (in_rx !== 0) {
    link_count(STAT_RX_REENTERED);
    return BLE_ERR_REFUSED;
  }
  in_rx = 1;
  const r = att_rx(pdu, length);
  in_rx = 0;
  return r;
}

export function ring_ble_tx_space(): void {
  if (attached === 0) return;
  if (link_connected()) frame_rx_expire(); // a stale partial frame is answered ERR_TIMEOUT
  txq_pump();
  stream_flush();
}

/**
 * Bytes of typed-array storage ring_ble_attach allocates: the history log (log_only = 1)
 * or everything else (0).
 */
export function ble_ram_bytes(log_only: number): number {
  if (log_only !== 0) return log_ram_bytes();
  return (
    codec_ram_bytes() + dispatch_ram_bytes() + identity_ram_bytes() + att_table_ram_bytes() +
    gatt_server_ram_bytes() + link_ram_bytes() + txq_ram_bytes() + frame_rx_ram_bytes() +
    stream_ram_bytes() + hrs_ram_bytes() + image_ram_bytes()
  );
}

function on_record(kind: number, record: Int32Array, field_count: number): void {
  // When the ring emitted it, on its own clock: crosses the protocol with the record, so
  // the host can time records as the ring did, however late the link delivers them.
  const hal = hal_ref; // ring_clock_ms(), written out: this runs for every record
  const emitted_ms = hal === null ? 0 : hal.clock_ms();
  log_append(kind, record, field_count, emitted_ms);
  // The streams take status records always, the others only while something is subscribed.
  if (kind === OUT_KIND_STATUS || stream_kinds !== 0) stream_on_record(kind, record, field_count, emitted_ms);
  hrs_on_record(kind, record, field_count);
  if (conn_up !== 0 && link_connected()) frame_rx_expire(); // (no call while disconnected)
}

function on_tick(): void {
  // Batches wait at most LOG_FLUSH_MS_DEFAULT + 1 s, with or without beats. log_poll(ring_clock_ms()),
  // called only when a batch is due (every 25 samples, mostly with none due).
  if (log_poll_any === 0) return;
  const hal = hal_ref;
  const now_ms = hal === null ? 0 : hal.clock_ms();
  if (now_ms >= log_poll_due_ms) log_poll(now_ms);
}

/**
 * One raw sample fed from outside the pipeline (tests, a host driving the BLE layer
 * alone): the raw PPG stream takes it with the next index, and it counts towards the
 * log's flush tick as a pipeline sample does. Nothing before ring_ble_attach.
 */
export function stream_on_raw_sample(x: number): void {
  if (attached === 0) return;
  stream_on_raw_external(x);
  ring_tick_sample();
}
