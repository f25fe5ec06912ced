// Long sweeps: `make test-long` (RING_TEST_LONG=1) runs every case; `make test` runs a
// seeded subset of them (RING_TEST_SEED, default 1) so it stays within its time budget and
// still covers a different slice when the seed changes. The subset is named in tap's output.

import type { Test } from 'tap';

export const LONG = process.env.RING_TEST_LONG === '1';

function subsetSeed(): number {
  const text = process.env.RING_TEST_SEED ?? '1';
  if (!/^\d+$/.test(text)) throw new Error(`RING_TEST_SEED must be a non-negative integer, got '${text}'`);
  return Number(text) >>> 0;
}

/** Every item under `make test-long`; otherwise `count` of them, picked by the seed, in their original order. */
export function sweep<T>(t: Test, what: string, items: readonly T[], count: number): T[] {
  if (LONG || items.length <= count) return [...items];
  // xorshift32 over the seed: a stable, seedable pick without Math.random.
  let s = (subsetSeed() ^ 0x9e3779b9) >>> 0 || 1;
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const picked = order.slice(0, count).sort((a, b) => a - b);
  const chosen = picked.map((i) => items[i]!);
  t.comment(`${what}: ${count} of ${items.length} (RING_TEST_SEED=${subsetSeed()}; all under make test-long): ${picked.join(', ')}`);
  return chosen;
}
