// `ring share grant|revoke|list|audit`: the owner decides who else reads what (PROTOCOL.md
// section 11). A grant makes a new host id for the partner (or takes --host), gives it a role
// with scopes, a time range of records and an expiry, and writes the partner's key store
// (--out, mode 0600) to hand over; revoke takes it back at the partner's next request.

import type { Command } from 'commander';
import {
  AUTH_HOST_ID_BYTES,
  AUTH_TIME_MAX_MS,
  ROLE_OWNER,
  ROLE_VIEWER,
} from '../../protocol/ids.js';
import { SCOPE_NAMES as SCOPES, scopeNames } from '../client/scopes.js';
import { randomBytes } from '../../protocol/host/auth.js';
import { auditOf } from '../client/audit.js';
import { readHistory } from '../client/history.js';
import { KeyStore, fromHex, toHex } from '../client/keystore.js';
import type { HostEntry } from '../client/client.js';
import { withSession } from './cmd-device.js';
import { UsageError } from './errors.js';
import { addTransportOptions, type TransportCliOptions } from './transport-options.js';

export function parseScopes(text: string): number {
  let bits = 0;
  for (const name of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const b = SCOPES[name];
    if (b === undefined) throw new UsageError(`--scope takes ${Object.keys(SCOPES).join(', ')} (comma-separated), got '${name}'`);
    bits |= b;
  }
  if (bits === 0) throw new UsageError('--scope needs at least one scope');
  return bits;
}

/** A time on the ring's clock: ISO 8601 (2026-03-02, 2026-03-02T08:00:00Z) or ms since the epoch. */
export function parseRingTime(flag: string, text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > AUTH_TIME_MAX_MS) throw new UsageError(`${flag} takes an ISO 8601 date or time (2026-03-02, 2026-03-02T08:00:00Z) or ms since the epoch, up to 2100, got '${text}'`);
  return ms;
}

function parseHostId(text: string): Uint8Array {
  if (!/^[0-9a-f]{16}$/.test(text)) throw new UsageError(`a host id is 16 lowercase hex digits (ring share list shows them), got '${text}'`);
  return fromHex(text, AUTH_HOST_ID_BYTES, 'host id');
}

const when = (ms: number): string => (ms >= AUTH_TIME_MAX_MS ? 'never' : ms === 0 ? 'any time' : new Date(ms).toISOString());

interface GrantOptions extends TransportCliOptions {
  scope: number;
  role: string;
  host?: string;
  from?: number;
  until?: number;
  expires?: number;
  out: string;
  json?: boolean;
}

interface ShareOptions extends TransportCliOptions {
  json?: boolean;
}

