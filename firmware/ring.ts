// The complete ring firmware: the sensor pipeline (main.ts) and the BLE layer (GATT
// server, commands, history log). The simulator runs this. A ring without a radio (the
// Duktape host's bundle) is built from main.ts alone, which reaches the BLE layer only
// through the two no-op hooks of ble/hook.ts, so none of its code or buffers come along.

import { ring_motion_attach } from "./main.js";
import { motion_on_samples } from "./dsp/motion.js";

// Heart rate through motion: the accelerometer-referenced spectral tracker.
ring_motion_attach(motion_on_samples);

export * from "./main.js";
import { ring_boot as pipeline_ring_boot } from "./main.js";
import { Hal } from "./hal.js";
import { wellness_hooks_set } from "./wellness/hook.js";
import { wellness_boot, wellness_on_hrv, wellness_on_motion, wellness_tick } from "./wellness/wellness.js";

/** Boot the whole firmware: the pipeline with the wellness summaries attached (firmware/wellness/). */
export function ring_boot(hal: Hal, rate_hz: number): number {
  wellness_hooks_set(wellness_boot, wellness_on_motion, wellness_on_hrv, wellness_tick);
  return pipeline_ring_boot(hal, rate_hz);
}
export { detector_set_raw_counts as ring_sensor_raw_counts } from "./dsp/beat-detector.js";
export { ring_ble_attach, ring_ble_connected, ring_ble_rx, ring_ble_tx_space, stream_on_raw_sample } from "./ble/entry.js";
export { config_sample_rate_hz, config_hrv_short_s, config_hrv_long_s } from "./cmd/settings.js";
export { config_reboot_required } from "./cmd/config.js";
export { image_reset_requested as ring_image_reset_requested } from "./cmd/image.js";
export { auth_attach as ring_auth_attach, auth_ram_bytes as ring_auth_ram_bytes } from "./auth/auth.js";
