// The whole firmware (firmware/ring.ts: pipeline, GATT server, commands, history log) on
// the three embedded engines, each byte-identical to Node: every record and every ATT PDU,
// for a scripted BLE central over a recording and for the sensor feed of recordings at 25
// and 50 Hz. JerryScript runs its 64 KB microcontroller build from a static snapshot in
// place: the firmware's heap peak, load included, fits and nothing grows after boot.
// The engines are built from ../shared/engines (make engines): without it the test skips,
// under CI=true it fails.

import path from 'node:path';
import t, { type Test } from 'tap';
import { feedScript, sessionScript } from '../../engines/driver/script.js';
import { buildEngines, enginePaths, runEngineScript, runNodeScript, type EngineName } from '../../engines/run.js';
import { sensorStreamOf } from '../../tools/duk/write-stream.js';
import { needsShared, repoRoot, sharedPath } from '../helpers/shared.js';

const JERRY_HEAP_BYTES = 64 * 1024;
const paths = enginePaths(repoRoot);

function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}: engine ${JSON.stringify(la[i] ?? '<end>')} vs node ${JSON.stringify(lb[i] ?? '<end>')}`;
  }
  return 'identical';
}

async function compare(t: Test, engine: EngineName, script: Int32Array, what: string): Promise<void> {
  const node = await runNodeScript(paths, script);
  t.equal(node.status, 0, `${what}: the driver runs on Node`);
  const r = runEngineScript(paths, engine, script);
  t.equal(r.status, 0, `${what}: ${engine} exits 0`, { stderr: r.stderr.slice(0, 2000) });
  t.ok(r.text === node.text, `${what}: ${engine} output is byte-identical to Node's (${firstDifference(r.text, node.text)})`);
  if (r.heap !== null) {
    // Espruino's figure is reported, not held to 0: it grows by a few hundred bytes over the
    // first minutes in its own variable store (see docs/mcu-budget.md).
    if (engine !== 'espruino') t.equal(r.heap.growth_bytes, 0, `${what}: ${engine} heap growth after boot is 0 bytes`);
    if (engine === 'jerryscript') {
      t.ok(r.heap.peak_total_bytes <= JERRY_HEAP_BYTES, `${what}: JerryScript heap peak ${r.heap.peak_total_bytes} bytes, load included, within ${JERRY_HEAP_BYTES}`);
    }
    t.comment(
      `${what} on ${engine}: heap above the empty engine: peak ${r.heap.peak_bytes}, loaded ${r.heap.loaded_bytes}, booted ${r.heap.booted_bytes}, growth ${r.heap.growth_bytes} bytes`,
    );
  } else t.fail(`${what}: ${engine} reported no heap figures`);
}

t.test('the whole firmware on Duktape, JerryScript and Espruino', needsShared('engines'), async (t) => {
  if (sharedPath(t, 'engines') === null) return;
  const built = buildEngines(repoRoot);
  if (!built.ok) {
    t.fail(`make engines engines-snapshots failed:\n${built.output.slice(-3000)}`);
    return;
  }
  const capnobase = sharedPath(t, 'datasets/capnobase');
  if (capnobase === null) return;
  const rec = (name: string): string => path.join(capnobase, `${name}.json`);
  const synth = path.join(repoRoot, 'fixtures', 'synth', 'synth-motion-nocontact.ringfx');

  t.test('a scripted central: connect, MTU, discovery, CCCDs, config, stream, history pages', async (t) => {
    for (const rate_hz of [25, 50]) {
      const stream = sensorStreamOf(rec('0015_8min'), rate_hz).subarray(0, rate_hz * 90);
      const script = sessionScript(stream, { rate_hz });
      const node = await runNodeScript(paths, script);
      t.ok(node.text.split('\n').filter((l) => l.startsWith('> 1b')).length > 50, `${rate_hz} Hz: the session streams notifications`);
      t.match(node.text, /^> 1b0900..00....0044/m, `${rate_hz} Hz: a history page goes out`);
      for (const engine of ['duktape', 'jerryscript'] as const) await compare(t, engine, script, `session @ ${rate_hz} Hz`);
    }
    // Espruino interprets from source tokens, ~20x slower: one rate, a shorter stream.
    const stream = sensorStreamOf(rec('0015_8min'), 25).subarray(0, 25 * 66);
    await compare(t, 'espruino', sessionScript(stream, { rate_hz: 25 }), 'session @ 25 Hz');
  });

  t.test('recordings through the sensor feed', async (t) => {
    for (const file of [rec('0015_8min'), rec('0147_8min'), synth]) {
      for (const rate_hz of [25, 50]) {
        const script = feedScript(sensorStreamOf(file, rate_hz), { rate_hz });
        const what = `${path.basename(file)} @ ${rate_hz} Hz`;
        for (const engine of ['duktape', 'jerryscript'] as const) await compare(t, engine, script, what);
      }
    }
    const stream = sensorStreamOf(rec('0322_8min'), 25).subarray(0, 25 * 90);
    await compare(t, 'espruino', feedScript(stream, { rate_hz: 25 }), '0322_8min (90 s) @ 25 Hz');
  });

  t.test('what the engine hosts say about bad runs', async (t) => {
    const stream = sensorStreamOf(synth, 25).subarray(0, 250);
    const fits = runEngineScript(paths, 'jerryscript', feedScript(stream, { rate_hz: 25 }), { quiet: true, jerry_512k: true });
    t.equal(fits.status, 0, 'the same firmware runs in the 512 KB build', { stderr: fits.stderr });
    // A script that is not one: the driver refuses it, the host exits 5.
    const junk = Int32Array.from([1, 2, 3, 4, 5, 0]);
    for (const engine of ['duktape', 'jerryscript'] as const) {
      const r = runEngineScript(paths, engine, junk, { quiet: true });
      t.equal(r.status, 5, `${engine}: a bad script: exit 5`);
      t.match(r.stderr, /the driver returned -1/, `${engine}: says the driver refused it`);
    }
    const node = await runNodeScript(paths, junk);
    t.equal(node.text, '= 9 0\n', 'Node: the driver notes a script error');
  });
});
