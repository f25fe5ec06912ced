// The client side of ATT over one simulated connection (Bluetooth Core Vol 3 Part F and
// Part G): one request outstanding at a time (3.3.2), MTU exchange, primary service and
// characteristic discovery by UUID, descriptor lookup, CCCD writes, write commands, and
// notifications dispatched by handle. Outgoing PDUs wait in a bounded backlog when the
// link's TX queue is full and go out on its TX-space signal. All waiting is on the
// HostClock, so in the simulator it is virtual.

import { ATT_MTU_MIN } from '../../protocol/ids.js';
import {
  ATT_ECODE_ATTRIBUTE_NOT_FOUND,
  ATT_ERROR_RSP,
  ATT_HANDLE_VALUE_CFM,
  ATT_HANDLE_VALUE_IND,
  ATT_HANDLE_VALUE_NTF,
  AttError,
  CCCD_NOTIFY,
  HANDLE_MAX,
  HANDLE_MIN,
  UUID16_CCCD,
  UUID16_CHARACTERISTIC,
  UUID16_PRIMARY_SERVICE,
  attOpcodeName,
  exchangeMtuReq,
  parseCharacteristicDecl,
  parseErrorRsp,
  parseExchangeMtuRsp,
  parseReadByGroupTypeRsp,
  parseReadByTypeRsp,
  readByGroupTypeReq,
  readByTypeReq,
  readU16,
  responseOpcode,
  uuidEquals,
  writeCmd,
  writeReq,
  type CharacteristicDecl,
  type GroupEntry,
} from './att.js';
import { DisconnectedError, type HostClock } from './transport.js';

/** What the ATT client needs of a link end (sim/ble BleEndpoint has exactly this). */
export interface AttBearer {
  send(pdu: Uint8Array): boolean;
  readonly connected: boolean;
  readonly mtu_bytes: number;
  onReceive: ((pdu: Uint8Array, now_us: number) => void) | null;
  onTxSpace: ((now_us: number) => void) | null;
}

/** ATT transaction timeout (Vol 3 Part F 3.3.3): 30 s. */
export const ATT_TRANSACTION_TIMEOUT_US = 30_000_000;
/** PDUs the client holds back while the link's TX queue is full: two largest frames at MTU 23. */
export const ATT_BACKLOG_PDUS_MAX = 128;
/** Discovery pages per procedure: each page covers at least one handle. */
const DISCOVERY_PAGES_MAX = 256;

export interface AttClientStats {
  pdus_sent: number;
  pdus_received: number;
  notifications: number;
  indications: number;
  /** PDUs that matched no outstanding request (late answers, stray PDUs). */
  unexpected: number;
}

export interface ServiceRange {
  start_handle: number;
  end_handle: number;
}

export class AttClient {
  readonly stats: AttClientStats = { pdus_sent: 0, pdus_received: 0, notifications: 0, indications: 0, unexpected: 0 };
  private readonly backlog: Uint8Array[] = [];
  private readonly notify_listeners = new Map<number, (value: Uint8Array, at_us: number) => void>();
  private pending: { opcode: number; response: Uint8Array | null } | null = null;
  private exclusive: Promise<unknown> = Promise.resolve();
  private generation = 0;

  constructor(
    private readonly bearer: AttBearer,
    private readonly clock: HostClock,
    private readonly timeout_us = ATT_TRANSACTION_TIMEOUT_US,
  ) {
    bearer.onReceive = (pdu, now_us) => this.receive(pdu, now_us);
    bearer.onTxSpace = () => this.pump();
  }

  get backlog_pdus(): number {
    return this.backlog.length;
  }

  /** The link dropped: forget queued PDUs and the outstanding request. */
  linkDown(): void {
    this.generation++;
    this.backlog.length = 0;
    this.pending = null;
  }

