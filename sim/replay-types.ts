// What a replay produces: every record the firmware emitted, decoded, with the virtual
// time at which it left the ring. Scoring and the CLI consume this; they never read
// firmware memory.

import type { RingFirmware } from "./firmware-module.js";

export interface BeatOut {
  time_ms: number;
  ibi_ms: number;
  ibi_valid: boolean;
  sqi: number;
  amplitude: number;
  index: number;
  /** Virtual time (µs since the first sample) at which the firmware emitted the beat. */
  emitted_us: number;
}

export interface HrOut {
  time_ms: number;
  hr_bpm_x10: number;
  confidence: number;
  emitted_us: number;
}

export interface HrvOut {
  window_s: number;
  end_ms: number;
  beat_count: number;
  valid_permille: number;
  mean_ibi_ms_x10: number;
  sdnn_ms_x10: number;
  rmssd_ms_x10: number;
  pnn50_permille: number;
  published: boolean;
  emitted_us: number;
}

export interface StatusOut {
  time_ms: number;
  code: number;
  value: number;
  emitted_us: number;
}

/** A wellness record (protocol/ids.ts RECORD_SLEEP..RECORD_STRESS_LEVEL; fields: firmware/wellness/records.ts). */
export interface WellnessOut {
  kind: number;
  fields: number[];
  emitted_us: number;
}

/**
 * The ring's measurement configuration for a replay (PROTOCOL.md section 8.3): what a host
 * sets with the config command once connected. Only a replay over the protocol applies it.
 */
export interface ReplayConfig {
  sample_rate_hz?: number;
  hrv_short_s?: number;
  hrv_long_s?: number;
  stream?: { ppg_decim?: number; ppg_batch?: number; hr_period_s?: number };
  hrs?: boolean;
}

export interface ReplayOptions {
  rate_hz: number;
  seed: number;
  /** Configuration the host sets over the link before it subscribes (protocol replays only). */
  config?: ReplayConfig;
  /** The firmware to run (sim/firmware-module.ts); default the one built with the simulator. */
  firmware?: RingFirmware;
  /**
   * Called now and then with the virtual time reached (µs since the first sample), for a
   * progress display; it must not touch the simulation (the result does not depend on it).
   */
  onProgress?: (now_us: number) => void;
}

export interface ReplayResult {
  record: string;
  rate_hz: number;
  seed: number;
  /** Length of the replayed recording. */
  duration_ms: number;
  sample_count: number;
  beats: BeatOut[];
  hr: HrOut[];
  hrv: HrvOut[];
  status: StatusOut[];
  /** Wellness records, when the firmware emitted any. */
  wellness?: WellnessOut[];
}

/**
 * A list of records as the formatters read it: an array, or a compact store
 * (sim/replay-store.ts) that keeps records in typed columns rather than as objects.
 */
export interface RecordList<T> {
  readonly length: number;
  at(i: number): T | undefined;
  push(item: T): number;
  [Symbol.iterator](): Iterator<T>;
}

/** A replay's records in lists of either kind (ReplayResult is one with arrays). */
export interface ReplayView {
  record: string;
  rate_hz: number;
  seed: number;
  duration_ms: number;
  sample_count: number;
  beats: RecordList<BeatOut>;
  hr: RecordList<HrOut>;
  hrv: RecordList<HrvOut>;
  status: RecordList<StatusOut>;
  wellness?: WellnessOut[];
}
