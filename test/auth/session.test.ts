// Pairing, sessions and their refusals on the simulated ring running the real firmware:
// every privileged request refused without a session (table-driven over request_privileged)
// and with a viewer's session, public reads open, setup mode, and each threat of PROTOCOL.md
// section 11 refused with its named error and no state change.
import t from 'tap';
import {
  AUTH_BACKOFF_MS_BASE,
  AUTH_FAILS_FREE,
  CMD_AUTH_GRANT,
  CMD_AUTH_SESSION,
  CMD_CONFIG,
  CMD_HISTORY_READ,
  CMD_STREAM_SUBSCRIBE,
  ERR_AUTH_FAILED,
  ERR_AUTH_REQUIRED,
  ERR_BAD_MAC,
  ERR_NOT_PERMITTED,
  ERR_PAIRING_CLOSED,
  ERR_RATE_LIMITED,
  ERR_REPLAY,
  ERR_REVOKED,
  GROUP_APP_FIRST,
  GROUP_APP_LAST,
  GROUP_AUTH,
  GROUP_CONFIG,
  GROUP_HISTORY,
  GROUP_IMAGE,
  GROUP_STREAM,
  OP_READ,
  OP_WRITE,
  PRIVILEGED_COMMAND_COUNT,
  ROLE_VIEWER,
  SCOPE_HRV_SUMMARY,
  STREAM_HRV,
  command_privileged,
  request_privileged,
} from '../../protocol/ids.js';
import { encodeFrame } from '../../protocol/host/frame.js';
import { sealRequest, sessionKey } from '../../protocol/host/auth.js';
import { readHistory } from '../../host/client/history.js';
import { auditOf } from '../../host/client/audit.js';
import { OWNER_ID, PARTNER_ID, STRANGER_ID, connect, leave, pairedRing, raw, rcOf, rcOfCall, type Host } from './helpers.js';

/** Every (group, cmd, op) request_privileged marks, over the groups in use and commands 0..15. */
function privilegedRequests(): { group: number; cmd: number; op: number }[] {
  const out: { group: number; cmd: number; op: number }[] = [];
  for (const group of [GROUP_IMAGE, ...Array.from({ length: GROUP_APP_LAST - GROUP_APP_FIRST + 1 }, (_, i) => GROUP_APP_FIRST + i)]) {
    for (let cmd = 0; cmd < 16; cmd++) {
      for (const op of [OP_READ, OP_WRITE]) if (request_privileged(group, cmd, op)) out.push({ group, cmd, op });
    }
  }
  return out;
}

async function ownerState(h: Host) {
  const hosts = await h.client.authList();
  const config = await h.client.configGet();
  const time = await h.client.timeGet();
  return { hosts, config, synced: time.synced };
}

t.test('the table: which requests are privileged', async (t) => {
  const reqs = privilegedRequests();
  const commands = reqs.filter((r) => command_privileged(r.group, r.cmd));
  t.equal(new Set(commands.map((r) => `${r.group}/${r.cmd}`)).size, PRIVILEGED_COMMAND_COUNT, 'command_privileged marks PRIVILEGED_COMMAND_COUNT commands');
  t.ok(request_privileged(GROUP_CONFIG, CMD_CONFIG, OP_WRITE) && !request_privileged(GROUP_CONFIG, CMD_CONFIG, OP_READ), 'config set is, config get is not');
  t.ok(command_privileged(GROUP_AUTH, CMD_AUTH_GRANT), 'grant is');
});

