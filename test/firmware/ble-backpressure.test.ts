// Backpressure: att_send refusing PDUs (-1, link queue full) loses no response data; the
// rest of a frame goes out on ring_ble_tx_space(); when the outgoing queue cannot hold a
// response, requests are answered ERR_BUSY without being executed; stream data is dropped
// and counted instead of responses.

import t from 'tap';
import * as fw from '../../firmware/ring.js';
import { STAT_RSP_BUSY, STAT_RSP_DROPPED, link_stat } from '../../firmware/ble/link.js';
import {
  CMD_CONFIG,
  CMD_DEVICE_INFO,
  CMD_HISTORY_READ,
  CMD_STREAM_STATUS,
  CMD_STREAM_SUBSCRIBE,
  CMD_TIME,
  ERR_BUSY,
  GROUP_CONFIG,
  GROUP_DEVICE,
  GROUP_HISTORY,
  GROUP_STREAM,
  GROUP_TIME,
  OP_READ,
  OP_WRITE,
  STREAM_ALL,
} from '../../protocol/ids.js';
import { encodeFrame } from '../../protocol/host/frame.js';
import { Prng } from '../../sim/prng.js';
import { FrameCollector, body, emitBeat, emitHr, read, ready, sendFrame, stream_on_raw_sample, write } from './ble-harness.js';

function fillLog(n: number): void {
  for (let i = 1; i <= n; i++) emitBeat(i * 100, 800, 1, 90, 1000 + i, i);
}

t.test('a response cut off by a full link completes on tx space, byte for byte', async (t) => {
  const ring = ready();
  fillLog(200);
  const c = new FrameCollector(ring);
  const req = encodeFrame({ op: OP_READ, group: GROUP_HISTORY, seq: 1, cmd: CMD_HISTORY_READ }, { from_seq: 1, max_records: 64 });
  sendFrame(ring, req);
  c.poll();
  const reference = c.raw[0]!;
  t.ok(reference.length > 900, `a ${reference.length}-byte page: ${Math.ceil(reference.length / 20)} pieces at MTU 23`);
  ring.ble.budget = 7;
  sendFrame(ring, req);
  c.poll();
  t.equal(c.raw.length, 1, 'incomplete after 7 pieces');
  for (let round = 0; round < 100 && c.raw.length < 2; round++) {
    ring.ble.budget = 1 + (round % 3);
    fw.ring_ble_tx_space();
    c.poll();
  }
  ring.ble.budget = null;
  t.equal(c.raw.length, 2);
  t.same(Buffer.from(c.raw[1]!).toString('hex'), Buffer.from(reference).toString('hex'), 'identical to the unhindered response');
});

t.test('requests beyond the queue are answered BUSY and not executed', async (t) => {
  const ring = ready();
  fillLog(300);
  const c = new FrameCollector(ring);
  ring.ble.refuse = true;
  const history = (seq: number): Uint8Array =>
    encodeFrame({ op: OP_READ, group: GROUP_HISTORY, seq, cmd: CMD_HISTORY_READ }, { from_seq: 1, max_records: 64 });
  // The 4 KB queue holds three full pages; the fourth request finds no room for a response.
  for (let s = 1; s <= 3; s++) sendFrame(ring, history(s));
  const busy_before = link_stat(STAT_RSP_BUSY);
  const dropped_before = link_stat(STAT_RSP_DROPPED);
  sendFrame(ring, encodeFrame({ op: OP_WRITE, group: GROUP_TIME, seq: 4, cmd: CMD_TIME }, { now_ms: 1735689600000 }));
  for (let s = 5; s < 105; s++) sendFrame(ring, encodeFrame({ op: OP_READ, group: GROUP_DEVICE, seq: s, cmd: CMD_DEVICE_INFO }, {}));
  t.equal(link_stat(STAT_RSP_BUSY) - busy_before, 101, 'every request after the third answered BUSY');
  const dropped = link_stat(STAT_RSP_DROPPED) - dropped_before;
  t.ok(dropped > 0, `BUSY answers beyond the queue are dropped and counted (${dropped})`);
  ring.ble.refuse = false;
  for (let i = 0; i < 10; i++) fw.ring_ble_tx_space();
  const got = c.poll();
  const pages = got.slice(0, 3);
  t.same(pages.map((f) => f.header.seq), [1, 2, 3], 'the three pages first');
  t.ok(pages.every((f) => (f.body as { records: unknown[] }).records.length > 40), 'complete pages');
  const busy = got.slice(3);
  t.equal(busy.length, 101 - dropped, 'every BUSY answer not dropped is delivered');
  t.ok(busy.every((f) => (f.body as { rc: number }).rc === ERR_BUSY), 'all ERR_BUSY');
  t.equal(busy[0]!.header.seq, 4, 'the time set was answered BUSY');
  t.equal(body(read(ring, GROUP_TIME, CMD_TIME)).synced, false, 'and was not executed');
});

