// A complete simulated ring in virtual time: one EventQueue, one seeded Prng, the PPG
// sensor and the IMU replaying a fixture, the real firmware booted on the simulator's HAL, and the
// peripheral side of a SimBleLink wired to the firmware's BLE entry points. A host talks
// to it through `central` (host/transport/sim-transport.ts) and never reads its memory.
//
// Randomness, all from options.seed (so `describe()` reproduces a run):
//   draw 1 of Prng(seed)   interrupt latency 20..200 µs, exactly as sim/replay.ts draws it,
//                          so the sensor and firmware see the same timing as a direct replay
//   fork(1)                the BLE link (packet loss)
//   fork(2)                the ring crystal's error, -50..+50 ppm (unless drift_ppm is given)
//   fork(3)                the ring's entropy source (AuthHal.random_u32: ring secret, session nonces)
//
// The ring's clock (Hal.clock_ms) runs off its crystal: ring_us = true_us + true_us * ppm / 1e6.
// The sensor samples on its own oscillator at exactly k / rate in true time, so beats and
// windows do not depend on the drift (a direct replay and a replay over the protocol agree).
//
// MTU: the ATT Exchange MTU travels as PDUs between the host and the firmware; when the
// firmware answers the first exchange of a connection, the link applies the negotiated
// MTU (SimBleLink.exchangeMtu), which then bounds every PDU both ways.
//
// The firmware is a module with one state (boot, then freeze): one RingDevice drives it at
// a time. Creating another takes the firmware over; the older device then refuses to run.

import type { AuthHal, BleHal, FlashHal } from '../firmware/hal.js';
import { ATT_MTU_MAX, ATT_MTU_MIN } from '../protocol/ids.js';
import { SimBleLink, type BleEndpoint, type ConnectionChange } from './ble/link.js';
import { formatLinkParams, type LinkParams } from './ble/params.js';
import { EventQueue } from './event-queue.js';
import { BUILTIN_FIRMWARE, type RingFirmware } from './firmware-module.js';
import type { ReplayFixture } from './fixture/types.js';
import { Prng } from './prng.js';
import { accelSource, checkReplayOptions, sensorSampleStream } from './replay.js';
import type { SampleStream } from './sensor/resample.js';
import { SimRingHal } from './ring-hal.js';
import { SimPpgSensor } from './sensor/ppg-sensor.js';
import { SimImu } from './sensor/imu.js';
import { firmwareBle, type FirmwareBle } from './device/firmware-ble.js';
import { NorFlash } from './flash/nor-flash.js';

export const DRIFT_PPM_LIMIT = 50;
export const DRIFT_PPM_MAX = 1000; // accepted when given explicitly (a badly trimmed crystal)
const IRQ_LATENCY_US_MIN = 20; // as sim/replay.ts
const IRQ_LATENCY_US_MAX = 200;
const PRNG_FORK_LINK = 1;
const PRNG_FORK_DRIFT = 2;
const PRNG_FORK_ENTROPY = 3;
/** UTC at virtual time 0 unless given: 2026-01-01T00:00:00Z. */
export const UTC_EPOCH_MS_DEFAULT = 1767225600000;
export const BATTERY_PCT_DEFAULT = 87;
/** Queue events one virtual second can hold at most (7.5 ms interval, full events, sensor). */
const EVENTS_PER_S_MAX = 200_000;
const ATT_OP_EXCHANGE_MTU_REQ = 0x02;
const ATT_OP_EXCHANGE_MTU_RSP = 0x03;

export class RingDeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RingDeviceError';
  }
}

