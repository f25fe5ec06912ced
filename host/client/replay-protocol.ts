// `ring replay` over the protocol: the simulated ring replays a fixture while the host,
// connected over the simulated BLE link, subscribes to its live beats, HR and HRV streams;
// the result is built only from what crossed the link. Status records (boot, FIFO
// overflow, signal) have no live stream, so they are read from the ring's history log once
// the recording is over.
//
// The result equals a direct replay's (sim/replay.ts) field for field: every record carries
// the ring's clock at emission across the link, so `emitted_us` is the ring's own time,
// however late the link delivered it. The ring's crystal is exact in a replay (drift 0).

import { RECORD_STATUS, STREAM_BEATS, STREAM_HR, STREAM_HRV } from '../../protocol/ids.js';
import type { LinkParams } from '../../sim/ble/params.js';
import type { ReplayFixture } from '../../sim/fixture/types.js';
import { ReplayError } from '../../sim/replay.js';
import type { ReplayOptions, ReplayResult, ReplayView } from '../../sim/replay-types.js';
import { RingDevice } from '../../sim/ring-device.js';
import { arrayReplay } from '../../sim/replay-store.js';
import { SimTransport } from '../transport/sim-transport.js';
import { RingClient } from './client.js';
import { readHistory } from './history.js';
import { StreamSubscription } from './stream.js';

/** After the recording ends, how long the host keeps listening for the last notifications. */
export const REPLAY_FLUSH_US = 3_000_000;
/** Slack beyond the recording's length before the replay is declared stuck. */
const REPLAY_SLACK_US = 30_000_000;

export interface ProtocolReplayOptions extends ReplayOptions {
  /** BLE link parameters (default: the link's defaults). */
  link?: Partial<LinkParams>;
  /** Crystal error of the ring in ppm (default: drawn from the seed). */
  drift_ppm?: number;
  /** Debug taps (capture, trace: host/debug/session.ts), attached before the host connects. */
  taps?: (device: RingDevice, transport: SimTransport) => { afterConnect(): Promise<void>; close(): void };
}

export interface ProtocolReplayLinkFigures {
  /** Notifications missing by the stream's sequence numbers, and items the ring reported dropped. */
  sequence_gaps: number;
  device_drops: number;
  notifications: number;
  /** Seed and options of the simulated ring and its link. */
  describe: string;
}

/** The ring's emission time (its clock, ms) in the µs of ReplayResult. */
function emittedUs(emitted_ms: number | null): number {
  if (emitted_ms === null) throw new ReplayError('the ring does not report when it emitted its records (protocol too old for replay)');
  return emitted_ms * 1000;
}

export async function replayOverProtocol(
  fixture: ReplayFixture,
  opts: ProtocolReplayOptions,
): Promise<ReplayResult & { link: ProtocolReplayLinkFigures }> {
  return (await replayOverProtocolInto(fixture, opts, arrayReplay())) as ReplayResult & { link: ProtocolReplayLinkFigures };
}

/** replayOverProtocol, with the records pushed into the given lists as they arrive (sim/replay-store.ts). */
export async function replayOverProtocolInto(
  fixture: ReplayFixture,
  opts: ProtocolReplayOptions,
  into: ReplayView,
): Promise<ReplayView & { link: ProtocolReplayLinkFigures }> {
  if (fixture.ppg.length === 0) throw new ReplayError(`${fixture.meta.record}: empty recording (no PPG samples)`);
  const device = new RingDevice(fixture, {
    // A replay is about the algorithm: the ring's crystal is exact unless asked otherwise,
    // so its clock, which times every record, is the simulator's.
    seed: opts.seed, rate_hz: opts.rate_hz, link: opts.link, drift_ppm: opts.drift_ppm ?? 0, keep_records: false,
    ...(opts.firmware ? { firmware: opts.firmware } : {}),
  });
  const transport = new SimTransport(device, { connect_delay_us: 0 });
  const client = new RingClient(transport);
  const duration_ms = Math.floor((fixture.ppg.length * 1000) / fixture.meta.sample_rate_hz);
  const result = Object.assign(into, {
    record: fixture.meta.record, rate_hz: opts.rate_hz, seed: opts.seed, duration_ms, sample_count: device.sensor.samples_total,
  });
  const taps = opts.taps?.(device, transport) ?? null;
  try {
    await client.connect();
    await taps?.afterConnect();
    return await replayConnected(device, transport, client, result, opts);
  } finally {
    taps?.close();
  }
}

