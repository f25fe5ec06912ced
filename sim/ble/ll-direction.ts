// One direction of the link layer: the sender's bounded queue of L2CAP SDUs, its
// fragmentation into LL data PDUs and its sequence number, and the receiver's next
// expected sequence number and reassembly buffer.
//
// Acknowledgement follows Bluetooth Core Vol 6 Part B 4.5.9: a packet carries SN and NESN.
// The receiver accepts a packet whose SN equals its NESN (then flips NESN) and ignores a
// resent copy; the sender treats a received NESN different from its SN as the ack of its
// last packet (then flips SN) and otherwise sends that same packet again. Empty packets
// take part too, so a NACKed empty packet is resent as is (never swapped for data).
//
// Fragmentation (Vol 6 Part B 2.4, LLID): an SDU = L2CAP basic header (length LE u16,
// CID 0x0004) + ATT PDU, cut into pieces of at most data_length_bytes; the first goes as
// a start fragment, the rest as continuations. The receiver delivers the ATT PDU once the
// bytes named by the L2CAP length have arrived. All buffers are allocated here, once.

import { ATT_MTU_MAX } from '../../protocol/ids.js';
import { assert } from './assert.js';
import { L2CAP_CID_ATT, L2CAP_HEADER_BYTES } from './timing.js';

export type Direction = 'c2p' | 'p2c';

export interface DirectionStats {
  /** ATT PDUs accepted by send(). */
  pdus_queued: number;
  pdus_rejected_full: number;
  pdus_rejected_disconnected: number;
  pdus_delivered: number;
  /** ATT PDU bytes (opcode and handle included) handed to the receiver. */
  bytes_delivered: number;
  /** ATT PDUs accepted but never delivered because the link dropped. */
  pdus_discarded: number;
  bytes_discarded: number;
  /** LL data packets put on air, retransmissions included. */
  ll_data_packets: number;
  ll_empty_packets: number;
  /** Data packets sent again after a NACK. */
  ll_retransmissions: number;
  /** Packets (data or empty) the receiver did not get: loss, radio off, peripheral asleep. */
  ll_lost: number;
  /** Resent packets the receiver had already accepted (their ack was lost). */
  ll_duplicates: number;
}

export function emptyDirectionStats(): DirectionStats {
  return {
    pdus_queued: 0, pdus_rejected_full: 0, pdus_rejected_disconnected: 0, pdus_delivered: 0, bytes_delivered: 0,
    pdus_discarded: 0, bytes_discarded: 0, ll_data_packets: 0, ll_empty_packets: 0, ll_retransmissions: 0,
    ll_lost: 0, ll_duplicates: 0,
  };
}

/** What ack() found. */
export const ACK_NONE = 0; // NACK, or nothing was in flight
export const ACK_PACKET = 1; // the in-flight packet was acknowledged
export const ACK_SDU = 2; // ... and it completed the head SDU, which left the queue

export const SDU_MAX_BYTES = L2CAP_HEADER_BYTES + ATT_MTU_MAX;

/** The packet a sender sends next (prepare()). */
export interface LlPacket {
  payload_bytes: number;
  retransmission: boolean;
  sn: number;
}

export class LlDirection {
  readonly stats: DirectionStats = emptyDirectionStats();
  /** What prepare() returns, rewritten by each call: one per direction, read before the next. */
  private readonly packet: LlPacket = { payload_bytes: 0, retransmission: false, sn: 0 };
  private readonly slots: Uint8Array[] = [];
  private readonly slot_bytes: Uint16Array;
  private head_index = 0;
  private count = 0;
  // Sender half.
  private sn = 0;
  private tx_offset_bytes = 0; // bytes of the head SDU already acknowledged
  private inflight = false; // a packet has been sent and awaits its ack
  private inflight_bytes = 0; // its payload (0 = empty packet)
  // Receiver half.
  private nesn = 0;
  /** PDUs received whole whose delivery (at their packet's end) is still ahead. */
  delivering_pdus = 0;
  delivering_bytes = 0;
  private readonly rx: Uint8Array = new Uint8Array(SDU_MAX_BYTES);
  private rx_bytes = 0;

