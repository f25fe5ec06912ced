// The wellness summaries under consent-scoped sharing (PROTOCOL.md 11.4), on the real
// firmware over the simulated link: the ring itself hands a viewer only the kinds its scopes
// name (sleep-summary: rest/sleep periods and interruptions; stress-summary: stress episodes
// and levels; hrv-summary: HRV windows), and refuses its streams outside them. Then `ring
// together`'s engine: a partner's ring is read only through its wearer's grant, and gives
// the same figures as when the host owned it, minus what was not granted.

import t from 'tap';
import {
  ERR_AUTH_REQUIRED,
  RECORD_SLEEP,
  RECORD_SLEEP_GAP,
  RECORD_STRESS,
  RECORD_STRESS_LEVEL,
  ERR_NOT_PERMITTED,
  ROLE_VIEWER,
  SCOPE_HR_SUMMARY,
  SCOPE_HRV_SUMMARY,
  SCOPE_SLEEP_SUMMARY,
  SCOPE_STRESS_SUMMARY,
  STREAM_BEATS,
  STREAM_HRV,
  STREAM_PPG,
} from '../../protocol/ids.js';
import { readHistory } from '../../host/client/history.js';
import type { HistoryRecord } from '../../host/client/messages.js';
import { replayTogether } from '../../host/wellness/together.js';
import { generateRingPpg } from '../../sim/synth/ring-ppg.js';
import { generateRrSeries } from '../../sim/synth/rr-series.js';
import { connect, leave, pairedRing, rcOfCall } from '../auth/helpers.js';

/**
 * Rest, then a fidgety end (a movement every 50 s). Rest of 190 minutes or more is a night:
 * with a 5-minute movement bout in it (an interruption), and once its wake is confirmed, a
 * baseline, so stress levels follow every 15 minutes.
 */
function restThenFidget(seed: number, rest_s: number, duration_s: number, bout_at_s?: number) {
  const rr = generateRrSeries({ seed, duration_s: duration_s + 10, hr_bpm: 62 });
  const motion = [];
  if (bout_at_s !== undefined) for (let s = bout_at_s; s < bout_at_s + 300; s += 50) motion.push({ start_s: s, duration_s: 6, intensity: 0.7 });
  for (let s = rest_s; s < duration_s - 20; s += 50) motion.push({ start_s: s, duration_s: 6, intensity: 0.7 });
  return generateRingPpg({ seed, rr_ms: rr.rr_ms, rr_source: rr.source, duration_s, sample_rate_hz: 25, motion, record: `rest-then-fidget-${seed}` });
}

const WELLNESS = [RECORD_SLEEP, RECORD_SLEEP_GAP, RECORD_STRESS, RECORD_STRESS_LEVEL];
const kindOf = (r: HistoryRecord): number | string => (r.type === 'other' ? r.kind : r.type);

