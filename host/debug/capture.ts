// `--capture <file>`: every ATT PDU of a session into a btsnoop file Wireshark opens.
//
// On the simulated link the capture tap (sim/ble/capture-tap.ts) hands over each PDU at its
// virtual delivery time, both ways, so the file holds the MTU exchange, discovery, writes,
// notifications and errors as they crossed the air. Wireshark names a handle only after it
// saw the discovery that declares it, and the host's own connect discovers just the ring
// service; so right after connecting a capture runs a whole-table survey, as a phone's
// stack does (every primary service, every characteristic declaration), and turns on Heart
// Rate Measurement notifications so the standard service shows in the capture too.

import { writeFileAtomic } from '../io/output-file.js';
import {
  HANDLE_MAX,
  HANDLE_MIN,
  UUID16_CCCD,
  UUID16_CHARACTERISTIC,
  UUID16_PRIMARY_SERVICE,
  parseCharacteristicDecl,
  parseReadByGroupTypeRsp,
  parseReadByTypeRsp,
  readByGroupTypeReq,
  readByTypeReq,
  uuidEquals,
  AttError,
  ATT_ECODE_ATTRIBUTE_NOT_FOUND,
  type CharacteristicDecl,
} from '../transport/att.js';
import type { AttClient } from '../transport/att-client.js';
import type { AttTapSink } from '../../sim/ble/capture-tap.js';
import { BtsnoopWriter, type AttDirection } from './btsnoop.js';

const UUID16_HEART_RATE_MEASUREMENT = 0x2a37;
/** Discovery pages per procedure (each page advances by at least one handle). */
const SURVEY_PAGES_MAX = 256;

/** Collects PDUs from a tap and writes the file on close. */
export class CaptureRecorder implements AttTapSink {
  readonly writer = new BtsnoopWriter();
  pdus = 0;

  constructor(
    readonly path: string,
    /** Unix µs of tap time 0 (the simulator's UTC epoch), or 0 when tap times are Unix µs already. */
    private readonly epoch_us: number,
    notes: string[],
  ) {
    for (const n of notes) this.writer.note(n, epoch_us);
  }

  pdu(from: 'central' | 'peripheral', pdu: Uint8Array, time_us: number): void {
    this.att(from === 'central' ? 'host' : 'ring', pdu, time_us);
  }

  link(up: boolean, time_us: number, reason: string | null): void {
    this.writer.note(up ? 'link up' : `link down: ${reason ?? 'unknown'}`, this.epoch_us + time_us);
  }

  att(from: AttDirection, pdu: Uint8Array, time_us: number): void {
    this.pdus++;
    this.writer.att(from, pdu, this.epoch_us + time_us);
  }

  /** Write the file (whole, so a reader never sees half a capture). */
  close(): void {
    writeFileAtomic(this.path, this.writer.bytes());
  }
}

async function pages<T>(fetch: (start: number) => Promise<T[]>, next: (last: T) => number, start: number, end: number): Promise<T[]> {
  const out: T[] = [];
  for (let page = 0; page < SURVEY_PAGES_MAX && start <= end; page++) {
    let entries: T[];
    try {
      entries = await fetch(start);
    } catch (err) {
      if (err instanceof AttError && err.att_ecode === ATT_ECODE_ATTRIBUTE_NOT_FOUND) break;
      throw err;
    }
    if (entries.length === 0) break;
    out.push(...entries);
    const after = next(entries[entries.length - 1]);
    if (after <= start) throw new AttError(`discovery went backwards at handle 0x${start.toString(16)}`);
    start = after;
  }
  return out;
}

export interface GattSurvey {
  services: { handle: number; end_handle: number; uuid: string }[];
  characteristics: CharacteristicDecl[];
  /** CCCD of Heart Rate Measurement, 0 when absent. */
  hrm_cccd: number;
}

/** Every primary service and characteristic declaration of the server (Read By Group Type, Read By Type 0x2803). */
export async function surveyGatt(att: AttClient): Promise<GattSurvey> {
  const services = await pages(
    async (s) => parseReadByGroupTypeRsp(await att.request(readByGroupTypeReq(s, HANDLE_MAX, UUID16_PRIMARY_SERVICE))),
    (e) => e.end_handle + 1, HANDLE_MIN, HANDLE_MAX,
  );
  const decls = await pages(
    async (s) => parseReadByTypeRsp(await att.request(readByTypeReq(s, HANDLE_MAX, UUID16_CHARACTERISTIC))),
    (e) => e.handle + 1, HANDLE_MIN, HANDLE_MAX,
  );
  const characteristics = decls.map(parseCharacteristicDecl);
  let hrm_cccd = 0;
  const i = characteristics.findIndex((c) => uuidEquals(c.uuid, UUID16_HEART_RATE_MEASUREMENT));
  if (i >= 0) {
    const c = characteristics[i];
    const svc = services.find((s) => s.handle <= c.decl_handle && c.decl_handle <= s.end_handle);
    const limit = i + 1 < characteristics.length ? characteristics[i + 1].decl_handle - 1 : (svc?.end_handle ?? HANDLE_MAX);
    hrm_cccd = (await att.findAttribute(c.value_handle + 1, limit, UUID16_CCCD)) ?? 0;
  }
  return { services, characteristics, hrm_cccd };
}
