// A simulated BLE connection between a central (the host) and a peripheral (the ring),
// carrying ATT PDUs in virtual time on the simulator's event queue.
//
// Model (Bluetooth Core Vol 6 Part B 4.5): connection events start at anchor points every
// interval_us, the first at the moment of connect(). An event is a run of pairs, central
// packet then peripheral packet, T_IFS apart; each side sends a data fragment if it has
// one, else an empty packet. A pair starts only if it ends within event_length_us (the
// first pair always goes) and at most packets_per_event_max pairs run. The event goes on
// while either side set MD (more data) or a packet of the last pair was lost, so the
// retransmission gets its chance. Loss is drawn per packet from the one Prng; a lost
// central packet is answered anyway (as after a CRC error), a lost packet is resent by the
// SN/NESN rules (ll-direction.ts), so nothing is lost at ATT level while connected and
// order is kept. A PDU is delivered at the virtual time its last fragment ends.
//
// The peripheral may skip up to peripheral_latency_events events when it has nothing to
// send: the central's packet of a skipped event goes unheard and the event ends. Each side
// restarts its supervision timer on every valid packet; when either timer runs out the
// link drops with 'supervision-timeout', both sides are told and queued data is discarded.
//
// Not modelled: the connection setup exchange, LL control procedures (their effect is in
// the parameters), channel selection, encryption (MIC), connection parameter updates,
// closing an event after a missed response or two CRC errors. A pair is worked out at its
// start (so a TX slot frees up to one pair early); deliveries and TX-space notices happen
// at the end times of its packets, and the supervision timers restart from them.

import { ATT_MTU_MIN } from '../../protocol/ids.js';
import type { EventQueue } from '../event-queue.js';
import type { Prng } from '../prng.js';
import { assert } from './assert.js';
import { ACK_SDU, LlDirection, type Direction, type DirectionStats } from './ll-direction.js';
import { formatLinkParams, resolveLinkParams, type LinkParams } from './params.js';
import { packetAirUs, T_IFS_US } from './timing.js';

export type Role = 'central' | 'peripheral';
export type DisconnectReason = 'central-terminated' | 'peripheral-terminated' | 'supervision-timeout' | 'forced';

export interface ConnectionChange {
  connected: boolean;
  time_us: number;
  /** Why the link dropped; null on connect. */
  reason: DisconnectReason | null;
  /** ATT PDUs both sides had queued and lost with the link. */
  discarded_pdus: number;
}

export type LinkTraceEvent =
  | { kind: 'connect'; time_us: number }
  | { kind: 'disconnect'; time_us: number; reason: DisconnectReason; discarded_pdus: number }
  | { kind: 'event'; time_us: number; event_index: number; peripheral_listening: boolean }
  | {
      kind: 'packet'; time_us: number; dir: Direction; payload_bytes: number; sn: number; nesn: number;
      md: boolean; retransmission: boolean; received: boolean;
    }
  /** pdu: the ATT PDU itself, the receiver's array (a capture tap copies it; nothing may change it). */
  | { kind: 'deliver'; time_us: number; dir: Direction; pdu_bytes: number; pdu: Uint8Array }
  | { kind: 'mtu'; time_us: number; mtu_bytes: number };

export interface LinkStats {
  c2p: DirectionStats;
  p2c: DirectionStats;
  connection_events: number;
  /** Events the peripheral slept through (peripheral latency). */
  peripheral_skipped_events: number;
  connections: number;
  disconnects: number;
  supervision_timeouts: number;
}

/** Fault windows (radio off, loss bursts) one link holds. */
export const FAULT_WINDOWS_MAX = 64;
const U32_RANGE = 0x100000000;

/** The queue handlers of one connection generation (Link.handlers). */
interface GenerationHandlers {
  g: number;
  anchor: (t_us: number) => void;
  pair: (t_us: number) => void;
}

/** One side of the link, as the GATT server (peripheral) or the host client (central) sees it. */
export class BleEndpoint {
  /** An ATT PDU arrived whole. The array is the receiver's to keep. */
  onReceive: ((pdu: Uint8Array, now_us: number) => void) | null = null;
  /** A queued PDU was acknowledged and left the TX queue: room for another. */
  onTxSpace: ((now_us: number) => void) | null = null;
  onConnectionChange: ((change: ConnectionChange) => void) | null = null;

