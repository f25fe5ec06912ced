// Parameters of the simulated BLE link, their bounds (Bluetooth Core Specification, Vol 6
// Part B: 4.5.1 connection interval, supervision timeout and peripheral latency; 4.5.10
// data length; Vol 3 Part F 3.4.2 ATT MTU) and defaults for a phone talking to a ring.
//
// Defaults, and why:
//   interval_us 30_000            a phone's usual "balanced" connection interval
//   phy '1M'                      every controller has it; 2M must be negotiated
//   *_mtu_max_bytes 247           an ATT MTU of 247 makes an L2CAP SDU of 251 = one full LL PDU
//   dle_supported true            data length extension (251-octet LL payloads) is near universal
//   data_length_bytes 251 / 27    the largest payload with DLE, the legacy 27 without
//   event_length_us interval-1250 the controller keeps one 1.25 ms slot for other radio work
//   packets_per_event_max         no cap beyond the event length (set it to model a phone that
//                                 sends only a few packets per event)
//   loss_probability 0            a clean channel; tests and benches raise it
//   peripheral_latency_events 0   the ring listens at every event
//   supervision_timeout_us 4 s    inside the 2-6 s range phones commonly use
//   TX queues 16 / 8 PDUs         a phone buffers more than a ring

import { ATT_MTU_MAX, ATT_MTU_MIN } from '../../protocol/ids.js';
import { L2CAP_HEADER_BYTES, PAIR_MAX_US, PAIR_MIN_US, PAIRS_PER_EVENT_LIMIT, T_IFS_US } from './timing.js';

export type BlePhy = '1M' | '2M';

export interface LinkParams {
  /** Connection interval: time between anchor points. 7.5 ms..4 s in 1.25 ms steps. */
  interval_us: number;
  /** Physical layer for both directions. */
  phy: BlePhy;
  /** The largest ATT MTU the central (host) offers in an MTU exchange. */
  central_mtu_max_bytes: number;
  /** The largest ATT MTU the peripheral (ring) accepts. */
  peripheral_mtu_max_bytes: number;
  /** Both controllers support the LE Data Packet Length Extension. */
  dle_supported: boolean;
  /** Largest LL data PDU payload, both directions (connEffectiveMaxTxOctets): 27..251. */
  data_length_bytes: number;
  /** Longest connection event the central schedules; pairs that would end later wait. */
  event_length_us: number;
  /** Cap on central/peripheral packet pairs per connection event. */
  packets_per_event_max: number;
  /** Probability that one LL packet is not received (CRC error or missed), 0..0.5. */
  loss_probability: number;
  /** Connection events the peripheral may skip when it has nothing to send: 0..499. */
  peripheral_latency_events: number;
  /** Link lost after this long without a valid packet: 100 ms..32 s in 10 ms steps. */
  supervision_timeout_us: number;
  /** Capacity of the central's ATT PDU transmit queue. */
  central_tx_queue_pdus: number;
  /** Capacity of the peripheral's ATT PDU transmit queue. */
  peripheral_tx_queue_pdus: number;
}

export const INTERVAL_MIN_US = 7_500;
export const INTERVAL_MAX_US = 4_000_000;
export const INTERVAL_STEP_US = 1_250;
export const LL_DATA_LENGTH_MIN_BYTES = 27;
export const LL_DATA_LENGTH_MAX_BYTES = 251;
export const EVENT_LENGTH_MIN_US = 1_250;
export const EVENT_LENGTH_RESERVE_US = 1_250;
export const LOSS_PROBABILITY_MAX = 0.5;
export const PERIPHERAL_LATENCY_MAX_EVENTS = 499;
export const SUPERVISION_TIMEOUT_MIN_US = 100_000;
export const SUPERVISION_TIMEOUT_MAX_US = 32_000_000;
export const SUPERVISION_TIMEOUT_STEP_US = 10_000;
export const TX_QUEUE_MAX_PDUS = 1024;

const PARAM_KEYS: readonly (keyof LinkParams)[] = [
  'interval_us', 'phy', 'central_mtu_max_bytes', 'peripheral_mtu_max_bytes', 'dle_supported',
  'data_length_bytes', 'event_length_us', 'packets_per_event_max', 'loss_probability',
  'peripheral_latency_events', 'supervision_timeout_us', 'central_tx_queue_pdus', 'peripheral_tx_queue_pdus',
];

