// The BlueZ stand-in for tests: a private dbus-daemon (Debian `dbus`), `ring sim serve` on
// it as a child process, and the `ring` CLI run with DBUS_SYSTEM_BUS_ADDRESS pointing at it,
// so node-ble runs unmodified. Everything started is stopped in t.teardown, also when the
// test fails or throws.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Test } from 'tap';
import { startPrivateBus, type PrivateBus } from '../../sim/bluez/private-bus.js';
import { cliPath, ring, ringAsync as cliAsync, type CliRun } from './cli.js';
import { repoRoot } from './shared.js';

export interface StandIn {
  bus: PrivateBus;
  server: ChildProcess | null;
  /** address, name per ring, as `ring sim serve` printed them. */
  rings: { address: string; name: string }[];
  env: NodeJS.ProcessEnv;
}

// A bound for a loaded machine (the stand-in needs ~1 s when idle), not a speed check.
const SERVE_START_TIMEOUT_MS = 90_000;

/** A private bus only (no stand-in on it): for "BlueZ is not running" and policy tests. */
export async function privateBus(t: Test, opts: { extra_policy?: string } = {}): Promise<PrivateBus> {
  const bus = await startPrivateBus(opts);
  t.teardown(() => bus.stop());
  return bus;
}

/** Start a private bus and `ring sim serve <args>` on it; resolves once it printed `ready`. */
export async function startStandIn(t: Test, args: string[], opts: { extra_policy?: string } = {}): Promise<StandIn> {
  const bus = await privateBus(t, opts);
  const server = spawn(process.execPath, [cliPath, 'sim', 'serve', '--bus', bus.address, ...args], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Registered before anything can fail, and before the bus's own teardown runs (LIFO).
  t.teardown(() => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  });
  const rings: { address: string; name: string }[] = [];
  let stderr = '';
  server.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`ring sim serve did not get ready: ${stderr}`)), SERVE_START_TIMEOUT_MS);
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ring sim serve exited with ${code}: ${stderr}`));
    });
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      for (const line of lines.slice(0, -1)) {
        if (line === 'ready') {
          clearTimeout(timer);
          server.removeAllListeners('exit');
          resolve();
          return;
        }
        const [address, name] = line.split('\t');
        if (name !== undefined && !rings.some((r) => r.address === address)) rings.push({ address, name });
      }
    });
  });
  return { bus, server, rings, env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address } };
}

export type { CliRun };

/** The ring CLI in its own process with this environment (the stand-in runs in another). */
export function ringWith(env: NodeJS.ProcessEnv, args: string[]): CliRun {
  return ring(args, { env });
}

/** As ringWith, without blocking (two commands at once, a stand-in in the same process). */
export function ringAsync(env: NodeJS.ProcessEnv, args: string[]): Promise<CliRun> {
  return cliAsync(args, { env });
}

/** Stream items without the host's reception time, which is the host's own clock. */
export function withoutReceptionTimes(ndjson: string): string {
  return ndjson.replace(/,"received_us":\d+/g, '');
}
