// Options that choose and shape the link to a ring, parsed once for every device command:
// the simulated ring (--sim <fixture>) and its BLE link (MTU, interval, PHY, loss, seed, a
// forced disconnect), or a real ring through BlueZ (--ble <address|name>, --adapter; the
// environment variable RING_BLE names the default ring).

import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { NorFlash } from '../../sim/flash/nor-flash.js';
import { KEYS_ENV, KeyStore, KeyStoreError, defaultKeyStorePath, fromHex } from '../client/keystore.js';
import { ATT_MTU_MAX, ATT_MTU_MIN } from '../../protocol/ids.js';
import { INTERVAL_MAX_US, INTERVAL_MIN_US, INTERVAL_STEP_US, LOSS_PROBABILITY_MAX, type LinkParams } from '../../sim/ble/params.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { RingDevice } from '../../sim/ring-device.js';
import { RingClient } from '../client/client.js';
import { SimTransport } from '../transport/sim-transport.js';
import { SCAN_TIMEOUT_MS_DEFAULT } from '../transport/ble/scan-defaults.js';
import type { Transport } from '../transport/transport.js';
import { UsageError } from './errors.js';
import { openTaps, openTransportTaps, type DebugCliOptions, type SessionTaps } from './debug-options.js';
import type { DebugSession } from '../debug/session.js';
import { log } from './log.js';
import { RATE_HZ_DEFAULT, SEED_DEFAULT, parseRateHz, parseSeed } from './options.js';

export const MTU_DEFAULT = 247;
export const INTERVAL_MS_DEFAULT = 30;

/** As commander hands them over (after the parsers below). */
export interface TransportCliOptions {
  sim?: string;
  mtu: number;
  intervalMs: number;
  phy: '1M' | '2M';
  loss: number;
  seed: number;
  rateHz: number;
  disconnectAtMs?: number;
  ble?: string;
  adapter?: string;
  scanTimeoutS?: number;
  capture?: string;
  trace?: boolean;
  /** The simulated ring's flash (pairing, grants, history) kept in a file between runs. */
  ringState?: string;
  /** The host's key store (default $RING_KEYS, else $XDG_CONFIG_HOME/ring-sim/keys.json). */
  keys?: string;
  /** The simulated ring sits on its charger (opens its pairing window). */
  onCharger?: boolean;
}

/** Names the ring device commands talk to when neither --sim nor --ble is given. */
export const RING_BLE_ENV = 'RING_BLE';

export interface TransportChoice {
  fixture_path: string;
  seed: number;
  rate_hz: number;
  link: Partial<LinkParams>;
  /** Forced disconnect, µs after the host first connects; null for none. */
  disconnect_after_us: number | null;
  /** The options again, as flags, for "reproduce:" lines. */
  flags: string;
}

export function parseMtu(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text) || v < ATT_MTU_MIN || v > ATT_MTU_MAX) {
    throw new UsageError(`--mtu must be an integer in ${ATT_MTU_MIN}..${ATT_MTU_MAX}, got '${text}'`);
  }
  return v;
}

export function parseIntervalMs(text: string): number {
  const v = Number(text);
  const us = Math.round(v * 1000);
  if (!/^\d+(\.\d+)?$/.test(text) || us < INTERVAL_MIN_US || us > INTERVAL_MAX_US || us % INTERVAL_STEP_US !== 0 || Math.abs(us - v * 1000) > 1e-6) {
    throw new UsageError(
      `--interval-ms must be a multiple of 1.25 in ${INTERVAL_MIN_US / 1000}..${INTERVAL_MAX_US / 1000} (Bluetooth connection interval), got '${text}'`,
    );
  }
  return v;
}

export function parsePhy(text: string): '1M' | '2M' {
  if (text !== '1M' && text !== '2M') throw new UsageError(`--phy must be 1M or 2M, got '${text}'`);
  return text;
}

export function parseLoss(text: string): number {
  const v = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(v >= 0 && v <= LOSS_PROBABILITY_MAX)) {
    throw new UsageError(`--loss must be a probability in 0..${LOSS_PROBABILITY_MAX}, got '${text}'`);
  }
  return v;
}

/** A week of simulated time: far beyond any transfer, and its µs stay exact integers. */
export const DISCONNECT_AT_MS_MAX = 7 * 24 * 3600 * 1000;

