// Consent-scoped sharing on the simulated ring: a partner with an hrv-summary grant for one
// day reads exactly that day's HRV windows, nothing else; the grant's expiry; and the cost
// of sessions: one extra round trip, history goodput with every page sealed.
import path from 'node:path';
import t from 'tap';
import { ERR_EXPIRED, ERR_NOT_PERMITTED, ROLE_VIEWER, SCOPE_HR_SUMMARY, SCOPE_HRV_SUMMARY, STREAM_HRV } from '../../protocol/ids.js';
import { readHistory } from '../../host/client/history.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { historyGoodput } from '../../bench/protocol.js';
import { needsShared, repoRoot, sharedPath } from '../helpers/shared.js';
import { OWNER_ID, PARTNER_ID, connect, leave, pairedRing, rcOfCall } from './helpers.js';

const DAY_MS = 86_400_000;
const DAY = Date.UTC(2026, 2, 2); // the day granted: 2026-03-02 UTC

t.test('a partner with hrv-summary for one day reads exactly the HRV windows of that day', async (t) => {
  const { device, owner, ring_id, owner_key } = await pairedRing();
  // The 6-minute recording straddles midnight: it starts at 23:57:30 the day before.
  await owner.client.timeSet(DAY - 150_000);
  t.ok(device.runToEnd(), 'the ring recorded its whole fixture');
  const g = await owner.client.authGrant({ host_id: PARTNER_ID, role: ROLE_VIEWER, scopes: SCOPE_HRV_SUMMARY, from_ms: DAY, until_ms: DAY + DAY_MS, expires_ms: DAY + 2 * DAY_MS });
  const all = (await readHistory(owner.client, { from_seq: 1 })).records;
  const hrv = all.filter((r) => r.type === 'hrv');
  const expected = hrv.filter((r) => r.type === 'hrv' && r.end_ms >= DAY && r.end_ms < DAY + DAY_MS);
  t.ok(expected.length >= 3 && expected.length < hrv.length, `the day holds ${expected.length} of the ${hrv.length} HRV windows (the others end the day before)`);
  t.ok(all.some((r) => r.type === 'hr') && all.some((r) => r.type === 'beat'), 'the log holds beats and HR records too');
  await leave(owner);

  const partner = await connect(device, { host_id: PARTNER_ID, ring_id, key: g.key });
  const seen = await readHistory(partner.client, { from_seq: 1 });
  t.same(seen.records, expected, 'the partner reads exactly those windows, byte for byte the owner\'s');
  const hrOnly = await readHistory(partner.client, { from_seq: 1, kinds: 0x02 });
  t.same(hrOnly.records, [], 'asking for HR records gets none: not in the grant');
  await leave(partner);

  // The grant expires: the next session is refused.
  const back = await connect(device, { host_id: OWNER_ID, ring_id, key: owner_key });
  await back.client.timeSet(DAY + 2 * DAY_MS);
  await leave(back);
  const late = await connect(device, { host_id: PARTNER_ID, ring_id, key: g.key });
  t.equal(await rcOfCall(late.client.openSession()), ERR_EXPIRED, 'after expires_ms: ERR_EXPIRED');
  await leave(late);
});

t.test('sessions: one extra round trip, and MACs cost little history goodput (synthetic recording)', async (t) => {
  const fixture = loadFixture(path.join(repoRoot, 'fixtures/synth/synth-rest.ringfx'));
  const plain = await historyGoodput(fixture, 'synth-rest');
  const sealed = await historyGoodput(fixture, 'synth-rest', 1, true);
  t.equal(sealed.session_requests, 1, 'the session is one request (one round trip) per connection');
  t.equal(sealed.history_requests - sealed.session_requests, sealed.history_pages, 'then one request per page, as without a session');
  t.ok(sealed.history_goodput_fraction >= 0.9 * plain.history_goodput_fraction, `sealed ${sealed.history_goodput_fraction} vs plain ${plain.history_goodput_fraction} of capacity (at least 90%)`);
  t.equal(sealed.history_records, plain.history_records + 1, 'the owner reads the same records, and the audit record of its pairing');
});

t.test('history goodput with MACs on stays >= 0.85 of link capacity (8-minute recording, as bench)', needsShared('datasets/capnobase'), async (t) => {
  const dir = sharedPath(t, 'datasets/capnobase');
  if (dir === null) return;
  const fixture = loadFixture(path.join(dir, '0015_8min.json'));
  const sealed = await historyGoodput(fixture, '0015_8min', 1, true);
  t.ok(sealed.history_goodput_fraction >= 0.85, `sealed goodput ${sealed.history_goodput_fraction} of capacity`);
});

t.test('hr-summary reads HR records only; a stream outside the granted range is refused', async (t) => {
  const { device, owner, ring_id } = await pairedRing();
  t.ok(device.runToEnd(), 'the ring recorded its whole fixture');
  const g = await owner.client.authGrant({ host_id: PARTNER_ID, role: ROLE_VIEWER, scopes: SCOPE_HR_SUMMARY });
  const past = Uint8Array.of(0x0d, 1, 2, 3, 4, 5, 6, 7);
  const gp = await owner.client.authGrant({ host_id: past, role: ROLE_VIEWER, scopes: SCOPE_HRV_SUMMARY, from_ms: 0, until_ms: 1000 });
  const owner_hr = (await readHistory(owner.client, { from_seq: 1 })).records.filter((r) => r.type === 'hr');
  await leave(owner);
  const coach = await connect(device, { host_id: PARTNER_ID, ring_id, key: g.key });
  const seen = (await readHistory(coach.client, { from_seq: 1 })).records;
  t.ok(owner_hr.length > 100, `${owner_hr.length} HR records held`);
  t.same(seen, owner_hr, 'the coach reads every HR record and nothing else');
  t.equal(await rcOfCall(coach.client.streamSubscribe(STREAM_HRV)), ERR_NOT_PERMITTED, 'HRV stream: not in hr-summary');
  await leave(coach);
  const old = await connect(device, { host_id: past, ring_id, key: gp.key });
  t.equal(await rcOfCall(old.client.streamSubscribe(STREAM_HRV)), ERR_NOT_PERMITTED, 'a grant for the first second of the ring: no live stream now');
  t.same((await readHistory(old.client, { from_seq: 1 })).records, [], 'and no HRV window ends in that second');
  await leave(old);
});
