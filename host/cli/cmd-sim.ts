// `ring sim serve <fixture>...`: simulated rings behind a stand-in for BlueZ on a D-Bus bus,
// so node-ble (ring --ble, or any other BlueZ client) talks to them unmodified. Prints one
// line per ring (address, name, fixture), then `ready`, and serves until SIGINT/SIGTERM.

import path from 'node:path';
import { Option, type Command } from 'commander';
import { BluezStandIn, BusError, type StandInRing } from '../../sim/bluez/bluez-server.js';
import { startPrivateBus, type PrivateBus } from '../../sim/bluez/private-bus.js';
import { loadFixture } from '../../sim/fixture/load.js';
import { UsageError } from './errors.js';
import { log } from './log.js';
import { parseNonNegativeInt } from './options.js';
import {
  parseAdapter,
  parseDisconnectAtMs,
  parseIntervalMs,
  parseLoss,
  parseMtu,
  parsePhy,
  resolveTransport,
  INTERVAL_MS_DEFAULT,
  MTU_DEFAULT,
  type TransportCliOptions,
} from './transport-options.js';
import { workerEntry } from '../bundle.js';
import { RATE_HZ_DEFAULT, SEED_DEFAULT, parseRateHz, parseSeed } from './options.js';

interface ServeOptions extends TransportCliOptions {
  bus?: string;
  privateBus?: boolean;
  adapter: string;
  adapterOff?: boolean;
  recordFirst?: boolean;
  speed: number;
  vanishAtMs?: number;
  failWrite?: number;
  gattServiceUuid?: string;
}

function parseUuid128(text: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) throw new UsageError(`--gatt-service-uuid takes a 128-bit UUID, got '${text}'`);
  return text.toLowerCase();
}

/** Ring i (0-based) gets address C0:FF:EE:00:00:<i+1>. */
export function ringAddress(i: number): string {
  return `C0:FF:EE:00:${((i + 1) >> 8).toString(16).padStart(2, '0')}:${((i + 1) & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();
}

function parseSpeed(text: string): number {
  const v = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(v >= 0.1 && v <= 100)) throw new UsageError(`--speed must be in 0.1..100 (1: real time), got '${text}'`);
  return v;
}

export function registerSimCommands(program: Command): void {
  const sim = program.command('sim').description('simulated rings for other tools');
  sim
    .command('serve')
    .description('serve simulated rings on a D-Bus bus as BlueZ would (org.bluez), for ring --ble and any BlueZ client')
    .argument('<fixtures...>', 'one recording per ring')
    .option('--bus <address>', 'D-Bus address to serve on (default: $DBUS_SYSTEM_BUS_ADDRESS)')
    .option('--private-bus', 'start a private dbus-daemon and print its address (for trying it out)')
    .option('--adapter <hciN>', 'adapter name', parseAdapter, 'hci0')
    .option('--adapter-off', 'fault: the adapter is powered off')
    .option('--mtu <bytes>', 'ATT MTU BlueZ offers', parseMtu, MTU_DEFAULT)
    .option('--interval-ms <ms>', 'connection interval, a multiple of 1.25 in 7.5..4000', parseIntervalMs, INTERVAL_MS_DEFAULT)
    .addOption(new Option('--phy <phy>', 'physical layer').choices(['1M', '2M']).default('1M').argParser(parsePhy))
    .option('--loss <p>', 'probability that one link-layer packet is lost (0..0.5)', parseLoss, 0)
    .option('--seed <n>', 'simulator seed (ring i uses seed + i)', parseSeed, SEED_DEFAULT)
    .option('--rate-hz <hz>', 'sample rate the rings boot at (25, 50, 100)', parseRateHz, RATE_HZ_DEFAULT)
    .option('--record-first', 'each ring records its whole fixture before it is first connected (history has records)')
    .option('--speed <x>', 'virtual seconds per wall-clock second once a ring is connected', parseSpeed, 1)
    .option('--disconnect-at-ms <t>', 'fault: the link drops t ms after the first connection (the ring stays in reach)', parseDisconnectAtMs)
    .option('--vanish-at-ms <t>', 'fault: the ring goes away t ms after the first connection (Connect fails from then on)', parseDisconnectAtMs)
    .option('--fail-write <n>', 'fault: BlueZ refuses the n-th WriteValue (org.bluez.Error.Failed)', (v) => parseNonNegativeInt('--fail-write', v))
    .option('--gatt-service-uuid <uuid>', 'fault: the GATT service has this UUID instead of the ring service (not a ring)', parseUuid128)
    .action(async (fixtures: string[], opts: ServeOptions) => {
      if (opts.bus !== undefined && opts.privateBus) throw new UsageError('--bus and --private-bus are exclusive');
      const rings: StandInRing[] = [];
      const names = new Set<string>();
      for (let i = 0; i < fixtures.length; i++) {
        const fixture = loadFixture(fixtures[i]); // bad files fail here, with the file's name, before anything starts
        const choice = resolveTransport({ ...opts, sim: fixtures[i], seed: opts.seed + i });
        let name = `ring-${fixture.meta.record}`;
        for (let k = 2; names.has(name); k++) name = `ring-${fixture.meta.record}-${k}`;
        names.add(name);
        rings.push({
          name, address: ringAddress(i), rssi: -40 - 6 * i, fail_write_at: opts.failWrite ?? null,
          gatt_service_uuid: opts.gattServiceUuid ?? null,
          spec: {
            fixture_path: path.resolve(fixtures[i]), seed: choice.seed, rate_hz: choice.rate_hz, link: choice.link,
            record_first: opts.recordFirst === true, speed: opts.speed,
            disconnect_after_us: choice.disconnect_after_us,
            vanish_after_us: opts.vanishAtMs === undefined ? null : opts.vanishAtMs * 1000,
          },
        });
      }
      let bus: PrivateBus | null = null;
      let address = opts.bus ?? process.env.DBUS_SYSTEM_BUS_ADDRESS;
      if (opts.privateBus) {
        bus = await startPrivateBus();
        address = bus.address;
      }
      if (address === undefined) throw new UsageError('no bus to serve on: give --bus <address>, --private-bus, or set DBUS_SYSTEM_BUS_ADDRESS');
      const server = new BluezStandIn({
        bus_address: address, worker_url: workerEntry('sim-ring-worker', '../transport/sim-ring-worker.js', import.meta.url), adapter: opts.adapter, adapter_powered: !opts.adapterOff, rings,
        log: (m) => log().info(m),
      });
      let finish: (code: number) => void = () => undefined;
      const done = new Promise<number>((resolve) => {
        finish = resolve;
      });
      let serving = false; // before that, a failure surfaces as start()'s rejection
      server.onFatal((message) => {
        if (!serving) return;
        process.stderr.write(`error: ${message}\n`);
        finish(3);
      });
      try {
        const described = await server.start();
        described.forEach((d, i) => log().info({ ring: rings[i].address, device: d }, 'simulated ring'));
      } catch (err) {
        await server.stop();
        bus?.stop();
        if (err instanceof BusError) throw new UsageError(err.message);
        throw err;
      }
      serving = true;
      if (bus !== null) process.stdout.write(`DBUS_SYSTEM_BUS_ADDRESS=${bus.address}\n`);
      for (const r of rings) process.stdout.write(`${r.address}\t${r.name}\t${r.spec.fixture_path}\n`);
      process.stdout.write('ready\n');
      process.once('SIGINT', () => finish(0));
      process.once('SIGTERM', () => finish(0));
      const code = await done;
      await server.stop();
      bus?.stop();
      process.exitCode = code;
    });
}
