// The firmware's BLE entry points, as the simulated ring calls them. They are re-exported
// from firmware/ring.ts by the GATT server's author; this file finds them there and says
// clearly when a firmware build lacks them (a ring without a radio, or an older tree),
// instead of failing deep inside a run.

import * as fw from '../../firmware/ring.js';
import type { BleHal, FlashHal } from '../../firmware/hal.js';

export interface FirmwareBle {
  /** Attach the BLE controller after boot and mount the history log on the flash. Returns 0 or a negative error. */
  ring_ble_attach(ble: BleHal, flash: FlashHal): number;
  /** The link went up (1) or down (0); mtu_bytes is the ATT MTU in force (23 on connect). */
  ring_ble_connected(connected: number, mtu_bytes: number): void;
  /** One ATT PDU from the client. Returns 0 or a negative error (never throws). */
  ring_ble_rx(pdu: Uint8Array, length: number): number;
  /** The controller's TX queue has room again. */
  ring_ble_tx_space(): void;
}

const ENTRY_POINTS = ['ring_ble_attach', 'ring_ble_connected', 'ring_ble_rx', 'ring_ble_tx_space'] as const;

export class FirmwareBleMissing extends Error {
  constructor(missing: readonly string[]) {
    super(
      `the firmware has no BLE GATT server yet (firmware/ring.ts does not export ${missing.join(', ')}); ` +
        'the simulated ring cannot speak the protocol',
    );
    this.name = 'FirmwareBleMissing';
  }
}

/** The entry points, or null with the names that are missing. */
export function findFirmwareBle(firmware: object = fw): { ble: FirmwareBle | null; missing: string[] } {
  const mod = firmware as Record<string, unknown>;
  const missing = ENTRY_POINTS.filter((name) => typeof mod[name] !== 'function');
  if (missing.length > 0) return { ble: null, missing };
  return { ble: mod as unknown as FirmwareBle, missing };
}

/** The entry points; throws FirmwareBleMissing when the firmware lacks them. */
export function firmwareBle(firmware: object = fw): FirmwareBle {
  const { ble, missing } = findFirmwareBle(firmware);
  if (ble === null) throw new FirmwareBleMissing(missing);
  return ble;
}

/** Whether this firmware build has the GATT server (tests skip end-to-end cases without it). */
export function firmwareHasBle(): boolean {
  return findFirmwareBle().ble !== null;
}
