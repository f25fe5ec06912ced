// The simulated BLE link end to end, in virtual time: transfers with and without loss,
// goodput against capacity(), determinism, supervision timeout, backpressure, MTU.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { EventQueue } from '../../sim/event-queue.js';
import { Prng } from '../../sim/prng.js';
import { formatTraceEvent, SimBleLink, type BleEndpoint, type ConnectionChange } from '../../sim/ble/link.js';
import type { LinkParams } from '../../sim/ble/params.js';
import { capacity } from '../../sim/ble/timing.js';

const ATT_HANDLE_VALUE_NTF = 0x1b;
const ATT_WRITE_CMD = 0x52;

/** An ATT PDU of `pdu_bytes`: opcode, handle 0x0010, then the sequence number and a pattern. */
function makePdu(opcode: number, seq: number, pdu_bytes: number): Uint8Array {
  const pdu = new Uint8Array(pdu_bytes);
  pdu[0] = opcode;
  pdu[1] = 0x10;
  for (let i = 3; i < pdu_bytes; i++) pdu[i] = (seq * 7 + i) & 0xff;
  pdu[3] = seq & 0xff;
  pdu[4] = (seq >>> 8) & 0xff;
  return pdu;
}

interface TransferResult {
  link: SimBleLink;
  received: Uint8Array[];
  trace: string[];
  start_us: number;
  last_us: number;
  mtu_bytes: number;
}

/**
 * Connect, exchange the MTU, then have `from` send n full-MTU PDUs as fast as the TX queue
 * takes them (refilled on onTxSpace) until all arrived or the step bound is hit.
 */
function transfer(seed: number, given: Partial<LinkParams>, n: number, from: 'central' | 'peripheral' = 'peripheral', setup?: (l: SimBleLink) => void): TransferResult {
  const queue = new EventQueue();
  const link = new SimBleLink(queue, new Prng(seed), given);
  const trace: string[] = [];
  link.onTrace = (e) => trace.push(formatTraceEvent(e));
  setup?.(link);
  link.connect();
  const mtu_bytes = link.exchangeMtu();
  const tx: BleEndpoint = from === 'peripheral' ? link.peripheral : link.central;
  const rx: BleEndpoint = from === 'peripheral' ? link.central : link.peripheral;
  const opcode = from === 'peripheral' ? ATT_HANDLE_VALUE_NTF : ATT_WRITE_CMD;
  const received: Uint8Array[] = [];
  let last_us = 0;
  rx.onReceive = (pdu, now_us) => {
    received.push(pdu);
    last_us = now_us;
  };
  let next = 0;
  const pump = (): void => {
    while (next < n && tx.send(makePdu(opcode, next, mtu_bytes))) next++;
  };
  tx.onTxSpace = pump;
  pump();
  const start_us = queue.now_us;
  for (let steps = 0; received.length < n && link.connected; steps++) {
    if (steps > 200 * n + 10_000) throw new Error(`transfer did not finish: ${link.describe()}`);
    queue.step();
  }
  return { link, received, trace, start_us, last_us, mtu_bytes };
}

function checkInOrderOnce(t: Test, r: TransferResult, n: number, opcode: number): void {
  t.equal(r.received.length, n, 'every PDU delivered');
  let ok = true;
  for (let i = 0; i < r.received.length && ok; i++) {
    const expected = makePdu(opcode, i, r.mtu_bytes);
    const got = r.received[i];
    ok = got.length === expected.length && got.every((b, k) => b === expected[k]);
    if (!ok) t.fail(`PDU ${i} differs (${r.link.describe()})`);
  }
  t.ok(ok, 'each PDU once, in order, byte for byte');
}

