// A simulated week through the ring's history log: the records a recording makes in the
// real firmware pipeline (a RingDevice replaying it), looped and re-timed for `days` days,
// go into the firmware's record hook (ble_on_record: the same path the pipeline's emit()
// takes: history log, streams, Heart Rate Service) at their emission instant in virtual
// time, on one simulated ring with its flash. Then a host connects over the simulated BLE
// link and reads the whole history with the protocol client, as `ring history` does, and
// the result is compared with what the ring emitted:
//   - every HRV window and status record of the whole period, bit-exact (retention >= days);
//   - every beat and per-beat HR record from beats_first_seq on, bit-exact; those below were
//     evicted, and the ring says so (beats_first_seq);
//   - nothing else, nothing twice.
// Figures: wall time, flash bytes written per day, erase cycles per day of the most erased
// sector, the erase-count spread of the log partition.
//
// Looping is at the record level (the pipeline's output of one recording, shifted in time
// with beat indices continued), so a week takes seconds instead of the hours a sample-level
// week of PPG takes on 2 cores; what is measured here is the log, not the detector. The
// recording looped is an hour (weekBaseFixture): the 300 s HRV windows come every minute
// only once 5 minutes are in, so a short loop would store fewer of them than a worn ring does.

import { performance } from 'node:perf_hooks';
import { ble_on_record } from '../../firmware/ble/hook.js';
import { PART_LOG_ADDR, PART_LOG_BYTES } from '../../firmware/flash-map.js';
import * as out from '../../firmware/output.js';
import type { Fixture } from '../../sim/fixture/types.js';
import { SHIPPED_FIXTURES, shippedOptions } from '../../sim/synth/presets.js';
import { generateRingPpg } from '../../sim/synth/ring-ppg.js';
import { RingDevice } from '../../sim/ring-device.js';
import { SimTransport } from '../../host/transport/sim-transport.js';
import { RingClient } from '../../host/client/client.js';
import { readHistory } from '../../host/client/history.js';
import type { HistoryRecord } from '../../host/client/messages.js';
import { BENCH_LINK } from '../../bench/protocol.js';

export interface LogWeekResult {
  days: number;
  records_emitted: number;
  records_read: number;
  beats_first_seq: number;
  /** Hours of beats and per-beat HR the log held at the end. */
  beats_retention_h: number;
  mismatches: string[];
  log_week_sim_s: number;
  log_flash_bytes_per_day: number;
  log_erase_cycles_per_day_max: number;
  erase_min: number;
  erase_max: number;
  history_read_s_virtual: number;
  history_pages: number;
}

interface Emitted {
  kind: number;
  fields: number[];
  emitted_ms: number;
}

const DAY_MS = 86_400_000;
/** The looped recording's length: long enough that its HRV windows are those of steady wear. */
export const WEEK_BASE_S = 3600;

/**
 * The synthetic resting recording (synth-rest's generator set-up, generated RR so the same
 * on every machine) lasting duration_s: the week's loop.
 */
export function weekBaseFixture(duration_s = WEEK_BASE_S): Fixture {
  const spec = SHIPPED_FIXTURES.find((f) => f.file === 'synth-rest.ringfx');
  if (spec === undefined) throw new Error('no synth-rest set-up in sim/synth/presets.ts');
  // No datasets folder: the generated RR, so the week is the same on every machine.
  return generateRingPpg(shippedOptions({ ...spec, options: { ...spec.options, record: `synth-rest-${duration_s}s`, duration_s, sample_rate_hz: 25 } }, undefined));
}

/** The pipeline's records for one pass of the recording (the boot record dropped). */
function baseRecords(fixture: Fixture, seed: number): { records: Emitted[]; duration_ms: number; beats: number } {
  const dev = new RingDevice(fixture, { seed, rate_hz: 25, drift_ppm: 0, keep_records: true });
  if (!dev.runToEnd()) throw new Error(`the recording did not finish (${dev.describe()})`);
  const records = dev.hal.records
    .filter((r) => !(r.kind === out.OUT_KIND_STATUS && r.fields[out.STATUS_CODE] === out.STATUS_BOOT))
    .map((r) => ({ kind: r.kind, fields: [...r.fields], emitted_ms: Math.floor(r.emitted_us / 1000) }));
  const duration_ms = Math.ceil(dev.fixture_duration_us / 1000);
  const beats = records.filter((r) => r.kind === out.OUT_KIND_BEAT).length;
  return { records, duration_ms, beats };
}

function shifted(r: Emitted, loop: number, duration_ms: number, beats: number): Emitted {
  const f = [...r.fields];
  const dt = loop * duration_ms;
  if (r.kind === out.OUT_KIND_BEAT) {
    f[out.BEAT_TIME_MS] += dt;
    f[out.BEAT_INDEX] += loop * beats;
  } else if (r.kind === out.OUT_KIND_HR) {
    f[out.HR_TIME_MS] += dt;
  } else if (r.kind === out.OUT_KIND_HRV) {
    f[out.HRV_END_MS] += dt;
  } else if (r.kind === out.OUT_KIND_STATUS) {
    f[out.STATUS_TIME_MS] += dt;
  }
  return { kind: r.kind, fields: f, emitted_ms: r.emitted_ms + dt };
}

