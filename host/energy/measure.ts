// What the energy model needs, measured on the simulation: the engine's instructions per
// sample (callgrind over the whole firmware, engines/cpu.ts), the simulated link's
// connection events and packets while streaming and during a history sync (sim/ble), the
// records the firmware logs per day (the firmware run on the fixture) and what its log wrote
// to the simulated flash (sim/flash/nor-flash.ts) while the ring recorded the fixture.

import { loadFixture } from '../../sim/fixture/load.js';
import { RingDevice } from '../../sim/ring-device.js';
import { packetAirUs } from '../../sim/ble/timing.js';
import type { LinkStats } from '../../sim/ble/link.js';
import type { DirectionStats } from '../../sim/ble/ll-direction.js';
import { RingClient } from '../client/client.js';
import { StreamSubscription } from '../client/stream.js';
import { readHistory } from '../client/history.js';
import { SimTransport } from '../transport/sim-transport.js';
import { feedScript } from '../../engines/driver/script.js';
import { enginePaths, runNodeScript, type EngineName } from '../../engines/run.js';
import { instructionsPerSample } from '../../engines/cpu.js';
import { sensorStreamOf } from '../../tools/duk/write-stream.js';
import type { LinkActivity } from './model.js';

export interface LinkSetup {
  phy: '1M' | '2M';
  interval_ms: number;
  mtu: number;
  seed: number;
}

const L2CAP_HEADER_BYTES = 4;
const STREAM_KINDS_ALL = 15; // beats, HR, HRV windows, raw PPG
const STREAM_MEASURE_S = 60;

function minus(a: DirectionStats, b: DirectionStats): DirectionStats {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof DirectionStats)[]) out[k] = a[k] - b[k];
  return out;
}

/** The peripheral's radio activity between two snapshots of the link's counters. */
export function linkActivity(before: LinkStats, after: LinkStats, phy: '1M' | '2M'): LinkActivity {
  const tx = minus(after.p2c, before.p2c);
  const rx = minus(after.c2p, before.c2p);
  const air = (d: DirectionStats): number => {
    const sdu_bytes = d.bytes_delivered + L2CAP_HEADER_BYTES * d.pdus_delivered;
    const payload = d.ll_data_packets > 0 ? Math.min(251, Math.ceil(sdu_bytes / d.ll_data_packets)) : 0;
    return d.ll_data_packets * packetAirUs(phy, payload) + d.ll_empty_packets * packetAirUs(phy, 0);
  };
  return {
    connection_events: after.connection_events - before.connection_events,
    tx_packets: tx.ll_data_packets + tx.ll_empty_packets,
    rx_packets: rx.ll_data_packets + rx.ll_empty_packets - rx.ll_lost,
    tx_air_us: air(tx),
    rx_air_us: air(rx),
  };
}

function newDevice(fixture_path: string, rate_hz: number, link: LinkSetup): { device: RingDevice; client: RingClient } {
  const device = new RingDevice(loadFixture(fixture_path), {
    seed: link.seed,
    rate_hz,
    link: { central_mtu_max_bytes: link.mtu, interval_us: Math.round(link.interval_ms * 1000), phy: link.phy },
  });
  return { device, client: new RingClient(new SimTransport(device)) };
}

/** Streaming every kind for STREAM_MEASURE_S seconds (or the fixture, if shorter). */
export async function measureStreaming(fixture_path: string, rate_hz: number, link: LinkSetup): Promise<{ activity: LinkActivity; seconds: number }> {
  const { device, client } = newDevice(fixture_path, rate_hz, link);
  await client.connect();
  try {
    const sub = await StreamSubscription.open(client, STREAM_KINDS_ALL, { resubscribe: true });
    const before = device.link.stats();
    const start_us = device.now_us;
    const span_us = Math.min(STREAM_MEASURE_S * 1_000_000, Math.max(1_000_000, device.fixture_duration_us - start_us));
    await sub.runUntil(() => device.now_us >= start_us + span_us, span_us + 1_000_000);
    const after = device.link.stats();
    const seconds = (device.now_us - start_us) / 1e6;
    await sub.close();
    return { activity: linkActivity(before, after, link.phy), seconds };
  } finally {
    await client.close();
  }
}

/** What the log wrote to the simulated flash while the ring recorded (boot's mount excluded). */
export interface FlashActivity {
  bytes_written: number;
  erases: number;
  seconds: number;
}

/**
 * One history sync of everything the ring logged over the fixture, and what logging it
 * wrote to the ring's flash (the firmware's log store on the NOR flash model: batches,
 * sector headers and all).
 */
export async function measureHistorySync(fixture_path: string, rate_hz: number, link: LinkSetup): Promise<{ activity: LinkActivity; records: number; flash: FlashActivity }> {
  const { device, client } = newDevice(fixture_path, rate_hz, link);
  const booted = { ...device.flash.stats };
  const start_us = device.now_us;
  if (!device.runToEnd()) throw new Error('the simulated ring did not finish its recording');
  const flash = {
    bytes_written: device.flash.stats.bytes_written - booted.bytes_written,
    erases: device.flash.stats.erases - booted.erases,
    seconds: (device.now_us - start_us) / 1e6,
  };
  await client.connect();
  try {
    await client.info();
    const before = device.link.stats();
    const h = await readHistory(client, { from_seq: 1, page_records: client.page_max });
    const after = device.link.stats();
    return { activity: linkActivity(before, after, link.phy), records: h.records.length, flash };
  } finally {
    await client.close();
  }
}

/** Records the firmware emits per day at a rate, from a run over the fixture (Node, the reference engine). */
export async function recordsPerDay(fixture_path: string, rate_hz: number): Promise<number> {
  const stream = sensorStreamOf(fixture_path, rate_hz);
  const run = await runNodeScript(enginePaths(), feedScript(stream, { rate_hz, no_radio: true }));
  const records = run.text.split('\n').filter((l) => l !== '' && !l.startsWith('=') && !l.startsWith('>')).length;
  return (records * 86_400 * rate_hz) / Math.max(1, stream.length);
}

/** The firmware's instructions per sample on an engine, over the first `seconds` of the fixture. */
export async function measureInstructions(engine: EngineName, fixture_path: string, rate_hz: number, seconds: number): Promise<number> {
  const stream = sensorStreamOf(fixture_path, rate_hz).subarray(0, rate_hz * seconds);
  const r = await instructionsPerSample(enginePaths(), engine, stream, rate_hz);
  return r.firmware_instructions_per_sample;
}
