// Several simulated rings against one host: each ring replays its own recording with its
// own seed, crystal drift and BLE link; the host syncs with each over the protocol (time
// get, then the whole history), puts every ring's records on one clock (UTC, from the time
// exchange) and computes the couple's co-regulation figures (synchrony.ts) for each pair.
// Deterministic: the same recordings, seeds and drifts give the same output.
//
// Who reads what (PROTOCOL.md section 11): the host owns the first ring (its wearer's) and
// reads all of it; every other ring is paired to its own wearer's host, which grants this
// host a viewer's scopes. The host reads a partner's ring only in that grant's session, and
// the ring itself filters the history to the granted kinds: a grant without hrv-summary and
// sleep-summary, or no grant, ends the run with an AuthError before the ring is replayed.

import type { Fixture } from '../../sim/fixture/types.js';
import { RingDevice } from '../../sim/ring-device.js';
import { SimTransport } from '../transport/sim-transport.js';
import { AuthError, RingClient } from '../client/client.js';
import { DeviceError } from '../client/errors.js';
import type { HistoryRecord } from '../client/messages.js';
import { equalBytes } from '../../protocol/host/auth.js';
import { scopeNames } from '../client/scopes.js';
import {
  ERR_AUTH_REQUIRED,
  ROLE_VIEWER,
  SCOPE_HRV_SUMMARY,
  SCOPE_SLEEP_SUMMARY,
  SCOPE_STRESS_SUMMARY,
} from '../../protocol/ids.js';
import { shiftWellness, wellnessFromRecords, type Wellness } from './records.js';
import { GRID_MS, onGrid, restOverlap, windowedCrossCorrelation, type TimedValue } from './synchrony.js';

/** Recordings without a start time are put at this UTC (the simulator's default epoch). */
const START_UTC_DEFAULT_MS = 1767225600000;
const SHORT_WINDOW_S_MAX = 120;

/** What the co-regulation figures need from a partner's ring: HRV windows and rest/sleep periods. */
export const TOGETHER_SCOPES_NEEDED = SCOPE_HRV_SUMMARY | SCOPE_SLEEP_SUMMARY;
/** The host's id (the one reading every ring) and the id of ring k's owner for k >= 1. */
export const TOGETHER_HOST_ID = Uint8Array.of(0x48, 0x4f, 0x53, 0x54, 0, 0, 0, 1);
const ownerIdOf = (k: number): Uint8Array => Uint8Array.of(0x57, 0x45, 0x41, 0x52, 0, 0, (k >>> 8) & 0xff, k & 0xff);

export interface TogetherRingOptions {
  fixture: Fixture;
  seed: number;
  drift_ppm?: number;
  /**
   * The scopes the ring's owner granted this host (0: no grant), or 'owner' when the host
   * owns the ring. Default: 'owner' for the first ring, TOGETHER_SCOPES_NEEDED for the others.
   */
  grant?: number | 'owner';
}