  constructor(
    readonly direction: Direction,
    readonly capacity_pdus: number,
    readonly data_length_bytes: number,
  ) {
    assert(Number.isInteger(capacity_pdus) && capacity_pdus >= 1 && capacity_pdus <= 1024, 'queue capacity');
    assert(data_length_bytes >= 27 && data_length_bytes <= 251, 'data length');
    for (let i = 0; i < capacity_pdus; i++) this.slots.push(new Uint8Array(SDU_MAX_BYTES));
    this.slot_bytes = new Uint16Array(capacity_pdus);
  }

  get queued_pdus(): number {
    return this.count;
  }

  /** The SN of the sender's current packet. */
  get tx_sn(): number {
    return this.sn;
  }

  /** The receiver's NESN: what it sends back as acknowledgement. */
  get rx_nesn(): number {
    return this.nesn;
  }

  /** Queue an ATT PDU as one L2CAP SDU; false if the queue is full. */
  push(pdu: Uint8Array): boolean {
    assert(pdu.length >= 1 && pdu.length <= ATT_MTU_MAX, 'ATT PDU size checked by the caller');
    if (this.count === this.capacity_pdus) return false;
    const index = (this.head_index + this.count) % this.capacity_pdus;
    const slot = this.slots[index];
    slot[0] = pdu.length & 0xff;
    slot[1] = pdu.length >>> 8;
    slot[2] = L2CAP_CID_ATT & 0xff;
    slot[3] = L2CAP_CID_ATT >>> 8;
    slot.set(pdu, L2CAP_HEADER_BYTES);
    this.slot_bytes[index] = L2CAP_HEADER_BYTES + pdu.length;
    this.count++;
    return true;
  }

  /** Whether the in-flight packet is acknowledged by a peer packet carrying `peer_nesn`. */
  acks(peer_nesn: number): boolean {
    return this.inflight && peer_nesn !== this.sn;
  }

  /** Payload of the packet the sender sends next, if its in-flight packet is / is not acked first. */
  peekBytes(acked: boolean): number {
    if (this.inflight && !acked) return this.inflight_bytes;
    let index = 0;
    let offset = this.tx_offset_bytes;
    if (this.inflight) {
      offset += this.inflight_bytes;
      if (this.count > 0 && offset === this.slot_bytes[this.head_index]) {
        index = 1;
        offset = 0;
      }
    }
    if (index >= this.count) return 0;
    const sdu_bytes = this.slot_bytes[(this.head_index + index) % this.capacity_pdus];
    assert(offset < sdu_bytes, 'next fragment lies inside its SDU');
    return Math.min(this.data_length_bytes, sdu_bytes - offset);
  }

  /**
   * Make the next packet current (a new fragment or empty, or the unacked one again). The
   * object returned is this direction's own, valid until its next prepare() (no garbage per packet).
   */
  prepare(): Readonly<LlPacket> {
    const retransmission = this.inflight;
    if (!this.inflight) {
      this.inflight_bytes = this.peekBytes(false);
      this.inflight = true;
    }
    const p = this.packet;
    p.payload_bytes = this.inflight_bytes;
    p.retransmission = retransmission;
    p.sn = this.sn;
    return p;
  }

  /** The MD bit of the current packet: data queued beyond it. */
  moreData(): boolean {
    if (this.count === 0) return false;
    const after_bytes = this.slot_bytes[this.head_index] - this.tx_offset_bytes - this.inflight_bytes;
    assert(after_bytes >= 0, 'in-flight fragment inside the head SDU');
    return after_bytes > 0 || this.count > 1;
  }

