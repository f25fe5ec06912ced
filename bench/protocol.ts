// Protocol figures, measured in virtual time on the simulated ring:
//   history_goodput_kBps      frame bytes (header + CBOR body) of history responses per second
//                             during a full read of one 8-minute recording's log, MTU 247,
//                             2M PHY, 7.5 ms interval (kB = 1000 bytes)
//   history_goodput_fraction  that, divided by capacity() of the same link (the most ATT value
//                             bytes per second notifications can carry)
//   history_sealed_goodput_fraction  the same read by the ring's owner under a session, every
//                             page sealed (PROTOCOL.md section 11): header + "rsp" bytes per
//                             second (the counter and MAC are overhead, not goodput) over capacity
//   session_extra_round_trips requests the session adds to a connection (opened before the read,
//                             as device info is); sealed pages hold 35 bytes less, so a read may
//                             take a page more (history_sealed_pages)
//   fuzz_frames, fuzz_crashes, fuzz_hangs   a seeded run of generated bad frames and PDUs
// Recording: the first capnobase record in ../shared when present (8 minutes), else the
// longest shipped synthetic fixture (said so in history_recording).

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { listFixtures, loadFixture } from '../sim/fixture/load.js';
import type { Fixture } from '../sim/fixture/types.js';
import { RingDevice } from '../sim/ring-device.js';
import { capacity } from '../sim/ble/timing.js';
import type { LinkParams } from '../sim/ble/params.js';
import { SimTransport } from '../host/transport/sim-transport.js';
import { RingClient } from '../host/client/client.js';
import { readHistory } from '../host/client/history.js';
import { runFuzz, type FuzzReport } from '../host/client/fuzz.js';
import { equalBytes, rawMapValues } from '../protocol/host/auth.js';
import { FRAME_HEADER_SIZE } from '../protocol/ids.js';

export const BENCH_LINK: Partial<LinkParams> = { central_mtu_max_bytes: 247, phy: '2M', interval_us: 7_500 };
export const FUZZ_CASES = 100_000;
export const FUZZ_SEED = 20260101;

function benchRecording(repo_root: string): { fixture: Fixture; file: string } {
  const capnobase = path.resolve(repo_root, '../shared/datasets/capnobase');
  const dir = fs.existsSync(capnobase) ? capnobase : path.join(repo_root, 'fixtures/synth');
  const files = listFixtures([dir]).filter((f) => !f.endsWith('index.json'));
  let best: { fixture: Fixture; file: string } | null = null;
  for (const file of files) {
    const fixture = loadFixture(file);
    if (dir === capnobase) return { fixture, file }; // every capnobase record is 8 minutes
    if (best === null || fixture.ppg.length / fixture.meta.sample_rate_hz > best.fixture.ppg.length / best.fixture.meta.sample_rate_hz) {
      best = { fixture, file };
    }
  }
  if (best === null) throw new Error(`no recording found in ${dir}`);
  return best;
}

export interface HistoryGoodput {
  history_recording: string;
  history_recording_s: number;
  history_records: number;
  history_pages: number;
  history_frame_bytes: number;
  history_read_ms: number;
  history_capacity_kBps: number;
  history_goodput_kBps: number;
  history_goodput_fraction: number;
  /** Requests the read made (pages, plus the session when sealed). */
  history_requests: number;
  /** Requests opening the session took (sealed reads; 0 for plain ones). */
  session_requests: number;
}

/** A full history read over the bench link, timed in virtual time. */
export async function historyGoodput(fixture: Fixture, label: string, seed = 1, sealed = false): Promise<HistoryGoodput> {
  const device = new RingDevice(fixture, { seed, rate_hz: 50, link: BENCH_LINK, keep_records: false });
  if (!device.runToEnd()) throw new Error(`the ring did not finish its recording (${device.describe()})`);
  const transport = new SimTransport(device);
  const client = new RingClient(transport);
  await client.connect();
  await client.info();
  let session_requests = 0;
  if (sealed) {
    const host_id = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const { ring_id, key } = await client.authPair(host_id);
    client.auth = { host_id, keyFor: (r) => (equalBytes(r, ring_id) ? key : null) };
    // Part of setting up the connection, as info() is: one round trip (session_extra_round_trips).
    const before = client.stats.requests;
    await client.openSession();
    session_requests = client.stats.requests - before;
  }
  let frame_bytes = 0;
  client.channel.onFrame((frame) => {
    // Sealed answers count their header and "rsp" item: the counter and the MAC are overhead.
    const rsp = sealed ? rawMapValues(frame.subarray(FRAME_HEADER_SIZE)).get('rsp') : undefined;
    frame_bytes += rsp !== undefined ? FRAME_HEADER_SIZE + rsp[1] - rsp[0] : frame.length;
  });
  const requests0 = sealed ? client.stats.requests - 1 : client.stats.requests; // the session counts
  const t0_us = device.now_us;
  const h = await readHistory(client, {});
  const elapsed_us = device.now_us - t0_us;
  const cap = capacity(device.link.params, transport.mtu);
  await client.close();
  const goodput_Bps = (frame_bytes * 1e6) / elapsed_us;
  return {
    history_recording: label,
    history_recording_s: Math.round(fixture.ppg.length / fixture.meta.sample_rate_hz),
    history_records: h.records.length,
    history_pages: h.pages,
    history_frame_bytes: frame_bytes,
    history_read_ms: Math.round(elapsed_us / 1000),
    history_capacity_kBps: round(cap.peripheral_to_central_bytes_per_s / 1000, 1),
    history_goodput_kBps: round(goodput_Bps / 1000, 1),
    history_goodput_fraction: round(goodput_Bps / cap.peripheral_to_central_bytes_per_s, 3),
    history_requests: client.stats.requests - requests0,
    session_requests,
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export async function protocolFigures(repo_root: string, fuzz_cases = FUZZ_CASES): Promise<Record<string, unknown>> {
  const { fixture, file } = benchRecording(repo_root);
  const goodput = await historyGoodput(fixture, path.relative(repo_root, file));
  const sealed = await historyGoodput(fixture, path.relative(repo_root, file), 1, true);
  const t0 = performance.now();
  const fuzz: FuzzReport = await runFuzz({ seed: FUZZ_SEED, cases: fuzz_cases, link: BENCH_LINK });
  const fuzz_wall_s = (performance.now() - t0) / 1000;
  return {
    ...goodput,
    history_sealed_goodput_fraction: sealed.history_goodput_fraction,
    history_sealed_read_ms: sealed.history_read_ms,
    history_sealed_pages: sealed.history_pages,
    session_extra_round_trips: sealed.session_requests,
    fuzz_seed: fuzz.seed,
    fuzz_frames: fuzz.fuzz_frames,
    fuzz_frame_cases: fuzz.fuzz_frame_cases,
    fuzz_pdu_cases: fuzz.fuzz_pdu_cases,
    fuzz_pdus: fuzz.fuzz_pdus,
    fuzz_crashes: fuzz.fuzz_crashes,
    fuzz_hangs: fuzz.fuzz_hangs,
    fuzz_error_responses: fuzz.fuzz_error_responses,
    fuzz_probe_retries: fuzz.fuzz_probe_retries,
    fuzz_bad_responses: fuzz.fuzz_bad_responses,
    fuzz_wall_s: round(fuzz_wall_s, 1),
    ...(fuzz.failures.length > 0 ? { fuzz_failures: fuzz.failures.slice(0, 5).map((f) => `${f.what} case ${f.case_index} (${f.kind}): ${f.detail.split('\n')[0]}`) } : {}),
  };
}
