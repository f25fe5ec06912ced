// `ring scan`: rings in reach, through BlueZ: discovery filtered by the ring's service UUID
// for --timeout-s seconds, then every device BlueZ lists that offers the service (address,
// name, RSSI, paired/connected). Data on stdout: a table, or one JSON document.

import type { Command } from 'commander';
import { listRings, openBluez, startRingDiscovery, type SeenRing } from '../transport/ble/bluez.js';
import { mapBluezError } from '../transport/ble/errors.js';
import { UsageError } from './errors.js';
import { parseAdapter } from './transport-options.js';

const SCAN_TIMEOUT_S_DEFAULT = 5;

interface ScanOptions {
  timeoutS: number;
  adapter?: string;
  json?: boolean;
}

function parseTimeoutS(text: string): number {
  const v = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(v > 0 && v <= 600)) throw new UsageError(`--timeout-s must be a number of seconds in (0, 600], got '${text}'`);
  return v;
}

export async function scanRings(adapter: string | undefined, timeout_s: number): Promise<{ adapter: string; rings: SeenRing[] }> {
  const s = await openBluez(adapter);
  try {
    const stop = await startRingDiscovery(s);
    try {
      await new Promise((r) => setTimeout(r, Math.round(timeout_s * 1000)));
      return { adapter: s.adapter_name, rings: await listRings(s) };
    } catch (err) {
      throw mapBluezError(err, `scan on ${s.adapter_name}`, s.adapter_name);
    } finally {
      await stop();
    }
  } finally {
    s.destroy();
  }
}

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description('list the rings in reach over Bluetooth (BlueZ): address, name, RSSI')
    .option('--timeout-s <s>', `how long to scan (default ${SCAN_TIMEOUT_S_DEFAULT})`, parseTimeoutS, SCAN_TIMEOUT_S_DEFAULT)
    .option('--adapter <hciN>', 'Bluetooth adapter (default: the first BlueZ has)', parseAdapter)
    .option('--json', 'print one JSON document')
    .action(async (opts: ScanOptions) => {
      const { adapter, rings } = await scanRings(opts.adapter, opts.timeoutS);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ adapter, rings }, null, 2) + '\n');
        return;
      }
      process.stdout.write('address\tname\trssi_dbm\tpaired\tconnected\n');
      for (const r of rings) {
        process.stdout.write(`${r.address}\t${r.name}\t${r.rssi ?? '-'}\t${r.paired ? 'yes' : 'no'}\t${r.connected ? 'yes' : 'no'}\n`);
      }
      process.stderr.write(`${rings.length} ring${rings.length === 1 ? '' : 's'} on ${adapter} after ${opts.timeoutS} s\n`);
    });
}
