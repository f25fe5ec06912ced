// `ring replay --direct --ndjson` written as the replay runs (host/replay/ndjson-stream.ts):
// the same lines as the merge of a finished replay, and lines out before the replay is over.

import t from 'tap';
import { loadFixture } from '../../sim/fixture/load.js';
import { replayFixture, replayFixtureInto } from '../../sim/replay.js';
import { replayNdjsonLines } from '../../host/replay/format.js';
import { ndjsonStream } from '../../host/replay/ndjson-stream.js';

t.test('streamed lines equal the finished replay\'s merge, at every rate', async (t) => {
  const fx = loadFixture('fixtures/synth/synth-motion-nocontact.ringfx');
  for (const rate_hz of [25, 50, 100]) {
    const chunks: string[] = [];
    const stream = ndjsonStream((text) => void chunks.push(text));
    replayFixtureInto(fx, { rate_hz, seed: 4 }, stream.view);
    stream.end();
    const whole = replayNdjsonLines(replayFixture(fx, { rate_hz, seed: 4 }));
    t.equal(chunks.join(''), whole.join('\n') + '\n', `${rate_hz} Hz: ${whole.length} lines, byte for byte`);
  }
});

t.test('lines go out while the replay runs, not at its end', async (t) => {
  const fx = loadFixture('fixtures/synth/synth-sleep.ringfx');
  let written_chars = 0;
  const stream = ndjsonStream((text) => void (written_chars += text.length));
  let seen_during = 0;
  let progress_calls = 0;
  replayFixtureInto(fx, {
    rate_hz: 50, seed: 1,
    onProgress: () => {
      progress_calls++;
      seen_during = written_chars;
    },
  }, stream.view);
  const before_end = written_chars;
  stream.end();
  t.ok(progress_calls > 1, `${progress_calls} progress calls`);
  t.ok(seen_during > 0, `${seen_during} characters written by the last progress call, of ${written_chars}`);
  t.ok(before_end < written_chars, 'the held records and the summary follow at the end');
  t.throws(() => stream.view.beats.at(0), /keeps no records/, 'nothing is kept to read back');
});

t.test('a record emitted before the one already written is an internal fault, not a silent reorder', async (t) => {
  const stream = ndjsonStream(() => undefined);
  stream.view.hr.push({ time_ms: 5, hr_bpm_x10: 600, confidence: 2, emitted_us: 9000 });
  t.throws(() => stream.view.beats.push({ time_ms: 1, ibi_ms: 800, ibi_valid: true, sqi: 90, amplitude: 100, index: 0, emitted_us: 8000 }),
    /out of emission order: 8000 us after 9000 us/);
});