export function parseDisconnectAtMs(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text) || v > DISCONNECT_AT_MS_MAX) {
    throw new UsageError(`--disconnect-at-ms must be an integer in 0..${DISCONNECT_AT_MS_MAX} (a week), got '${text}'`);
  }
  return v;
}

/** Options that shape the simulated link only (a real ring's link is BlueZ's and the ring's). */
const SIM_ONLY_OPTIONS = ['mtu', 'intervalMs', 'phy', 'loss', 'seed', 'rateHz', 'disconnectAtMs', 'ringState', 'onCharger'];
const BLE_ONLY_OPTIONS = ['adapter', 'scanTimeoutS'];

function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Refuse options given for the other kind of ring, rather than ignore them. */
function checkTransportKind(cmd: Command): void {
  const opts = cmd.opts() as TransportCliOptions;
  const given = (key: string): boolean => cmd.getOptionValueSource(key) === 'cli';
  const ble = bleTarget(opts) !== null;
  const wrong = (ble ? SIM_ONLY_OPTIONS : BLE_ONLY_OPTIONS).filter(given);
  if (wrong.length === 0) return;
  throw new UsageError(ble
    ? `${wrong.map(flagOf).join(', ')} shape${wrong.length === 1 ? 's' : ''} the simulated link (--sim) only; over --ble, BlueZ and the ring negotiate the link`
    : `${wrong.map(flagOf).join(', ')} appl${wrong.length === 1 ? 'ies' : 'y'} to --ble only`);
}

/** What --disconnect-at-ms did, for a run that has ended: null when the link dropped as asked. */
export function disconnectNotice(s: DeviceSession): string | null {
  const after_us = s.sim?.choice.disconnect_after_us ?? null;
  if (s.sim === null || after_us === null) return null;
  const sim = s.sim;
  const ended_ms = Math.round((sim.device.now_us - sim.connected_at_us) / 1000);
  if (sim.device.now_us >= sim.connected_at_us + after_us) return null;
  return `the disconnect at ${after_us / 1000} ms did not happen: the transfer ended at ${ended_ms} ms`;
}

/** Add the link options to a device command. */
export function addTransportOptions(cmd: Command): Command {
  cmd.hook('preAction', (c) => checkTransportKind(c));
  return cmd
    .option('--sim <fixture>', 'talk to a simulated ring that replays this recording')
    .option('--ble <ring>', `talk to a ring over Bluetooth (BlueZ): its address or advertised name (default: $${RING_BLE_ENV})`)
    .option('--adapter <hciN>', 'Bluetooth adapter for --ble (default: the first BlueZ has)', parseAdapter)
    .option('--scan-timeout-s <s>', `--ble: how long to look for the ring (default ${SCAN_TIMEOUT_MS_DEFAULT / 1000})`, parseScanTimeoutS)
    .option('--mtu <bytes>', `ATT MTU the host offers (${ATT_MTU_MIN}..${ATT_MTU_MAX})`, parseMtu, MTU_DEFAULT)
    .option('--interval-ms <ms>', 'connection interval, a multiple of 1.25 in 7.5..4000', parseIntervalMs, INTERVAL_MS_DEFAULT)
    .addOption(new Option('--phy <phy>', 'physical layer').choices(['1M', '2M']).default('1M').argParser(parsePhy))
    .option('--loss <p>', 'probability that one link-layer packet is lost (0..0.5)', parseLoss, 0)
    .option('--seed <n>', 'simulator seed: link loss, clock drift, interrupt latency', parseSeed, SEED_DEFAULT)
    .option('--rate-hz <hz>', 'sample rate the simulated ring boots at (25, 50, 100)', parseRateHz, RATE_HZ_DEFAULT)
    .option('--disconnect-at-ms <t>', 'fault: the link drops t ms after the host connects (the host reconnects)', parseDisconnectAtMs)
    .option('--capture <file>', 'write every ATT PDU of the session to a btsnoop file (Wireshark, tshark)')
    .option('--trace', 'print every frame crossing the link on stderr (direction, times, size, decoded body, round trip)')
    .option('--ring-state <file>', "the simulated ring's flash (owner, grants, history): loaded when it exists, saved afterwards")
    .option('--keys <file>', `this host's key store (default: $${KEYS_ENV}, else $XDG_CONFIG_HOME/ring-sim/keys.json)`);
}

