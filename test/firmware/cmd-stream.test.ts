// Streams: subscribe / unsubscribe / status, unsolicited notifications for beats, HR, HRV
// windows and raw PPG batches, their sequence numbers and counters, and the errors.

import t from 'tap';
import * as fw from '../../firmware/ring.js';
import {
  CMD_CONFIG,
  CMD_STREAM_BEATS,
  CMD_STREAM_HR,
  CMD_STREAM_HRV,
  CMD_STREAM_PPG,
  CMD_STREAM_STATUS,
  CMD_STREAM_SUBSCRIBE,
  CMD_STREAM_UNSUBSCRIBE,
  ERR_BAD_OP,
  ERR_BAD_TYPE,
  ERR_BAD_VALUE,
  ERR_MISSING_FIELD,
  ERR_UNKNOWN_COMMAND,
  ERR_UNKNOWN_FIELD,
  FLAG_UNSOLICITED,
  GROUP_CONFIG,
  GROUP_STREAM,
  OP_READ_RSP,
  STREAM_ALL,
  STREAM_BEATS,
  STREAM_HR,
  STREAM_HRV,
  STREAM_PPG,
} from '../../protocol/ids.js';
import { STATUS_BOOT, STATUS_FIFO_OVERFLOW } from '../../firmware/output.js';
import type { DecodedFrame } from '../../protocol/host/frame.js';
import {
  FrameCollector,
  H,
  body,
  emitBeat,
  emitHr,
  emitHrv,
  emitStatus,
  read,
  ready,
  stream_on_raw_sample,
  write,
  writeCccd,
} from './ble-harness.js';

const unsolicited = (fs: DecodedFrame[]): DecodedFrame[] => fs.filter((f) => (f.header.flags & FLAG_UNSOLICITED) !== 0);

t.test('subscribe, status, unsubscribe', async (t) => {
  const ring = ready();
  t.same(body(read(ring, GROUP_STREAM, CMD_STREAM_STATUS)), { kinds: 0, drops: [0, 0, 0, 0] });
  t.same(body(write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_BEATS | STREAM_HR })), { kinds: 3, drops: [0, 0, 0, 0] });
  t.same(body(write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_HR })).kinds, 3, 'subscribing again is fine');
  t.same(body(write(ring, GROUP_STREAM, CMD_STREAM_UNSUBSCRIBE, { kinds: STREAM_BEATS | STREAM_PPG })).kinds, 2);
  t.equal(body(read(ring, GROUP_STREAM, CMD_STREAM_STATUS)).kinds, 2);
  const bad: [number, number, unknown, number, string | undefined][] = [
    [CMD_STREAM_SUBSCRIBE, 2, { kinds: 0 }, ERR_BAD_VALUE, 'kinds'],
    [CMD_STREAM_SUBSCRIBE, 2, { kinds: 16 }, ERR_BAD_VALUE, 'kinds'],
    [CMD_STREAM_SUBSCRIBE, 2, {}, ERR_MISSING_FIELD, 'kinds'],
    [CMD_STREAM_SUBSCRIBE, 2, { kinds: [1] }, ERR_BAD_TYPE, 'kinds'],
    [CMD_STREAM_UNSUBSCRIBE, 2, { kinds: 1, all: true }, ERR_UNKNOWN_FIELD, 'all'],
    [CMD_STREAM_SUBSCRIBE, 0, { kinds: 1 }, ERR_BAD_OP, undefined],
    [CMD_STREAM_STATUS, 2, {}, ERR_BAD_OP, undefined],
    [CMD_STREAM_STATUS, 0, { kinds: 1 }, ERR_UNKNOWN_FIELD, 'kinds'],
    [CMD_STREAM_BEATS, 0, {}, ERR_BAD_OP, undefined],
    [5, 0, {}, ERR_UNKNOWN_COMMAND, undefined],
  ];
  for (const [cmd, op, req, code, key] of bad) {
    const b = body(op === 2 ? write(ring, GROUP_STREAM, cmd, req) : read(ring, GROUP_STREAM, cmd, req));
    t.same([b.rc, b.key], [code, key], `cmd ${cmd} op ${op} ${JSON.stringify(req)}`);
  }
  fw.ring_ble_connected(0, 23);
  fw.ring_ble_connected(1, 23);
  writeCccd(ring, H.frameCccd, 1);
  t.equal(body(read(ring, GROUP_STREAM, CMD_STREAM_STATUS)).kinds, 0, 'a new connection has no subscriptions');
});