  /** Listen to notifications (and indications) of one attribute handle. */
  listen(handle: number, listener: ((value: Uint8Array, at_us: number) => void) | null): void {
    if (listener === null) this.notify_listeners.delete(handle);
    else this.notify_listeners.set(handle, listener);
  }

  /** Queue a PDU for the link; waits (on the clock) while the backlog is full. */
  async sendPdu(pdu: Uint8Array): Promise<void> {
    if (pdu.length < 1 || pdu.length > this.bearer.mtu_bytes) {
      throw new RangeError(`ATT PDU of ${pdu.length} bytes; the MTU allows 1..${this.bearer.mtu_bytes}`);
    }
    const g = this.generation;
    if (this.backlog.length >= ATT_BACKLOG_PDUS_MAX) {
      await this.clock.waitUntil(() => this.backlog.length < ATT_BACKLOG_PDUS_MAX || g !== this.generation, this.timeout_us);
    }
    if (g !== this.generation || !this.bearer.connected) throw new DisconnectedError('the link dropped while sending');
    if (this.backlog.length >= ATT_BACKLOG_PDUS_MAX) throw new AttError('the link took no PDU within the ATT timeout');
    this.backlog.push(pdu);
    this.pump();
  }

  /** A Write Command (no response) of `value` to `handle`. */
  writeCommand(handle: number, value: Uint8Array): Promise<void> {
    return this.sendPdu(writeCmd(handle, value));
  }