/** Defaults overridden by `given`; every value checked. Throws RangeError naming the parameter. */
export function resolveLinkParams(given: Partial<LinkParams> = {}): LinkParams {
  for (const key of Object.keys(given)) {
    if (!(PARAM_KEYS as readonly string[]).includes(key)) throw new RangeError(`unknown BLE link parameter "${key}"`);
  }
  const interval_us = given.interval_us ?? 30_000;
  checkInteger('interval_us', interval_us, INTERVAL_MIN_US, INTERVAL_MAX_US, 'µs');
  if (interval_us % INTERVAL_STEP_US !== 0) {
    throw new RangeError(`interval_us must be a multiple of ${INTERVAL_STEP_US} µs, got ${interval_us}`);
  }
  const phy = given.phy ?? '1M';
  if (phy !== '1M' && phy !== '2M') throw new RangeError(`phy must be '1M' or '2M', got ${String(phy)}`);
  const dle_supported = given.dle_supported ?? true;
  if (typeof dle_supported !== 'boolean') {
    throw new RangeError(`dle_supported must be a boolean, got ${String(dle_supported)}`);
  }
  const data_length_max = dle_supported ? LL_DATA_LENGTH_MAX_BYTES : LL_DATA_LENGTH_MIN_BYTES;
  const data_length_bytes = given.data_length_bytes ?? data_length_max;
  checkInteger('data_length_bytes', data_length_bytes, LL_DATA_LENGTH_MIN_BYTES, data_length_max, 'bytes');
  const p: LinkParams = {
    interval_us,
    phy,
    central_mtu_max_bytes: given.central_mtu_max_bytes ?? 247,
    peripheral_mtu_max_bytes: given.peripheral_mtu_max_bytes ?? 247,
    dle_supported,
    data_length_bytes,
    event_length_us: given.event_length_us ?? interval_us - EVENT_LENGTH_RESERVE_US,
    packets_per_event_max: given.packets_per_event_max ?? PAIRS_PER_EVENT_LIMIT,
    loss_probability: given.loss_probability ?? 0,
    peripheral_latency_events: given.peripheral_latency_events ?? 0,
    supervision_timeout_us: given.supervision_timeout_us ?? 4_000_000,
    central_tx_queue_pdus: given.central_tx_queue_pdus ?? 16,
    peripheral_tx_queue_pdus: given.peripheral_tx_queue_pdus ?? 8,
  };
  checkInteger('central_mtu_max_bytes', p.central_mtu_max_bytes, ATT_MTU_MIN, ATT_MTU_MAX, 'bytes');
  checkInteger('peripheral_mtu_max_bytes', p.peripheral_mtu_max_bytes, ATT_MTU_MIN, ATT_MTU_MAX, 'bytes');
  // The event must close at least T_IFS before the next anchor point (Vol 6 Part B 4.5.6).
  const event_length_max_us = interval_us - T_IFS_US;
  checkInteger('event_length_us', p.event_length_us, EVENT_LENGTH_MIN_US, event_length_max_us, 'µs (interval - T_IFS)');
  checkInteger('packets_per_event_max', p.packets_per_event_max, 1, PAIRS_PER_EVENT_LIMIT, 'pairs');
  const loss = p.loss_probability;
  if (typeof loss !== 'number' || !(loss >= 0 && loss <= LOSS_PROBABILITY_MAX)) {
    throw new RangeError(`loss_probability must be in 0..${LOSS_PROBABILITY_MAX}, got ${p.loss_probability}`);
  }
  checkInteger('peripheral_latency_events', p.peripheral_latency_events, 0, PERIPHERAL_LATENCY_MAX_EVENTS, 'events');
  checkSupervision(p);
  checkInteger('central_tx_queue_pdus', p.central_tx_queue_pdus, 1, TX_QUEUE_MAX_PDUS, 'PDUs');
  checkInteger('peripheral_tx_queue_pdus', p.peripheral_tx_queue_pdus, 1, TX_QUEUE_MAX_PDUS, 'PDUs');
  return p;
}

function checkSupervision(p: LinkParams): void {
  const t = p.supervision_timeout_us;
  checkInteger('supervision_timeout_us', t, SUPERVISION_TIMEOUT_MIN_US, SUPERVISION_TIMEOUT_MAX_US, 'µs');
  if (t % SUPERVISION_TIMEOUT_STEP_US !== 0) {
    throw new RangeError(`supervision_timeout_us must be a multiple of ${SUPERVISION_TIMEOUT_STEP_US} µs, got ${t}`);
  }
  // Vol 6 Part B 4.5.2: connSupervisionTimeout > (1 + connPeripheralLatency) * connInterval * 2.
  const floor_us = (1 + p.peripheral_latency_events) * p.interval_us * 2;
  if (t <= floor_us) {
    throw new RangeError(
      'supervision_timeout_us must exceed (1 + peripheral_latency_events) * interval_us * 2' +
        ` = ${floor_us} µs, got ${t}`,
    );
  }
}

function checkInteger(name: string, value: unknown, lo: number, hi: number, unit: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new RangeError(`${name} must be an integer in ${lo}..${hi} ${unit}, got ${String(value)}`);
  }
}

/** The ATT MTU both sides end up with after an exchange in which the central offers its max. */
export function negotiatedMtuBytes(p: LinkParams): number {
  return Math.min(p.central_mtu_max_bytes, p.peripheral_mtu_max_bytes);
}

/** One line, every parameter, in a fixed order: enough to rebuild the link. */
export function formatLinkParams(p: LinkParams): string {
  return PARAM_KEYS.map((k) => `${k}=${String(p[k])}`).join(' ');
}

// Relations the link model relies on, checked once at load.
function assertConst(ok: boolean, what: string): void {
  if (!ok) throw new Error('sim/ble/params.ts constant check failed: ' + what);
}
// The first pair of an event always goes, so even the longest pair must close the event
// T_IFS before the next anchor at the shortest interval: 4476 + 150 <= 7500.
assertConst(PAIR_MAX_US + T_IFS_US <= INTERVAL_MIN_US, 'the longest pair fits the shortest interval');
assertConst(PAIRS_PER_EVENT_LIMIT * PAIR_MIN_US <= INTERVAL_MAX_US, 'pair limit covers the longest interval');
assertConst(EVENT_LENGTH_MIN_US + EVENT_LENGTH_RESERVE_US <= INTERVAL_MIN_US, 'default event length is valid');
assertConst(INTERVAL_MIN_US % INTERVAL_STEP_US === 0 && INTERVAL_MAX_US % INTERVAL_STEP_US === 0, 'interval grid');
assertConst(ATT_MTU_MIN + L2CAP_HEADER_BYTES <= LL_DATA_LENGTH_MIN_BYTES, 'a minimum-MTU SDU fits one 27-octet payload');