export interface RingDeviceOptions {
  /** Root seed of every random choice. */
  seed: number;
  /** Sample rate the firmware boots at (25, 50, 100). */
  rate_hz: number;
  /** The crystal's error in ppm (positive: the ring's clock runs fast); default drawn in ±50. */
  drift_ppm?: number;
  /** BLE link parameters (sim/ble/params.ts); peripheral_mtu_max_bytes defaults to 517 here. */
  link?: Partial<LinkParams>;
  /** What the ring's fuel gauge reports, 0..100. */
  battery_pct?: number;
  /** True UTC at virtual time 0, ms since the Unix epoch (the host's clock in the sim). */
  utc_epoch_ms?: number;
  /** Keep every record the firmware emitted (a test oracle; the host never reads it). */
  keep_records?: boolean;
  /**
   * The GATT server's entry points; default the firmware's (firmware/main.ts). Tests give a
   * stand-in to try the host against a misbehaving ring.
   */
  ble?: FirmwareBle;
  /** The firmware build to run (sim/firmware-module.ts); default the built-in one. */
  firmware?: RingFirmware;
  /** The ring's flash (history log); default a blank nRF52840-class part. Survives reboot(). */
  flash?: NorFlash;
  /**
   * The sensor pipeline's boot and interrupt entry points, when they are not the firmware
   * module's: sim/boot gives those of the image the boot stage loaded from a flash slot.
   */
  core?: FirmwareCore;
  /** The ring sits on its charger (opens the pairing window: PROTOCOL.md section 11); default false. */
  on_charger?: boolean;
}

/** The firmware's authentication entry point (firmware/auth), absent from older builds. */
interface FirmwareAuth {
  ring_auth_attach(hal: AuthHal, flash: FlashHal): number;
}

/** The sensor pipeline's entry points (firmware/main.ts). */
export interface FirmwareCore {
  ring_boot(hal: SimRingHal, rate_hz: number): number;
  ring_on_sensor_irq(): number;
  ring_sensor_raw_counts?(raw: boolean): void;
}

export interface RingDeviceStats {
  att_rx_pdus: number;
  /** PDUs the firmware refused (negative ring_ble_rx). Normal for bad input. */
  att_rx_refused: number;
  att_tx_pdus: number;
  /** att_send calls the link refused: queue full or link down (the firmware retries on tx_space). */
  att_tx_refused: number;
  /** att_send calls longer than the link's MTU (the firmware's MTU disagrees with the link's). */
  att_tx_oversize: number;
  /** Exchange MTU responses after the first of a connection: the link keeps its MTU. */
  mtu_rsp_ignored: number;
}

export class RingDevice {
  private static owner: RingDevice | null = null;

  readonly queue = new EventQueue();
  readonly link: SimBleLink;
  readonly sensor: SimPpgSensor;
  readonly hal: SimRingHal;
  readonly flash: NorFlash;
  /** Times reboot() ran. */
  reboots = 0;
  /** On the charger: the physical action that opens the pairing window (set it any time). */
  on_charger: boolean;
  readonly seed: number;
  readonly rate_hz: number;
  readonly drift_ppm: number;
  readonly irq_latency_us: number;
  readonly battery_pct: number;
  readonly utc_epoch_ms: number;
  readonly record: string;
  readonly fixture_samples: number;
  readonly fixture_rate_hz: number;
  /** Length of the recording in true time. */
  readonly fixture_duration_us: number;
  readonly stats: RingDeviceStats = {
    att_rx_pdus: 0, att_rx_refused: 0, att_tx_pdus: 0, att_tx_refused: 0, att_tx_oversize: 0, mtu_rsp_ignored: 0,
  };

  private readonly fw: RingFirmware;
  private readonly ble: FirmwareBle;
  private readonly core: FirmwareCore;
  /** The fixture's samples are raw photodiode counts (the firmware is told before each boot). */
  private readonly raw_counts: boolean;
  private readonly peripheral: BleEndpoint;
  private readonly entropy: Prng;
  private client_mtu_requested = 0; // from the connection's Exchange MTU Request, 0 before one
  private mtu_applied = false;

