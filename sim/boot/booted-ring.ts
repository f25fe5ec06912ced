// A simulated ring that boots like a real one: at every reset the boot stage
// (boot-stage.ts) picks and verifies a slot of the flash, the loader (loader.ts) runs that
// slot's payload, and the RingDevice (sim/ring-device.ts) drives it. So the firmware that
// runs is the firmware that was flashed.
//
// Resets, as a ring has them:
//   power-on  a power cut (FlashPowerLoss from the flash model: the firmware or the boot
//             stage stops inside a flash operation); the ring comes back POWER_OFF_US later
//   soft      the firmware asked (image reset, revert)
//   fault     an exception escaped the firmware (on the ring: a HardFault, then reset)
//   self-test ring_boot or ring_ble_attach returned an error
//   watchdog  a call into the firmware hung (loader.ts), or an image on trial was not
//             confirmed within confirm_window_ms of its boot
// A firmware that is dead (between the fault and the reset) answers nothing; the link
// drops at once, as the supervision timeout would end it.

import type { BleHal, FlashHal } from '../../firmware/hal.js';
import type { Fixture } from '../fixture/types.js';
import { FlashPowerLoss, NorFlash } from '../flash/nor-flash.js';
import type { FirmwareBle } from '../device/firmware-ble.js';
import { RingDevice, type FirmwareCore, type RingDeviceOptions } from '../ring-device.js';
import type { SimRingHal } from '../ring-hal.js';
import { bootStage, NoBootableImage, type BootDecision, type BootPolicy, type ResetCause } from './boot-stage.js';
import { FirmwareHang, LoadedFirmware, type EntryPoint } from './loader.js';
import * as S from '../../firmware/cmd/image-state.js';

export const CONFIRM_WINDOW_MS_DEFAULT = 60_000;
export const POWER_OFF_US = 1_000;
const SOFT_RESET_DELAY_US = 100_000; // the response to a reset command goes out first (a few intervals)
/** Resets in a row inside the boot stage before the simulation gives up (a fault plan gone wrong). */
const BOOT_ATTEMPTS_MAX = 64;

export interface BootedRingOptions extends Omit<RingDeviceOptions, 'firmware' | 'ble' | 'flash'> {
  flash: NorFlash;
  policy: BootPolicy;
  /** A new image must confirm itself within this long after its boot, else the watchdog reverts it. */
  confirm_window_ms?: number;
  watchdog_call_ms?: number;
}

export interface ResetRecord {
  at_us: number;
  cause: ResetCause;
  detail: string;
  decision: { slot: number; trial: boolean; version: string; sha256: string; events: string[] } | null;
  /** The power was cut inside the boot stage: no decision; the next record is the boot after it. */
  interrupted?: string;
}

export class BootedRing {
  readonly device: RingDevice;
  readonly flash: NorFlash;
  readonly resets: ResetRecord[] = [];
  private fw: LoadedFirmware | null = null;
  private current: BootDecision | null = null;
  private dead = false;
  private reset_scheduled = false;
  private watchdog_epoch = 0;
  private readonly policy: BootPolicy;
  private readonly confirm_window_us: number;
  private readonly watchdog_call_ms: number | undefined;

  constructor(fixture: Fixture | null, opts: BootedRingOptions) {
    this.flash = opts.flash;
    this.policy = opts.policy;
    this.confirm_window_us = (opts.confirm_window_ms ?? CONFIRM_WINDOW_MS_DEFAULT) * 1000;
    this.watchdog_call_ms = opts.watchdog_call_ms;
    this.runBootStage('power-on', 'first power-on');
    const { flash: _f, policy: _p, confirm_window_ms: _c, watchdog_call_ms: _w, ...device_opts } = opts;
    this.device = new RingDevice(fixture, { ...device_opts, flash: this.flash, core: this.core(), ble: this.ble() });
    this.armConfirmWatchdog();
  }

  /** What the boot stage chose at the last reset. */
  get booted(): BootDecision {
    if (this.current === null) throw new Error('the ring has not booted');
    return this.current;
  }

  get running(): boolean {
    return !this.dead;
  }

  /** Reset the ring now (as the reset pin would). */
  reset(cause: ResetCause, detail: string): void {
    this.reset_scheduled = false;
    this.runBootStage(cause, detail);
    this.dead = false;
    this.device.reboot();
    this.armConfirmWatchdog();
  }

  // ------------------------------------------------------------------------------------

  private runBootStage(cause: ResetCause, detail: string): void {
    let c = cause;
    let d = detail;
    for (let attempt = 0; attempt < BOOT_ATTEMPTS_MAX; attempt++) {
      const rec: ResetRecord = { at_us: this.device?.now_us ?? 0, cause: c, detail: d, decision: null };
      this.resets.push(rec);
      try {
        const dec = bootStage(this.flash as FlashHal, this.policy, c);
        this.fw = new LoadedFirmware(dec.payload, this.watchdog_call_ms);
        this.current = dec;
        rec.decision = {
          slot: dec.slot, trial: dec.trial, version: `${dec.info.version.major}.${dec.info.version.minor}.${dec.info.version.patch}`,
          sha256: dec.info.sha256, events: dec.events,
        };
        return;
      } catch (err) {
        if (err instanceof FlashPowerLoss) {
          rec.interrupted = err.message;
          c = 'power-on';
          d = `power lost in the boot stage: ${err.message}`;
          continue;
        }
        if (err instanceof NoBootableImage) throw err;
        throw err;
      }
    }
    throw new Error(`the boot stage was interrupted ${BOOT_ATTEMPTS_MAX} times in a row`);
  }

