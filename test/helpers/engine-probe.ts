// A probe script run in the place of the engine driver on the JerryScript and Duktape hosts
// (an empty feed script beside it), to compare what their natives answer with Node's.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeScript } from '../../engines/driver/script.js';
import { engineCommand, enginePaths } from '../../engines/run.js';
import { repoRoot } from './shared.js';

export type HostEngine = 'duktape' | 'jerryscript';

/**
 * Runs `probe` on each C host and hands its result to `check`; `more` gets the empty feed
 * script's path for runners of its own (Espruino's). The temporary files are removed after.
 */
export function probeOnHosts(probe: string, check: (engine: HostEngine, r: SpawnSyncReturns<string>) => void, more?: (script: string) => void): void {
  const paths = enginePaths(repoRoot);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-probe-'));
  try {
    const driver = path.join(dir, 'probe.js');
    fs.writeFileSync(driver, probe);
    const script = path.join(dir, 'empty.i32');
    fs.writeFileSync(script, encodeScript(Int32Array.from([0])));
    for (const engine of ['duktape', 'jerryscript'] as const) {
      const cmd = engineCommand(paths, engine, script, null);
      cmd[cmd.indexOf('--driver') + 1] = driver;
      check(engine, spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' }));
    }
    more?.(script);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