t.test('on a ring with an owner, every privileged request without a session is refused ERR_AUTH_REQUIRED, and changes nothing', async (t) => {
  const { device, owner, ring_id, owner_key } = await pairedRing();
  const before = await ownerState(owner);
  await leave(owner);
  const anon = await connect(device);
  let seq = 0;
  for (const r of privilegedRequests()) {
    const f = await raw(anon, encodeFrame({ ...r, seq: seq++ & 0xff }, {}));
    t.equal(rcOf(f), ERR_AUTH_REQUIRED, `group ${r.group} cmd ${r.cmd} op ${r.op}`);
  }
  // Scoped reads need a session too; public reads stay open.
  t.equal(rcOf(await raw(anon, encodeFrame({ op: OP_READ, group: GROUP_HISTORY, cmd: CMD_HISTORY_READ, seq: 200 }, { from_seq: 1, max_records: 4 }))), ERR_AUTH_REQUIRED, 'history read');
  t.equal(rcOf(await raw(anon, encodeFrame({ op: OP_WRITE, group: GROUP_STREAM, cmd: CMD_STREAM_SUBSCRIBE, seq: 201 }, { kinds: STREAM_HRV }))), ERR_AUTH_REQUIRED, 'stream subscribe');
  t.equal(rcOf(await raw(anon, encodeFrame({ op: OP_READ, group: GROUP_CONFIG, cmd: CMD_CONFIG, seq: 202 }, {}))), ERR_AUTH_REQUIRED, 'config get');
  const info = await anon.client.info();
  t.equal(info.proto, 1, 'device info is public');
  t.equal((await anon.client.battery()).level_pct, 87, 'battery is public');
  t.ok((await anon.client.timeGet()).uptime_ms > 0, 'time get is public');
  const st = await anon.client.authStatus();
  t.same([st.owned, st.window, st.role], [true, false, 0], 'status: owned, window closed, no session');
  await leave(anon);
  const back = await connect(device, { host_id: OWNER_ID, ring_id, key: owner_key });
  t.same(await ownerState(back), before, 'no host, config or clock changed');
  await leave(back);
});

t.test('a viewer session gets ERR_NOT_PERMITTED for every privileged request and for config; the owner may', async (t) => {
  const { device, owner, ring_id, owner_key } = await pairedRing();
  const grant = await owner.client.authGrant({ host_id: PARTNER_ID, role: ROLE_VIEWER, scopes: SCOPE_HRV_SUMMARY });
  t.same(grant.ring_id, ring_id);
  const before = await ownerState(owner);
  await leave(owner);
  const partner = await connect(device, { host_id: PARTNER_ID, ring_id, key: grant.key });
  const s = await partner.client.openSession();
  t.equal(s.role, ROLE_VIEWER);
  for (const r of privilegedRequests()) {
    const ctr = ++s.ctr;
    const f = await raw(partner, sealRequest(s.key, ctr, { ...r, seq: ctr & 0xff }, {}));
    t.equal(rcOf(f), ERR_NOT_PERMITTED, `group ${r.group} cmd ${r.cmd} op ${r.op}`);
  }
  t.equal(await rcOfCall(partner.client.configGet()), ERR_NOT_PERMITTED, 'config get');
  t.equal(await rcOfCall(partner.client.streamSubscribe(1)), ERR_NOT_PERMITTED, 'beats stream');
  t.equal(await rcOfCall(partner.client.streamSubscribe(8)), ERR_NOT_PERMITTED, 'raw PPG stream');
  t.equal((await partner.client.streamSubscribe(STREAM_HRV)).kinds, STREAM_HRV, 'HRV stream: in scope');
  await leave(partner);
  const back = await connect(device, { host_id: OWNER_ID, ring_id, key: owner_key });
  t.same(await ownerState(back), before, 'no host, config or clock changed');
  await leave(back);
});

t.test('setup mode: a ring without an owner is open, pairing makes the first host its owner', async (t) => {
  const { RingDevice } = await import('../../sim/ring-device.js');
  const device = new RingDevice(null, { seed: 3, rate_hz: 25 });
  const h = await connect(device);
  const st = await h.client.authStatus();
  t.same([st.owned, st.window], [false, true], 'no owner: the pairing window is open');
  await h.client.configSet({ hrs: false });
  t.pass('config set works in setup mode');
  const p = await h.client.authPair(OWNER_ID);
  t.equal(p.key.length, 32);
  t.equal(await rcOfCall(h.client.configSet({ hrs: true })), ERR_AUTH_REQUIRED, 'owned now: the same request needs a session');
  await leave(h);
});