export function parseAdapter(text: string): string {
  if (!/^hci\d{1,3}$/.test(text)) throw new UsageError(`--adapter takes an adapter name such as hci0, got '${text}'`);
  return text;
}

export function parseScanTimeoutS(text: string): number {
  const v = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(v > 0 && v <= 600)) throw new UsageError(`--scan-timeout-s must be a number of seconds in (0, 600], got '${text}'`);
  return v;
}

/** Check the combination and turn it into what the simulator takes. */
export function resolveTransport(opts: TransportCliOptions): TransportChoice {
  if (opts.sim === undefined) {
    throw new UsageError(`--sim <fixture> is required unless --ble <address|name> or $${RING_BLE_ENV} names a BLE ring`);
  }
  const interval_us = Math.round(opts.intervalMs * 1000);
  // The default supervision timeout (4 s) must exceed two intervals: raise it for long intervals.
  const supervision_timeout_us = Math.max(4_000_000, Math.ceil((interval_us * 3) / 10_000) * 10_000);
  const link: Partial<LinkParams> = {
    central_mtu_max_bytes: opts.mtu, interval_us, phy: opts.phy, loss_probability: opts.loss, supervision_timeout_us,
  };
  const parts = [`--sim ${opts.sim}`, `--mtu ${opts.mtu}`, `--interval-ms ${opts.intervalMs}`, `--phy ${opts.phy}`,
    `--loss ${opts.loss}`, `--seed ${opts.seed}`, `--rate-hz ${opts.rateHz}`];
  if (opts.disconnectAtMs !== undefined) parts.push(`--disconnect-at-ms ${opts.disconnectAtMs}`);
  return {
    fixture_path: opts.sim,
    seed: opts.seed,
    rate_hz: opts.rateHz,
    link,
    disconnect_after_us: opts.disconnectAtMs === undefined ? null : opts.disconnectAtMs * 1000,
    flags: parts.join(' '),
  };
}

export interface SimSession {
  device: RingDevice;
  transport: SimTransport;
  client: RingClient;
  choice: TransportChoice;
  /** --capture / --trace taps; close() writes the capture. */
  taps: DebugSession | null;
  /** Simulated time when the host connected: --disconnect-at-ms counts from here. */
  connected_at_us: number;
  /** Write the ring's flash to --ring-state (when given). */
  saveState(): void;
}

/**
 * Build the simulated ring, optionally let it record its whole fixture first (so its log
 * holds records), connect, and arm the forced disconnect. Logs the seed and every option.
 */
export async function openSimSession(
  opts: TransportCliOptions,
  run: { recordFirst: boolean },
  debug: DebugCliOptions = {},
): Promise<SimSession> {
  const choice = resolveTransport(opts);
  const fixture = loadFixture(choice.fixture_path);
  const flash = loadRingState(opts.ringState);
  const device = new RingDevice(fixture, { seed: choice.seed, rate_hz: choice.rate_hz, link: choice.link, flash, on_charger: opts.onCharger === true });
  log().info({ device: device.describe() }, 'simulated ring');
  if (run.recordFirst) {
    if (!device.runToEnd()) throw new Error(`the simulated ring did not finish its recording (${device.describe()})`);
  }
  const { transport, client, taps, connected_at_us } = await connectSimulated(device, opts, choice, debug);
  const saveState = (): void => {
    if (opts.ringState !== undefined) fs.writeFileSync(opts.ringState, device.flash.data, { mode: 0o600 }); // it holds the ring secret
  };
  return { device, transport, client, choice, taps, connected_at_us, saveState };
}

/**
 * A client on a simulated ring, connected, with the --capture / --trace taps the options ask
 * for (closed again when connecting fails), and the forced disconnect armed from now.
 */
export async function connectSimulated(
  device: RingDevice,
  opts: TransportCliOptions,
  choice: TransportChoice,
  debug: DebugCliOptions = {},
): Promise<{ transport: SimTransport; client: RingClient; taps: DebugSession | null; connected_at_us: number }> {
  const transport = new SimTransport(device);
  const client = new RingClient(transport, { log: (m) => log().info(m) });
  const taps = openTaps({ capture: opts.capture, trace: opts.trace, ...debug }, device, transport, [`reproduce: ${choice.flags}`]);
  try {
    await client.connect();
    await taps?.afterConnect();
  } catch (err) {
    taps?.close();
    throw err;
  }
  const connected_at_us = device.now_us;
  if (choice.disconnect_after_us !== null) device.link.forceDisconnect(connected_at_us + choice.disconnect_after_us);
  return { transport, client, taps, connected_at_us };
}

