// Several simulated rings against one host: each ring replays its own recording with its
// own seed, crystal drift and BLE link; the host syncs with each over the protocol (time
// get, then the whole history), puts every ring's records on one clock (UTC, from the time
// exchange) and computes the couple's co-regulation figures (synchrony.ts) for each pair.
// Deterministic: the same recordings, seeds and drifts give the same output.

import type { Fixture } from '../../sim/fixture/types.js';
import { RingDevice } from '../../sim/ring-device.js';
import { SimTransport } from '../transport/sim-transport.js';
import { RingClient } from '../client/client.js';
import type { HistoryRecord } from '../client/messages.js';
import { shiftWellness, wellnessFromRecords, type Wellness } from './records.js';
import { GRID_MS, onGrid, restOverlap, windowedCrossCorrelation, type TimedValue } from './synchrony.js';

/** Recordings without a start time are put at this UTC (the simulator's default epoch). */
const START_UTC_DEFAULT_MS = 1767225600000;
const SHORT_WINDOW_S_MAX = 120;

export interface TogetherRingOptions {
  fixture: Fixture;
  seed: number;
  drift_ppm?: number;
}

export interface RingTrace {
  record: string;
  seed: number;
  drift_ppm: number;
  /** UTC of the ring's sample 0 as the host estimated it, and the error against the simulation's truth. */
  start_utc_ms: number;
  alignment_error_ms: number;
  records_read: number;
  hr: TimedValue[];
  rmssd: TimedValue[];
  wellness: Wellness;
}

export interface PairFigures {
  a: string;
  b: string;
  hr_synchrony: number | null;
  hrv_synchrony: number | null;
  windows: number;
  rest_overlap: number | null;
}

export interface TogetherResult {
  rate_hz: number;
  start_utc_ms: number;
  end_utc_ms: number;
  rings: RingTrace[];
  pairs: PairFigures[];
}

async function runRing(o: TogetherRingOptions, rate_hz: number): Promise<RingTrace> {
  const start_utc = o.fixture.meta.start_time_unix_ms ?? START_UTC_DEFAULT_MS;
  const dev = new RingDevice(o.fixture, { seed: o.seed, rate_hz, drift_ppm: o.drift_ppm, utc_epoch_ms: start_utc });
  dev.runFor(Math.floor(dev.fixture_duration_us / 1000));
  const client = new RingClient(new SimTransport(dev));
  await client.connect();
  try {
    const t = await client.timeGet();
    // The ring's clock at the host's now: its times map to UTC by this offset. Record times
    // count from the ring's first sample, which is where its clock starts.
    const offset_ms = dev.utcNowMs() - t.now_ms;
    const h = await readAllPages(client);
    const hr: TimedValue[] = [];
    const rmssd: TimedValue[] = [];
    const other: { kind: number; fields: number[] }[] = [];
    for (const r of h.records) {
      if (r.type === 'hrv' && r.window_s <= SHORT_WINDOW_S_MAX && r.published) {
        // The window's centre on the common clock.
        const t_ms = r.end_ms + offset_ms - (r.window_s * 1000) / 2;
        hr.push({ t_ms, value: 600000 / r.mean_ibi_ms_x10 });
        rmssd.push({ t_ms, value: r.rmssd_ms_x10 / 10 });
      } else if (r.type === 'other') {
        other.push({ kind: r.kind, fields: r.fields as number[] });
      }
    }
    const wellness = shiftWellness(wellnessFromRecords(other), offset_ms);
    return {
      record: o.fixture.meta.record, seed: o.seed, drift_ppm: dev.drift_ppm,
      start_utc_ms: offset_ms, alignment_error_ms: offset_ms - start_utc, records_read: h.records.length,
      hr, rmssd, wellness,
    };
  } finally {
    await client.close();
  }
}

export function pairFigures(a: RingTrace, b: RingTrace, start_ms: number, end_ms: number): PairFigures {
  const hr = windowedCrossCorrelation(onGrid(a.hr, start_ms, end_ms), onGrid(b.hr, start_ms, end_ms), start_ms);
  const hrv = windowedCrossCorrelation(onGrid(a.rmssd, start_ms, end_ms), onGrid(b.rmssd, start_ms, end_ms), start_ms);
  const rest = (t: RingTrace) => t.wellness.periods.map((p) => ({ start_ms: p.onset_ms, end_ms: p.wake_ms }));
  return {
    a: a.record, b: b.record,
    hr_synchrony: hr.synchrony, hrv_synchrony: hrv.synchrony, windows: hr.windows.length,
    rest_overlap: restOverlap(rest(a), rest(b)),
  };
}

/** Pages far beyond any recording this runs: 2^32 sequence numbers in pages of >= 1. */
const PAGES_MAX = 1 << 22;

/**
 * The whole history, one page at a time from next_seq (readHistory's pipelined reads stall
 * on a log whose evicted beats leave long gaps in the sequence space: an 18-hour recording).
 */
async function readAllPages(client: RingClient): Promise<{ records: HistoryRecord[] }> {
  const records: HistoryRecord[] = [];
  let from = 1;
  for (let i = 0; i < PAGES_MAX; i++) {
    const page = await client.historyPage(from, client.page_max);
    records.push(...page.records);
    if (page.next_seq <= from) throw new Error(`history read made no progress at seq ${from} (last_seq ${page.last_seq})`);
    from = page.next_seq;
    if (from > page.last_seq) break;
  }
  return { records };
}

/** Rings run one after the other (each its own simulation), then every pair is compared. */
export async function replayTogether(rings: TogetherRingOptions[], rate_hz: number): Promise<TogetherResult> {
  if (rings.length < 2) throw new RangeError('need at least two recordings');
  const traces: RingTrace[] = [];
  for (const r of rings) traces.push(await runRing(r, rate_hz));
  const start_ms = Math.floor(Math.min(...traces.map((t) => t.start_utc_ms)) / GRID_MS) * GRID_MS;
  const end_ms = Math.max(...traces.map((t) => t.hr.length > 0 ? t.hr[t.hr.length - 1].t_ms + GRID_MS : t.start_utc_ms));
  const pairs: PairFigures[] = [];
  for (let i = 0; i < traces.length; i++) for (let j = i + 1; j < traces.length; j++) pairs.push(pairFigures(traces[i], traces[j], start_ms, end_ms));
  return { rate_hz, start_utc_ms: start_ms, end_utc_ms: end_ms, rings: traces, pairs };
}