t.test('notifications with no loss: all delivered, goodput within 95..101% of capacity', async (t) => {
  const cases: Partial<LinkParams>[] = [
    { phy: '2M', interval_us: 7500 },
    { central_mtu_max_bytes: 23 },
    { central_mtu_max_bytes: 185, interval_us: 15_000 },
    { interval_us: 7500, data_length_bytes: 27 },
    { phy: '2M', interval_us: 7500, central_mtu_max_bytes: 517, peripheral_mtu_max_bytes: 517 },
  ];
  for (const given of cases) {
    const n = 600;
    const r = transfer(1, given, n);
    checkInOrderOnce(t, r, n, ATT_HANDLE_VALUE_NTF);
    const cap = capacity(r.link.params).peripheral_to_central_bytes_per_s;
    const goodput = (n * (r.mtu_bytes - 3) * 1e6) / (r.last_us - r.start_us);
    const ratio = goodput / cap;
    t.ok(ratio >= 0.95 && ratio <= 1.01, `${JSON.stringify(given)}: goodput ${goodput.toFixed(0)} B/s = ${(100 * ratio).toFixed(2)} % of ${cap.toFixed(0)}`);
    const s = r.link.stats();
    t.equal(s.p2c.ll_retransmissions, 0, 'no retransmissions without loss');
    t.equal(s.p2c.pdus_delivered, n);
  }
});

t.test('write commands central -> peripheral reach the same capacity', async (t) => {
  const n = 400;
  const r = transfer(2, { phy: '2M', interval_us: 7500 }, n, 'central');
  checkInOrderOnce(t, r, n, ATT_WRITE_CMD);
  const cap = capacity(r.link.params).central_to_peripheral_bytes_per_s;
  const ratio = (n * (r.mtu_bytes - 3) * 1e6) / (r.last_us - r.start_us) / cap;
  t.ok(ratio >= 0.95 && ratio <= 1.01, `${(100 * ratio).toFixed(2)} % of capacity`);
});

t.test('5 % loss: every byte once, in order, with retransmissions', async (t) => {
  for (const given of [{ loss_probability: 0.05 }, { loss_probability: 0.05, data_length_bytes: 27, interval_us: 7500 }]) {
    const n = 500;
    const r = transfer(7, given, n);
    checkInOrderOnce(t, r, n, ATT_HANDLE_VALUE_NTF);
    const s = r.link.stats();
    t.ok(s.p2c.ll_retransmissions > 0, `${s.p2c.ll_retransmissions} retransmissions`);
    t.ok(s.c2p.ll_lost > 0 && s.p2c.ll_lost > 0, 'both directions lose packets');
    t.ok(s.p2c.ll_duplicates > 0, 'some acks were lost, so the receiver saw resent copies and dropped them');
    t.equal(s.p2c.pdus_discarded, 0);
    const cap = capacity(r.link.params).peripheral_to_central_bytes_per_s;
    const goodput = (n * (r.mtu_bytes - 3) * 1e6) / (r.last_us - r.start_us);
    t.ok(goodput < cap && goodput > 0.5 * cap, `goodput ${(100 * goodput / cap).toFixed(1)} % of capacity`);
  }
  const both = transfer(8, { loss_probability: 0.05 }, 300, 'central', (link) => {
    // Traffic the other way at the same time: the ring echoes every write as a notification.
    link.peripheral.onReceive = (pdu) => {
      if (!link.peripheral.send(pdu)) throw new Error('echo queue full');
    };
  });
  t.equal(both.received.length, 300);
});

t.test('determinism: same seed, same trace; another seed, other retransmissions', async (t) => {
  const given = { loss_probability: 0.1, phy: '2M' as const, interval_us: 7500 };
  const a = transfer(11, given, 300);
  const b = transfer(11, given, 300);
  t.ok(a.trace.length > 1000, `${a.trace.length} trace lines`);
  t.same(a.trace, b.trace, 'identical event trace');
  t.equal(a.link.summary(), b.link.summary());
  const c = transfer(12, given, 300);
  t.not(c.link.stats().p2c.ll_retransmissions, a.link.stats().p2c.ll_retransmissions, 'retransmission counts differ');
  t.match(a.link.describe(), /seed=11 interval_us=7500 phy=2M .* loss_probability=0\.1 /);
  t.match(a.link.summary(), /peripheral -> central: 300 PDUs/);
});

