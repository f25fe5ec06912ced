// `ring pair`: become the ring's owner (PROTOCOL.md section 11). The ring accepts it only in
// its pairing window: while it has no owner (new, or after a factory reset) or while it sits
// on its charger (the simulated ring: --on-charger). The key the ring derives for this host
// goes to the key store (mode 0600; --keys, $RING_KEYS, else $XDG_CONFIG_HOME/ring-sim/keys.json).

import type { Command } from 'commander';
import { KeyStore, defaultKeyStorePath, toHex } from '../client/keystore.js';
import { withSession } from './cmd-device.js';
import { addTransportOptions, type TransportCliOptions } from './transport-options.js';

interface PairOptions extends TransportCliOptions {
  json?: boolean;
}

export function registerPairCommand(program: Command): void {
  addTransportOptions(program.command('pair').description("become the ring's owner (in its pairing window) and keep the key in the key store"))
    .option('--on-charger', 'the simulated ring sits on its charger: the physical action that opens its pairing window')
    .option('--json', 'print one JSON document')
    .action(async (opts: PairOptions) => {
      const file = opts.keys ?? defaultKeyStorePath();
      const ks = KeyStore.open(file);
      await withSession('pair', opts, { recordFirst: false }, async ({ client }) => {
        const { ring_id, key } = await client.authPair(ks.hostId);
        ks.set(ring_id, key, 'owner');
        ks.save();
        const out = { ring: toHex(ring_id), host: toHex(ks.hostId), role: 'owner', keys_file: file };
        if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
        else process.stdout.write(`paired with ring ${out.ring} as its owner (host ${out.host}); key saved in ${file}\n`);
      });
    });
}
