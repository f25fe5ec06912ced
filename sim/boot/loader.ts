// Runs a firmware image's payload: the ES5 bundle of firmware/ring.ts (make firmware-image)
// evaluated in its own `vm` context, so what runs is exactly the bytes the boot stage read
// from the slot. The bundle puts its entry points on the global RingFirmware.
//
// The context gets the host's typed-array constructors and Error: buffers the firmware
// allocates are then ordinary Uint8Arrays to the simulator's link and flash (which check
// `instanceof`), and a thrown Error is recognisable. Nothing else of the host is visible:
// no require, no process, no timers, as on the ring.
//
// Every call into the firmware runs under a time limit: a firmware that loops forever is a
// hang the simulated watchdog catches (FirmwareHang); the limit is wall-clock time because
// a loop that never returns never advances virtual time, and it is generous (a call of the
// real firmware takes microseconds), so it fires only for a true hang.

import vm from 'node:vm';

export const ENTRY_POINTS = [
  'ring_boot', 'ring_on_sensor_irq', 'ring_ble_attach', 'ring_ble_connected', 'ring_ble_rx', 'ring_ble_tx_space',
  'ring_image_reset_requested',
] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/** A call into the firmware did not return within the watchdog's limit. */
export class FirmwareHang extends Error {
  constructor(entry: string, limit_ms: number) {
    super(`firmware ${entry} did not return within ${limit_ms} ms: watchdog reset`);
    this.name = 'FirmwareHang';
  }
}

/** The payload does not load: not a script, or it lacks an entry point. */
export class FirmwareLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FirmwareLoadError';
  }
}

export const WATCHDOG_CALL_MS_DEFAULT = 2000;

export class LoadedFirmware {
  private readonly ctx: vm.Context;
  private readonly call_script = new vm.Script('RingFirmware[__entry].apply(null, __args)');

  constructor(payload: Uint8Array, readonly watchdog_call_ms = WATCHDOG_CALL_MS_DEFAULT) {
    this.ctx = vm.createContext({
      Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float64Array, Uint8ClampedArray, Error,
      __entry: '', __args: [],
    });
    const source = Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString('utf8');
    try {
      new vm.Script(source, { filename: 'slot-payload.js' }).runInContext(this.ctx, { timeout: watchdog_call_ms });
    } catch (err) {
      if (isTimeout(err)) throw new FirmwareHang('load', watchdog_call_ms);
      throw new FirmwareLoadError(`the image's payload does not run: ${(err as Error).message}`);
    }
    const fw = (this.ctx as { RingFirmware?: Record<string, unknown> }).RingFirmware;
    const missing = ENTRY_POINTS.filter((e) => typeof fw?.[e] !== 'function');
    if (missing.length > 0) throw new FirmwareLoadError(`the image's payload lacks ${missing.join(', ')}`);
  }

  call(entry: EntryPoint, ...args: unknown[]): number {
    const c = this.ctx as { __entry: string; __args: unknown[] };
    c.__entry = entry;
    c.__args = args;
    try {
      return this.call_script.runInContext(this.ctx, { timeout: this.watchdog_call_ms }) as number;
    } catch (err) {
      if (isTimeout(err)) throw new FirmwareHang(entry, this.watchdog_call_ms);
      throw err;
    } finally {
      c.__args = [];
    }
  }
}

function isTimeout(err: unknown): boolean {
  return (err as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}