t.test('supervision timeout under radio off: both sides told, queued data discarded and counted', async (t) => {
  const queue = new EventQueue();
  const link = new SimBleLink(queue, new Prng(3), { supervision_timeout_us: 1_000_000 });
  const changes: string[] = [];
  const record = (who: string) => (c: ConnectionChange): void => {
    changes.push(`${who} ${c.connected ? 'up' : 'down'} ${c.reason ?? ''} @${c.time_us}`);
  };
  link.central.onConnectionChange = record('central');
  link.peripheral.onConnectionChange = record('peripheral');
  link.connect();
  link.radioOff(100_000, 5_000_000);
  queue.runUntil(90_000);
  for (let i = 0; i < 5; i++) t.ok(link.peripheral.send(makePdu(ATT_HANDLE_VALUE_NTF, i, 23)));
  for (let i = 0; i < 3; i++) t.ok(link.central.send(makePdu(ATT_WRITE_CMD, i, 23)));
  queue.runUntil(3_000_000);
  t.notOk(link.connected);
  // The last packets got through in the event at 90 ms (anchors every 30 ms from 0): the
  // peripheral last heard the central at 90000 + 80 = 90080 µs; its timer runs out 1 s later.
  t.same(changes.slice(2), ['central down supervision-timeout @1090080', 'peripheral down supervision-timeout @1090080']);
  const s = link.stats();
  t.equal(s.supervision_timeouts, 1);
  t.equal(s.p2c.pdus_discarded, 5);
  t.equal(s.c2p.pdus_discarded, 3);
  t.equal(s.p2c.bytes_discarded, 5 * 23);
  t.notOk(link.peripheral.send(makePdu(ATT_HANDLE_VALUE_NTF, 9, 23)), 'send while down returns false');
  t.equal(link.stats().p2c.pdus_rejected_disconnected, 1);
  // Reconnect after the radio is back: a fresh connection with the default MTU.
  link.reconnect(2_500_000);
  queue.runUntil(5_600_000);
  t.ok(link.connected);
  t.equal(link.mtu_bytes, 23, 'MTU back to 23 until exchanged again');
  t.same(changes.slice(4), ['central up  @5500000', 'peripheral up  @5500000']);
  let got = 0;
  link.central.onReceive = () => got++;
  t.ok(link.peripheral.send(makePdu(ATT_HANDLE_VALUE_NTF, 0, 23)));
  queue.runUntil(5_700_000);
  t.equal(got, 1, 'traffic flows again');
});

t.test('no supervision timeout under 40 % loss or a radio-off gap shorter than the timeout', async (t) => {
  const r = transfer(5, { supervision_timeout_us: 500_000, interval_us: 7500 }, 2000, 'peripheral', (link) => {
    link.lossBurst(0, 3_000_000, 0.4);
    link.radioOff(3_000_000, 3_400_000);
  });
  t.ok(r.link.connected, r.link.describe());
  t.equal(r.received.length, 2000);
  t.ok(r.last_us > 3_400_000, 'the transfer ran through both faults');
  t.equal(r.link.stats().disconnects, 0);
  checkInOrderOnce(t, r, 2000, ATT_HANDLE_VALUE_NTF);
});

t.test('forced disconnect: what was accepted is delivered in order or counted as discarded', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 400_000 }), fc.constantFrom(0, 0.1, 0.3), (seed, at_us, loss) => {
      const n = 200;
      const r = transfer(seed, { loss_probability: loss, interval_us: 7500, data_length_bytes: 27 }, n, 'peripheral', (link) => {
        link.forceDisconnect(at_us);
      });
      const s = r.link.stats();
      const queued = s.p2c.pdus_queued;
      if (s.p2c.pdus_delivered + s.p2c.pdus_discarded !== queued) return false;
      if (r.received.length !== s.p2c.pdus_delivered) return false;
      return r.received.every((pdu, i) => pdu[3] === (i & 0xff) && pdu[4] === (i >>> 8));
    }),
    { seed: 20240607, numRuns: 60 },
  );
  t.pass('delivered + discarded = queued, delivered are a prefix in order');
});

