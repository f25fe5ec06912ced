// The root command's log options: --log-file, and RING_LOG_LEVEL when --log-level is not
// given. Registered by main.ts for every command line (commands load lazily, these do not).

import fs from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { LOG_LEVEL_VALUES, setLogFile, setLogLevel } from './log.js';

/** --log-file, and RING_LOG_LEVEL when --log-level is not given. */
export function registerLogOptions(program: Command): void {
  program.option('--log-file <file>', 'also write every log line as JSON to this file (appended; level from --log-level or RING_LOG_LEVEL)');
  program.hook('preAction', (root) => {
    const env = process.env.RING_LOG_LEVEL;
    if (root.getOptionValueSource('logLevel') === 'default' && env !== undefined && env !== '') {
      if (!Object.hasOwn(LOG_LEVEL_VALUES, env)) throw new UsageError(`RING_LOG_LEVEL must be one of ${Object.keys(LOG_LEVEL_VALUES).join(', ')}, got '${env}'`);
      setLogLevel(env);
    }
    const file = root.opts().logFile as string | undefined;
    if (file === undefined) return;
    try {
      fs.writeFileSync(file, new Uint8Array(0), { flag: 'a' });
    } catch (err) {
      throw new UsageError(`--log-file: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    setLogFile(file);
  });
}
