// Shards: `--shard k/n` selects the sessions one CI runner replays.
//
// Sessions are spread by their replay cost (recording duration x the ring's sample rate)
// with consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam, "Consistent
// Hashing with Bounded Loads", SODA 2018) over rendezvous hashing: each session has its own
// order of preference over the shards (highest hash of (id, shard) first), and, longest
// first, goes to the first shard in that order whose load stays under (1 + slack) x the
// mean. So every shard takes about the same time, and a session sits on its first choice
// unless that shard is full: adding a recording moves at most the few sessions its load
// displaces (test/ci/shard-diff.test.ts measures it), where a greedy longest-first split
// would reshuffle the library. Goldens without a recording (missing sessions) take their
// first choice. Within a runner, sessions start longest first (--jobs).

import { createHash } from 'node:crypto';
import { CiError } from './errors.js';

export const SHARD_COUNT_MAX = 1000;

export interface Shard {
  /** 1-based index. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > SHARD_COUNT_MAX || index < 1 || index > count) {
    throw new CiError(`--shard must be k/n with 1 <= k <= n <= ${SHARD_COUNT_MAX}, got '${text}'`);
  }
  return { index, count };
}

function weight(id: string, shard_index: number): bigint {
  const h = createHash('sha256').update(`${shard_index}\0${id}`).digest();
  return h.readBigUInt64BE(0);
}

/** The shard (1..count) a session id belongs to. */
export function shardOf(id: string, count: number): number {
  let best = 1;
  let best_w = -1n;
  for (let k = 1; k <= count; k++) {
    const w = weight(id, k);
    if (w > best_w) {
      best = k;
      best_w = w;
    }
  }
  return best;
}

export function inShard(id: string, shard: Shard | null): boolean {
  return shard === null || shardOf(id, shard.count) === shard.index;
}

/** Shards in a session's order of preference (rendezvous: highest hash first). */
function preference(id: string, count: number): number[] {
  const w = Array.from({ length: count }, (_, i) => ({ k: i + 1, w: weight(id, i + 1) }));
  w.sort((a, b) => (a.w === b.w ? a.k - b.k : a.w > b.w ? -1 : 1));
  return w.map((x) => x.k);
}

export interface WeightedSession {
  id: string;
  /** Replay cost: samples the ring processes (duration x rate), or any unit proportional to time. */
  cost: number;
}

/** Load above the mean a shard may take before sessions spill to their next choice. */
export const SHARD_SLACK = 0.1;

/** Every session's shard (1..count), balanced by cost; a function of the whole library. */
export function assignShards(sessions: readonly WeightedSession[], count: number, slack: number = SHARD_SLACK): Map<string, number> {
  const total = sessions.reduce((sum, s) => sum + Math.max(0, s.cost), 0);
  const cap = (total / count) * (1 + slack);
  const load = new Array<number>(count + 1).fill(0);
  const order = [...sessions].sort((a, b) => b.cost - a.cost || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out = new Map<string, number>();
  for (const s of order) {
    const cost = Math.max(0, s.cost);
    const prefs = preference(s.id, count);
    let chosen = prefs.find((k) => load[k]! + cost <= cap);
    // Nothing has room (a session longer than a shard's share): the least loaded, by preference.
    if (chosen === undefined) chosen = prefs.reduce((best, k) => (load[k]! < load[best]! ? k : best), prefs[0]!);
    load[chosen] = load[chosen]! + cost;
    out.set(s.id, chosen);
  }
  return out;
}