/** The flash --ring-state names (a blank ring when the file does not exist yet). */
function loadRingState(file: string | undefined): NorFlash | undefined {
  if (file === undefined || !fs.existsSync(file)) return undefined;
  const flash = new NorFlash();
  const data = fs.readFileSync(file);
  if (data.length !== flash.data.length) throw new UsageError(`${file} is ${data.length} bytes: a ring state file is the ring's whole flash, ${flash.data.length} bytes`);
  flash.data.set(data);
  return flash;
}

/** Sessions from the key store: the client opens one when a request needs it (PROTOCOL.md 11). */
export function attachKeys(client: RingClient, opts: TransportCliOptions): void {
  let ks: KeyStore;
  try {
    ks = KeyStore.open(opts.keys ?? defaultKeyStorePath());
  } catch (err) {
    if (err instanceof KeyStoreError) throw new UsageError(err.message);
    throw err;
  }
  if (!ks.hasKeys) return; // never paired: requests go in the clear (a ring without an owner takes them)
  client.auth = {
    host_id: ks.hostId,
    keyFor: (ring_id) => {
      const k = ks.keyFor(ring_id);
      return k === null ? null : fromHex(k.key, 32, 'key');
    },
  };
}

/** A session with a ring, simulated (device set) or over BLE (device null). */
export interface DeviceSession {
  transport: Transport;
  client: RingClient;
  /** The simulated ring; null over BLE. */
  device: RingDevice | null;
  /** The options again, as flags, for "reproduce:" lines. */
  flags: string;
  /** --capture / --trace taps; close() writes the capture. */
  taps: SessionTaps | null;
  /** The simulated session behind it; null over BLE. */
  sim: SimSession | null;
}

/** Which ring: --ble, else --sim, else $RING_BLE. Both flags at once is a usage error. */
export function bleTarget(opts: TransportCliOptions): string | null {
  if (opts.ble !== undefined && opts.sim !== undefined) throw new UsageError('--sim and --ble are exclusive: choose the simulated ring or a real one');
  if (opts.ble !== undefined) {
    if (opts.ble.trim() === '') throw new UsageError('--ble needs a ring address (C0:FF:EE:00:00:01) or name');
    return opts.ble;
  }
  if (opts.sim !== undefined) return null;
  const env = process.env[RING_BLE_ENV];
  return env !== undefined && env.trim() !== '' ? env.trim() : null;
}

/** Open the session the options ask for: the simulated ring, or a ring over BlueZ. */
export async function openSession(opts: TransportCliOptions, run: { recordFirst: boolean }): Promise<DeviceSession> {
  const target = bleTarget(opts);
  if (target === null) {
    const s = await openSimSession(opts, run);
    attachKeys(s.client, opts);
    return { transport: s.transport, client: s.client, device: s.device, flags: s.choice.flags, taps: s.taps, sim: s };
  }
  // Loaded only here: the simulated ring does not need the D-Bus and BlueZ bindings.
  const { BleTransport } = await import('../transport/ble/ble-transport.js');
  const transport = new BleTransport({
    target, adapter: opts.adapter, scan_timeout_ms: opts.scanTimeoutS === undefined ? undefined : Math.round(opts.scanTimeoutS * 1000),
  });
  const client = new RingClient(transport, { log: (m) => log().info(m) });
  attachKeys(client, opts);
  const flags = [`--ble ${target}`, ...(opts.adapter ? [`--adapter ${opts.adapter}`] : [])].join(' ');
  // Over BlueZ the host sees characteristic operations, not the air: a host-side capture.
  const taps = openTransportTaps({ capture: opts.capture, trace: opts.trace }, transport, [`reproduce: ${flags}`]);
  try {
    await client.connect();
  } catch (err) {
    taps?.close();
    await transport.close();
    throw err;
  }
  log().info({ transport: transport.describe() }, 'ring over BLE');
  return { transport, client, device: null, flags, taps, sim: null };
}