  constructor(fixture: ReplayFixture | null, opts: RingDeviceOptions) {
    checkReplayOptions({ rate_hz: opts.rate_hz, seed: opts.seed });
    this.fw = opts.firmware ?? BUILTIN_FIRMWARE;
    this.ble = opts.ble ?? firmwareBle(this.fw);
    this.core = opts.core ?? this.fw;
    const prng = new Prng(opts.seed);
    this.seed = opts.seed;
    this.rate_hz = opts.rate_hz;
    this.irq_latency_us = prng.nextInt(IRQ_LATENCY_US_MIN, IRQ_LATENCY_US_MAX);
    const link_prng = prng.fork(PRNG_FORK_LINK);
    const drift_prng = prng.fork(PRNG_FORK_DRIFT);
    this.entropy = prng.fork(PRNG_FORK_ENTROPY);
    this.on_charger = opts.on_charger ?? false;
    this.drift_ppm = opts.drift_ppm ?? drift_prng.nextInt(-DRIFT_PPM_LIMIT, DRIFT_PPM_LIMIT);
    checkInt('drift_ppm', this.drift_ppm, -DRIFT_PPM_MAX, DRIFT_PPM_MAX);
    this.battery_pct = opts.battery_pct ?? BATTERY_PCT_DEFAULT;
    checkInt('battery_pct', this.battery_pct, 0, 100);
    this.utc_epoch_ms = opts.utc_epoch_ms ?? UTC_EPOCH_MS_DEFAULT;
    checkInt('utc_epoch_ms', this.utc_epoch_ms, 0, Number.MAX_SAFE_INTEGER);
    this.record = fixture?.meta.record ?? '(no fixture)';
    this.fixture_samples = fixture?.ppg.length ?? 0;
    this.fixture_rate_hz = fixture?.meta.sample_rate_hz ?? 0;
    this.fixture_duration_us = fixture ? Math.floor((fixture.ppg.length * 1_000_000) / fixture.meta.sample_rate_hz) : 0;
    this.raw_counts = fixture?.meta.ppg_convention === 'raw-counts';
    this.link = new SimBleLink(this.queue, link_prng, { peripheral_mtu_max_bytes: ATT_MTU_MAX, ...opts.link });
    const stream = (rate: number): SampleStream | Int32Array => (fixture ? sensorSampleStream(fixture, rate) : new Int32Array(0));
    const imu = fixture?.accel ? new SimImu(fixture.accel) : null; // as sim/replay.ts
    this.sensor = new SimPpgSensor(this.queue, stream, this.irq_latency_us, fixture ? accelSource(fixture) : null, imu === null ? null : (t_us) => imu.activityAt(t_us));
    this.hal = new DriftingRingHal(this.queue, this.sensor, opts.keep_records ?? true, this.drift_ppm);
    this.peripheral = this.link.peripheral;
    this.flash = opts.flash ?? new NorFlash();
    RingDevice.owner = this;
    this.sensor.onInterrupt = () => {
      this.checkOwner();
      const n = this.core.ring_on_sensor_irq();
      if (n < 0) throw new RingDeviceError(`firmware interrupt handler failed with ${n} (${this.describe()})`);
    };
    // Boot, attach the radio, boot again: ring_ble_attach takes the running sample rate for
    // the configuration it reports (so the firmware must have booted once), and only a boot
    // after the attach puts the boot status record into the history log. The second boot
    // reconfigures the sensor at the same instant (t = 0) with the same rate, so sampling
    // is exactly a direct replay's; the first boot's record is dropped from the oracle.
    this.startFirmware();
    this.wirePeripheral();
  }

  /**
   * Reset the ring: the firmware boots again from nothing but the flash (the history log
   * is scanned and carries on; RAM state, the stream subscriptions and the clock offset are
   * gone). The link drops, as a real reset drops it; the sensor keeps its place in the
   * recording. What the firmware emits after the reboot is appended to hal.records.
   */
  reboot(): void {
    this.checkOwner();
    if (this.link.connected) this.link.disconnect('peripheral-terminated');
    this.reboots++;
    const kept = this.hal.records.slice();
    this.startFirmware();
    this.hal.records.unshift(...kept);
  }

  private startFirmware(): void {
    this.boot(this.rate_hz);
    const ble_rc = this.ble.ring_ble_attach(this.bleHal(), this.flash);
    if (ble_rc !== 0) throw new RingDeviceError(`firmware refused the BLE controller (error ${ble_rc})`);
    const auth = this.fw as unknown as Partial<FirmwareAuth>;
    if (typeof auth.ring_auth_attach === 'function') {
      const auth_hal: AuthHal = { random_u32: () => this.entropy.nextU32(), charging: () => (this.on_charger ? 1 : 0) };
      const auth_rc = auth.ring_auth_attach(auth_hal, this.flash);
      if (auth_rc !== 0) throw new RingDeviceError(`firmware refused its authentication state (error ${auth_rc})`);
    }
    this.hal.records.length = 0;
    this.boot(this.rate_hz);
  }