  /** After a trial boot: revert unless the image confirms itself in time. */
  private armConfirmWatchdog(): void {
    if (!this.current?.trial) return;
    const epoch = ++this.watchdog_epoch;
    this.device.queue.schedule(this.device.now_us + this.confirm_window_us, () => {
      if (epoch !== this.watchdog_epoch || this.dead) return;
      if (this.stillOnTrial()) this.reset('watchdog', `not confirmed within ${this.confirm_window_us / 1000} ms`);
    });
  }

  /** Whether the running image is still on trial: asks the update state as the ring's watchdog hook would. */
  private stillOnTrial(): boolean {
    return trialInState(this.flash);
  }

  /** The firmware stops: the link drops now, the ring resets after delay_us. */
  private die(cause: ResetCause, detail: string, delay_us: number): void {
    if (this.dead) return;
    this.dead = true;
    this.watchdog_epoch++;
    this.flash.disarmPowerCut();
    const q = this.device?.queue;
    if (!q) return;
    q.schedule(q.now_us + 1, () => {
      if (this.device.link.connected) this.device.link.disconnect('peripheral-terminated');
    });
    if (!this.reset_scheduled) {
      this.reset_scheduled = true;
      q.schedule(q.now_us + delay_us, () => this.reset(cause, detail));
    }
  }

  /** One call into the loaded firmware, with faults turned into resets. */
  private call(entry: EntryPoint, ...args: unknown[]): number {
    if (this.fw === null) throw new Error('no firmware loaded');
    return this.fw.call(entry, ...args);
  }

  private guarded(entry: EntryPoint, fallback: number, ...args: unknown[]): number {
    if (this.dead) return fallback;
    try {
      const r = this.call(entry, ...args);
      if ((entry === 'ring_boot' || entry === 'ring_ble_attach') && r !== 0) {
        this.die('self-test', `${entry} returned ${r}`, SOFT_RESET_DELAY_US);
        return 0;
      }
      if (entry === 'ring_ble_rx' || entry === 'ring_ble_tx_space') this.checkResetRequest();
      return r;
    } catch (err) {
      if (err instanceof FlashPowerLoss) this.die('power-on', err.message, POWER_OFF_US);
      else if (err instanceof FirmwareHang) this.die('watchdog', err.message, 0);
      else this.die('fault', `exception escaped the firmware: ${(err as Error).message}`, 0);
      return fallback;
    }
  }

  private checkResetRequest(): void {
    if (this.reset_scheduled || this.call('ring_image_reset_requested') === 0) return;
    this.reset_scheduled = true;
    const q = this.device.queue;
    q.schedule(q.now_us + SOFT_RESET_DELAY_US, () => {
      if (!this.dead) this.reset('soft', 'the firmware asked for a reset');
    });
  }

  private core(): FirmwareCore {
    return {
      ring_boot: (hal: SimRingHal, rate_hz: number): number => this.guarded('ring_boot', 0, hal, rate_hz),
      ring_on_sensor_irq: (): number => this.guarded('ring_on_sensor_irq', 0),
    };
  }

  private ble(): FirmwareBle {
    return {
      ring_ble_attach: (ble: BleHal, flash: FlashHal): number => {
        return this.guarded('ring_ble_attach', 0, ble, flash);
      },
      ring_ble_connected: (connected: number, mtu: number): void => {
        this.guarded('ring_ble_connected', 0, connected, mtu);
      },
      ring_ble_rx: (pdu: Uint8Array, length: number): number => this.guarded('ring_ble_rx', -1, pdu, length),
      ring_ble_tx_space: (): void => {
        this.guarded('ring_ble_tx_space', 0);
      },
    };
  }
}

/** Whether the update state says an image is on trial (read-only: replays the log). */
export function trialInState(flash: NorFlash): boolean {
  return readState(flash).trial !== 255;
}

export interface UpdateStateView {
  active: number;
  trial: number;
  pending: number;
  min_sc: number;
}

/** The update state as the log says, read straight from the part (no flash operation counted). */
export function readState(flash: NorFlash): UpdateStateView {
  const view: FlashHal = {
    flash_read: (addr, dst, off, len) => {
      dst.set(flash.data.subarray(addr, addr + len), off);
      return 0;
    },
    flash_write: () => -1,
    flash_erase: () => -1,
    flash_sector_bytes: () => flash.flash_sector_bytes(),
    flash_write_unit_bytes: () => flash.flash_write_unit_bytes(),
    flash_size_bytes: () => flash.flash_size_bytes(),
  };
  if (S.state_boot(view) < 0) throw new Error('update state unreadable');
  return { active: S.state_get(S.S_ACTIVE), trial: S.state_get(S.S_TRIAL), pending: S.state_get(S.S_PENDING), min_sc: S.state_get(S.S_MIN_SC) };
}
