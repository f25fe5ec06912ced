// protocol/PROTOCOL.md and protocol/ids.ts must say the same: the error table, the limits
// table and the group/command table are read from the markdown and compared with the code.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import * as ids from '../../protocol/ids.js';
import { repoRoot } from './helpers.js';

const spec = readFileSync(path.join(repoRoot, 'protocol', 'PROTOCOL.md'), 'utf8');
const constants = ids as unknown as Record<string, unknown>;

t.test('error table matches ids.ts, every code listed', async (t) => {
  const rows = [...spec.matchAll(/^\| (\d+) \| `(ERR_\w+)` \|/gm)].map((m) => [m[2], Number(m[1])] as const);
  const codes = Object.entries(constants).filter(([k]) => k.startsWith('ERR_') && k !== 'ERR_CODE_MAX');
  t.equal(rows.length, codes.length, 'one row per code');
  for (const [name, value] of rows) t.equal(constants[name], value, `${name} = ${value}`);
});

t.test('limits table matches ids.ts', async (t) => {
  const rows = [...spec.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| (\d+) \|/gm)];
  t.ok(rows.length >= 10, `${rows.length} single-valued limits`);
  for (const m of rows) t.equal(constants[m[1]], Number(m[2]), `${m[1]} = ${m[2]}`);
  t.match(spec, `| \`ATT_MTU_MIN\` .. \`ATT_MTU_MAX\` | ${ids.ATT_MTU_MIN} .. ${ids.ATT_MTU_MAX} |`);
});

t.test('group and command table matches ids.ts', async (t) => {
  const table: [string, number, number, string][] = [
    ['device', ids.GROUP_DEVICE, ids.CMD_DEVICE_INFO, 'info'],
    ['time', ids.GROUP_TIME, ids.CMD_TIME, 'time'],
    ['config', ids.GROUP_CONFIG, ids.CMD_CONFIG, 'config'],
    ['stream', ids.GROUP_STREAM, ids.CMD_STREAM_SUBSCRIBE, 'subscribe'],
    ['stream', ids.GROUP_STREAM, ids.CMD_STREAM_UNSUBSCRIBE, 'unsubscribe'],
    ['stream', ids.GROUP_STREAM, ids.CMD_STREAM_STATUS, 'status'],
    ['history', ids.GROUP_HISTORY, ids.CMD_HISTORY_READ, 'read'],
    ['battery', ids.GROUP_BATTERY, ids.CMD_BATTERY, 'battery'],
  ];
  for (const [group, gid, cid, cmd] of table) {
    t.match(spec, `| ${group} | ${gid} | ${cmd} | ${cid} |`, `${group}/${cmd}`);
  }
  const ntf = [ids.CMD_STREAM_BEATS, ids.CMD_STREAM_HR, ids.CMD_STREAM_HRV, ids.CMD_STREAM_PPG].join(' / ');
  t.match(spec, `| beats / hr / hrv / ppg notifications | ${ntf} |`);
  t.match(spec, ids.RING_SERVICE_UUID);
  t.match(spec, ids.RING_FRAME_CHAR_UUID);
});