t.test('threats: replay, rolled-back counter, MAC over a wrong body, reflection: refused, nothing changes', async (t) => {
  const { owner } = await pairedRing();
  const s = await owner.client.openSession();
  const body = { hrs: false };
  const ctr = ++s.ctr;
  const frame = sealRequest(s.key, ctr, { op: OP_WRITE, group: GROUP_CONFIG, cmd: CMD_CONFIG, seq: 10 }, body);
  const ok = await raw(owner, frame);
  t.equal(rcOf(ok), 0, 'the sealed request runs once');
  t.equal(rcOf(await raw(owner, frame)), ERR_REPLAY, 'the same frame again: ERR_REPLAY');
  const old = sealRequest(s.key, ctr - 0 > 1 ? ctr - 1 : 1, { op: OP_WRITE, group: GROUP_CONFIG, cmd: CMD_CONFIG, seq: 11 }, { hrs: true });
  t.equal(rcOf(await raw(owner, old)), ERR_REPLAY, 'a counter rolled back: ERR_REPLAY');
  // The MAC of {"hrs": false} on a body that says true: flip the bool's byte (0xf4 -> 0xf5).
  const c2 = ++s.ctr;
  const forged = sealRequest(s.key, c2, { op: OP_WRITE, group: GROUP_CONFIG, cmd: CMD_CONFIG, seq: 12 }, body);
  const at = forged.indexOf(0xf4, 8);
  forged[at] = 0xf5;
  t.equal(rcOf(await raw(owner, forged)), ERR_BAD_MAC, 'MAC over a wrong body: ERR_BAD_MAC');
  // The ring's sealed answer, sent back as a request: the direction label differs.
  const reflected = new Uint8Array(ok.bodyBytes.length + 8);
  reflected.set(frame.subarray(0, 8));
  reflected.set(ok.bodyBytes, 8);
  reflected[2] = ok.bodyBytes.length >> 8;
  reflected[3] = ok.bodyBytes.length & 0xff;
  reflected[6] = 13;
  const rr = await raw(owner, reflected);
  t.not(rcOf(rr), 0, `a reflected answer is refused (${rcOf(rr)})`);
  t.equal((await owner.client.configGet()).hrs, false, 'only the one genuine request took effect');
  await leave(owner);
});

t.test('threats: a revoked host, a forged grant, brute force with back-off, pairing outside the window', async (t) => {
  const { device, owner, ring_id, owner_key } = await pairedRing();
  const g = await owner.client.authGrant({ host_id: PARTNER_ID, role: ROLE_VIEWER, scopes: SCOPE_HRV_SUMMARY });
  await owner.client.authRevoke(PARTNER_ID);
  const hosts_before = await owner.client.authList();
  await leave(owner);

  const partner = await connect(device, { host_id: PARTNER_ID, ring_id, key: g.key });
  t.equal(await rcOfCall(partner.client.openSession()), ERR_REVOKED, 'a revoked host gets no session: ERR_REVOKED');
  await leave(partner);

  // A stranger forges a grant for itself: no session, then a session with a key it guessed.
  const stranger = await connect(device, { host_id: STRANGER_ID, ring_id, key: new Uint8Array(32) });
  const grant = { host: STRANGER_ID, role: 1, scopes: 0 };
  t.equal(rcOf(await raw(stranger, encodeFrame({ op: OP_WRITE, group: GROUP_AUTH, cmd: CMD_AUTH_GRANT, seq: 1 }, grant))), ERR_AUTH_REQUIRED, 'a grant without a session');
  t.equal(await rcOfCall(stranger.client.openSession()), ERR_AUTH_FAILED, 'an unknown host: ERR_AUTH_FAILED');
  t.equal(await rcOfCall(stranger.client.authPair(STRANGER_ID)), ERR_PAIRING_CLOSED, 'pairing outside the window: ERR_PAIRING_CLOSED');
  // Pairing on the charger: the physical action opens the window.
  device.on_charger = true;
  const second = await connect(device);
  const p2 = await second.client.authPair(STRANGER_ID);
  t.same(p2.ring_id, ring_id, 'on the charger a new owner pairs with the same ring');
  device.on_charger = false;
  await leave(second);
  const back = await connect(device, { host_id: OWNER_ID, ring_id, key: owner_key });
  const hosts = await back.client.authList();
  t.same(hosts.filter((h) => h.host_id[0] !== STRANGER_ID[0]), hosts_before, 'nothing the refused requests asked for changed');
  const audit = (await readHistory(back.client, { from_seq: 1 })).records.map(auditOf).filter((a) => a !== null);
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  t.same(
    audit.map((a) => [a.event, a.host, a.error ?? null]),
    [
      ['pair', hex(OWNER_ID), null],
      ['grant', hex(PARTNER_ID), null],
      ['revoke', hex(PARTNER_ID), null],
      ['auth-failed', hex(PARTNER_ID), 'ERR_REVOKED'],
      ['refused', '0000000000000000', 'ERR_AUTH_REQUIRED'],
      ['auth-failed', hex(STRANGER_ID), 'ERR_AUTH_FAILED'],
      ['refused', hex(STRANGER_ID), 'ERR_PAIRING_CLOSED'],
      ['pair', hex(STRANGER_ID), null],
    ],
    'every pairing, grant, revoke and refusal is an audit record the owner reads, in order',
  );
  await leave(back);
});

