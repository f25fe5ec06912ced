// Shard assignment (stable, spread) and the first difference between a golden and a new
// output, on plain data.

import t from 'tap';
import { CiError } from '../../host/ci/errors.js';
import { firstDifference, formatFirstDifference } from '../../host/ci/first-diff.js';
import { assignShards, parseShard, SHARD_SLACK, shardOf } from '../../host/ci/shard.js';

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}/${String(i).padStart(4, '0')}`);

t.test('a session keeps its shard when others are added, and moves only to a new shard when n grows', async (t) => {
  const base = ids('lib', 300);
  const before = base.map((id) => shardOf(id, 4));
  // Adding 200 recordings does not move any of the first 300 (the shard is a function of the id).
  for (const id of ids('added', 200)) shardOf(id, 4);
  t.same(base.map((id) => shardOf(id, 4)), before);
  // From 4 to 5 shards: a session either stays or goes to shard 5.
  const after = base.map((id) => shardOf(id, 5));
  const moved = after.filter((s, i) => s !== before[i]);
  t.ok(moved.every((s) => s === 5), 'only the new shard takes sessions');
  t.ok(moved.length > 30 && moved.length < 90, `about a fifth move (${moved.length} of 300)`);
  // Spread: every shard gets a share near 300 / 4.
  const counts = [1, 2, 3, 4].map((k) => before.filter((s) => s === k).length);
  t.ok(counts.every((c) => c > 50 && c < 100), `shard sizes ${counts.join(' ')}`);
});

// Recordings of uneven length (a few seconds to an hour), from a fixed generator.
function library(prefix: string, n: number, seed: number): { id: string; cost: number }[] {
  let s = seed;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  return ids(prefix, n).map((id) => ({ id, cost: Math.round(60 * Math.exp(2 * next())) * 50 }));
}

function loads(lib: { id: string; cost: number }[], home: Map<string, number>, n: number): number[] {
  const load = new Array<number>(n).fill(0);
  for (const s of lib) load[home.get(s.id)! - 1]! += s.cost;
  return load;
}

t.test('shards balance by replay cost, and adding recordings moves only a few', async (t) => {
  const lib = library('lib', 300, 7);
  const mean = (n: number): number => lib.reduce((sum, s) => sum + s.cost, 0) / n;
  for (const n of [3, 4, 8]) {
    const home = assignShards(lib, n);
    const load = loads(lib, home, n);
    const pure = new Array<number>(n).fill(0);
    for (const s of lib) pure[shardOf(s.id, n) - 1]! += s.cost;
    t.ok(Math.max(...load) <= mean(n) * (1 + SHARD_SLACK), `${n} shards: the fullest holds ${(Math.max(...load) / mean(n)).toFixed(3)} x the mean (rendezvous alone: ${(Math.max(...pure) / mean(n)).toFixed(3)})`);
    t.ok(Math.min(...load) >= mean(n) * (1 - n * SHARD_SLACK), `${n} shards: the emptiest holds ${(Math.min(...load) / mean(n)).toFixed(3)} x the mean`);
    const first = lib.filter((s) => home.get(s.id) === shardOf(s.id, n)).length;
    t.ok(first >= 0.85 * lib.length, `${n} shards: ${first} of 300 sessions on their first choice`);
    for (const [add, most] of [[1, 9], [10, 15], [30, 24]] as const) {
      const after = assignShards([...lib, ...library(`added${add}`, add, 99)], n);
      const moved = lib.filter((s) => after.get(s.id) !== home.get(s.id)).length;
      t.ok(moved <= most, `${n} shards, ${add} recording(s) added: ${moved} of 300 moved (at most ${most})`);
    }
  }
  // The assignment is a function of the library, not of its order.
  t.same([...assignShards([...lib].reverse(), 4)].sort(), [...assignShards(lib, 4)].sort(), 'order of listing does not matter');
  // A session longer than a shard's share still gets exactly one shard.
  const skewed = [{ id: 'huge', cost: 1e9 }, ...lib];
  const home = assignShards(skewed, 4);
  t.equal(home.size, skewed.length);
  t.ok([...home.values()].every((k) => k >= 1 && k <= 4));
});

t.test('--shard k/n is checked', async (t) => {
  t.same(parseShard('2/3'), { index: 2, count: 3 });
  for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1/3/4', '2', '1/1001']) {
    t.throws(() => parseShard(bad), new CiError(`--shard must be k/n with 1 <= k <= n <= 1000, got '${bad}'`), bad);
  }
});

t.test('first difference: record, time, field, old -> new', async (t) => {
  const beat = (time_ms: number, ibi_ms: number) => JSON.stringify({ type: 'beat', time_ms, ibi_ms, ibi_valid: true });
  const hrv = JSON.stringify({ type: 'hrv', window_s: 60, end_ms: 60000, rmssd_ms_x10: 300 });
  const golden = [beat(1000, 800), beat(1800, 800), hrv];
  t.equal(firstDifference(golden, [...golden]), null);
  const moved = firstDifference(golden, [beat(1000, 800), beat(1801, 801), hrv])!;
  t.same(moved, { line: 2, kind: 'beat', time_ms: 1800, field: 'time_ms', old: '1800', new: '1801' });
  t.equal(formatFirstDifference(moved), 'line 2, beat at 1.800 s: time_ms 1800 -> 1801');
  const lost = firstDifference(golden, [beat(1000, 800), hrv])!;
  t.equal(formatFirstDifference(lost), 'line 2, beat at 1.800 s: type "beat" at 1800 ms -> "hrv" at 60000 ms');
  const shorter = firstDifference(golden, golden.slice(0, 2))!;
  t.same(shorter, { line: 3, kind: 'hrv', time_ms: 60000, field: 'record', old: hrv, new: '(end of output)' });
  const longer = firstDifference(golden.slice(0, 2), golden)!;
  t.same([longer.line, longer.field, longer.old], [3, 'record', '(end of golden)']);
  const hrvChanged = firstDifference([hrv], [hrv.replace('300', '301')])!;
  t.equal(formatFirstDifference(hrvChanged), 'line 1, hrv at 60.000 s: rmssd_ms_x10 300 -> 301');
  const damaged = firstDifference(['{"type":"beat"'], [beat(1, 1)])!;
  t.same([damaged.field, damaged.old], ['line', '{"type":"beat"']);
});
