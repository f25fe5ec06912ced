// The whole sharing flow through the `ring` CLI over --sim, as a user runs it: the ring's
// flash kept between runs in --ring-state, each host with its own key store. Pair, grant
// hrv-summary to a second host, which reads HRV windows but gets ERR_NOT_PERMITTED for
// beats, raw PPG and config; revoke; its next read is refused. Then the audit trail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ring } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-share-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const fixture = path.join(repoRoot, 'fixtures/synth/synth-rest.ringfx');
const sim = ['--sim', fixture, '--ring-state', path.join(dir, 'ring.flash')];
const owner = ['--keys', path.join(dir, 'owner.json')];
const partner = ['--keys', path.join(dir, 'partner.json')];
const nobody = ['--keys', path.join(dir, 'nobody.json')]; // never written: no key, requests in the clear

t.test('pair, grant hrv-summary, the partner reads HRV only, revoke, refused', async (t) => {
  const p = ring(['pair', ...sim, ...owner]);
  t.equal(p.code, 0, p.stderr);
  t.match(p.stdout, /^paired with ring [0-9a-f]{16} as its owner \(host [0-9a-f]{16}\); key saved in /);
  t.equal(fs.statSync(path.join(dir, 'owner.json')).mode & 0o777, 0o600, 'the key store is mode 0600');

  const g = ring(['share', 'grant', '--scope', 'hrv-summary', '--out', path.join(dir, 'partner.json'), '--json', ...sim, ...owner]);
  t.equal(g.code, 0, g.stderr);
  const grant = JSON.parse(g.stdout) as { host: string; scopes: string[]; role: string };
  t.same([grant.role, grant.scopes], ['viewer', ['hrv-summary']]);
  t.equal(fs.statSync(path.join(dir, 'partner.json')).mode & 0o777, 0o600, "the partner's key store is mode 0600");

  const h = ring(['history', '--ndjson', ...sim, ...partner]);
  t.equal(h.code, 0, h.stderr);
  const lines = h.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  const records = lines.filter((l) => l.type !== 'summary');
  t.ok(records.length >= 5, `the partner reads ${records.length} HRV windows`);
  t.same([...new Set(records.map((r) => r.type))], ['hrv'], 'and nothing but HRV windows');

  for (const [what, args] of [
    ['beats', ['stream', '--beats', '--duration-s', '5']],
    ['raw PPG', ['stream', '--raw', '--duration-s', '5']],
    ['config set', ['config', 'set', 'hrs=false']],
    ['config get', ['config']],
  ] as const) {
    const r = ring([...args, ...sim, ...partner]);
    t.equal(r.code, 2, `${what}: exit 2`);
    t.match(r.stderr, /^error: ERR_NOT_PERMITTED \(18\)/, `${what}: ERR_NOT_PERMITTED`);
  }

  const rv = ring(['share', 'revoke', grant.host, ...sim, ...owner]);
  t.equal(rv.code, 0, rv.stderr);
  t.equal(rv.stdout, `revoked host ${grant.host}\n`);
  const after = ring(['history', '--ndjson', ...sim, ...partner]);
  t.equal(after.code, 2, 'after the revoke the partner is refused');
  t.match(after.stderr, /^error: ERR_REVOKED \(29\)/);
  t.equal(after.stdout, '', 'and reads nothing');

  const list = ring(['share', 'list', '--json', ...sim, ...owner]);
  const hosts = (JSON.parse(list.stdout) as { hosts: { host: string; role: string; revoked: boolean }[] }).hosts;
  t.same(hosts.map((x) => [x.role, x.revoked]), [['owner', false], ['viewer', true]], 'share list: the owner, and the partner revoked');
});

t.test('without a key, on a ring with an owner: public reads only; pairing only in the window', async (t) => {
  const info = ring(['info', '--json', ...sim, ...nobody]);
  t.equal(info.code, 0, 'device info is public');
  const h = ring(['history', ...sim, ...nobody]);
  t.equal(h.code, 2);
  t.match(h.stderr, /^error: ERR_AUTH_REQUIRED \(17\)/, 'history needs a session');
  const e = ring(['history-erase', '--yes', ...sim, ...nobody]);
  t.match(e.stderr, /^error: ERR_AUTH_REQUIRED \(17\)/, 'so does erasing it');
  const p = ring(['pair', ...sim, '--keys', path.join(dir, 'stranger.json')]);
  t.equal(p.code, 2);
  t.match(p.stderr, /^error: ERR_PAIRING_CLOSED \(23\)/, 'a second owner off the charger: refused');
  t.notOk(fs.existsSync(path.join(dir, 'stranger.json')), 'and no key store is written');
  const audit = ring(['share', 'audit', '--json', ...sim, ...owner]);
  t.equal(audit.code, 0, audit.stderr);
  const events = (JSON.parse(audit.stdout) as { audit: { event: string; error?: string }[] }).audit.map((a) => (a.error ? `${a.event} ${a.error}` : a.event));
  for (const want of ['pair', 'grant', 'refused ERR_NOT_PERMITTED', 'revoke', 'auth-failed ERR_REVOKED', 'refused ERR_AUTH_REQUIRED', 'refused ERR_PAIRING_CLOSED']) {
    t.ok(events.includes(want), `the owner's audit trail has: ${want}`);
  }
});

t.test('a key store others can read is refused, not used', async (t) => {
  const file = path.join(dir, 'loose.json');
  fs.copyFileSync(path.join(dir, 'owner.json'), file);
  fs.chmodSync(file, 0o644);
  const r = ring(['share', 'list', ...sim, '--keys', file]);
  t.equal(r.code, 2);
  t.equal(r.stderr, `error: ${file} is readable by others (mode 644): run chmod 600 ${file}\n`);
});