t.test('the ring gives each viewer exactly the summaries its scopes name', async (t) => {
  const { device, owner, ring_id } = await pairedRing({ seed: 5 }, restThenFidget(17, 11_400, 15_600, 5_400));
  t.ok(device.runToEnd(), 'the ring recorded its whole fixture');
  const ids = [1, 2, 3, 4].map((k) => Uint8Array.of(0x0e, k, 2, 3, 4, 5, 6, 7));
  const grants = [
    SCOPE_HRV_SUMMARY | SCOPE_SLEEP_SUMMARY, // what ring together asks for
    SCOPE_SLEEP_SUMMARY | SCOPE_STRESS_SUMMARY,
    SCOPE_HR_SUMMARY,
  ];
  const keys = [];
  for (const [i, scopes] of grants.entries()) keys.push((await owner.client.authGrant({ host_id: ids[i]!, role: ROLE_VIEWER, scopes })).key);
  const all = (await readHistory(owner.client, { from_seq: 1 })).records;
  const sleep = all.find((r) => r.type === 'other' && r.kind === RECORD_SLEEP);
  if (sleep === undefined || sleep.type !== 'other') {
    t.fail(`no rest period among the ring's ${all.length} records`);
    return;
  }
  // A viewer whose range ends before the period's wake: not that period.
  const wake_ms = sleep.fields[1] as number; // firmware time; the ring's clock was never set, so device time is the same
  const late = (await owner.client.authGrant({ host_id: ids[3]!, role: ROLE_VIEWER, scopes: SCOPE_SLEEP_SUMMARY, from_ms: 0, until_ms: wake_ms })).key;
  await leave(owner);
  const count = (kinds: (number | string)[]) => all.filter((r) => kinds.includes(kindOf(r))).length;
  for (const k of [RECORD_SLEEP_GAP, RECORD_STRESS_LEVEL]) t.ok(count([k]) >= 1, `the log holds ${count([k])} records of kind ${k}`);
  t.ok(count(['beat']) > 1000 && count(['hr']) > 100, 'and beats and HR records');

  const expect = [
    ['hrv', RECORD_SLEEP, RECORD_SLEEP_GAP],
    [RECORD_SLEEP, RECORD_SLEEP_GAP, RECORD_STRESS, RECORD_STRESS_LEVEL],
    ['hr'],
  ];
  const names = ['hrv-summary + sleep-summary', 'sleep-summary + stress-summary', 'hr-summary'];
  for (const [i, key] of keys.entries()) {
    const v = await connect(device, { host_id: ids[i]!, ring_id, key });
    const seen = (await readHistory(v.client, { from_seq: 1 })).records;
    t.same(seen, all.filter((r) => expect[i]!.includes(kindOf(r))), `${names[i]}: exactly those records, byte for byte the owner's (${seen.length})`);
    t.equal(await rcOfCall(v.client.streamSubscribe(STREAM_BEATS)), ERR_NOT_PERMITTED, `${names[i]}: the beat stream is refused`);
    t.equal(await rcOfCall(v.client.streamSubscribe(STREAM_PPG)), ERR_NOT_PERMITTED, `${names[i]}: the PPG stream is refused`);
    if (i === 1) t.equal(await rcOfCall(v.client.streamSubscribe(STREAM_HRV)), ERR_NOT_PERMITTED, `${names[i]}: the HRV stream is refused`);
    await leave(v);
  }
  const v = await connect(device, { host_id: ids[3]!, ring_id, key: late });
  const seen = (await readHistory(v.client, { from_seq: 1 })).records;
  t.same(seen.filter((r) => kindOf(r) === RECORD_SLEEP), [], 'a range that ends before the period\'s wake: no period');
  t.ok(seen.every((r) => kindOf(r) === RECORD_SLEEP_GAP), 'and nothing outside sleep-summary');
  await leave(v);
  t.ok(WELLNESS.every((k) => k > 4), 'wellness kinds are not in the history request\'s kinds mask');
});

t.test('ring together reads a partner\'s ring only through a grant that covers the figures', async (t) => {
  const a = restThenFidget(21, 1800, 1800);
  const b = restThenFidget(22, 2400, 4500);
  const rings = (grant: number | 'owner') => [{ fixture: a, seed: 1, drift_ppm: 20 }, { fixture: b, seed: 2, drift_ppm: -10, grant }];
  await t.rejects(replayTogether(rings(0), 25), { name: 'AuthError', message: new RegExp(`ring rest-then-fidget-22: ERR_AUTH_REQUIRED \\(${ERR_AUTH_REQUIRED}\\): this host holds no grant`) },
    'no grant: the ring refuses the host');
  await t.rejects(replayTogether(rings(SCOPE_HR_SUMMARY | SCOPE_HRV_SUMMARY), 25), { name: 'AuthError', message: /the grant covers hr-summary, hrv-summary, not sleep-summary; ask its wearer/ },
    'a grant without sleep-summary: refused before the ring runs');
  const owned = await replayTogether(rings('owner'), 25);
  const viewed = await replayTogether(rings(SCOPE_HRV_SUMMARY | SCOPE_SLEEP_SUMMARY), 25);
  const [po, pv] = [owned.rings[1]!, viewed.rings[1]!];
  t.same(pv.access, { role: 'viewer', scopes: ['hrv-summary', 'sleep-summary'] }, 'the partner\'s ring read as a viewer');
  t.same(viewed.rings[0]!.access, { role: 'owner' }, 'the host\'s own ring as its owner');
  t.ok(pv.records_read < po.records_read / 10, `the viewer read ${pv.records_read} records, the owner ${po.records_read}`);
  t.same(pv.hr, po.hr, 'the same HR series');
  t.same(pv.rmssd, po.rmssd, 'the same RMSSD series');
  t.equal(pv.wellness.periods.length, 1, 'the rest period');
  t.same(pv.wellness.periods, po.wellness.periods, 'the same rest period');
  t.equal(po.stress_shared, true, 'the owner reads the ring\'s stress records');
  t.equal(pv.stress_shared, false, 'the viewer does not (stress-summary was not granted), and the output says so');
  t.same(viewed.pairs, owned.pairs, 'the same co-regulation figures');
});
