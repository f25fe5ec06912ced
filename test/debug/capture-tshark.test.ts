// Captures read by the real tshark (Debian package, installed by `make deps`):
//  - a replay over the simulated link, captured: the heart rate and RR intervals tshark
//    decodes from the standard Heart Rate Service equal what the ring computed;
//  - with the shipped Lua dissector loaded, the ring service's frames show as named fields:
//    each history page's records, first and last sequence numbers match `ring history --json`,
//    and tshark names every frame as `ring decode --capture` does (the two decoders agree);
//  - inside an authenticated session (sealed requests and answers), the dissector opens the
//    envelope: counter and MAC, and the command's own fields, as `ring decode` does;
//  - the shipped dissector is what `ring dissector` generates from the protocol today.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cliPath, ring } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';

const rest = 'fixtures/synth/synth-rest.ringfx';
const dissector = path.join(repoRoot, 'tools/wireshark/ring-sim.lua');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-capture-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

const hasTshark = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
const tsharkSkip = hasTshark || process.env.CI === 'true' ? {} : { skip: 'tshark is not installed (make deps installs it)' };

function tshark(args: string[]): string[] {
  const r = spawnSync('tshark', args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

t.test('tshark decodes HR and RR from the Heart Rate Service equal to what the ring computed', tsharkSkip, async (t) => {
  const cap = path.join(tmp, 'replay.btsnoop');
  const r = ring(['replay', rest, '--json', '--capture', cap]);
  t.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as {
    hr: { hr_bpm_x10: number }[];
    beats: { ibi_ms: number; ibi_valid: boolean }[];
  };
  // One tshark pass (each loads Wireshark): the HR notifications and the discovery's answers.
  const all = tshark([
    '-r', cap, '-Y', '(btatt.opcode == 0x1b && btatt.heart_rate_measurement.value.8) || btatt.opcode == 0x09', '-T', 'fields',
    '-e', 'btatt.opcode', '-e', 'btatt.heart_rate_measurement.value.8', '-e', 'btatt.heart_rate_measurement.rr_interval', '-e', 'btatt.uuid16',
  ]).map((l) => l.split('\t'));
  const rows = all.filter((f) => f[0] === '0x1b');
  t.ok(rows.length + all.filter((f) => f[0] === '0x09').length === all.length, 'only the two opcodes asked for');
  const hr_tshark = rows.map((f) => Number(f[1]));
  const rr_tshark = rows.flatMap((f) => (f[2] ?? '').split(',').filter((x) => x !== '').map(Number));
  const hr_ring = result.hr.map((h) => Math.floor((h.hr_bpm_x10 + 5) / 10));
  t.ok(hr_ring.length > 100, `${hr_ring.length} HR records`);
  t.same(hr_tshark, hr_ring, 'one measurement per HR record, the same heart rate');
  const rr_ring = result.beats.filter((b) => b.ibi_valid).map((b) => Math.floor((b.ibi_ms * 1024 + 500) / 1000));
  // Intervals after the last HR record wait for a measurement that never comes.
  t.ok(rr_tshark.length > rr_ring.length - 32 && rr_tshark.length <= rr_ring.length, `${rr_tshark.length} of ${rr_ring.length} RR intervals sent`);
  t.same(rr_tshark, rr_ring.slice(0, rr_tshark.length), 'RR intervals in 1/1024 s, in order, none lost');
  const names = all.filter((f) => f[0] === '0x09').map((f) => f[3] ?? '').join(',');
  t.match(names, /0x2a37/, 'the capture holds the discovery that maps Heart Rate Measurement');
});

t.test('with the Lua dissector, history pages show named fields that match ring history --json', tsharkSkip, async (t) => {
  const cap = path.join(tmp, 'history.btsnoop');
  const h = ring(['history', '--sim', rest, '--json', '--mtu', '64', '--capture', cap]);
  t.equal(h.code, 0, h.stderr);
  const history = JSON.parse(h.stdout) as { first_seq: number; last_seq: number; records: { seq: number }[]; pages: number };
  // One tshark pass for every frame's fields (each tshark run loads Wireshark: seconds).
  const rows = tshark([
    '-X', `lua_script:${dissector}`, '-r', cap, '-Y', 'ring.message || ring.malformed', '-T', 'fields',
    ...['ring.message', 'ring.hdr.seq', 'ring.seq', 'ring.first_seq', 'ring.last_seq', 'ring.malformed'].flatMap((f) => ['-e', f]),
  ]).map((l) => {
    const [message, hdr_seq, seqs, first_seq, last_seq, malformed] = l.split('\t');
    return { message: message!, hdr_seq, seqs: seqs ?? '', first_seq, last_seq, malformed: malformed ?? '' };
  });
  const pages = rows.filter((r) => r.message === 'history.read.rsp').map((r) => (
    { hdr_seq: Number(r.hdr_seq), seqs: r.seqs.split(',').map(Number), first_seq: Number(r.first_seq), last_seq: Number(r.last_seq) }));
  t.equal(pages.length, history.pages, `${pages.length} pages, reassembled from pieces of MTU 64`);
  t.same(pages.map((p) => [p.first_seq, p.last_seq]), pages.map(() => [history.first_seq, history.last_seq]), "every page's first_seq and last_seq");
  const all = pages.flatMap((p) => p.seqs).sort((a, b) => a - b);
  t.same(all, history.records.map((r) => r.seq), "every page's records, first to last, are the history's");
  t.equal(pages[0].seqs[0], history.records[0].seq, "first page's first record");
  t.equal(Math.max(...pages.map((p) => p.seqs[p.seqs.length - 1])), history.records[history.records.length - 1].seq, "last page's last record");
  t.same(rows.filter((r) => r.malformed !== ''), [], 'no frame malformed');
  const lua_names = rows.filter((r) => r.message !== '').map((r) => r.message);
  const d = spawnSync(process.execPath, [cliPath, 'decode', '--capture', cap, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  t.equal(d.status, 0, d.stderr);
  const ts_names = (JSON.parse(d.stdout) as { frames: { message: string }[] }).frames.map((f) => f.message);
  t.same(lua_names, ts_names, 'the Lua dissector and ring decode name every frame alike');
  const units = tshark(['-X', `lua_script:${dissector}`, '-r', cap, '-V', '-Y', 'ring.message == "device.info.rsp"']).join('\n');
  t.match(units, /mtu: 64 bytes/);
  t.match(units, /frame_max: 1024 bytes/);
});

t.test('with the Lua dissector, sealed session frames show their envelope and the command inside', tsharkSkip, async (t) => {
  const cap = path.join(tmp, 'sealed.btsnoop');
  const keys = path.join(tmp, 'owner.json');
  const state = path.join(tmp, 'ring.flash');
  const p = ring(['pair', '--sim', rest, '--ring-state', state, '--keys', keys]);
  t.equal(p.code, 0, p.stderr);
  const h = ring(['history', '--keys', keys, '--sim', rest, '--ring-state', state, '--json', '--mtu', '64', '--capture', cap]);
  t.equal(h.code, 0, h.stderr);
  const history = JSON.parse(h.stdout) as { records: { seq: number }[]; pages: number };
  // One tshark pass for every frame's fields (each tshark run loads Wireshark: seconds).
  const rows = tshark([
    '-X', `lua_script:${dissector}`, '-r', cap, '-Y', 'ring.message', '-T', 'fields',
    ...['ring.message', 'ring.sealed', 'ring.ctr', 'ring.from_seq', 'ring.seq', 'ring.malformed'].flatMap((f) => ['-e', f]),
  ]).map((l) => {
    const [message, sealed, ctr, from_seq, seq, malformed] = l.split('\t');
    return { message: message!, sealed: sealed === '1' || sealed === 'True', ctr, from_seq, seq: seq ?? '', malformed: malformed ?? '' };
  });
  const reqs = rows.filter((r) => r.sealed && r.message === 'history.read.req');
  const rsps = rows.filter((r) => r.sealed && r.message === 'history.read.rsp');
  t.equal(reqs.length, history.pages, `${reqs.length} sealed history requests, one per page`);
  t.equal(rsps.length, history.pages, 'and as many sealed answers');
  const ctrs = reqs.map((r) => Number(r.ctr));
  t.ok(ctrs.every((c, i) => i === 0 || c > ctrs[i - 1]!), `request counters rise: ${ctrs.slice(0, 5).join(', ')}...`);
  t.ok(reqs.every((r) => Number(r.from_seq) >= 1), 'each request shows its from_seq, read from inside the envelope');
  const seqs = rsps.flatMap((r) => r.seq.split(',').filter((x) => x !== '').map(Number)).sort((a, b) => a - b);
  t.same(seqs, history.records.map((r) => r.seq), "the answers' records, opened from their envelopes, are the history's");
  t.same(rows.filter((r) => r.malformed !== ''), [], 'no frame malformed');
  const d = spawnSync(process.execPath, [cliPath, 'decode', '--capture', cap, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  t.equal(d.status, 0, d.stderr);
  const frames = (JSON.parse(d.stdout) as { frames: { message: string; sealed?: boolean }[] }).frames;
  t.same(rows.map((r) => `${r.message}${r.sealed ? ' sealed' : ''}`), frames.map((f) => `${f.message}${f.sealed ? ' sealed' : ''}`),
    'the Lua dissector and ring decode name and mark every frame alike');
  const mac = tshark(['-X', `lua_script:${dissector}`, '-r', cap, '-V', '-Y', 'ring.sealed && ring.message == "history.read.rsp"', '-c', '400']).join('\n');
  t.match(mac, /mac: 16 bytes/, 'the MAC shown as such');
  t.match(mac, /rsp\n\s+records \[/, "the command's body under rsp, walked with its schema");
});

t.test('the shipped dissector is what ring dissector generates from the protocol', async (t) => {
  const r = ring(['dissector']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, fs.readFileSync(dissector, 'utf8'), 'tools/wireshark/ring-sim.lua is up to date (regenerate: ring dissector -o tools/wireshark/ring-sim.lua)');
  t.match(r.stdout, /\["68\/0\/1"\] = \{ name = "history\.read\.rsp"/);
});