  /** The host's end of the link (what a transport drives). */
  get central(): BleEndpoint {
    return this.link.central;
  }

  get now_us(): number {
    return this.queue.now_us;
  }

  /** True UTC now (the host's clock in the simulation), ms since the Unix epoch. */
  utcNowMs(): number {
    return this.utc_epoch_ms + Math.floor(this.queue.now_us / 1000);
  }

  /** The ring's own clock (uptime by its crystal), ms: an oracle for tests. */
  ringClockMs(): number {
    return this.hal.clock_ms();
  }

  /** Whether the whole recording has been sampled and processed. */
  get fixtureDone(): boolean {
    return this.sensor.done;
  }

  /** Run virtual time forward by ms. Returns the events run. */
  runFor(ms: number): number {
    checkInt('runFor: ms', ms, 0, Number.MAX_SAFE_INTEGER);
    this.checkOwner();
    const events_max = eventsBound(ms * 1000);
    return this.queue.runUntil(this.queue.now_us + ms * 1000, events_max);
  }

  /**
   * Step events until predicate() holds (true) or limit_ms of virtual time passed (false).
   * The predicate is checked before each event, so time stops at the event that made it true.
   */
  runUntil(predicate: () => boolean, limit_ms: number): boolean {
    checkInt('runUntil: limit_ms', limit_ms, 0, Number.MAX_SAFE_INTEGER);
    return this.runUntilUs(predicate, this.queue.now_us + limit_ms * 1000);
  }

  /** As runUntil, with an absolute deadline in virtual µs. */
  runUntilUs(predicate: () => boolean, deadline_us: number): boolean {
    this.checkOwner();
    if (predicate()) return true;
    let timed_out = false;
    if (deadline_us > this.queue.now_us) this.queue.schedule(deadline_us, () => { timed_out = true; });
    const events_max = eventsBound(Math.max(0, deadline_us - this.queue.now_us));
    let events = 0;
    while (!predicate()) {
      if (timed_out || this.queue.now_us >= deadline_us) return false;
      if (!this.queue.step()) {
        this.queue.runUntil(deadline_us);
        return predicate();
      }
      if (++events > events_max) {
        throw new RingDeviceError(`more than ${events_max} events before ${deadline_us} µs: runaway schedule (${this.describe()})`);
      }
    }
    return true;
  }

  /** Run until the recording has been sampled and processed (plus limit slack). */
  runToEnd(slack_ms = 10_000): boolean {
    const deadline_us = Math.max(this.queue.now_us, this.fixture_duration_us) + slack_ms * 1000;
    return this.runUntilUs(() => this.sensor.done, deadline_us);
  }

  /** Every option and the seed: enough to rebuild this device and rerun identically. */
  describe(): string {
    return (
      `ring-device seed=${this.seed} rate_hz=${this.rate_hz} drift_ppm=${this.drift_ppm} ` +
      `irq_latency_us=${this.irq_latency_us} battery_pct=${this.battery_pct} utc_epoch_ms=${this.utc_epoch_ms} ` +
      `fixture=${this.record} (${this.fixture_samples} samples at ${this.fixture_rate_hz} Hz) ` +
      `link: ${formatLinkParams(this.link.params)} now_us=${this.queue.now_us}`
    );
  }

  /** The options that rebuild this device (with the same fixture). */
  options(): Required<Omit<RingDeviceOptions, 'keep_records' | 'ble' | 'flash' | 'firmware' | 'core' | 'on_charger'>> {
    return {
      seed: this.seed, rate_hz: this.rate_hz, drift_ppm: this.drift_ppm, link: { ...this.link.params },
      battery_pct: this.battery_pct, utc_epoch_ms: this.utc_epoch_ms,
    };
  }

  // ------------------------------------------------------------------------------------

