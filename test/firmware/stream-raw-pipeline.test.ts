// The raw PPG stream fed by the sensor pipeline itself (firmware/main.ts calls the stream's
// hook only while it is subscribed): each batch's first index and time count every sample
// the pipeline took since boot, subscribed or not, across a pipeline reboot the sensor
// refuses (the pipeline's own count restarts there, the stream's index does not), and
// from 0 again after a real one.

import t from 'tap';
import * as fw from '../../firmware/ring.js';
import { CMD_CONFIG, CMD_STREAM_PPG, CMD_STREAM_SUBSCRIBE, CMD_STREAM_UNSUBSCRIBE, FLAG_UNSOLICITED, GROUP_CONFIG, GROUP_STREAM, STREAM_PPG } from '../../protocol/ids.js';
import type { DecodedFrame } from '../../protocol/host/frame.js';
import { FrameCollector, body, ready, write } from './ble-harness.js';

interface PpgBody {
  first: number;
  t_ms: number;
  samples: Uint8Array;
}

const ppgFrames = (fs: DecodedFrame[]): PpgBody[] =>
  fs.filter((f) => (f.header.flags & FLAG_UNSOLICITED) !== 0 && f.header.cmd === CMD_STREAM_PPG).map((f) => f.body as PpgBody);

const int32s = (b: Uint8Array): number[] => {
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  return Array.from({ length: b.length / 4 }, (_, i) => dv.getInt32(i * 4, true));
};

t.test('raw PPG batches from the pipeline: indices since boot, over a refused reboot and after a real one', async (t) => {
  const ring = ready(50);
  const c = new FrameCollector(ring);
  // A sensor FIFO the test fills, at 50 Hz or 25 Hz (a rate it refuses while `only_50`).
  let fifo: number[] = [];
  let only_50 = true;
  // The fake HAL's sensor methods take no arguments; these do (a structural view of it).
  const hal = ring.hal as unknown as { sensor_read: (dst: Int32Array, max: number) => number; sensor_configure: (rate_hz: number) => number };
  hal.sensor_read = (dst: Int32Array, max: number): number => {
    const n = Math.min(max, dst.length, fifo.length);
    for (let i = 0; i < n; i++) dst[i] = fifo[i]!;
    fifo = fifo.slice(n);
    return n;
  };
  const configures: number[] = [];
  hal.sensor_configure = (rate_hz: number): number => {
    configures.push(rate_hz);
    return rate_hz === 50 || !only_50 ? 0 : -1;
  };
  const feed = (from: number, count: number): void => {
    for (let i = 0; i < count; i++) fifo.push(from + i);
    t.equal(fw.ring_on_sensor_irq(), count, `${count} samples taken`);
  };
  write(ring, GROUP_CONFIG, CMD_CONFIG, { stream: { ppg_batch: 5 } });
  feed(0, 10); // not subscribed: counted, not sent
  write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_PPG });
  c.poll();
  feed(100, 5);
  let got = ppgFrames(c.poll());
  t.equal(got.length, 1, 'one batch of 5');
  t.same([got[0]!.first, got[0]!.t_ms], [0, 10 * 20], 'the 11th sample since boot, at 20 ms a sample');
  t.same(int32s(got[0]!.samples), [100, 101, 102, 103, 104]);

  // 25 Hz (asked with the stream off: a rate change is refused while it runs): the sensor
  // refuses it, so the pipeline keeps its rate, restarts its own count and sends no boot record.
  write(ring, GROUP_STREAM, CMD_STREAM_UNSUBSCRIBE, { kinds: STREAM_PPG });
  configures.length = 0;
  t.equal(body(write(ring, GROUP_CONFIG, CMD_CONFIG, { sample_rate_hz: 25 })).reboot_required, true, 'not applied');
  t.same(configures, [25], 'the sensor was asked');
  t.equal(fw.ring_sample_rate_hz(), 50, 'still 50 Hz');
  write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_PPG });
  c.poll();
  feed(200, 5);
  got = ppgFrames(c.poll());
  t.equal(got.length, 1);
  t.same([got[0]!.first, got[0]!.t_ms], [0, 15 * 20], 'the index runs on over the refused reboot');
  t.same(int32s(got[0]!.samples), [200, 201, 202, 203, 204]);

  // Accepted: the boot record restarts the index.
  write(ring, GROUP_STREAM, CMD_STREAM_UNSUBSCRIBE, { kinds: STREAM_PPG });
  only_50 = false;
  t.equal(body(write(ring, GROUP_CONFIG, CMD_CONFIG, { sample_rate_hz: 25 })).reboot_required, false, 'applied');
  t.equal(fw.ring_sample_rate_hz(), 25, 'now 25 Hz');
  write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_PPG });
  c.poll();
  feed(300, 5);
  got = ppgFrames(c.poll());
  t.equal(got.length, 1);
  t.same([got[0]!.first, got[0]!.t_ms], [0, 0], 'index 0 after the boot record');
  t.same(int32s(got[0]!.samples), [300, 301, 302, 303, 304]);
});
