// The two calls the sensor pipeline makes into the BLE layer, kept apart from it: until
// ring_ble_attach registers the handlers they do nothing. firmware/main.ts imports only
// this module, so a ring without a radio (the Duktape host's ES5 bundle) carries none of
// the GATT server, command or log code: esbuild keeps no statement of the modules only
// the re-exported entry points reach, as they have no top-level side effects.

export type RecordHandler = (kind: number, record: Int32Array, field_count: number) => void;
export type RawSampleHandler = (x: number) => void;

let record_handler: RecordHandler | null = null;
/** The raw-sample handler; firmware/main.ts calls it directly (one call per sample less than stream_on_raw_sample). */
export let raw_handler: RawSampleHandler | null = null;

/** Register the handlers (ring_ble_attach). */
export function ble_hooks_set(on_record: RecordHandler, on_raw: RawSampleHandler): void {
  record_handler = on_record;
  raw_handler = on_raw;
}

/**
 * Every record the firmware emits (main.ts emit(), after Hal.emit): appended to the
 * history log, fed to the streams and the Heart Rate Service. record is not kept.
 */
export function ble_on_record(kind: number, record: Int32Array, field_count: number): void {
  const handler = record_handler;
  if (handler !== null) handler(kind, record, field_count);
}

/**
 * Every raw PPG sample, once, in processing order (the raw PPG stream). The pipeline
 * calls raw_handler itself for each sample (the same thing without this call); lost FIFO
 * samples are learned from the overflow status.
 */
export function stream_on_raw_sample(x: number): void {
  const handler = raw_handler;
  if (handler !== null) handler(x);
}