export function registerShareCommands(program: Command): void {
  const share = program.command('share').description('who else may read the ring, and what: grant, revoke, list, audit (owner only)');

  addTransportOptions(share.command('grant').description("let another host read some summaries: writes that host's key store to hand over"))
    .requiredOption('--scope <scopes>', `${Object.keys(SCOPES).join(', ')} (comma-separated)`, parseScopes)
    .option('--role <role>', 'viewer (reads its scopes) or owner (everything)', 'viewer')
    .option('--host <id>', "the host's id (16 hex digits); default: a new one")
    .option('--from <time>', 'records from this time on (ring clock; ISO 8601 or ms)', (v) => parseRingTime('--from', v))
    .option('--until <time>', 'records before this time', (v) => parseRingTime('--until', v))
    .option('--expires <time>', 'the grant ends at this time', (v) => parseRingTime('--expires', v))
    .requiredOption('--out <file>', "write the host's key store here (mode 0600), to hand over")
    .option('--json', 'print one JSON document')
    .action(async (opts: GrantOptions) => {
      if (opts.role !== 'viewer' && opts.role !== 'owner') throw new UsageError(`--role must be viewer or owner, got '${opts.role}'`);
      if (opts.from !== undefined && opts.until !== undefined && opts.until <= opts.from) throw new UsageError('--until must be after --from');
      const host_id = opts.host !== undefined ? parseHostId(opts.host) : randomBytes(AUTH_HOST_ID_BYTES);
      const role = opts.role === 'owner' ? ROLE_OWNER : ROLE_VIEWER;
      await withSession('share grant', opts, { recordFirst: false }, async ({ client }) => {
        if (client.auth === null) throw new UsageError('this host holds no key for a ring: pair first (ring pair), or give --keys');
        if (opts.from !== undefined || opts.until !== undefined || opts.expires !== undefined) {
          const t = await client.timeGet();
          if (!t.synced) process.stderr.write("warning: the ring's clock is not set (ring time --set now): it counts from its boot, so dates will not match its records\n");
        }
        const g = await client.authGrant({ host_id, role, scopes: opts.scope, from_ms: opts.from, until_ms: opts.until, expires_ms: opts.expires });
        KeyStore.forHost(opts.out, host_id, g.ring_id, g.key, opts.role as 'viewer' | 'owner').save();
        const out = {
          ring: toHex(g.ring_id), host: toHex(host_id), role: opts.role, scopes: scopeNames(opts.scope),
          from_ms: opts.from ?? 0, until_ms: opts.until ?? AUTH_TIME_MAX_MS, expires_ms: opts.expires ?? AUTH_TIME_MAX_MS, keys_file: opts.out,
        };
        if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
        else {
          process.stdout.write(
            `granted ${out.scopes.join(', ')} to host ${out.host} (${out.role}): records from ${when(out.from_ms)} until ${when(out.until_ms)}, ` +
              `expires ${when(out.expires_ms)}; its key store: ${opts.out}\n`,
          );
        }
      });
    });

  addTransportOptions(share.command('revoke').description("take a host's access back: refused from its next request").argument('<host>', 'host id (ring share list)'))
    .option('--json', 'print one JSON document')
    .action(async (host: string, opts: ShareOptions) => {
      const host_id = parseHostId(host);
      await withSession('share revoke', opts, { recordFirst: false }, async ({ client }) => {
        await client.authRevoke(host_id);
        if (opts.json) process.stdout.write(`${JSON.stringify({ host, revoked: true })}\n`);
        else process.stdout.write(`revoked host ${host}\n`);
      });
    });

  addTransportOptions(share.command('list').description('the hosts paired with the ring: role, scopes, time range, expiry, revoked'))
    .option('--json', 'print one JSON document')
    .action(async (opts: ShareOptions) => {
      await withSession('share list', opts, { recordFirst: false }, async ({ client }) => {
        const hosts = (await client.authList()).map((h: HostEntry) => ({
          host: toHex(h.host_id), role: h.role === ROLE_OWNER ? 'owner' : 'viewer', scopes: h.role === ROLE_OWNER ? ['all'] : scopeNames(h.scopes),
          from_ms: h.from_ms, until_ms: h.until_ms, expires_ms: h.expires_ms, revoked: h.revoked,
        }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ hosts })}\n`);
          return;
        }
        for (const h of hosts) {
          process.stdout.write(`${h.host}  ${h.role.padEnd(6)}  ${h.scopes.join(',').padEnd(24)}  from ${when(h.from_ms)}  until ${when(h.until_ms)}  expires ${when(h.expires_ms)}${h.revoked ? '  REVOKED' : ''}\n`);
        }
      });
    });

  addTransportOptions(share.command('audit').description("the ring's audit records: pairings, grants, revokes, refused requests"))
    .option('--json', 'print one JSON document')
    .action(async (opts: ShareOptions) => {
      await withSession('share audit', opts, { recordFirst: false }, async ({ client }) => {
        const records = (await readHistory(client, { from_seq: 1 })).records.map(auditOf).filter((a) => a !== null);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ audit: records })}\n`);
          return;
        }
        for (const a of records) {
          const detail = a.error !== undefined ? ` ${a.error}${a.group !== undefined ? ` (group ${a.group} cmd ${a.cmd})` : ''}` : a.scopes !== undefined ? ` scopes ${scopeNames(a.scopes).join(',') || 'none'}` : '';
          process.stdout.write(`${a.seq}  ${a.time_ms}  ${a.event.padEnd(13)} host ${a.host}${detail}\n`);
        }
      });
    });
}