t.test('threats: brute force on the session key is rate limited with back-off, for every host', async (t) => {
  const { device, owner, ring_id, owner_key } = await pairedRing();
  const config_before = await owner.client.configGet();
  await leave(owner);
  const attacker = await connect(device);
  const rcs: number[] = [];
  for (let i = 0; i < AUTH_FAILS_FREE + 1; i++) {
    // A session as the owner opens (the ring cannot tell yet); a guessed key fails at the first sealed request.
    const nonce_h = new Uint8Array(16).fill(i + 1);
    const open = await raw(attacker, encodeFrame({ op: OP_WRITE, group: GROUP_AUTH, cmd: CMD_AUTH_SESSION, seq: 2 * i }, { host: OWNER_ID, nonce: nonce_h }));
    if (rcOf(open) !== 0) {
      rcs.push(rcOf(open));
      continue;
    }
    const b = open.body as { nonce: Uint8Array };
    const guess = sessionKey(new Uint8Array(32).fill(i), new Uint8Array(b.nonce), nonce_h);
    const f = await raw(attacker, sealRequest(guess, 1, { op: OP_WRITE, group: GROUP_CONFIG, cmd: CMD_CONFIG, seq: 2 * i + 1 }, { hrs: false }));
    rcs.push(rcOf(f));
  }
  t.same(rcs, [...new Array(AUTH_FAILS_FREE).fill(ERR_BAD_MAC), ERR_RATE_LIMITED], `${AUTH_FAILS_FREE} guesses fail the MAC, then ERR_RATE_LIMITED`);
  await leave(attacker);
  const real = await connect(device, { host_id: OWNER_ID, ring_id, key: owner_key });
  t.equal(await rcOfCall(real.client.openSession()), ERR_RATE_LIMITED, 'the owner too waits out the back-off (no host can be locked out for long)');
  device.runFor(AUTH_BACKOFF_MS_BASE);
  t.same(await real.client.configGet(), config_before, 'after the back-off the owner gets in; no guess changed anything');
  await leave(real);
});

t.test('factory reset (owner only): hosts and log erased, the window opens, old keys stop working', async (t) => {
  const { device, owner, ring_id } = await pairedRing();
  const g = await owner.client.authGrant({ host_id: PARTNER_ID, role: ROLE_VIEWER, scopes: SCOPE_HRV_SUMMARY });
  await owner.client.factoryReset();
  const st = await owner.client.authStatus();
  t.same([st.owned, st.window, st.hosts], [false, true, 0], 'no owner, pairing window open, no host');
  const page = await owner.client.historyPage(1, 64);
  const audit = page.records.map(auditOf).filter((a) => a !== null);
  t.same(audit.map((a) => [a.event, a.host]), [['factory-reset', Buffer.from(OWNER_ID).toString('hex')]], 'the new log starts with who reset it');
  const again = await owner.client.authPair(STRANGER_ID);
  t.notSame(again.ring_id, ring_id, 'a new owner makes a new secret: a new ring id');
  await leave(owner);
  const old = await connect(device, { host_id: PARTNER_ID, ring_id, key: g.key });
  t.equal(await rcOfCall(old.client.openSession()), ERR_AUTH_FAILED, "the partner's old grant is gone");
  await leave(old);
});