t.test('random refusals: every response arrives whole and in order; streams drop, counted', async (t) => {
  const seed = 0x5eed;
  const prng = new Prng(seed);
  const ring = ready(50, 64);
  const c = new FrameCollector(ring);
  write(ring, GROUP_CONFIG, CMD_CONFIG, { stream: { ppg_batch: 32 } });
  write(ring, GROUP_STREAM, CMD_STREAM_SUBSCRIBE, { kinds: STREAM_ALL });
  c.poll();
  const setup = c.frames.length;
  fillLog(100);
  const sentSeqs: number[] = [];
  let beat = 1000;
  for (let step = 0; step < 3000; step++) {
    ring.ble.refuse = prng.nextBelow(100) < 70;
    const action = prng.nextBelow(10);
    if (action < 5) {
      for (let i = 0; i < 25; i++) stream_on_raw_sample(prng.nextInt(-100000, 100000));
    } else if (action < 7) {
      beat++;
      emitBeat(beat * 500, 500, 1, 90, 10, beat);
      emitHr(beat * 500, 1200, 90);
    } else if (action < 8 && sentSeqs.length - (c.frames.slice(setup).filter((f) => (f.header.flags & 1) === 0).length) < 2) {
      const seq = (sentSeqs.length + 1) & 0xff;
      sentSeqs.push(seq);
      const which = prng.nextBelow(3);
      const frame =
        which === 0
          ? encodeFrame({ op: OP_READ, group: GROUP_HISTORY, seq, cmd: CMD_HISTORY_READ }, { from_seq: 1, max_records: 64 })
          : which === 1
            ? encodeFrame({ op: OP_READ, group: GROUP_DEVICE, seq, cmd: CMD_DEVICE_INFO }, {})
            : encodeFrame({ op: OP_READ, group: GROUP_STREAM, seq, cmd: CMD_STREAM_STATUS }, {});
      const refuse = ring.ble.refuse;
      ring.ble.refuse = false; // the host's writes always get through; only the device's TX is refused
      sendFrame(ring, frame);
      ring.ble.refuse = refuse;
    } else {
      fw.ring_ble_tx_space();
    }
    c.poll();
  }
  ring.ble.refuse = false;
  for (let i = 0; i < 50; i++) fw.ring_ble_tx_space();
  c.poll();
  t.equal(c.pending(), 0, `seed ${seed}: no partial frame left`);
  const responses = c.frames.slice(setup).filter((f) => (f.header.flags & 1) === 0);
  t.same(responses.map((f) => f.header.seq), sentSeqs, `seed ${seed}: a response for every request, in order (${sentSeqs.length})`);
  t.ok(responses.every((f) => (f.body as { rc?: number }).rc === undefined), 'none of them BUSY: the host kept within buf_count');
  const streams = c.frames.filter((f) => (f.header.flags & 1) !== 0);
  const seqs = streams.map((f) => f.header.seq);
  const gaps = seqs.reduce((n, s, i) => (i === 0 ? 0 : n + ((s - seqs[i - 1]! - 1) & 0xff)), 0);
  const status = body(read(ring, GROUP_STREAM, CMD_STREAM_STATUS));
  const drops = status.drops as number[];
  t.ok(drops[3]! > 0, `PPG samples dropped under load: ${drops[3]}`);
  t.equal(gaps, drops[3]! / 32, 'each dropped PPG batch (32 samples) left one gap in the unsolicited sequence');
  const ppg = streams.filter((f) => f.header.cmd === 19).map((f) => f.body as { first: number; samples: Uint8Array; drops_link: number });
  const delivered = ppg.reduce((n, f) => n + f.samples.length / 4, 0);
  const last = ppg[ppg.length - 1]!;
  t.equal(last.first + last.samples.length / 4, delivered + last.drops_link, 'every PPG sample is delivered or counted as dropped');
});
