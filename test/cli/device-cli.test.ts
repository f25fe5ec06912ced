// The device commands run as a user runs them: `node dist/bin/ring.js info --sim ...`.
// Data goes to stdout, one JSON document with --json, NDJSON with --ndjson; a value the ring
// refuses ends in one line `error: ...` and exit 2.
import t from 'tap';
import { oneLineError, ring } from '../helpers/cli.js';

const rest = 'fixtures/synth/synth-rest.ringfx';
const high = 'fixtures/synth/synth-high-hr.ringfx';

// The device commands' bad options are rows of test/cli/wrong-values.test.ts's table (every
// option of every command: one line and exit 2).

t.test('end to end against the simulated ring', async (t) => {
  const info = ring(['info', '--sim', rest, '--json']);
  t.equal(info.code, 0, info.stderr);
  const doc = JSON.parse(info.stdout);
  t.equal(doc.proto, 1);
  t.equal(doc.mtu, 247);
  t.type(doc.fw, 'string');
  const small = ring(['info', '--sim', rest, '--json', '--mtu', '23']);
  t.equal(small.code, 0, small.stderr);
  t.equal(JSON.parse(small.stdout).mtu, 23);

  const table = ring(['info', '--sim', rest]);
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /firmware/);

  const time = ring(['time', '--sim', rest, '--json', '--set', '2026-03-01T12:00:00Z']);
  t.equal(time.code, 0, time.stderr);
  const td = JSON.parse(time.stdout);
  t.equal(td.sent_ms, Date.parse('2026-03-01T12:00:00Z'));
  t.equal(td.time.synced, true);
  t.ok(Math.abs(td.time.now_ms - td.sent_ms) < 1000, 'the ring now reads about the time set');

  const cfg = ring(['config', 'set', 'hrv_short_s=90', 'stream.ppg_batch=10', '--sim', rest, '--json']);
  t.equal(cfg.code, 0, cfg.stderr);
  t.equal(JSON.parse(cfg.stdout).hrv_short_s, 90);
  t.equal(JSON.parse(cfg.stdout).stream.ppg_batch, 10);
  const badValue = ring(['config', 'set', 'hrv_short_s=31', '--sim', rest]);
  oneLineError(t, badValue, /ERR_BAD_VALUE.*hrv_short_s/);

  const stream = ring(['stream', '--sim', high, '--ndjson', '--duration-s', '20', '--seed', '3']);
  t.equal(stream.code, 0, stream.stderr);
  const items = stream.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(items[items.length - 1].type, 'summary');
  t.ok(items.filter((i) => i.type === 'beat').length > 20, 'beats streamed');
  t.ok(items.filter((i) => i.type === 'hr').length > 10, 'hr streamed');

  const hist = ring(['history', '--sim', high, '--json', '--loss', '0.05', '--disconnect-at-ms', '150', '--mtu', '23']);
  t.equal(hist.code, 0, hist.stderr);
  const h = JSON.parse(hist.stdout);
  t.ok(h.records.length > 300, `${h.records.length} records`);
  t.equal(h.resumes, 1, 'resumed once after the forced disconnect');
  const seqs = h.records.map((r: { seq: number }) => r.seq);
  t.same(seqs, Array.from({ length: seqs.length }, (_, i) => h.first_seq + i), 'every record once, in order');

  const page = ring(['history', '--sim', high, '--ndjson', '--from', '5', '--max', '7']);
  t.equal(page.code, 0, page.stderr);
  const lines = page.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.same(lines.slice(0, -1).map((r) => r.seq), [5, 6, 7, 8, 9, 10, 11]);
  t.equal(lines[lines.length - 1].type, 'summary');
});
