// `ring history-erase`: erase the ring's whole history log (a privileged command on the ring:
// protocol/ids.ts command_privileged; authentication will gate it). Asks for --yes, since
// nothing brings the records back.

import type { Command } from 'commander';
import { withSession } from './cmd-device.js';
import { UsageError } from './errors.js';
import { addTransportOptions, type TransportCliOptions } from './transport-options.js';

interface EraseOptions extends TransportCliOptions {
  yes?: boolean;
  json?: boolean;
}

export function registerLogCommands(program: Command): void {
  addTransportOptions(program.command('history-erase').description("erase the ring's whole history log (privileged; needs --yes)"))
    .option('--yes', 'really erase: the records cannot be recovered')
    .option('--json', 'print one JSON document')
    .action(async (opts: EraseOptions) => {
      if (!opts.yes) throw new UsageError('history-erase destroys every stored record: add --yes');
      await withSession('history-erase', opts, { recordFirst: true }, async ({ client }) => {
        const last = await client.historyErase();
        if (opts.json) process.stdout.write(JSON.stringify({ erased_last_seq: last }) + '\n');
        else process.stdout.write(`erased the history log (records up to sequence ${last}); the next record is sequence 1\n`);
      });
    });
}