async function replayConnected(
  device: RingDevice,
  transport: SimTransport,
  client: RingClient,
  result: ReplayView,
  opts: ProtocolReplayOptions,
): Promise<ReplayView & { link: ProtocolReplayLinkFigures }> {
  if (opts.config !== undefined) {
    // As a host configures a ring: one config set once connected, before it subscribes. The
    // ring restarts its sensor pipeline when the rate or the HRV windows change (PROTOCOL.md
    // section 8.3), so the replay runs with the configuration from then on.
    const applied = await client.configSet(opts.config);
    if (applied.reboot_required) throw new ReplayError(`the ring took the configuration but did not apply it (${device.describe()})`);
  }
  const sub = await StreamSubscription.open(client, STREAM_BEATS | STREAM_HR | STREAM_HRV, { resubscribe: true });
  sub.onItem((item) => {
    switch (item.type) {
      case 'beat':
        result.beats.push({
          time_ms: item.time_ms, ibi_ms: item.ibi_ms, ibi_valid: item.ibi_valid, sqi: item.sqi, amplitude: item.amplitude,
          index: item.index, emitted_us: emittedUs(item.emitted_ms),
        });
        break;
      case 'hr':
        result.hr.push({ time_ms: item.time_ms, hr_bpm_x10: item.hr_bpm_x10, confidence: item.confidence, emitted_us: emittedUs(item.emitted_ms) });
        break;
      case 'hrv':
        result.hrv.push({
          window_s: item.window_s, end_ms: item.end_ms, beat_count: item.beat_count, valid_permille: item.valid_permille,
          mean_ibi_ms_x10: item.mean_ibi_ms_x10, sdnn_ms_x10: item.sdnn_ms_x10, rmssd_ms_x10: item.rmssd_ms_x10,
          pnn50_permille: item.pnn50_permille, published: item.published, emitted_us: emittedUs(item.emitted_ms),
        });
        break;
      default:
        break; // gaps are counted in sub.stats; ppg is not subscribed
    }
  });
  // The predicate runs after every simulated event: it also tells a progress display (now
  // and then) how far the recording is.
  let polls = 0;
  const onProgress = opts.onProgress;
  const fixtureDone = onProgress === undefined ? () => device.fixtureDone : () => {
    if ((++polls & 0xfff) === 0) onProgress(device.now_us);
    return device.fixtureDone;
  };
  const done = await sub.runUntil(fixtureDone, device.fixture_duration_us + REPLAY_SLACK_US);
  if (!done) throw new ReplayError(`the simulated ring did not finish its recording (${device.describe()})`);
  await sub.runUntil(() => false, REPLAY_FLUSH_US);
  await sub.close();
  const status_kind_bit = 1 << (RECORD_STATUS - 1);
  const history = await readHistory(client, { kinds: status_kind_bit });
  for (const r of history.records) {
    if (r.type === 'status') result.status.push({ time_ms: r.time_ms, code: r.code, value: r.value, emitted_us: emittedUs(r.emitted_ms) });
  }
  if (sub.stats.sequence_gaps > 0 || sub.stats.device_drops > 0) {
    throw new ReplayError(`the link lost stream items (${sub.stats.sequence_gaps} gaps, ${sub.stats.device_drops} dropped by the ring): ${transport.describe()}`);
  }
  const link: ProtocolReplayLinkFigures = {
    sequence_gaps: sub.stats.sequence_gaps, device_drops: sub.stats.device_drops, notifications: sub.stats.notifications,
    describe: transport.describe(),
  };
  await client.close();
  return withLink(result, link);
}

/**
 * `{ ...result, link }` (the same keys in the same order), built by a literal when the
 * view has no wellness records (a protocol replay never has): a spread's copy gets a shape
 * of its own that dies with the copy, so each replay of a CI run got a new one and the
 * optimized code reading results (formatting, scoring) was compiled again each time.
 */
function withLink(result: ReplayView, link: ProtocolReplayLinkFigures): ReplayView & { link: ProtocolReplayLinkFigures } {
  if (result.wellness !== undefined || Object.keys(result).length !== RESULT_KEYS) return { ...result, link };
  return {
    record: result.record, rate_hz: result.rate_hz, seed: result.seed, duration_ms: result.duration_ms, sample_count: result.sample_count,
    beats: result.beats, hr: result.hr, hrv: result.hrv, status: result.status, link,
  };
}
/** The keys of a view without wellness records (sim/replay-store.ts, arrayReplay). */
const RESULT_KEYS = 9;