export interface RingTrace {
  record: string;
  seed: number;
  drift_ppm: number;
  /** How the host read the ring: as its owner, or through its owner's grant of these scopes. */
  access: { role: 'owner' } | { role: 'viewer'; scopes: string[] };
  /** Whether the ring's stress records were readable (a partner's need stress-summary). */
  stress_shared: boolean;
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

interface Access {
  key: Uint8Array;
  ring_id: Uint8Array;
}

/** The ring's wearer pairs with it (the host itself for its own ring) and, for a partner's, grants the host its scopes. */
async function setUpOwnership(dev: RingDevice, k: number, grant: number | 'owner'): Promise<Access | null> {
  const wearer = new RingClient(new SimTransport(dev));
  await wearer.connect();
  try {
    const owner_id = grant === 'owner' ? TOGETHER_HOST_ID : ownerIdOf(k);
    const { ring_id, key } = await wearer.authPair(owner_id);
    if (grant === 'owner') return { ring_id, key };
    if (grant === 0) return null;
    wearer.auth = { host_id: owner_id, keyFor: (r) => (equalBytes(r, ring_id) ? key : null) };
    const g = await wearer.authGrant({ host_id: TOGETHER_HOST_ID, role: ROLE_VIEWER, scopes: grant });
    return { ring_id, key: g.key };
  } finally {
    await wearer.close();
  }
}

function hostClient(dev: RingDevice, access: Access | null): RingClient {
  const client = new RingClient(new SimTransport(dev));
  if (access !== null) client.auth = { host_id: TOGETHER_HOST_ID, keyFor: (r) => (equalBytes(r, access.ring_id) ? access.key : null) };
  return client;
}

/**
 * The host's standing on a partner's ring, before the recording runs: a session whose scopes
 * cover what the figures need. The ring refuses a host without a grant (ERR_AUTH_REQUIRED).
 */
async function checkAccess(dev: RingDevice, record: string, access: Access | null): Promise<number> {
  const client = hostClient(dev, access);
  await client.connect();
  const ask = `ask its wearer for a grant: ring share grant --scope ${scopeNames(TOGETHER_SCOPES_NEEDED).join(',')}`;
  try {
    if (access === null) {
      await client.historyPage(1, 1); // what the ring answers a host that holds no key for it
      throw new AuthError(`ring ${record}: the ring answered a host without a grant: it has no owner`);
    }
    const s = await client.openSession();
    const missing = TOGETHER_SCOPES_NEEDED & ~s.scopes;
    if (missing !== 0) {
      throw new AuthError(`ring ${record}: the grant covers ${scopeNames(s.scopes).join(', ') || 'nothing'}, not ${scopeNames(missing).join(', ')}; ${ask}`);
    }
    return s.scopes;
  } catch (err) {
    if (err instanceof DeviceError && err.rc === ERR_AUTH_REQUIRED) {
      throw new AuthError(`ring ${record}: ${err.code} (${err.rc}): this host holds no grant from the ring's wearer; ${ask}`);
    }
    throw err;
  } finally {
    await client.close();
  }
}

/** A ring set up and its host's standing checked, its recording not yet run. */
interface PreparedRing {
  o: TogetherRingOptions;
  dev: RingDevice;
  access: Access | null;
  scopes: number;
  start_utc: number;
}

async function prepareRing(o: TogetherRingOptions, k: number, rate_hz: number): Promise<PreparedRing> {
  const start_utc = o.fixture.meta.start_time_unix_ms ?? START_UTC_DEFAULT_MS;
  const dev = new RingDevice(o.fixture, { seed: o.seed, rate_hz, drift_ppm: o.drift_ppm, utc_epoch_ms: start_utc });
  const grant = o.grant ?? (k === 0 ? 'owner' : TOGETHER_SCOPES_NEEDED);
  const access = await setUpOwnership(dev, k, grant);
  const scopes = grant === 'owner' ? -1 : await checkAccess(dev, o.fixture.meta.record, access);
  return { o, dev, access, scopes, start_utc };
}

async function runRing(p: PreparedRing): Promise<RingTrace> {
  const { o, dev, access, scopes, start_utc } = p;
  // The recording runs to its end on the ring's timeline, whatever the set-up took.
  dev.runFor(Math.max(0, Math.floor(dev.fixture_duration_us / 1000) - (dev.utcNowMs() - start_utc)));
  const client = hostClient(dev, access);
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
      access: scopes < 0 ? { role: 'owner' } : { role: 'viewer', scopes: scopeNames(scopes) },
      stress_shared: scopes < 0 || (scopes & SCOPE_STRESS_SUMMARY) !== 0,
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

/** Rings are set up and their access checked, then run one after the other (each its own simulation), then every pair is compared. */
export async function replayTogether(rings: TogetherRingOptions[], rate_hz: number): Promise<TogetherResult> {
  if (rings.length < 2) throw new RangeError('need at least two recordings');
  // Every partner ring's access first, on a ring set up for that alone: a host without the
  // grants it needs hears so before any recording runs, not hours of replay later. The
  // firmware runs one simulated ring at a time, so each ring is set up again for its run.
  for (const [k, r] of rings.entries()) if (k > 0 && r.grant !== 'owner') await prepareRing(r, k, rate_hz);
  const traces: RingTrace[] = [];
  for (const [k, r] of rings.entries()) traces.push(await runRing(await prepareRing(r, k, rate_hz)));
  const start_ms = Math.floor(Math.min(...traces.map((t) => t.start_utc_ms)) / GRID_MS) * GRID_MS;
  const end_ms = Math.max(...traces.map((t) => t.hr.length > 0 ? t.hr[t.hr.length - 1].t_ms + GRID_MS : t.start_utc_ms));
  const pairs: PairFigures[] = [];
  for (let i = 0; i < traces.length; i++) for (let j = i + 1; j < traces.length; j++) pairs.push(pairFigures(traces[i], traces[j], start_ms, end_ms));
  return { rate_hz, start_utc_ms: start_ms, end_utc_ms: end_ms, rings: traces, pairs };
}