  constructor(
    private readonly link: SimBleLink,
    readonly role: Role,
    private readonly tx: LlDirection,
  ) {}

  /**
   * Queue an ATT PDU (1..MTU bytes). Returns false, queuing nothing, when the TX queue is
   * full (wait for onTxSpace) or the link is down (wait for onConnectionChange).
   */
  send(pdu: Uint8Array): boolean {
    if (!(pdu instanceof Uint8Array)) throw new TypeError('send: pdu must be a Uint8Array');
    if (!this.link.connected) {
      this.tx.stats.pdus_rejected_disconnected++;
      return false;
    }
    const mtu_bytes = this.link.mtu_bytes;
    if (pdu.length < 1 || pdu.length > mtu_bytes) {
      throw new RangeError(`send: ATT PDU of ${pdu.length} bytes; the ATT MTU allows 1..${mtu_bytes}`);
    }
    if (!this.tx.push(pdu)) {
      this.tx.stats.pdus_rejected_full++;
      return false;
    }
    this.tx.stats.pdus_queued++;
    return true;
  }

  get connected(): boolean {
    return this.link.connected;
  }

  get mtu_bytes(): number {
    return this.link.mtu_bytes;
  }

  get tx_queued_pdus(): number {
    return this.tx.queued_pdus;
  }

  get tx_queue_capacity_pdus(): number {
    return this.tx.capacity_pdus;
  }
}

export class SimBleLink {
  readonly params: Readonly<LinkParams>;
  readonly central: BleEndpoint;
  readonly peripheral: BleEndpoint;
  /** Either side's connection changes, after both endpoints were told. */
  onConnectionChange: ((change: ConnectionChange) => void) | null = null;
  /** Every connect, event, packet, delivery and drop, in order (a capture tap). */
  onTrace: ((e: LinkTraceEvent) => void) | null = null;

  private readonly c2p: LlDirection;
  private readonly p2c: LlDirection;
  private readonly loss_threshold_u32: number;
  private readonly fault_from_us: number[] = [];
  private readonly fault_to_us: number[] = [];
  private readonly fault_threshold_u32: number[] = [];
  private readonly fault_labels: string[] = [];
  private readonly forced_at_us: number[] = [];
  private generation = 0;
  private generation_handlers: GenerationHandlers | null = null;
  private is_connected = false;
  private mtu = ATT_MTU_MIN;
  private mtu_exchanged = false;
  private anchor_us = 0;
  private pair_index = 0;
  private scheduled_in_event = 0;
  private readonly schedules_per_event_max: number;
  private central_rx_us = 0;
  private peripheral_rx_us = 0;
  private skipped_in_row = 0;
  private readonly counters = {
    connection_events: 0, peripheral_skipped_events: 0, connections: 0, disconnects: 0, supervision_timeouts: 0,
  };

  constructor(
    private readonly queue: EventQueue,
    private readonly prng: Prng,
    given: Partial<LinkParams> = {},
  ) {
    const p = resolveLinkParams(given);
    this.params = Object.freeze(p);
    this.c2p = new LlDirection('c2p', p.central_tx_queue_pdus, p.data_length_bytes);
    this.p2c = new LlDirection('p2c', p.peripheral_tx_queue_pdus, p.data_length_bytes);
    this.central = new BleEndpoint(this, 'central', this.c2p);
    this.peripheral = new BleEndpoint(this, 'peripheral', this.p2c);
    this.loss_threshold_u32 = Math.floor(p.loss_probability * U32_RANGE);
    // Per pair: two deliveries, two TX-space calls, the next pair or the close; plus a drop.
    this.schedules_per_event_max = 5 * p.packets_per_event_max + 2;
  }

  get connected(): boolean {
    return this.is_connected;
  }

  /** The ATT MTU in force: 23 until exchangeMtu() on this connection. */
  get mtu_bytes(): number {
    return this.mtu;
  }

