// Shards: `--shard k/n` selects the sessions one CI runner replays.
//
// A session's shard is a function of its id and n alone (rendezvous hashing: the shard
// whose hash of (id, shard) is highest), so adding or removing recordings never moves
// another one, and going from n to n+1 shards moves only the sessions the new shard
// takes. The price of that stability: shards balance in expectation, not exactly (with
// m sessions of similar length a shard holds m/n ± sqrt(m/n)); the summary of each shard
// states its load so a badly skewed split is visible. Within a runner, sessions start
// longest first (--jobs), so the runner's own cores stay busy to the end.

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