  /**
   * Send a request PDU and wait for its response (or an Error Response to it). Requests are
   * serialized: ATT allows one outstanding request per connection.
   */
  request(pdu: Uint8Array): Promise<Uint8Array> {
    const run = this.exclusive.then(() => this.requestNow(pdu));
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /** Exchange MTU; returns the server's receive MTU (23 when it does not support the request). */
  async exchangeMtu(client_rx_mtu: number): Promise<number> {
    try {
      return parseExchangeMtuRsp(await this.request(exchangeMtuReq(client_rx_mtu)));
    } catch (err) {
      if (err instanceof AttError && err.att_ecode !== 0) return ATT_MTU_MIN;
      throw err;
    }
  }

  /** Primary service by UUID (Read By Group Type over the whole handle range), or null. */
  async findPrimaryService(uuid: string | number): Promise<ServiceRange | null> {
    let start = HANDLE_MIN;
    for (let page = 0; page < DISCOVERY_PAGES_MAX && start <= HANDLE_MAX; page++) {
      const entries = await this.rangeRequest(readByGroupTypeReq(start, HANDLE_MAX, UUID16_PRIMARY_SERVICE), parseReadByGroupTypeRsp);
      if (entries === null) return null;
      const found = entries.find((e: GroupEntry) => uuidEquals(e.uuid, uuid));
      if (found) return { start_handle: found.handle, end_handle: found.end_handle };
      const last = entries[entries.length - 1].end_handle;
      if (last < start) throw new AttError(`discovery went backwards (group end 0x${last.toString(16)})`);
      start = last + 1;
    }
    return null;
  }

  /** Every characteristic declared in a handle range (Read By Type 0x2803). */
  async characteristics(range: ServiceRange): Promise<CharacteristicDecl[]> {
    const out: CharacteristicDecl[] = [];
    let start = range.start_handle;
    for (let page = 0; page < DISCOVERY_PAGES_MAX && start <= range.end_handle; page++) {
      const entries = await this.rangeRequest(readByTypeReq(start, range.end_handle, UUID16_CHARACTERISTIC), parseReadByTypeRsp);
      if (entries === null) break;
      for (const e of entries) out.push(parseCharacteristicDecl(e));
      const last = entries[entries.length - 1].handle;
      if (last < start) throw new AttError(`discovery went backwards (declaration 0x${last.toString(16)})`);
      start = last + 1;
    }
    return out;
  }

  /** Handle of the first attribute of a 16-bit type in a range (Read By Type), or null. */
  async findAttribute(start: number, end: number, type: number): Promise<number | null> {
    if (start > end) return null;
    const entries = await this.rangeRequest(readByTypeReq(start, end, type), parseReadByTypeRsp);
    return entries === null ? null : entries[0].handle;
  }

  /** Locate the CCCD of a characteristic: after its value handle, before the next declaration. */
  async findCccd(c: CharacteristicDecl, next_decl_handle: number): Promise<number | null> {
    return this.findAttribute(c.value_handle + 1, next_decl_handle - 1, UUID16_CCCD);
  }

  /** Enable notifications: Write Request 0x0001 to the CCCD. */
  async enableNotifications(cccd_handle: number): Promise<void> {
    await this.request(writeReq(cccd_handle, Uint8Array.of(CCCD_NOTIFY & 0xff, CCCD_NOTIFY >> 8)));
  }

  // ------------------------------------------------------------------------------------

  private async requestNow(pdu: Uint8Array): Promise<Uint8Array> {
    if (!this.bearer.connected) throw new DisconnectedError(`${attOpcodeName(pdu[0])}: not connected`);
    const g = this.generation;
    const slot = { opcode: pdu[0], response: null as Uint8Array | null };
    this.pending = slot;
    try {
      await this.sendPdu(pdu);
      const ok = await this.clock.waitUntil(() => slot.response !== null || g !== this.generation, this.timeout_us);
      if (g !== this.generation) throw new DisconnectedError(`the link dropped during ${attOpcodeName(pdu[0])}`);
      if (!ok || slot.response === null) {
        throw new AttError(`${attOpcodeName(pdu[0])}: no response within ${this.timeout_us / 1000} ms (ATT transaction timeout)`);
      }
      const rsp = slot.response;
      if (rsp[0] === ATT_ERROR_RSP) {
        const e = parseErrorRsp(rsp);
        throw new AttError(
          `${attOpcodeName(pdu[0])} failed: ATT error 0x${e.ecode.toString(16).padStart(2, '0')} at handle 0x${e.handle.toString(16)}`,
          e.ecode,
        );
      }
      return rsp;
    } finally {
      if (this.pending === slot) this.pending = null;
    }
  }

  /** A discovery request whose "Attribute Not Found" error means the end: null. */
  private async rangeRequest<T>(pdu: Uint8Array, parse: (rsp: Uint8Array) => T[]): Promise<T[] | null> {
    try {
      const entries = parse(await this.request(pdu));
      if (entries.length === 0) throw new AttError(`${attOpcodeName(pdu[0])}: empty response`);
      return entries;
    } catch (err) {
      if (err instanceof AttError && err.att_ecode === ATT_ECODE_ATTRIBUTE_NOT_FOUND) return null;
      throw err;
    }
  }

  private pump(): void {
    while (this.backlog.length > 0 && this.bearer.connected) {
      if (!this.bearer.send(this.backlog[0])) return;
      this.backlog.shift();
      this.stats.pdus_sent++;
    }
  }

  private receive(pdu: Uint8Array, now_us: number): void {
    this.stats.pdus_received++;
    if (pdu.length === 0) return;
    const opcode = pdu[0];
    if (opcode === ATT_HANDLE_VALUE_NTF || opcode === ATT_HANDLE_VALUE_IND) {
      if (opcode === ATT_HANDLE_VALUE_IND) {
        this.stats.indications++;
        this.backlog.push(Uint8Array.of(ATT_HANDLE_VALUE_CFM));
        this.pump();
      } else {
        this.stats.notifications++;
      }
      if (pdu.length < 3) return;
      const listener = this.notify_listeners.get(readU16(pdu, 1));
      if (listener) listener(pdu.subarray(3), now_us);
      return;
    }
    const p = this.pending;
    const answers =
      p !== null && p.response === null &&
      (opcode === responseOpcode(p.opcode) || (opcode === ATT_ERROR_RSP && pdu.length >= 2 && pdu[1] === p.opcode));
    if (answers) p.response = pdu;
    else this.stats.unexpected++;
  }
}