  /** Connect now; the first connection event is at this instant. */
  connect(): void {
    if (this.is_connected) throw new Error('connect: the link is already connected');
    const now_us = this.queue.now_us;
    this.generation++;
    this.is_connected = true;
    this.mtu = ATT_MTU_MIN;
    this.mtu_exchanged = false;
    this.central_rx_us = now_us;
    this.peripheral_rx_us = now_us;
    this.skipped_in_row = this.params.peripheral_latency_events; // it listens at the first event
    this.counters.connections++;
    this.trace({ kind: 'connect', time_us: now_us });
    this.notify({ connected: true, time_us: now_us, reason: null, discarded_pdus: 0 });
    const g = this.generation;
    this.queue.schedule(now_us, (t) => this.runAnchor(g, t));
  }

  /** Connect again after delay_us (if still disconnected then). */
  reconnect(delay_us: number): void {
    if (this.is_connected) throw new Error('reconnect: the link is connected');
    if (!Number.isSafeInteger(delay_us) || delay_us < 0) {
      throw new RangeError(`reconnect: delay_us must be a non-negative integer, got ${delay_us}`);
    }
    const g = this.generation;
    this.queue.schedule(this.queue.now_us + delay_us, () => {
      if (!this.is_connected && this.generation === g) this.connect();
    });
  }

  /** Terminate now (LL_TERMINATE_IND is not timed). Returns false if already down. */
  disconnect(reason: 'central-terminated' | 'peripheral-terminated' = 'central-terminated'): boolean {
    if (reason !== 'central-terminated' && reason !== 'peripheral-terminated') {
      throw new RangeError(
        `disconnect: reason must be 'central-terminated' or 'peripheral-terminated', got ${String(reason)}`,
      );
    }
    if (!this.is_connected) return false;
    this.drop(reason, this.queue.now_us);
    return true;
  }

  /**
   * ATT Exchange MTU (Vol 3 Part F 3.4.2), once per connection: the central offers
   * requested_bytes, the peripheral its max; both use the smaller. Returns the new MTU.
   */
  exchangeMtu(requested_bytes: number = this.params.central_mtu_max_bytes): number {
    if (!this.is_connected) throw new Error('exchangeMtu: the link is not connected');
    if (this.mtu_exchanged) throw new Error('exchangeMtu: the MTU was already exchanged on this connection');
    const hi = this.params.central_mtu_max_bytes;
    if (!Number.isInteger(requested_bytes) || requested_bytes < ATT_MTU_MIN || requested_bytes > hi) {
      throw new RangeError(
        `exchangeMtu: requested_bytes must be an integer in ${ATT_MTU_MIN}..${hi}, got ${requested_bytes}`,
      );
    }
    this.mtu_exchanged = true;
    this.mtu = Math.max(ATT_MTU_MIN, Math.min(requested_bytes, this.params.peripheral_mtu_max_bytes));
    this.trace({ kind: 'mtu', time_us: this.queue.now_us, mtu_bytes: this.mtu });
    return this.mtu;
  }

  /** Fault: the link drops at at_us with reason 'forced' (if connected then). */
  forceDisconnect(at_us: number): void {
    this.checkTime('forceDisconnect: at_us', at_us, this.queue.now_us);
    if (this.forced_at_us.length >= FAULT_WINDOWS_MAX) {
      throw new RangeError(`forceDisconnect: at most ${FAULT_WINDOWS_MAX} forced disconnects per link`);
    }
    this.forced_at_us.push(at_us);
    this.queue.schedule(at_us, (t) => {
      if (this.is_connected) this.drop('forced', t);
    });
  }

  /** Fault: no packet gets through in [from_us, to_us). */
  radioOff(from_us: number, to_us: number): void {
    this.addFault(from_us, to_us, U32_RANGE, 'radio-off');
  }

