// Which firmware the simulator runs. By default the firmware compiled with the simulator
// (firmware/ring.ts); a build of it can be loaded from a file instead: an ES module
// bundle such as `esbuild firmware/ring.ts --bundle --format=esm --platform=neutral`, made
// from changed sources or constants. The simulator reaches the firmware only through
// these entry points, so a loaded build runs exactly like the built-in one.

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as builtin from '../firmware/ring.js';
import type { Hal } from '../firmware/hal.js';

/** The sensor pipeline's entry points (firmware/main.ts); the BLE ones are optional (sim/device/firmware-ble.ts). */
export interface RingFirmware {
  ring_boot(hal: Hal, sample_rate_hz: number): number;
  ring_on_sensor_irq(): number;
  /** The sensor's convention (raw photodiode counts or the inverted channel); older builds lack it. */
  ring_sensor_raw_counts?(raw: boolean): void;
}

export const BUILTIN_FIRMWARE: RingFirmware = builtin;

export class FirmwareLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FirmwareLoadError';
  }
}

/**
 * Import a firmware bundle. The firmware keeps its state in module variables (boot, then
 * freeze), so one loaded module is one ring: a distinct fresh_key gives a distinct instance.
 */
export async function loadFirmwareBundle(file: string, fresh_key?: string): Promise<RingFirmware> {
  const url = pathToFileURL(path.resolve(file)).href + (fresh_key === undefined ? '' : `?${encodeURIComponent(fresh_key)}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new FirmwareLoadError(`cannot load firmware bundle ${file}: ${why}`);
  }
  const missing = ['ring_boot', 'ring_on_sensor_irq'].filter((name) => typeof mod[name] !== 'function');
  if (missing.length > 0) {
    throw new FirmwareLoadError(`${file} is not a firmware bundle: it does not export ${missing.join(', ')} (build it from firmware/ring.ts as an ES module)`);
  }
  return mod as unknown as RingFirmware;
}