  private boot(rate_hz: number): void {
    this.core.ring_sensor_raw_counts?.(this.raw_counts);
    const rc = this.core.ring_boot(this.hal, rate_hz);
    if (rc !== 0) throw new RingDeviceError(`firmware refused to boot at ${rate_hz} Hz (error ${rc})`);
  }

  private checkOwner(): void {
    if (RingDevice.owner !== this) {
      throw new RingDeviceError('another RingDevice has booted the firmware since this one: one simulated ring at a time');
    }
  }

  private bleHal(): BleHal {
    return {
      att_send: (pdu: Uint8Array, length: number): number => this.attSend(pdu, length),
      battery_percent: (): number => this.battery_pct,
    };
  }

  private attSend(pdu: Uint8Array, length: number): number {
    if (!Number.isInteger(length) || length < 1 || length > pdu.length) {
      throw new RingDeviceError(`att_send: length ${length} for a buffer of ${pdu.length} bytes (firmware bug)`);
    }
    if (!this.link.connected) {
      this.stats.att_tx_refused++;
      return -1;
    }
    const view = pdu.subarray(0, length);
    if (length > this.link.mtu_bytes) {
      this.stats.att_tx_oversize++;
      return -1; // a real controller refuses an SDU beyond the ATT MTU the same way
    }
    if (!this.peripheral.send(view)) {
      this.stats.att_tx_refused++;
      return -1;
    }
    this.stats.att_tx_pdus++;
    if (view[0] === ATT_OP_EXCHANGE_MTU_RSP && length === 3) this.applyMtu(view[1] | (view[2] << 8));
    return 0;
  }

  /** The firmware answered an Exchange MTU: the link takes the negotiated MTU from now on. */
  private applyMtu(server_mtu: number): void {
    if (this.mtu_applied || this.client_mtu_requested === 0) {
      this.stats.mtu_rsp_ignored++;
      return;
    }
    this.mtu_applied = true;
    const negotiated = Math.max(ATT_MTU_MIN, Math.min(this.client_mtu_requested, server_mtu));
    const requested = Math.min(negotiated, this.link.params.central_mtu_max_bytes);
    this.link.exchangeMtu(requested);
  }

  private wirePeripheral(): void {
    this.peripheral.onReceive = (pdu: Uint8Array) => {
      this.checkOwner();
      this.stats.att_rx_pdus++;
      if (pdu[0] === ATT_OP_EXCHANGE_MTU_REQ && pdu.length === 3 && !this.mtu_applied) {
        this.client_mtu_requested = pdu[1] | (pdu[2] << 8);
      }
      const rc = this.ble.ring_ble_rx(pdu, pdu.length);
      if (rc < 0) this.stats.att_rx_refused++;
    };
    this.peripheral.onTxSpace = () => {
      this.checkOwner();
      this.ble.ring_ble_tx_space();
    };
    this.peripheral.onConnectionChange = (change: ConnectionChange) => {
      this.checkOwner();
      this.client_mtu_requested = 0;
      this.mtu_applied = false;
      this.ble.ring_ble_connected(change.connected ? 1 : 0, this.link.mtu_bytes);
    };
  }
}

/** The simulator HAL with the ring's clock running off a crystal that is drift_ppm off. */
class DriftingRingHal extends SimRingHal {
  constructor(
    private readonly clock_queue: EventQueue,
    sensor: SimPpgSensor,
    keep_records: boolean,
    private readonly drift_ppm: number,
  ) {
    super(clock_queue, sensor, keep_records);
  }

  override clock_ms(): number {
    const true_us = this.clock_queue.now_us;
    // true_us < 2^53 / 1000 for any run shorter than 285 years, so the product is exact.
    const ring_us = true_us + Math.trunc((true_us * this.drift_ppm) / 1_000_000);
    return Math.floor(ring_us / 1000);
  }
}

function eventsBound(span_us: number): number {
  return Math.ceil((span_us / 1_000_000) * EVENTS_PER_S_MAX) + 10_000;
}

function checkInt(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isSafeInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be an integer in ${lo}..${hi}, got ${v}`);
}
