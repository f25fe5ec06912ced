// btsnoop files: what the writer puts in comes back out of the reader (H4 and btmon's
// monitor format), and what each malformed file gets.

import t from 'tap';
import { BTSNOOP_EPOCH_DELTA_US, BtsnoopWriter, DATALINK_MONITOR, readBtsnoop } from '../../host/debug/btsnoop.js';
import { DecodeError } from '../../host/debug/cbor-tree.js';

const T0_US = 1767225600000000;

function sample(): Uint8Array {
  const w = new BtsnoopWriter();
  w.note('hello', T0_US);
  w.att('host', Uint8Array.of(0x52, 0x09, 0x00, 0x08, 0x00), T0_US + 10);
  w.att('ring', Uint8Array.of(0x1b, 0x09, 0x00, 0x09, 0x01), T0_US + 30_000);
  return w.bytes();
}

t.test('records come back as written', async (t) => {
  const file = sample();
  t.same(Buffer.from(file.subarray(0, 8)).toString('latin1'), 'btsnoop\0');
  const c = readBtsnoop(file);
  t.equal(c.records, 3);
  t.same(c.notes, ['hello']);
  t.same(c.att.map((a) => [a.from, a.time_us, Buffer.from(a.pdu).toString('hex')]), [
    ['host', T0_US + 10, '5209000800'],
    ['ring', T0_US + 30_000, '1b09000901'],
  ]);
});

/** The same packets as btmon writes them: datalink 2001, opcode in the flags, no H4 byte. */
function asMonitor(h4: Uint8Array): Uint8Array {
  const parts: Buffer[] = [Buffer.from(h4.subarray(0, 16))];
  new DataView(parts[0].buffer, parts[0].byteOffset).setUint32(12, DATALINK_MONITOR);
  let at = 16;
  while (at < h4.length) {
    const v = new DataView(h4.buffer, h4.byteOffset + at);
    const len = v.getUint32(4);
    const flags = v.getUint32(8);
    const pkt = h4.subarray(at + 24, at + 24 + len);
    const head = Buffer.from(h4.subarray(at, at + 24));
    const hv = new DataView(head.buffer, head.byteOffset);
    if (pkt[0] === 0x02) {
      hv.setUint32(0, len - 1);
      hv.setUint32(4, len - 1);
      hv.setUint32(8, (flags & 1) !== 0 ? 6 : 5);
      parts.push(head, Buffer.from(pkt.subarray(1)));
    } else {
      const text = Buffer.from(pkt.subarray(3));
      hv.setUint32(0, text.length);
      hv.setUint32(4, text.length);
      hv.setUint32(8, 12);
      parts.push(head, text);
    }
    at += 24 + len;
  }
  return Buffer.concat(parts);
}

t.test("btmon's monitor format reads the same", async (t) => {
  const h4 = readBtsnoop(sample());
  const mon = readBtsnoop(asMonitor(sample()));
  t.same(mon.att, h4.att);
  t.same(mon.notes, h4.notes);
});

t.test('what each malformed file gets: a DecodeError naming the offset', async (t) => {
  const file = sample();
  const cases: [string, Uint8Array, number, RegExp][] = [
    ['too short', file.subarray(0, 10), 10, /16-byte btsnoop file header/],
    ['bad magic', Buffer.concat([Buffer.from('snoopbt\0'), file.subarray(8)]), 0, /btsnoop magic/],
    ['other datalink', (() => { const b = Buffer.from(file); b.writeUInt32BE(1001, 12); return b; })(), 12, /datalink 1002/],
    ['cut record header', file.subarray(0, 16 + 10), 16, /24-byte record header/],
    ['cut packet', file.subarray(0, file.length - 2), file.length - 14, /14 packet bytes/], // the last packet: H4 + ACL + L2CAP + 5-byte PDU
  ];
  for (const [what, bytes, offset, expected] of cases) {
    const err = (() => {
      try {
        readBtsnoop(bytes);
        return null;
      } catch (e) {
        return e;
      }
    })();
    t.ok(err instanceof DecodeError, what);
    t.equal((err as DecodeError).offset, offset, `${what}: offset`);
    t.match((err as Error).message, expected, what);
  }
  t.equal(BTSNOOP_EPOCH_DELTA_US, 0x00dcddb30f2f8000n);
});
