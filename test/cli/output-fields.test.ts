// One field naming across the commands that print the ring's records: `replay`, `stream`
// and `history` (--ndjson and --json) name each record kind's fields alike, so a script
// written against one reads the others: times in ms (`time_ms`, `end_ms` for HRV windows),
// `emitted_ms` for the ring's clock at emission, `beat_index` for a beat's number.

import t from 'tap';
import { ring } from '../helpers/cli.js';

const rest = 'fixtures/synth/synth-rest.ringfx';
/** Two minutes, where only the table's header or a golden file's lines matter. */
const short = 'fixtures/synth/synth-high-hr.ringfx';
type Rec = Record<string, unknown> & { type: string };

/** The set of field names per record kind, leaving out the fields only one transport has. */
function fieldsByKind(records: Rec[], local: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of records) {
    if (!['beat', 'hr', 'hrv', 'status'].includes(r.type) || out.has(r.type)) continue;
    out.set(r.type, Object.keys(r).filter((k) => !local.includes(k)).sort().join(','));
  }
  return out;
}

const ndjson = (args: string[]): Rec[] => {
  const r = ring(args);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
};

const replayLines = ndjson(['replay', rest, '--ndjson']);

t.test('replay, stream and history name the fields of each record kind alike', async (t) => {
  const replay = fieldsByKind(replayLines, []);
  const stream = fieldsByKind(ndjson(['stream', '--sim', rest, '--ndjson', '--duration-s', '70']), ['received_us']);
  const history = fieldsByKind(ndjson(['history', '--sim', rest, '--ndjson']), ['seq']);
  t.same([...replay.keys()].sort(), ['beat', 'hr', 'hrv', 'status'], 'replay prints every kind');
  for (const kind of ['beat', 'hr', 'hrv']) {
    t.equal(stream.get(kind), replay.get(kind), `stream ${kind} fields = replay's`);
    t.equal(history.get(kind), replay.get(kind), `history ${kind} fields = replay's`);
  }
  t.equal(history.get('status'), replay.get('status'), "history status fields = replay's");
  for (const [kind, fields] of replay) {
    t.match(fields, /(^|,)emitted_ms(,|$)/, `${kind}: emitted_ms`);
    t.notMatch(fields, /_us(,|$)/, `${kind}: no µs field`);
  }
  t.match(replay.get('beat')!, /(^|,)beat_index(,|$)/, 'beat: beat_index');
});

t.test('replay --json holds the same records as --ndjson', async (t) => {
  const r = ring(['replay', rest, '--json']);
  t.equal(r.code, 0);
  const doc = JSON.parse(r.stdout) as { beats: Rec[]; hr: Rec[]; hrv: Rec[]; status: Rec[] };
  const lines = replayLines;
  const strip = ({ type: _type, ...rest }: Rec): object => rest;
  t.same(doc.beats[0], strip(lines.find((l) => l.type === 'beat')!), 'a beat');
  t.same(doc.hrv[0], strip(lines.find((l) => l.type === 'hrv')!), 'an HRV window');
});

t.test('an HRV window that ends exactly at the end of the recording is published', async (t) => {
  const lines = replayLines;
  const summary = lines[lines.length - 1] as Rec & { duration_ms: number };
  const last = lines.filter((l) => l.type === 'hrv' && l.end_ms === summary.duration_ms) as (Rec & { window_s: number; published: boolean })[];
  t.same(last.map((w) => w.window_s).sort((a, b) => a - b), [60, 300], `the 60 s and 300 s windows ending at ${summary.duration_ms} ms`);
  t.ok(last.every((w) => w.published), 'both published');
});

t.test('ring score --help explains every column of the table', async (t) => {
  const help = ring(['score', '--help']).stdout;
  const table = ring(['score', short]).stdout.split('\n')[0]!;
  const headers = table.trim().split(/\s{2,}/);
  t.ok(headers.length >= 10, `${headers.length} columns`);
  for (const h of headers) t.match(help, new RegExp(`^  ${h.replace(/[%@]/g, '\\$&')}\\s{2,}\\S`, 'm'), `'${h}' is explained`);
});

t.test('a long golden mismatch shows both the expected and the actual lines', async (t) => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-golden-diff-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const golden = path.join(dir, 'short.golden.ndjson');
  t.equal(ring(['replay', short, '--golden', golden, '--update-golden']).code, 0);
  // 60 lines in a row changed in the stored file: one block longer than the diff shows.
  const edited = fs.readFileSync(golden, 'utf8').split('\n').map((l, i) => (i >= 1 && i <= 60 ? l.replace('{"type"', '{"old":1,"type"') : l));
  fs.writeFileSync(golden, edited.join('\n'));
  const r = ring(['replay', short, '--golden', golden]);
  t.equal(r.code, 1, 'exit 1: mismatch');
  t.match(r.stderr, /^- \{"old":1,/m, 'the expected side (the stored lines)');
  t.match(r.stderr, /^\+ \{"type"/m, 'the actual side (what the replay gave)');
  t.match(r.stderr, /more (expected|actual) lines in this block/, 'says how much is not shown');
});
