// Air-time and capacity figures of the BLE link model, each against a hand calculation.
import t from 'tap';
import { resolveLinkParams } from '../../sim/ble/params.js';
import {
  capacity, fragmentBytes, fragmentCount, packetAirUs, pairAirUs, PAIR_MAX_US, PAIR_MIN_US, PAIRS_PER_EVENT_LIMIT,
} from '../../sim/ble/timing.js';

t.test('packet air time (Core Vol 6 Part B 2.1)', async (t) => {
  // 1M: (1 preamble + 4 AA + 2 header + n + 3 CRC) * 8 µs.
  t.equal(packetAirUs('1M', 0), 80, '1M empty: 10 octets * 8');
  t.equal(packetAirUs('1M', 27), 296, '1M 27 octets: 37 * 8');
  t.equal(packetAirUs('1M', 251), 2088, '1M 251 octets: 261 * 8');
  // 2M: (2 preamble + 4 + 2 + n + 3) * 4 µs.
  t.equal(packetAirUs('2M', 0), 44, '2M empty: 11 octets * 4');
  t.equal(packetAirUs('2M', 251), 1048, '2M 251 octets: 262 * 4');
  t.equal(pairAirUs('2M', 0, 251), 44 + 150 + 1048 + 150);
  t.equal(PAIR_MIN_US, pairAirUs('2M', 0, 0));
  t.equal(PAIR_MAX_US, pairAirUs('1M', 251, 251));
  t.equal(PAIRS_PER_EVENT_LIMIT, Math.floor(4_000_000 / 388));
  t.throws(() => packetAirUs('1M', 252), RangeError);
  t.throws(() => packetAirUs('1M', -1), RangeError);
});

t.test('fragmentation of an L2CAP SDU into LL payloads', async (t) => {
  t.equal(fragmentCount(251, 251), 1);
  t.equal(fragmentCount(251, 27), 10, '9 * 27 + 8');
  t.equal(fragmentBytes(251, 27, 8), 27);
  t.equal(fragmentBytes(251, 27, 9), 8);
  t.equal(fragmentCount(521, 251), 3, '251 + 251 + 19');
  t.equal(fragmentBytes(521, 251, 2), 19);
});

t.test('capacity: MTU 247, 2M, 7.5 ms, data length 251', async (t) => {
  // SDU = 247 + 4 = 251 octets = one LL packet of 1048 µs. A pair (empty 44 + IFS 150 +
  // data 1048 + IFS 150) = 1392 µs. Event length = 7500 - 1250 = 6250 µs: 4 pairs
  // (5568 µs; a fifth would end at 6960). 4 * (247 - 3) = 976 B per 7.5 ms = 130133.3 B/s
  // (1.04 Mbit/s of ATT values).
  const c = capacity(resolveLinkParams({ central_mtu_max_bytes: 247, phy: '2M', interval_us: 7500 }));
  t.equal(c.mtu_bytes, 247);
  t.equal(c.att_payload_bytes, 244);
  t.equal(c.sdu_bytes, 251);
  t.equal(c.fragments_per_sdu, 1);
  t.equal(c.packets_per_event, 4);
  t.equal(c.sdus_per_event, 4);
  t.equal(c.peripheral_to_central_bytes_per_s, (976 * 1e6) / 7500);
  t.equal(c.central_to_peripheral_bytes_per_s, c.peripheral_to_central_bytes_per_s, 'symmetric');
});

t.test('capacity: MTU 23, 1M, 30 ms', async (t) => {
  // SDU = 27 octets: 296 µs on 1M. Pair = 80 + 150 + 296 + 150 = 676 µs. Event length
  // 28750 µs: 42 pairs (28392 µs; 43 would end at 29068). 42 * 20 B per 30 ms = 28000 B/s.
  const c = capacity(resolveLinkParams({ central_mtu_max_bytes: 23 }));
  t.equal(c.packets_per_event, 42);
  t.equal(c.peripheral_to_central_bytes_per_s, 28000);
});

t.test('capacity: MTU 185, 1M, 15 ms', async (t) => {
  // SDU = 189 octets: (10 + 189) * 8 = 1592 µs. Pair = 80 + 150 + 1592 + 150 = 1972 µs.
  // Event length 13750 µs: 6 pairs (11832 µs; 7 would end at 13804, 54 µs too late).
  // 6 * 182 B per 15 ms = 72800 B/s.
  const c = capacity(resolveLinkParams({ central_mtu_max_bytes: 185, interval_us: 15_000 }));
  t.equal(c.packets_per_event, 6);
  t.equal(c.peripheral_to_central_bytes_per_s, 72800);
  const longer = capacity(resolveLinkParams({ central_mtu_max_bytes: 185, interval_us: 15_000, event_length_us: 13_850 }));
  t.equal(longer.packets_per_event, 7, 'a 100 µs longer event takes the seventh pair');
});

t.test('capacity with fragmentation: MTU 247, data length 27, 1M, 7.5 ms', async (t) => {
  // SDU 251 = 9 fragments of 27 (pair 676 µs) + one of 8 (144 µs on air, pair 524 µs).
  // Event length 6250: every event takes 9 fragments whatever it starts with (9 * 676 =
  // 6084, or 8 * 676 + 524 = 5932; a tenth would end past 6250). 9 fragments per event of
  // 10 per SDU: 0.9 * 244 B per 7.5 ms = 29280 B/s.
  const c = capacity(resolveLinkParams({ interval_us: 7500, data_length_bytes: 27 }));
  t.equal(c.fragments_per_sdu, 10);
  t.equal(c.packets_per_event, 9);
  t.equal(c.sdus_per_event, 0.9);
  t.ok(Math.abs(c.peripheral_to_central_bytes_per_s - 29280) < 1e-6, `${c.peripheral_to_central_bytes_per_s}`);
});

t.test('capacity honours a cap on packets per event and a given MTU', async (t) => {
  // As the first case, but the controller sends at most 3 pairs: 3 * 244 B per 7.5 ms.
  const p = resolveLinkParams({ phy: '2M', interval_us: 7500, packets_per_event_max: 3 });
  t.equal(capacity(p).peripheral_to_central_bytes_per_s, (732 * 1e6) / 7500);
  // MTU 517 on 2M: SDU 521 = 251 + 251 + 19 octets, pairs of 1392, 1392 and 464 µs
  // (19 octets = (11 + 19) * 4 = 120 µs). Greedy packing in 6250 µs events:
  //   event 0 from fragment 0: 0 1 2 0 1       (6032 µs) -> 1 SDU done
  //   event 1 from fragment 2: 2 0 1 2 0       (5104 µs) -> 2 SDUs done
  //   event 2 from fragment 1: 1 2 0 1 2       (5104 µs) -> 2 SDUs done, then event 0 again
  // 5 SDUs of 514 B per 3 events of 7.5 ms: 2570 B / 22.5 ms = 114222.2 B/s.
  const big = capacity(resolveLinkParams({ phy: '2M', interval_us: 7500 }), 517);
  t.equal(big.fragments_per_sdu, 3);
  t.equal(big.packets_per_event, 5);
  t.ok(Math.abs(big.sdus_per_event - 5 / 3) < 1e-12);
  t.ok(Math.abs(big.peripheral_to_central_bytes_per_s - 2570e6 / 22500) < 1e-6, `${big.peripheral_to_central_bytes_per_s}`);
  t.throws(() => capacity(p, 22), RangeError);
});