t.test('backpressure: a full TX queue refuses, onTxSpace reopens it', async (t) => {
  const queue = new EventQueue();
  const link = new SimBleLink(queue, new Prng(1), { peripheral_tx_queue_pdus: 4 });
  link.connect();
  for (let i = 0; i < 4; i++) t.ok(link.peripheral.send(makePdu(ATT_HANDLE_VALUE_NTF, i, 23)));
  t.notOk(link.peripheral.send(makePdu(ATT_HANDLE_VALUE_NTF, 4, 23)), 'fifth PDU refused');
  t.equal(link.peripheral.tx_queued_pdus, 4);
  t.equal(link.stats().p2c.pdus_rejected_full, 1);
  let space_at = -1;
  link.peripheral.onTxSpace = (now_us) => {
    if (space_at < 0) space_at = now_us;
  };
  queue.runUntil(100_000);
  t.ok(space_at > 0, `room again at ${space_at} µs`);
  t.equal(link.peripheral.tx_queued_pdus, 0);
  t.throws(() => link.peripheral.send(makePdu(ATT_HANDLE_VALUE_NTF, 0, 24)), { name: 'RangeError', message: /ATT MTU allows 1\.\.23/ });
  t.throws(() => link.peripheral.send(new Uint8Array(0)), RangeError);
});

t.test('MTU exchange takes the smaller maximum, once per connection', async (t) => {
  const queue = new EventQueue();
  const link = new SimBleLink(queue, new Prng(1), { central_mtu_max_bytes: 517, peripheral_mtu_max_bytes: 185 });
  t.throws(() => link.exchangeMtu(), /not connected/);
  link.connect();
  t.equal(link.mtu_bytes, 23);
  t.throws(() => link.exchangeMtu(600), { name: 'RangeError', message: /requested_bytes/ });
  t.equal(link.exchangeMtu(), 185);
  t.equal(link.central.mtu_bytes, 185);
  t.throws(() => link.exchangeMtu(), /already exchanged/);
  t.ok(link.peripheral.send(makePdu(ATT_HANDLE_VALUE_NTF, 0, 185)));
  t.ok(link.disconnect());
  t.notOk(link.disconnect(), 'already down');
  link.connect();
  t.equal(link.exchangeMtu(100), 100, 'a smaller offer wins');
});

t.test('peripheral latency: the ring sleeps through idle events, writes wait for it', async (t) => {
  const queue = new EventQueue();
  const link = new SimBleLink(queue, new Prng(1), { peripheral_latency_events: 4, supervision_timeout_us: 1_000_000 });
  link.connect();
  let got_at = -1;
  link.peripheral.onReceive = (_pdu, now_us) => {
    got_at = now_us;
  };
  queue.runUntil(10_000);
  t.ok(link.central.send(makePdu(ATT_WRITE_CMD, 0, 20)));
  queue.runUntil(2_000_000);
  // Events at 0, 30, ... ms; the ring listens at 0 ms, sleeps 30..120, listens at 150 ms.
  // The write (20 + 4 octets of L2CAP header) is resent at each event; at 150 ms it is heard
  // and delivered when that packet ends: (1 + 4 + 2 + 24 + 3) * 8 = 272 µs later.
  t.equal(got_at, 150_000 + 272, 'delivered at the end of the packet sent at 150 ms');
  const s = link.stats();
  t.ok(link.connected, 'latency within the supervision timeout does not drop the link');
  t.equal(s.peripheral_skipped_events, Math.floor(s.connection_events * 4 / 5), `${s.peripheral_skipped_events} of ${s.connection_events}`);
  t.ok(s.c2p.ll_retransmissions >= 4, 'the write was resent until the ring listened');
});

t.test('fault and reconnect arguments are checked', async (t) => {
  const queue = new EventQueue();
  const link = new SimBleLink(queue, new Prng(1));
  t.throws(() => link.radioOff(10, 10), { name: 'RangeError', message: /to_us/ });
  t.throws(() => link.lossBurst(0, 10, 1.5), { name: 'RangeError', message: /probability/ });
  t.throws(() => link.forceDisconnect(-1), RangeError);
  t.throws(() => link.reconnect(-5), RangeError);
  t.throws(() => new SimBleLink(queue, new Prng(1), { loss_probability: 0.9 }), { name: 'RangeError', message: /loss_probability/ });
  link.connect();
  t.throws(() => link.connect(), /already connected/);
  t.throws(() => link.reconnect(10), /connected/);
  t.match(link.describe(), /^ble link seed=1 interval_us=30000 /);
  link.radioOff(1000, 2000);
  link.forceDisconnect(5000);
  t.match(link.describe(), /faults=\[radio-off 1000\.\.2000 µs, forced-disconnect 5000 µs\]/);
});