/** The record as the protocol carries it (firmware/cmd/history.ts write_record). */
function asHistory(seq: number, e: Emitted): HistoryRecord {
  const f = e.fields;
  const nn = (v: number): number => (v > 0 ? v : 0);
  switch (e.kind) {
    case out.OUT_KIND_BEAT:
      return {
        seq, type: 'beat', time_ms: f[out.BEAT_TIME_MS]!, ibi_ms: nn(f[out.BEAT_IBI_MS]!), ibi_valid: f[out.BEAT_IBI_VALID] !== 0,
        sqi: nn(f[out.BEAT_SQI]!), amplitude: f[out.BEAT_AMPLITUDE]!, beat_index: nn(f[out.BEAT_INDEX]!), emitted_ms: e.emitted_ms,
      };
    case out.OUT_KIND_HR:
      return { seq, type: 'hr', time_ms: f[out.HR_TIME_MS]!, hr_bpm_x10: nn(f[out.HR_BPM_X10]!), confidence: nn(f[out.HR_CONFIDENCE]!), emitted_ms: e.emitted_ms };
    case out.OUT_KIND_HRV:
      return {
        seq, type: 'hrv', end_ms: f[out.HRV_END_MS]!, window_s: nn(f[out.HRV_WINDOW_S]!), beat_count: nn(f[out.HRV_BEAT_COUNT]!),
        valid_permille: nn(f[out.HRV_VALID_PERMILLE]!), mean_ibi_ms_x10: nn(f[out.HRV_MEAN_IBI_MS_X10]!), sdnn_ms_x10: nn(f[out.HRV_SDNN_MS_X10]!),
        rmssd_ms_x10: nn(f[out.HRV_RMSSD_MS_X10]!), pnn50_permille: nn(f[out.HRV_PNN50_PERMILLE]!), published: f[out.HRV_PUBLISHED] !== 0,
        emitted_ms: e.emitted_ms,
      };
    default:
      return { seq, type: 'status', time_ms: f[out.STATUS_TIME_MS]!, code: nn(f[out.STATUS_CODE]!), value: f[out.STATUS_VALUE]!, emitted_ms: e.emitted_ms };
  }
}

export async function runLogWeek(fixture: Fixture, days = 7, seed = 1): Promise<LogWeekResult> {
  const base = baseRecords(fixture, seed);
  const t0 = performance.now();
  const dev = new RingDevice(null, { seed, rate_hz: 25, drift_ppm: 0, link: BENCH_LINK, keep_records: true });
  // The ring's own records so far (the boot status record) come first.
  const emitted: Emitted[] = dev.hal.records.map((r) => ({ kind: r.kind, fields: [...r.fields], emitted_ms: Math.floor(r.emitted_us / 1000) }));
  const written_before = dev.flash.stats.bytes_written;
  const loops = Math.ceil((days * DAY_MS) / base.duration_ms);
  const rec = new Int32Array(out.OUT_RECORD_FIELDS_MAX);
  for (let loop = 0; loop < loops; loop++) {
    for (const r of base.records) {
      const e = shifted(r, loop, base.duration_ms, base.beats);
      if (e.emitted_ms >= days * DAY_MS) break;
      const ahead_ms = e.emitted_ms - dev.ringClockMs();
      if (ahead_ms > 0) dev.runFor(ahead_ms);
      rec.fill(0);
      rec.set(e.fields);
      ble_on_record(e.kind, rec, e.fields.length);
      emitted.push(e);
    }
  }
  const written = dev.flash.stats.bytes_written - written_before;
  // A host connects and reads everything, as `ring history` does.
  const transport = new SimTransport(dev);
  const client = new RingClient(transport);
  await client.connect();
  await client.info();
  const t_read_us = dev.now_us;
  const h = await readHistory(client, {});
  const read_us = dev.now_us - t_read_us;
  await client.close();
  const wall_s = (performance.now() - t0) / 1000;

  const mismatches: string[] = [];
  const bf = h.beats_first_seq ?? 0;
  const got = new Map<number, HistoryRecord>();
  for (const r of h.records) {
    if (got.has(r.seq)) mismatches.push(`seq ${r.seq} read twice`);
    got.set(r.seq, r);
  }
  let expected_count = 0;
  for (let i = 0; i < emitted.length; i++) {
    const seq = i + 1;
    const e = emitted[i]!;
    const beats = e.kind === out.OUT_KIND_BEAT || e.kind === out.OUT_KIND_HR;
    if (beats && seq < bf) {
      if (got.has(seq)) mismatches.push(`seq ${seq} below beats_first_seq ${bf} but read`);
      continue;
    }
    expected_count++;
    const want = JSON.stringify(asHistory(seq, e));
    const r = got.get(seq);
    if (r === undefined) mismatches.push(`seq ${seq} (kind ${e.kind}) missing`);
    else if (JSON.stringify(r) !== want) mismatches.push(`seq ${seq}: read ${JSON.stringify(r)}, emitted ${want}`);
    got.delete(seq);
  }
  for (const seq of got.keys()) mismatches.push(`seq ${seq} read but never emitted`);
  if (h.records.length !== expected_count) mismatches.push(`read ${h.records.length} records, expected ${expected_count}`);
  const first_beat = emitted[bf - 1];
  const beats_retention_h = first_beat ? (days * DAY_MS - first_beat.emitted_ms) / 3_600_000 : 0;
  const sectors_first = PART_LOG_ADDR / dev.flash.params.sector_bytes;
  const wear = dev.flash.wear(sectors_first, PART_LOG_BYTES / dev.flash.params.sector_bytes);
  return {
    days,
    records_emitted: emitted.length,
    records_read: h.records.length,
    beats_first_seq: bf,
    beats_retention_h: Math.round(beats_retention_h * 10) / 10,
    mismatches,
    log_week_sim_s: Math.round(wall_s * 10) / 10,
    log_flash_bytes_per_day: Math.round(written / days),
    log_erase_cycles_per_day_max: Math.round((wear.max / days) * 100) / 100,
    erase_min: wear.min,
    erase_max: wear.max,
    history_read_s_virtual: Math.round(read_us / 1e5) / 10,
    history_pages: h.pages,
  };
}
