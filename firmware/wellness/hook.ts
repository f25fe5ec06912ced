// The three calls the sensor pipeline makes into the wellness module, kept apart from it
// like ble/hook.ts: until wellness_attach registers the module they do nothing, so a build
// from firmware/main.ts alone (the radio-less Duktape bundle) carries none of its code.
// firmware/ring.ts, the whole firmware, attaches it at boot.

import { Hal } from "../hal.js";

export type MotionHandler = (activity_mg: number) => void;
export type HrvHandler = (end_ms: number, is_long: boolean, published: boolean, rmssd_ms_x10: number, mean_ibi_ms_x10: number) => void;
export type TickHandler = (t_ms: number) => void;
export type BootHandler = (hal: Hal) => void;

export let wl_motion: MotionHandler | null = null;
export let wl_hrv: HrvHandler | null = null;
export let wl_tick: TickHandler | null = null;
export let wl_boot: BootHandler | null = null;

/**
 * The activity figure from which an interrupt counts as active (wellness.ts ACT_MG): below
 * it the motion hook has nothing to do, so the pipeline does not call it.
 */
export const WL_ACTIVE_MG = 50;
/**
 * The sample time from which the tick hook has something to do (the end of the minute being
 * filled; 0: call it): before it, the pipeline does not call it. The wellness module moves it
 * with its minute.
 */
export let wl_tick_due_ms = 0;

export function wl_tick_due_set(t_ms: number): void {
  wl_tick_due_ms = t_ms;
}

export function wellness_hooks_set(boot: BootHandler, motion: MotionHandler, hrv: HrvHandler, tick: TickHandler): void {
  wl_boot = boot;
  wl_motion = motion;
  wl_hrv = hrv;
  wl_tick = tick;
}
