// Air-time arithmetic of the LE uncoded PHYs and the link capacity it implies.
//
// Bluetooth Core Specification Vol 6 Part B 2.1 (packet format): preamble (1 octet on
// LE 1M, 2 on LE 2M), access address 4, PDU header 2, payload 0..251, MIC 4 (only on an
// encrypted link: not modelled), CRC 3. LE 1M sends 1 Mbit/s = 8 µs per octet, LE 2M
// 4 µs per octet. Vol 6 Part B 4.1.1: T_IFS = 150 µs between packets of one event.
//
//   1M: (1 + 4 + 2 + n + 3) * 8 = 80 + 8n µs     empty packet  80 µs, 251 octets 2088 µs
//   2M: (2 + 4 + 2 + n + 3) * 4 = 44 + 4n µs     empty packet  44 µs, 251 octets 1048 µs
//
// A connection event is a run of pairs: central packet, T_IFS, peripheral packet, T_IFS.
// One pair costs air(central) + air(peripheral) + 2 T_IFS; a pair may start only if it
// ends within the event length (the first pair of an event always goes).

import type { BlePhy, LinkParams } from './params.js';

export const T_IFS_US = 150;
export const LL_ACCESS_ADDRESS_BYTES = 4;
export const LL_HEADER_BYTES = 2;
export const LL_CRC_BYTES = 3;
export const L2CAP_HEADER_BYTES = 4; // length (LE u16) + channel id (LE u16)
export const L2CAP_CID_ATT = 0x0004;
export const ATT_NOTIFY_HEADER_BYTES = 3; // opcode + attribute handle (also Write Command)

const PREAMBLE_BYTES: Record<BlePhy, number> = { '1M': 1, '2M': 2 };
const US_PER_BYTE: Record<BlePhy, number> = { '1M': 8, '2M': 4 };

/** Time on air of one LL data packet carrying `payload_bytes` (0 = an empty packet). */
export function packetAirUs(phy: BlePhy, payload_bytes: number): number {
  if (!Number.isInteger(payload_bytes) || payload_bytes < 0 || payload_bytes > 251) {
    throw new RangeError(`LL payload must be an integer in 0..251 bytes, got ${payload_bytes}`);
  }
  const octets = PREAMBLE_BYTES[phy] + LL_ACCESS_ADDRESS_BYTES + LL_HEADER_BYTES + payload_bytes + LL_CRC_BYTES;
  return octets * US_PER_BYTE[phy];
}

/** One exchange: central packet, T_IFS, peripheral packet, T_IFS. */
export function pairAirUs(phy: BlePhy, central_payload_bytes: number, peripheral_payload_bytes: number): number {
  return packetAirUs(phy, central_payload_bytes) + T_IFS_US + packetAirUs(phy, peripheral_payload_bytes) + T_IFS_US;
}

/** Shortest pair (two empty packets on 2M): 44 + 150 + 44 + 150 = 388 µs. */
export const PAIR_MIN_US = 2 * (2 + 4 + 2 + 3) * 4 + 2 * T_IFS_US;
/** Longest pair (two 251-octet packets on 1M): 2088 + 150 + 2088 + 150 = 4476 µs. */
export const PAIR_MAX_US = 2 * (1 + 4 + 2 + 251 + 3) * 8 + 2 * T_IFS_US;
/** Most pairs one event can hold: the longest interval (4 s) filled with the shortest pairs. */
export const PAIRS_PER_EVENT_LIMIT = Math.floor(4_000_000 / PAIR_MIN_US);

/** LL fragments an L2CAP SDU of `sdu_bytes` needs at a data length. */
export function fragmentCount(sdu_bytes: number, data_length_bytes: number): number {
  return Math.ceil(sdu_bytes / data_length_bytes);
}

/** Payload of fragment `index` of an SDU (the last one carries the remainder). */
export function fragmentBytes(sdu_bytes: number, data_length_bytes: number, index: number): number {
  return Math.min(data_length_bytes, sdu_bytes - index * data_length_bytes);
}

export interface LinkCapacity {
  mtu_bytes: number;
  /** ATT value bytes per notification / write command: MTU - 3. */
  att_payload_bytes: number;
  /** L2CAP SDU on the link: ATT PDU + 4-byte L2CAP header. */
  sdu_bytes: number;
  fragments_per_sdu: number;
  /** Average data packets per connection event over the steady-state packing cycle. */
  packets_per_event: number;
  /** Notifications (or write commands) completed per event, averaged over the cycle. */
  sdus_per_event: number;
  /** Maximum ATT value bytes per second, write commands central -> peripheral. */
  central_to_peripheral_bytes_per_s: number;
  /** Maximum ATT value bytes per second, notifications peripheral -> central. */
  peripheral_to_central_bytes_per_s: number;
}

/**
 * Steady-state capacity of one direction with the other idle (it answers with empty packets)
 * and the sender never short of full-MTU PDUs, packed by the same rule the link uses: per
 * event, pairs go while they end within event_length_us and packets_per_event_max allows.
 * The packing repeats once an event starts at a fragment index seen before, so this walks
 * at most fragments_per_sdu + 1 events. Both directions are symmetric in this model.
 */
export function capacity(
  p: LinkParams,
  mtu_bytes: number = Math.min(p.central_mtu_max_bytes, p.peripheral_mtu_max_bytes),
): LinkCapacity {
  if (!Number.isInteger(mtu_bytes) || mtu_bytes < 23 || mtu_bytes > 517) {
    throw new RangeError(`mtu_bytes must be an integer in 23..517, got ${mtu_bytes}`);
  }
  const sdu_bytes = mtu_bytes + L2CAP_HEADER_BYTES;
  const frags = fragmentCount(sdu_bytes, p.data_length_bytes);
  const first_event_at = new Int32Array(frags).fill(-1);
  const sdus_before = new Int32Array(frags);
  const packets_before = new Int32Array(frags);
  let frag_index = 0;
  let sdus = 0;
  let packets = 0;
  for (let event = 0; event <= frags; event++) {
    if (first_event_at[frag_index] >= 0) {
      const cycle_events = event - first_event_at[frag_index];
      const cycle_sdus = sdus - sdus_before[frag_index];
      const cycle_packets = packets - packets_before[frag_index];
      const att_payload_bytes = mtu_bytes - ATT_NOTIFY_HEADER_BYTES;
      const bytes_per_s = (cycle_sdus * att_payload_bytes * 1e6) / (cycle_events * p.interval_us);
      return {
        mtu_bytes, att_payload_bytes, sdu_bytes, fragments_per_sdu: frags,
        packets_per_event: cycle_packets / cycle_events,
        sdus_per_event: cycle_sdus / cycle_events,
        central_to_peripheral_bytes_per_s: bytes_per_s,
        peripheral_to_central_bytes_per_s: bytes_per_s,
      };
    }
    first_event_at[frag_index] = event;
    sdus_before[frag_index] = sdus;
    packets_before[frag_index] = packets;
    let elapsed_us = 0;
    for (let pair = 0; pair < p.packets_per_event_max; pair++) {
      const pair_us = pairAirUs(p.phy, fragmentBytes(sdu_bytes, p.data_length_bytes, frag_index), 0);
      if (pair > 0 && elapsed_us + pair_us > p.event_length_us) break;
      elapsed_us += pair_us;
      packets++;
      frag_index++;
      if (frag_index === frags) {
        frag_index = 0;
        sdus++;
      }
    }
  }
  throw new Error(`capacity: no packing cycle within ${frags + 1} events (unreachable)`);
}
