// Heart Rate Service notifications: bytes decoded with a parser written from the SIG
// layout (flags, HR u8/u16, RR-intervals in 1/1024 s), contact status, RR-intervals that
// do not fit carried to the next measurement, config "hrs", a refused notification, and
// Battery Level notifications.

import t from 'tap';
import * as fw from '../../firmware/ring.js';
import { CMD_CONFIG, GROUP_CONFIG } from '../../protocol/ids.js';
import { STATUS_SIGNAL } from '../../firmware/output.js';
import { SIGNAL_NO_CONTACT, SIGNAL_OK } from '../../firmware/dsp/signal-quality.js';
import { H, boot, emitBeat, emitHr, emitStatus, exchangeMtu, rd16, ready, write, writeCccd, type Ring } from './ble-harness.js';

interface Hrm { hr: number; contactSupported: boolean; contactDetected: boolean; rr: number[] }

function parseHrm(v: Uint8Array): Hrm {
  const flags = v[0]!;
  let p = 1;
  let hr: number;
  if (flags & 1) {
    hr = rd16(v, p);
    p += 2;
  } else {
    hr = v[p]!;
    p += 1;
  }
  if (flags & 8) p += 2;
  const rr: number[] = [];
  if (flags & 16) for (; p + 1 < v.length; p += 2) rr.push(rd16(v, p));
  return { hr, contactSupported: (flags & 4) !== 0, contactDetected: (flags & 2) !== 0, rr };
}

function notifications(ring: Ring, from: number, handle: number): Uint8Array[] {
  return ring.ble.sent.slice(from).filter((p) => p[0] === 0x1b && rd16(p, 1) === handle).map((p) => p.subarray(3));
}

const to1024 = (ms: number): number => Math.floor((ms * 1024 + 500) / 1000);

t.test('a measurement per HR record with the RR-intervals since the last one', async (t) => {
  const ring = boot();
  writeCccd(ring, H.hrmCccd, 1);
  let mark = ring.ble.sent.length;
  emitBeat(1000, 800, 1, 90, 100, 1);
  emitBeat(1850, 850, 1, 90, 100, 2);
  emitBeat(2600, 750, 0, 90, 100, 3); // not valid: no RR
  emitHr(2600, 724, 80);
  let ntf = notifications(ring, mark, H.hrm);
  t.equal(ntf.length, 1);
  t.same(parseHrm(ntf[0]!), { hr: 72, contactSupported: true, contactDetected: true, rr: [to1024(800), to1024(850)] });
  t.same([...ntf[0]!], [0x16, 72, ...[819, 870].flatMap((v) => [v & 0xff, v >> 8])], 'exact bytes: flags 0x16');
  mark = ring.ble.sent.length;
  emitHr(3000, 725, 80);
  ntf = notifications(ring, mark, H.hrm);
  t.same(parseHrm(ntf[0]!), { hr: 73, contactSupported: true, contactDetected: true, rr: [] }, 'rounded HR, no intervals');
  t.equal(ntf[0]![0]! & 0x10, 0, 'RR flag clear when none');
  // No skin contact reported by the signal status.
  emitStatus(3000, STATUS_SIGNAL, SIGNAL_NO_CONTACT);
  mark = ring.ble.sent.length;
  emitHr(3500, 3000, 10);
  const m = parseHrm(notifications(ring, mark, H.hrm)[0]!);
  t.same([m.hr, m.contactSupported, m.contactDetected], [300, true, false], 'u16 HR above 255 bpm; contact lost');
  emitStatus(4000, STATUS_SIGNAL, SIGNAL_OK);
});

t.test('intervals that do not fit go in the next measurement; bounded buffer', async (t) => {
  const ring = boot();
  writeCccd(ring, H.hrmCccd, 1);
  for (let i = 0; i < 12; i++) emitBeat(i * 700, 600 + i, 1, 90, 1, i + 1);
  let mark = ring.ble.sent.length;
  emitHr(9000, 900, 90);
  let m = parseHrm(notifications(ring, mark, H.hrm)[0]!);
  t.equal(m.rr.length, 9, 'MTU 23: 9 intervals with a u8 HR');
  t.same(m.rr, Array.from({ length: 9 }, (_, i) => to1024(600 + i)), 'oldest first');
  mark = ring.ble.sent.length;
  emitHr(9500, 900, 90);
  m = parseHrm(notifications(ring, mark, H.hrm)[0]!);
  t.same(m.rr, [9, 10, 11].map((i) => to1024(600 + i)), 'the rest next time');
  // A refused notification keeps its intervals.
  emitBeat(10000, 1000, 1, 90, 1, 13);
  ring.ble.refuse = true;
  emitHr(10000, 600, 90);
  ring.ble.refuse = false;
  mark = ring.ble.sent.length;
  emitHr(11000, 600, 90);
  t.same(parseHrm(notifications(ring, mark, H.hrm)[0]!).rr, [to1024(1000)], 'kept after a refusal');
  // 100 beats without an HR record: the buffer keeps the newest 32.
  for (let i = 0; i < 100; i++) emitBeat(i, 500 + i, 1, 90, 1, 100 + i);
  exchangeMtu(ring, 247);
  mark = ring.ble.sent.length;
  emitHr(20000, 600, 90);
  m = parseHrm(notifications(ring, mark, H.hrm)[0]!);
  t.same(m.rr, Array.from({ length: 32 }, (_, i) => to1024(568 + i)), 'the newest 32 intervals');
});

t.test('nothing without the CCCD or with config hrs off', async (t) => {
  const ring = ready();
  let mark = ring.ble.sent.length;
  emitBeat(0, 800, 1, 90, 1, 1);
  emitHr(0, 700, 90);
  t.equal(notifications(ring, mark, H.hrm).length, 0, 'CCCD off');
  writeCccd(ring, H.hrmCccd, 1);
  mark = ring.ble.sent.length;
  emitHr(1000, 700, 90);
  t.same(parseHrm(notifications(ring, mark, H.hrm)[0]!).rr, [], 'intervals from before the CCCD were forgotten');
  write(ring, GROUP_CONFIG, CMD_CONFIG, { hrs: false });
  mark = ring.ble.sent.length;
  emitHr(2000, 700, 90);
  t.equal(notifications(ring, mark, H.hrm).length, 0, 'config hrs false');
  write(ring, GROUP_CONFIG, CMD_CONFIG, { hrs: true });
  fw.ring_ble_connected(0, 23);
  fw.ring_ble_connected(1, 23);
  mark = ring.ble.sent.length;
  emitHr(3000, 700, 90);
  t.equal(notifications(ring, mark, H.hrm).length, 0, 'a new connection starts with the CCCD off');
});

t.test('battery level notifications on change', async (t) => {
  const ring = boot();
  writeCccd(ring, H.batteryCccd, 1);
  let mark = ring.ble.sent.length;
  emitHr(0, 700, 90);
  t.same(notifications(ring, mark, H.battery).map((v) => [...v]), [[80]], 'first level after the CCCD');
  mark = ring.ble.sent.length;
  emitHr(1000, 700, 90);
  t.equal(notifications(ring, mark, H.battery).length, 0, 'unchanged: nothing');
  ring.ble.battery = 79;
  emitHr(2000, 700, 90);
  t.same(notifications(ring, mark, H.battery).map((v) => [...v]), [[79]]);
});