t.test('beats, HR and HRV notifications', async (t) => {
  const ring = ready();
  const c = new FrameCollector(ring);
  write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_BEATS | STREAM_HR | STREAM_HRV }, );
  c.poll();
  emitBeat(1000, 800, 1, 95, 321, 7);
  emitHr(1000, 752, 77);
  emitHrv(60000, 60, 0);
  emitStatus(61000, 3, 1); // status records are not streamed
  const got = unsolicited(c.poll());
  t.same(got.map((f) => [f.header.op, f.header.group, f.header.cmd, f.header.seq]), [
    [OP_READ_RSP, GROUP_STREAM, CMD_STREAM_BEATS, 0],
    [OP_READ_RSP, GROUP_STREAM, CMD_STREAM_HR, 1],
    [OP_READ_RSP, GROUP_STREAM, CMD_STREAM_HRV, 2],
  ], 'one frame each, device sequence 0, 1, 2');
  // Each item ends with the ring's clock when it was emitted (0 here: the clock stands still).
  t.same(got[0]!.body, { first: 7, drops: 0, beats: [[1000, 800, true, 95, 321, 0]] });
  t.same(got[1]!.body, { drops: 0, hr: [[1000, 752, 77, 0]] });
  t.same(got[2]!.body, { drops: 0, windows: [[60000, 60, 70, 950, 8571, 421, 388, 120, false, 0]] });
  // Backed up link: items are staged and go out as one batch on tx space.
  ring.ble.refuse = true;
  for (let i = 8; i < 12; i++) emitBeat(i * 1000, 800, 1, 90, 300, i);
  t.equal(unsolicited(c.poll()).length, 0);
  ring.ble.refuse = false;
  fw.ring_ble_tx_space();
  const batch = unsolicited(c.poll());
  t.equal(batch.length, 2, 'the first beat had its frame queued; the next three waited as one batch');
  t.same(batch.map((f) => (f.body as { first: number }).first), [8, 9]);
  t.same(batch.map((f) => (f.body as { beats: unknown[] }).beats.length), [1, 3]);
  t.same(batch.map((f) => f.header.seq), [3, 4]);
  // hr_period_s: at most one HR item per period.
  write(ring, GROUP_CONFIG, CMD_CONFIG, { stream: { hr_period_s: 5 } });
  c.poll();
  for (let s = 0; s < 12; s++) emitHr(100000 + s * 1000, 700, 90);
  const hrs = unsolicited(c.poll()).flatMap((f) => (f.body as { hr: number[][] }).hr.map((h) => h[0]));
  t.same(hrs, [100000, 105000, 110000], 'one per 5 s');
});

t.test('raw PPG batches: decimation, sample bytes, times, FIFO losses', async (t) => {
  const ring = ready(50);
  const c = new FrameCollector(ring);
  write(ring, GROUP_CONFIG, CMD_CONFIG, { stream: { ppg_batch: 4, ppg_decim: 2 } });
  for (let i = 0; i < 10; i++) stream_on_raw_sample(i); // before the subscription: indices only
  write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_PPG });
  c.poll();
  for (let i = 0; i < 16; i++) stream_on_raw_sample(1000 * i - 3000);
  let got = unsolicited(c.poll());
  t.equal(got.length, 2, '16 samples, every 2nd, 4 per batch');
  const b0 = got[0]!.body as { first: number; t_ms: number; period_us: number; samples: Uint8Array; drops_sensor: number; drops_link: number };
  t.equal(got[0]!.header.cmd, CMD_STREAM_PPG);
  t.equal(b0.first, 0);
  t.equal(b0.t_ms, 10 * 20, 'sample 10 since boot at 50 Hz');
  t.equal(b0.period_us, 40000, '20 ms * decimation 2');
  const dv = new DataView(b0.samples.buffer, b0.samples.byteOffset, b0.samples.length);
  t.same([0, 1, 2, 3].map((i) => dv.getInt32(i * 4, true)), [-3000, -1000, 1000, 3000], 'int32 little-endian, every 2nd');
  t.same([b0.drops_sensor, b0.drops_link], [0, 0]);
  t.equal((got[1]!.body as { first: number }).first, 4);
  t.equal((got[1]!.body as { t_ms: number }).t_ms, 200 + 8 * 20);
  // FIFO overflow: 6 samples lost. The partial batch goes out first, indices and time skip.
  stream_on_raw_sample(1);
  stream_on_raw_sample(2);
  stream_on_raw_sample(3); // decimated: samples 16 and 18 since subscribe are taken
  emitStatus(0, STATUS_FIFO_OVERFLOW, 6);
  for (let i = 0; i < 8; i++) stream_on_raw_sample(50);
  got = unsolicited(c.poll());
  t.equal(got.length, 2);
  const partial = got[0]!.body as { first: number; samples: Uint8Array };
  t.same([partial.first, partial.samples.length], [8, 8], 'partial batch of 2 sent at the overflow');
  const after = got[1]!.body as { first: number; t_ms: number; drops_sensor: number };
  t.equal(after.drops_sensor, 6);
  t.equal(after.first, (16 + 3 + 6 + 1) / 2, 'index after decimation counts the lost samples');
  t.equal(after.t_ms, (10 + 16 + 3 + 6 + 1) * 20);
  // A batch the queue refuses is dropped and counted.
  ring.ble.refuse = true;
  for (let i = 0; i < 400; i++) stream_on_raw_sample(i); // 50 frames: more than the stream share of the queue
  ring.ble.refuse = false;
  fw.ring_ble_tx_space();
  c.poll();
  const st = body(read(ring, GROUP_STREAM, CMD_STREAM_STATUS));
  t.ok((st.drops as number[])[3]! > 0, `PPG samples dropped on the link: ${(st.drops as number[])[3]}`);
  // Boot restarts the sample index.
  emitStatus(0, STATUS_BOOT, 50);
  write(ring, GROUP_STREAM, CMD_STREAM_UNSUBSCRIBE, { kinds: STREAM_ALL });
  write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_PPG });
  c.poll();
  for (let i = 0; i < 8; i++) stream_on_raw_sample(i);
  got = unsolicited(c.poll());
  t.same([(got[0]!.body as { first: number }).first, (got[0]!.body as { t_ms: number }).t_ms], [0, 0], 'index 0 after boot');
});

t.test('disconnect ends subscriptions', async (t) => {
  const ring = ready();
  write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_ALL });
  fw.ring_ble_connected(0, 23);
  fw.ring_ble_connected(1, 23);
  const before = ring.ble.sent.length;
  emitBeat(1, 800, 1, 90, 1, 1);
  stream_on_raw_sample(5);
  t.equal(ring.ble.sent.length, before, 'nothing sent');
});
