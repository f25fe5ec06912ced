// GATT server: discovery as a client does it (primary services, characteristic
// declarations, descriptors), MTU exchange, CCCDs, reads, and the ATT error responses for
// every kind of bad request.

import t from 'tap';
import * as fw from '../../firmware/ring.js';
import { ATT_SERVER_MTU_MAX } from '../../firmware/ble/att.js';
import { link_mtu } from '../../firmware/ble/link.js';
import { ble_ram_bytes } from '../../firmware/ble/entry.js';
import { identity_fw_text, identity_fw_text_len } from '../../firmware/cmd/identity.js';
import { RING_FRAME_CHAR_UUID, RING_SERVICE_UUID } from '../../protocol/ids.js';
import { H, att, attRsp, boot, exchangeMtu, le16, rd16, writeCccd, type Ring } from './ble-harness.js';

interface Service { start: number; end: number; uuid: string }
interface Characteristic { decl: number; props: number; value: number; uuid: string }

function uuidText(bytes: Uint8Array): string {
  if (bytes.length === 2) return rd16(bytes, 0).toString(16).padStart(4, '0');
  const h = Buffer.from(bytes).reverse().toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function discoverServices(ring: Ring): Service[] {
  const found: Service[] = [];
  let start = 1;
  for (let round = 0; round < 50; round++) {
    const rsp = attRsp(ring, [0x10, ...le16(start), ...le16(0xffff), ...le16(0x2800)]);
    if (rsp[0] === 0x01) {
      if (rsp[4] !== 0x0a) throw new Error(`unexpected error ${rsp[4]}`);
      break;
    }
    if (rsp[0] !== 0x11) throw new Error('not a Read By Group Type response');
    const len = rsp[1]!;
    for (let off = 2; off + len <= rsp.length; off += len) {
      const s = rd16(rsp, off);
      const e = rd16(rsp, off + 2);
      found.push({ start: s, end: e, uuid: uuidText(rsp.subarray(off + 4, off + len)) });
      start = e + 1;
    }
    if (start > 0xffff) break;
  }
  return found;
}

function discoverCharacteristics(ring: Ring, svc: Service): Characteristic[] {
  const found: Characteristic[] = [];
  let start = svc.start;
  for (let round = 0; round < 50 && start <= svc.end; round++) {
    const rsp = attRsp(ring, [0x08, ...le16(start), ...le16(svc.end), ...le16(0x2803)]);
    if (rsp[0] === 0x01) break;
    const len = rsp[1]!;
    for (let off = 2; off + len <= rsp.length; off += len) {
      const decl = rd16(rsp, off);
      found.push({
        decl,
        props: rsp[off + 2]!,
        value: rd16(rsp, off + 3),
        uuid: uuidText(rsp.subarray(off + 5, off + len)),
      });
      start = decl + 1;
    }
  }
  return found;
}

function findInformation(ring: Ring, start: number, end: number): { handle: number; uuid: string }[] {
  const found: { handle: number; uuid: string }[] = [];
  let s = start;
  for (let round = 0; round < 60 && s <= end; round++) {
    const rsp = attRsp(ring, [0x04, ...le16(s), ...le16(end)]);
    if (rsp[0] === 0x01) break;
    const step = rsp[1] === 1 ? 4 : 18;
    for (let off = 2; off + step <= rsp.length; off += step) {
      const h = rd16(rsp, off);
      found.push({ handle: h, uuid: uuidText(rsp.subarray(off + 2, off + step)) });
      s = h + 1;
    }
  }
  return found;
}

function readValue(ring: Ring, handle: number): Uint8Array {
  const rsp = attRsp(ring, [0x0a, ...le16(handle)]);
  if (rsp[0] !== 0x0b) throw new Error(`read error ${rsp[4]}`);
  return rsp.subarray(1);
}

t.test('discovery finds every service and characteristic with the right properties', async (t) => {
  for (const mtu of [23, 185, 247]) {
    const ring = boot();
    if (mtu !== 23) exchangeMtu(ring, mtu);
    const services = discoverServices(ring);
    t.same(
      services.map((s) => s.uuid),
      ['1800', '1801', RING_SERVICE_UUID, '180d', '180f', '180a'],
      `MTU ${mtu}: services in handle order`,
    );
    const byUuid = new Map(services.map((s) => [s.uuid, s]));
    const chars = (uuid: string): Characteristic[] => discoverCharacteristics(ring, byUuid.get(uuid)!);
    const ringChars = chars(RING_SERVICE_UUID);
    t.equal(ringChars.length, 1);
    t.equal(ringChars[0]!.uuid, RING_FRAME_CHAR_UUID, 'frame characteristic UUID (128-bit)');
    t.equal(ringChars[0]!.props, 0x04 | 0x10, 'write without response + notify');
    t.equal(ringChars[0]!.value, H.frame);
    const hrs = chars('180d');
    t.same(hrs.map((c) => [c.uuid, c.props]), [['2a37', 0x10], ['2a38', 0x02]], 'HRS: measurement notify, location read');
    const bas = chars('180f');
    t.same(bas.map((c) => [c.uuid, c.props]), [['2a19', 0x12]], 'battery level read + notify');
    const dis = chars('180a');
    t.same(dis.map((c) => c.uuid), ['2a29', '2a24', '2a25', '2a27', '2a26', '2a28'], 'DIS strings');
    t.ok(dis.every((c) => c.props === 0x02), 'DIS values are read-only');
    t.same(chars('1800').map((c) => c.uuid), ['2a00', '2a01'], 'GAP name and appearance');
    // Descriptors: a CCCD (0x2902) after each notifying characteristic.
    const ringInfo = findInformation(ring, H.frame + 1, byUuid.get(RING_SERVICE_UUID)!.end);
    t.same(ringInfo, [{ handle: H.frameCccd, uuid: '2902' }], 'frame CCCD');
    t.same(findInformation(ring, H.hrm + 1, H.hrm + 1), [{ handle: H.hrmCccd, uuid: '2902' }], 'HRM CCCD');
    t.same(findInformation(ring, H.battery + 1, H.battery + 1), [{ handle: H.batteryCccd, uuid: '2902' }], 'battery CCCD');
    // Find Information over everything: 128-bit types come in their own (format 2) responses.
    const all = findInformation(ring, 1, 0xffff);
    t.equal(all.length, 33, 'every attribute listed once');
    t.same(all.map((a) => a.handle), Array.from({ length: 33 }, (_, i) => i + 1));
    t.equal(all.find((a) => a.handle === H.frame)!.uuid, RING_FRAME_CHAR_UUID);
    // Read by type for a characteristic value, as BlueZ does for known UUIDs.
    const rbt = attRsp(ring, [0x08, ...le16(1), ...le16(0xffff), ...le16(0x2a19)]);
    t.same([...rbt], [0x09, 3, ...le16(H.battery), 80], 'battery level found by type');
  }
});

t.test('find by type value locates a service by UUID', async (t) => {
  const ring = boot();
  const rsp = attRsp(ring, [0x06, ...le16(1), ...le16(0xffff), ...le16(0x2800), ...le16(0x180d)]);
  t.equal(rsp[0], 0x07);
  t.equal(rsp.length, 5, 'one handles-information entry');
  t.equal(rsp[1], 11);
  t.equal(rd16(rsp, 3), 16, 'group end handle');
  const uuid = Buffer.from(RING_SERVICE_UUID.replace(/-/g, ''), 'hex').reverse();
  const r128 = attRsp(ring, [0x06, ...le16(1), ...le16(0xffff), ...le16(0x2800), ...uuid]);
  t.same([...r128], [0x07, ...le16(7), ...le16(10)], 'the ring service, by its 128-bit UUID');
  const none = attRsp(ring, [0x06, ...le16(1), ...le16(0xffff), ...le16(0x2800), ...le16(0x1234)]);
  t.same([...none], [0x01, 0x06, 1, 0, 0x0a], 'not found');
});

t.test('reads: device information, body sensor location, battery, blob', async (t) => {
  const ring = boot();
  const text = (h: number): string => Buffer.from(readValue(ring, h)).toString('latin1');
  t.equal(text(0x17), 'ring-sim project', 'manufacturer');
  t.equal(text(0x19), 'ring-sim-1', 'model');
  const fwText = Buffer.from(identity_fw_text().subarray(0, identity_fw_text_len())).toString('latin1');
  t.match(fwText, /^\d+\.\d+\.\d+$/);
  t.equal(text(0x1f), fwText, 'firmware revision = device info fw');
  t.equal(text(0x21), 'proto 1', 'software revision');
  t.same([...readValue(ring, 0x10)], [3], 'body sensor location: finger');
  ring.ble.battery = 57;
  t.same([...readValue(ring, H.battery)], [57], 'battery level from BleHal');
  ring.ble.battery = 250;
  t.same([...readValue(ring, H.battery)], [100], 'clamped to 100');
  t.same([...readValue(ring, H.hrmCccd)], [0, 0], 'CCCD reads 0 until written');
  const blob = attRsp(ring, [0x0c, ...le16(0x17), ...le16(9)]);
  t.equal(Buffer.from(blob.subarray(1)).toString('latin1'), 'project', 'read blob from offset 9');
  const end = attRsp(ring, [0x0c, ...le16(0x17), ...le16(16)]);
  t.same([...end], [0x0d], 'blob at the end: empty');
  const past = attRsp(ring, [0x0c, ...le16(0x17), ...le16(17)]);
  t.same([...past], [0x01, 0x0c, 0x17, 0, 0x07], 'invalid offset');
});

t.test('MTU exchange: negotiated MTU = min(client, server); responses sized by it', async (t) => {
  const ring2 = boot();
  exchangeMtu(ring2, 100);
  t.equal(ring2.mtu, 100);
  const ring3 = boot();
  exchangeMtu(ring3, 5);
  t.equal(ring3.mtu, 23, 'a client MTU below 23 counts as 23');
  const small = attRsp(ring3, [0x10, ...le16(1), ...le16(0xffff), ...le16(0x2800)]);
  t.equal(small.length, 14, 'GAP and GATT services; the 128-bit ring service needs its own response');
  const small2 = attRsp(ring3, [0x10, ...le16(11), ...le16(0xffff), ...le16(0x2800)]);
  t.equal(small2.length, 20, 'at MTU 23 three 16-bit services fit (2 + 3 * 6 bytes)');
  const ring = boot();
  t.equal(exchangeMtu(ring, 517), ATT_SERVER_MTU_MAX, 'server offers its maximum');
  t.equal(ring.mtu, 247);
  const big = attRsp(ring, [0x10, ...le16(1), ...le16(0xffff), ...le16(0x2800)]);
  t.equal(big[1], 6);
  t.equal((big.length - 2) / 6, 2, 'two services before the 128-bit one: entries have one length');
  t.same([...att(ring, [0x02, 0x17]).out[0]!], [0x01, 0x02, 0, 0, 0x04], 'short MTU request: invalid PDU');
  const dis = attRsp(ring, [0x0a, ...le16(0x17)]);
  t.equal(dis.length, 17, 'a read at MTU 247 carries the whole value');
  t.same([...attRsp(ring, [0x02, ...le16(23)])], [0x03, ...le16(247)], 'a second exchange is answered');
  t.equal(link_mtu(), 247, 'but only the first one of a connection counts');
  fw.ring_ble_connected(0, 23);
  fw.ring_ble_connected(1, 23);
  t.equal(link_mtu(), 23, 'a new connection starts at 23');
  // An MTU response the link refuses goes out before anything sized by the new MTU.
  ring.ble.refuse = true;
  att(ring, [0x02, ...le16(100)]);
  att(ring, [0x12, ...le16(H.hrmCccd), 1, 0]); // dropped: the MTU response still waits (client broke ATT order)
  ring.ble.refuse = false;
  const before = ring.ble.sent.length;
  fw.ring_ble_tx_space();
  t.same([...ring.ble.sent[before]!], [0x03, ...le16(247)], 'the pending MTU response goes first');
  t.equal(link_mtu(), 100);
});

t.test('CCCD enable and disable', async (t) => {
  const ring = boot();
  t.same([...writeCccd(ring, H.hrmCccd, 1)], [0x13], 'write response');
  t.same([...attRsp(ring, [0x0a, ...le16(H.hrmCccd)])], [0x0b, 1, 0], 'reads back 1');
  t.same([...writeCccd(ring, H.hrmCccd, 0)], [0x13]);
  t.same([...attRsp(ring, [0x0a, ...le16(H.hrmCccd)])], [0x0b, 0, 0], 'reads back 0');
  t.same([...writeCccd(ring, H.hrmCccd, 2)], [0x01, 0x12, ...le16(H.hrmCccd), 0xfd], 'indications are not supported');
  t.same([...attRsp(ring, [0x12, ...le16(H.frameCccd), 1])], [0x01, 0x12, ...le16(H.frameCccd), 0x0d], 'CCCD value of 1 byte');
  writeCccd(ring, H.frameCccd, 1);
  fw.ring_ble_connected(0, 23);
  fw.ring_ble_connected(1, 23);
  t.same([...attRsp(ring, [0x0a, ...le16(H.frameCccd)])], [0x0b, 0, 0], 'a new connection starts with CCCDs off');
});

t.test('ATT error responses', async (t) => {
  const ring = boot();
  const err = (pdu: number[]): number[] => [...attRsp(ring, pdu)];
  t.same(err([0x0a, ...le16(0)]), [0x01, 0x0a, 0, 0, 0x01], 'read handle 0: invalid handle');
  t.same(err([0x0a, ...le16(200)]), [0x01, 0x0a, 200, 0, 0x01], 'read past the table: invalid handle');
  t.same(err([0x0a, ...le16(H.frame)]), [0x01, 0x0a, ...le16(H.frame), 0x02], 'frame value: read not permitted');
  t.same(err([0x0a, ...le16(H.hrm)]), [0x01, 0x0a, ...le16(H.hrm), 0x02], 'HRM: read not permitted');
  t.same(err([0x0a, 1]), [0x01, 0x0a, 0, 0, 0x04], 'short read: invalid PDU');
  t.same(err([0x0a, 1, 0, 0]), [0x01, 0x0a, 0, 0, 0x04], 'long read: invalid PDU');
  t.same(err([0x12, ...le16(0x17), 0x41]), [0x01, 0x12, 0x17, 0, 0x03], 'write to a DIS string: not permitted');
  t.same(err([0x12, ...le16(99), 0x41]), [0x01, 0x12, 99, 0, 0x01], 'write to a bad handle');
  t.same(err([0x12, 1]), [0x01, 0x12, 0, 0, 0x04], 'write request without a handle');
  t.same(err([0x04, ...le16(5), ...le16(4)]), [0x01, 0x04, 5, 0, 0x01], 'find information: start > end');
  t.same(err([0x04, ...le16(0), ...le16(4)]), [0x01, 0x04, 0, 0, 0x01], 'find information: start 0');
  t.same(err([0x04, ...le16(100), ...le16(200)]), [0x01, 0x04, 100, 0, 0x0a], 'find information: nothing there');
  t.same(err([0x04, ...le16(1)]), [0x01, 0x04, 0, 0, 0x04], 'find information: short');
  t.same(err([0x10, ...le16(1), ...le16(0xffff), ...le16(0x2803)]), [0x01, 0x10, 1, 0, 0x10], 'unsupported group type');
  t.same(err([0x10, ...le16(1), ...le16(0xffff), 0x00]), [0x01, 0x10, 0, 0, 0x04], 'group type of 1 byte: invalid PDU');
  t.same(err([0x08, ...le16(1), ...le16(0xffff), ...le16(0x2a37)]), [0x01, 0x08, ...le16(H.hrm), 0x02], 'read by type of a notify-only value');
  t.same(err([0x08, ...le16(1), ...le16(0xffff), ...le16(0x9999)]), [0x01, 0x08, 1, 0, 0x0a], 'read by type: not found');
  t.same(err([0x16, ...le16(0x17), 0, 0, 0x41]), [0x01, 0x16, 0, 0, 0x06], 'prepare write: not supported');
  t.same(err([0x18, 0x01]), [0x01, 0x18, 0, 0, 0x06], 'execute write: not supported');
  t.same(err([0x0e, 1, 0, 2, 0]), [0x01, 0x0e, 0, 0, 0x06], 'read multiple: not supported');
  t.same(err([0x3e]), [0x01, 0x3e, 0, 0, 0x06], 'unknown request opcode');
  // Commands, confirmations and server-side PDUs are never answered.
  for (const pdu of [[0x52, ...le16(0x17), 1], [0x52], [0xd2, 1, 0, 1], [0x7f], [0x1e], [0x0b, 1], [0x1b, 1, 0, 0], [0x01, 0x0a, 0, 0, 1]]) {
    const r = att(ring, pdu);
    t.equal(r.out.length, 0, `no answer to ${Buffer.from(pdu).toString('hex')}`);
    t.ok(r.rc < 0, 'refused');
  }
  t.equal(fw.ring_ble_rx(new Uint8Array(4), 0), -1, 'an empty PDU is dropped');
  t.equal(fw.ring_ble_rx(new Uint8Array(4), 9), -1, 'a length beyond the buffer is dropped');
  // A request longer than the MTU.
  t.same(err([0x0a, ...le16(3), ...new Array(30).fill(0)]), [0x01, 0x0a, 0, 0, 0x04], 'PDU beyond the MTU: invalid PDU');
});

t.test('nothing is answered while disconnected; a PDU after reconnect is', async (t) => {
  const ring = boot();
  fw.ring_ble_connected(0, 23);
  t.equal(att(ring, [0x0a, ...le16(3)]).out.length, 0);
  fw.ring_ble_connected(1, 23);
  t.equal(attRsp(ring, [0x0a, ...le16(3)])[0], 0x0b);
});

t.test('an ATT response the link refuses waits and goes first on tx space', async (t) => {
  const ring = boot();
  ring.ble.refuse = true;
  t.equal(att(ring, [0x0a, ...le16(3)]).out.length, 0);
  t.equal(att(ring, [0x0a, ...le16(5)]).out.length, 0, 'a second request while one waits (protocol violation) is dropped');
  ring.ble.refuse = false;
  const before = ring.ble.sent.length;
  fw.ring_ble_tx_space();
  const sent = ring.ble.sent.slice(before);
  t.equal(sent.length, 1);
  t.equal(Buffer.from(sent[0]!.subarray(1)).toString('latin1'), 'ring-sim', 'the pending device name goes out');
});

t.test('RAM of the BLE layer', async (t) => {
  boot();
  const log = ble_ram_bytes(1);
  const rest = ble_ram_bytes(0);
  t.comment(`history log ${log} bytes, GATT server + commands + queues ${rest} bytes`);
  t.ok(rest < 16 * 1024, 'everything but the log fits in 16 KB');
  // Flash log: a header scratch (64), a block scratch (272), per ring a block being filled and
  // a block being read (2 * 2 * 272), codec states (128), cursor records (96), ring words
  // (264), the record read (48) and the CRC tables (128): fixed, whatever the flash size.
  t.equal(log, 64 + 272 + 2 * (328 + 272) + 4 * 176 + 96 + 264 + 48 + 128, 'the flash log store: 2776 bytes');
});