  /** Sender: a valid packet from the peer carried `peer_nesn`. */
  ack(peer_nesn: number): number {
    if (!this.inflight) {
      assert(peer_nesn === this.sn, 'nothing in flight, so nothing can be acknowledged');
      return ACK_NONE;
    }
    if (peer_nesn === this.sn) return ACK_NONE;
    this.sn ^= 1;
    this.inflight = false;
    if (this.inflight_bytes === 0) return ACK_PACKET;
    this.tx_offset_bytes += this.inflight_bytes;
    this.inflight_bytes = 0;
    const sdu_bytes = this.slot_bytes[this.head_index];
    assert(this.tx_offset_bytes <= sdu_bytes, 'acked bytes within the head SDU');
    if (this.tx_offset_bytes < sdu_bytes) return ACK_PACKET;
    this.head_index = (this.head_index + 1) % this.capacity_pdus;
    this.count--;
    this.tx_offset_bytes = 0;
    return ACK_SDU;
  }

  /**
   * Receiver: the sender's current packet arrived carrying `sn`. Returns the ATT PDU it
   * completes (a fresh copy the receiver may keep), or null.
   */
  receive(sn: number): Uint8Array | null {
    assert(this.inflight, 'a packet on air is the in-flight one');
    if (sn !== this.nesn) {
      this.stats.ll_duplicates++;
      return null;
    }
    this.nesn ^= 1;
    const n = this.inflight_bytes;
    if (n === 0) return null;
    const slot = this.slots[this.head_index];
    const start = this.tx_offset_bytes === 0;
    assert(start === (this.rx_bytes === 0), 'a start fragment begins an SDU, a continuation follows one');
    this.rx.set(slot.subarray(this.tx_offset_bytes, this.tx_offset_bytes + n), this.rx_bytes);
    this.rx_bytes += n;
    if (this.rx_bytes < L2CAP_HEADER_BYTES) return null;
    const sdu_bytes = L2CAP_HEADER_BYTES + (this.rx[0] | (this.rx[1] << 8));
    assert(this.rx_bytes <= sdu_bytes, 'no fragment runs past the L2CAP length');
    if (this.rx_bytes < sdu_bytes) return null;
    // Pair assertion: what the receiver reassembled is what the sender queued.
    assert(sdu_bytes === this.slot_bytes[this.head_index], 'reassembled length equals the queued SDU');
    assert((this.rx[2] | (this.rx[3] << 8)) === L2CAP_CID_ATT, 'ATT channel');
    this.rx_bytes = 0;
    return this.rx.slice(L2CAP_HEADER_BYTES, sdu_bytes);
  }

  /**
   * The link dropped: empty the queue and reset sequence numbers. Counts as discarded every
   * queued SDU except a head SDU the receiver already holds whole (only its ack was
   * missing), and every received PDU whose delivery had not happened yet: so at the drop,
   * queued = delivered + discarded. Returns PDUs discarded.
   */
  discardAll(): number {
    const head_received =
      this.count > 0 && this.inflight && this.inflight_bytes > 0 && this.nesn !== this.sn &&
      this.tx_offset_bytes + this.inflight_bytes === this.slot_bytes[this.head_index];
    let discarded = 0;
    for (let i = head_received ? 1 : 0; i < this.count; i++) {
      discarded++;
      this.stats.bytes_discarded += this.slot_bytes[(this.head_index + i) % this.capacity_pdus] - L2CAP_HEADER_BYTES;
    }
    discarded += this.delivering_pdus;
    this.stats.bytes_discarded += this.delivering_bytes;
    this.stats.pdus_discarded += discarded;
    this.delivering_pdus = 0;
    this.delivering_bytes = 0;
    this.head_index = 0;
    this.count = 0;
    this.sn = 0;
    this.nesn = 0;
    this.tx_offset_bytes = 0;
    this.inflight = false;
    this.inflight_bytes = 0;
    this.rx_bytes = 0;
    return discarded;
  }
}