  /** Fault: packets starting in [from_us, to_us) are lost with probability 0..1. */
  lossBurst(from_us: number, to_us: number, probability: number): void {
    if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
      throw new RangeError(`lossBurst: probability must be in 0..1, got ${probability}`);
    }
    this.addFault(from_us, to_us, Math.floor(probability * U32_RANGE), `loss ${probability}`);
  }

  stats(): LinkStats {
    return { c2p: { ...this.c2p.stats }, p2c: { ...this.p2c.stats }, ...this.counters };
  }

  /** A few lines for a person: traffic each way, LL effort, connection history. */
  summary(): string {
    const s = this.stats();
    const dir = (name: string, d: DirectionStats): string =>
      `${name}: ${d.pdus_delivered} PDUs / ${d.bytes_delivered} B delivered, ${d.pdus_discarded} discarded, ` +
      `${d.pdus_rejected_full} refused (queue full); ` +
      `LL ${d.ll_data_packets} data + ${d.ll_empty_packets} empty packets, ` +
      `${d.ll_retransmissions} retransmitted, ${d.ll_lost} lost`;
    return [
      dir('central -> peripheral', s.c2p),
      dir('peripheral -> central', s.p2c),
      `${s.connection_events} connection events (${s.peripheral_skipped_events} skipped by the peripheral), ` +
        `${s.connections} connections, ${s.disconnects} disconnects (${s.supervision_timeouts} supervision timeouts)`,
    ].join('\n');
  }

  /** Seed, parameters and faults: everything needed to rerun this link identically. */
  describe(): string {
    const faults = this.fault_labels.map((label, i) => `${label} ${this.fault_from_us[i]}..${this.fault_to_us[i]} µs`);
    for (const at_us of this.forced_at_us) faults.push(`forced-disconnect ${at_us} µs`);
    return `ble link seed=${this.prng.seed} ${formatLinkParams(this.params)}` +
      ` faults=[${faults.join(', ')}]` +
      ` (rerun: new SimBleLink(queue, new Prng(${this.prng.seed}), params) with the same faults)`;
  }

  // ------------------------------------------------------------------------------------

  private runAnchor(g: number, t_us: number): void {
    if (g !== this.generation) return;
    this.anchor_us = t_us;
    this.pair_index = 0;
    this.scheduled_in_event = 0;
    this.counters.connection_events++;
    // Supervision (Vol 6 Part B 4.5.2): the timer that runs out first drops the link, at
    // that very instant. A reception before then moves the deadline and voids the check.
    const deadline_us = this.supervisionDeadlineUs();
    if (deadline_us <= t_us) {
      this.drop('supervision-timeout', t_us);
      return;
    }
    if (deadline_us < t_us + this.params.interval_us) {
      this.scheduleInEvent(deadline_us, (t) => {
        if (g === this.generation && t >= this.supervisionDeadlineUs()) this.drop('supervision-timeout', t);
      });
    }
    const latency = this.params.peripheral_latency_events;
    const listening = this.p2c.queued_pdus > 0 || this.skipped_in_row >= latency;
    const event_index = this.counters.connection_events - 1;
    this.trace({ kind: 'event', time_us: t_us, event_index, peripheral_listening: listening });
    if (listening) {
      this.skipped_in_row = 0;
      this.runPair(g, t_us);
      return;
    }
    // The peripheral sleeps: the central's packet goes unheard and the event ends with it.
    this.skipped_in_row++;
    this.counters.peripheral_skipped_events++;
    const m = this.c2p.prepare();
    this.countPacket(this.c2p, m.payload_bytes, m.retransmission, false);
    this.tracePacket(t_us, 'c2p', m, this.p2c.rx_nesn, this.c2p.moreData(), false);
    this.closeEvent(g, t_us + packetAirUs(this.params.phy, m.payload_bytes) + T_IFS_US);
  }

  private runPair(g: number, t_us: number): void {
    if (g !== this.generation) return;
    assert(t_us < this.supervisionDeadlineUs(), 'the supervision check ran before this pair');
    const phy = this.params.phy;
    const m_bytes = this.c2p.peekBytes(false);
    const m_nesn = this.p2c.rx_nesn;
    // The draw comes first: whether the peripheral hears the central decides what it sends.
    const m_lost = this.lost(t_us);
    const s_bytes = this.p2c.peekBytes(!m_lost && this.p2c.acks(m_nesn));
    const pair_us = packetAirUs(phy, m_bytes) + T_IFS_US + packetAirUs(phy, s_bytes) + T_IFS_US;
    if (this.pair_index > 0 && t_us - this.anchor_us + pair_us > this.params.event_length_us) {
      this.closeEvent(g, t_us);
      return;
    }
    // Central -> peripheral.
    const m = this.c2p.prepare();
    assert(m.payload_bytes === m_bytes, 'central sends the packet it measured');
    const m_md = this.c2p.moreData();
    const m_end_us = t_us + packetAirUs(phy, m_bytes);
    this.countPacket(this.c2p, m_bytes, m.retransmission, m_lost);
    this.tracePacket(t_us, 'c2p', m, m_nesn, m_md, !m_lost);
    if (!m_lost) {
      this.peripheral_rx_us = m_end_us;
      if (this.p2c.ack(m_nesn) === ACK_SDU) this.later(g, m_end_us, this.peripheral, null);
      const pdu = this.c2p.receive(m.sn);
      if (pdu !== null) this.later(g, m_end_us, this.peripheral, pdu);
    }
    // Peripheral -> central.
    const s = this.p2c.prepare();
    assert(s.payload_bytes === s_bytes, 'peripheral sends the packet it measured');
    const s_start_us = m_end_us + T_IFS_US;
    const s_end_us = s_start_us + packetAirUs(phy, s_bytes);
    const s_nesn = this.c2p.rx_nesn;
    const s_md = this.p2c.moreData();
    const s_lost = this.lost(s_start_us);
    this.countPacket(this.p2c, s_bytes, s.retransmission, s_lost);
    this.tracePacket(s_start_us, 'p2c', s, s_nesn, s_md, !s_lost);
    if (!s_lost) {
      this.central_rx_us = s_end_us;
      if (this.c2p.ack(s_nesn) === ACK_SDU) this.later(g, s_end_us, this.central, null);
      const pdu = this.p2c.receive(s.sn);
      if (pdu !== null) this.later(g, s_end_us, this.central, pdu);
    }
    this.pair_index++;
    const next_us = s_end_us + T_IFS_US;
    assert(next_us === t_us + pair_us, 'pair time as measured');
    if ((m_md || s_md || m_lost || s_lost) && this.pair_index < this.params.packets_per_event_max) {
      this.scheduleInEvent(next_us, this.handlers(g).pair); // runs at next_us
    } else {
      this.closeEvent(g, next_us);
    }
  }

  /** The event is over (last packet + T_IFS) at end_us; the next starts at the next anchor. */
  private closeEvent(g: number, end_us: number): void {
    const next_anchor_us = this.anchor_us + this.params.interval_us;
    assert(end_us <= next_anchor_us, 'the event closes T_IFS before the next anchor');
    this.scheduleInEvent(next_anchor_us, this.handlers(g).anchor);
  }

  /**
   * The anchor and pair handlers of connection generation g, made once per connection
   * rather than a closure per event (they were much of a replay's garbage).
   */
  private handlers(g: number): GenerationHandlers {
    let h = this.generation_handlers;
    if (h === null || h.g !== g) {
      h = { g, anchor: (t) => this.runAnchor(g, t), pair: (t) => this.runPair(g, t) };
      this.generation_handlers = h;
    }
    return h;
  }

  private supervisionDeadlineUs(): number {
    return Math.min(this.central_rx_us, this.peripheral_rx_us) + this.params.supervision_timeout_us;
  }

  /**
   * At at_us, if the connection still stands: deliver `pdu` to `to`, or (pdu null) tell `to`
   * its TX queue has room. A delivery the link dropped first was counted as discarded then.
   */
  private later(g: number, at_us: number, to: BleEndpoint, pdu: Uint8Array | null): void {
    const dir: Direction = to.role === 'peripheral' ? 'c2p' : 'p2c';
    const d = dir === 'c2p' ? this.c2p : this.p2c;
    if (pdu !== null) {
      d.delivering_pdus++;
      d.delivering_bytes += pdu.length;
    }
    this.scheduleInEvent(at_us, (t) => {
      if (g !== this.generation) return;
      if (pdu === null) {
        to.onTxSpace?.(t);
        return;
      }
      d.delivering_pdus--;
      d.delivering_bytes -= pdu.length;
      assert(d.delivering_pdus >= 0 && d.delivering_bytes >= 0, 'each delivery counted once');
      d.stats.pdus_delivered++;
      d.stats.bytes_delivered += pdu.length;
      this.trace({ kind: 'deliver', time_us: t, dir, pdu_bytes: pdu.length, pdu });
      to.onReceive?.(pdu, t);
    });
  }

  private scheduleInEvent(at_us: number, fn: (t: number) => void): void {
    this.scheduled_in_event++;
    assert(this.scheduled_in_event <= this.schedules_per_event_max, 'queue events per connection event are bounded');
    this.queue.schedule(at_us, fn);
  }

  private drop(reason: DisconnectReason, t_us: number): void {
    assert(this.is_connected, 'only a connected link drops');
    this.generation++;
    this.is_connected = false;
    const discarded_pdus = this.c2p.discardAll() + this.p2c.discardAll();
    this.counters.disconnects++;
    if (reason === 'supervision-timeout') this.counters.supervision_timeouts++;
    this.trace({ kind: 'disconnect', time_us: t_us, reason, discarded_pdus });
    this.notify({ connected: false, time_us: t_us, reason, discarded_pdus });
  }

  private notify(change: ConnectionChange): void {
    this.central.onConnectionChange?.(change);
    this.peripheral.onConnectionChange?.(change);
    this.onConnectionChange?.(change);
  }

  /** Whether a packet starting at t_us is lost: the worst fault window covering it, else the base rate. */
  private lost(t_us: number): boolean {
    let threshold = this.loss_threshold_u32;
    for (let i = 0; i < this.fault_from_us.length; i++) {
      if (t_us < this.fault_from_us[i] || t_us >= this.fault_to_us[i]) continue;
      threshold = Math.max(threshold, this.fault_threshold_u32[i]);
    }
    if (threshold === 0) return false;
    if (threshold >= U32_RANGE) return true;
    return this.prng.nextU32() < threshold;
  }

  private addFault(from_us: number, to_us: number, threshold_u32: number, label: string): void {
    this.checkTime(`${label}: from_us`, from_us, 0);
    this.checkTime(`${label}: to_us`, to_us, from_us + 1);
    if (this.fault_from_us.length >= FAULT_WINDOWS_MAX) {
      throw new RangeError(`${label}: at most ${FAULT_WINDOWS_MAX} fault windows per link`);
    }
    this.fault_from_us.push(from_us);
    this.fault_to_us.push(to_us);
    this.fault_threshold_u32.push(threshold_u32);
    this.fault_labels.push(label);
  }

  private checkTime(name: string, value: number, min_us: number): void {
    if (!Number.isSafeInteger(value) || value < min_us) {
      throw new RangeError(`${name} must be an integer >= ${min_us} µs, got ${value}`);
    }
  }

  private countPacket(d: LlDirection, payload_bytes: number, retransmission: boolean, lost: boolean): void {
    if (payload_bytes > 0) d.stats.ll_data_packets++;
    else d.stats.ll_empty_packets++;
    if (retransmission && payload_bytes > 0) d.stats.ll_retransmissions++;
    if (lost) d.stats.ll_lost++;
  }

  private tracePacket(
    t_us: number, dir: Direction, pkt: { payload_bytes: number; retransmission: boolean; sn: number },
    nesn: number, md: boolean, received: boolean,
  ): void {
    if (this.onTrace === null) return;
    this.onTrace({
      kind: 'packet', time_us: t_us, dir, payload_bytes: pkt.payload_bytes, sn: pkt.sn, nesn, md,
      retransmission: pkt.retransmission, received,
    });
  }

  private trace(e: LinkTraceEvent): void {
    this.onTrace?.(e);
  }
}

/** One line per trace event, stable across runs (for diffs and golden traces). */
export function formatTraceEvent(e: LinkTraceEvent): string {
  switch (e.kind) {
    case 'connect':
      return `${e.time_us} connect`;
    case 'disconnect':
      return `${e.time_us} disconnect ${e.reason} discarded=${e.discarded_pdus}`;
    case 'event':
      return `${e.time_us} event ${e.event_index}${e.peripheral_listening ? '' : ' (peripheral asleep)'}`;
    case 'packet':
      return `${e.time_us} ${e.dir} len=${e.payload_bytes} sn=${e.sn} nesn=${e.nesn} md=${e.md ? 1 : 0}` +
        `${e.retransmission ? ' retx' : ''}${e.received ? '' : ' LOST'}`;
    case 'deliver':
      return `${e.time_us} deliver ${e.dir} ${e.pdu_bytes} B`;
    case 'mtu':
      return `${e.time_us} mtu ${e.mtu_bytes}`;
  }
}
