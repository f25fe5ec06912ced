// The two calls the sensor pipeline makes into the BLE layer, kept apart from it: until
// ring_ble_attach registers the handlers they do nothing. firmware/main.ts imports only
// this module, so a ring without a radio (the Duktape host's ES5 bundle) carries none of
// the GATT server, command or log code: esbuild keeps no statement of the modules only
// the re-exported entry points reach, as they have no top-level side effects.

export type RecordHandler = (kind: number, record: Int32Array, field_count: number) => void;
export type RawSampleHandler = (x: number) => void;
export type TickHandler = () => void;

/** Every record the pipeline emits (firmware/main.ts calls it directly; others through ble_on_record). */
export let record_handler: RecordHandler | null = null;
/**
 * Every raw sample, before the pipeline takes it, while the raw PPG stream is on (the
 * stream sets it, firmware/cmd/stream.ts); null otherwise, so the sample path pays nothing
 * for a stream nobody has subscribed to. firmware/main.ts calls it directly.
 */
export let raw_handler: RawSampleHandler | null = null;
/** Before every TICK_SAMPLES-th sample (firmware/main.ts): the history log's flush bound. */
export let tick_handler: TickHandler | null = null;

/** Register the handlers (ring_ble_attach). */
export function ble_hooks_set(on_record: RecordHandler, on_tick: TickHandler): void {
  record_handler = on_record;
  tick_handler = on_tick;
  raw_handler = null;
}

/** The raw PPG stream starts (a handler) or stops (null). */
export function raw_handler_set(on_raw: RawSampleHandler | null): void {
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
