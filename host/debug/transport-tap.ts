// A capture tap at the Transport level, for links whose air the host cannot see (BLE through
// BlueZ: the host sees characteristic operations, BlueZ does MTU exchange and discovery).
// Each write becomes the ATT Write Command and each notification the Handle Value
// Notification it was, on the frame characteristic's handle; the capture starts with a
// discovery rebuilt from the ring's attribute table (PROTOCOL.md section 9, RING_GATT_TABLE
// below, checked against a live survey in test/debug/transport-tap.test.ts) so Wireshark maps
// the handles. The capture says in its notes that it is host-side; for the air, `btmon -w`.

import { RING_FRAME_CHAR_UUID, RING_SERVICE_UUID } from '../../protocol/ids.js';
import type { AttTapSink } from '../../sim/ble/capture-tap.js';
import {
  ATT_HANDLE_VALUE_NTF,
  ATT_READ_BY_GROUP_TYPE_RSP,
  ATT_READ_BY_TYPE_RSP,
  HANDLE_MAX,
  UUID16_CHARACTERISTIC,
  UUID16_PRIMARY_SERVICE,
  handleValue,
  readByGroupTypeReq,
  readByTypeReq,
  uuidBytes,
  writeCmd,
} from '../transport/att.js';
import type { Transport } from '../transport/transport.js';

export const HOST_SIDE_NOTE =
  'host-side capture: ATT PDUs rebuilt from characteristic writes and notifications; the discovery is rebuilt from the ring\'s attribute table (PROTOCOL.md 9); for the air use btmon -w';

export interface GattService {
  handle: number;
  end_handle: number;
  uuid: string | number;
}

export interface GattCharacteristic {
  decl_handle: number;
  properties: number;
  value_handle: number;
  uuid: string | number;
}

/** The ring's attribute table (firmware/ble/gatt-db.ts; PROTOCOL.md section 9). */
export const RING_GATT_TABLE: { services: GattService[]; characteristics: GattCharacteristic[] } = {
  services: [
    { handle: 0x0001, end_handle: 0x0005, uuid: 0x1800 },
    { handle: 0x0006, end_handle: 0x0006, uuid: 0x1801 },
    { handle: 0x0007, end_handle: 0x000a, uuid: RING_SERVICE_UUID },
    { handle: 0x000b, end_handle: 0x0010, uuid: 0x180d },
    { handle: 0x0011, end_handle: 0x0014, uuid: 0x180f },
    { handle: 0x0015, end_handle: 0x0021, uuid: 0x180a },
  ],
  characteristics: [
    { decl_handle: 0x0002, properties: 0x02, value_handle: 0x0003, uuid: 0x2a00 },
    { decl_handle: 0x0004, properties: 0x02, value_handle: 0x0005, uuid: 0x2a01 },
    { decl_handle: 0x0008, properties: 0x14, value_handle: 0x0009, uuid: RING_FRAME_CHAR_UUID },
    { decl_handle: 0x000c, properties: 0x10, value_handle: 0x000d, uuid: 0x2a37 },
    { decl_handle: 0x000f, properties: 0x02, value_handle: 0x0010, uuid: 0x2a38 },
    { decl_handle: 0x0012, properties: 0x12, value_handle: 0x0013, uuid: 0x2a19 },
    { decl_handle: 0x0016, properties: 0x02, value_handle: 0x0017, uuid: 0x2a29 },
    { decl_handle: 0x0018, properties: 0x02, value_handle: 0x0019, uuid: 0x2a24 },
    { decl_handle: 0x001a, properties: 0x02, value_handle: 0x001b, uuid: 0x2a25 },
    { decl_handle: 0x001c, properties: 0x02, value_handle: 0x001d, uuid: 0x2a27 },
    { decl_handle: 0x001e, properties: 0x02, value_handle: 0x001f, uuid: 0x2a26 },
    { decl_handle: 0x0020, properties: 0x02, value_handle: 0x0021, uuid: 0x2a28 },
  ],
};

function u16(v: number): number[] {
  return [v & 0xff, v >> 8];
}

/**
 * The request/response pairs of a whole-table discovery: one Read By Group Type and one
 * Read By Type (0x2803) per entry, so every response is valid whatever the entry sizes.
 */
export function discoveryPdus(table = RING_GATT_TABLE): { from: 'central' | 'peripheral'; pdu: Uint8Array }[] {
  const out: { from: 'central' | 'peripheral'; pdu: Uint8Array }[] = [];
  for (const s of table.services) {
    const uuid = uuidBytes(s.uuid);
    out.push({ from: 'central', pdu: readByGroupTypeReq(s.handle, HANDLE_MAX, UUID16_PRIMARY_SERVICE) });
    out.push({ from: 'peripheral', pdu: Uint8Array.from([ATT_READ_BY_GROUP_TYPE_RSP, 4 + uuid.length, ...u16(s.handle), ...u16(s.end_handle), ...uuid]) });
  }
  for (const c of table.characteristics) {
    const uuid = uuidBytes(c.uuid);
    out.push({ from: 'central', pdu: readByTypeReq(c.decl_handle, HANDLE_MAX, UUID16_CHARACTERISTIC) });
    out.push({
      from: 'peripheral',
      pdu: Uint8Array.from([ATT_READ_BY_TYPE_RSP, 5 + uuid.length, ...u16(c.decl_handle), c.properties, ...u16(c.value_handle), ...uuid]),
    });
  }
  return out;
}

/**
 * Tap a transport's frame characteristic: writes and notifications as ATT PDUs on
 * `frame_value_handle`, timed by the transport's clock. Returns a function that stops.
 */
export function tapTransport(transport: Transport, sink: AttTapSink, frame_value_handle = 0x0009): () => void {
  const t0 = transport.clock.now_us();
  for (const d of discoveryPdus()) sink.pdu(d.from, d.pdu, t0);
  const write = transport.write.bind(transport);
  transport.write = async (value: Uint8Array): Promise<void> => {
    await write(value);
    sink.pdu('central', writeCmd(frame_value_handle, value), transport.clock.now_us());
  };
  const unlisten = transport.onNotify((value, at_us) => sink.pdu('peripheral', handleValue(ATT_HANDLE_VALUE_NTF, frame_value_handle, value), at_us));
  const undisc = transport.onDisconnect((_reason, at_us) => sink.link?.(false, at_us, null));
  return () => {
    transport.write = write;
    unlisten();
    undisc();
  };
}
