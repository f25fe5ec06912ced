// The message bodies of PROTOCOL.md section 8 as data: every request, response and
// notification with its field names, CBOR types, ranges and units. One table, several
// readers: `ring decode` and `ring trace` name fields with it (host/debug/decode.ts), the
// Wireshark dissector's tables are generated from it (host/debug/lua-gen.ts), and
// test/debug/schema.test.ts checks it against the host's decoders (host/client/messages.ts)
// and the ring's answers, so a change to the protocol that misses one of them fails a test.

import {
  AUTH_HOST_ID_BYTES,
  AUTH_KEY_BYTES,
  AUTH_MAC_BYTES,
  AUTH_NONCE_BYTES,
  AUTH_RING_ID_BYTES,
  CMD_AUTH_FACTORY_RESET,
  CMD_AUTH_GRANT,
  CMD_AUTH_LIST,
  CMD_AUTH_PAIR,
  CMD_AUTH_REVOKE,
  CMD_AUTH_SESSION,
  CMD_AUTH_STATUS,
  CMD_BATTERY,
  CMD_CONFIG,
  CMD_DEVICE_INFO,
  CMD_HISTORY_READ,
  CMD_STREAM_BEATS,
  CMD_STREAM_HR,
  CMD_STREAM_HRV,
  CMD_STREAM_PPG,
  CMD_STREAM_STATUS,
  CMD_STREAM_SUBSCRIBE,
  CMD_STREAM_UNSUBSCRIBE,
  CMD_IMAGE_BEGIN,
  CMD_IMAGE_CONFIRM,
  CMD_IMAGE_RESET,
  CMD_IMAGE_REVERT,
  CMD_IMAGE_STATE,
  CMD_IMAGE_TEST,
  CMD_IMAGE_UPLOAD,
  CMD_TIME,
  ERR_CODE_MAX,
  FRAME_BODY_MAX,
  GROUP_AUTH,
  GROUP_BATTERY,
  GROUP_CONFIG,
  GROUP_DEVICE,
  GROUP_HISTORY,
  GROUP_IMAGE,
  GROUP_STREAM,
  GROUP_TIME,
  HISTORY_PAGE_RECORDS_MAX,
  OP_READ,
  OP_READ_RSP,
  OP_WRITE,
  OP_WRITE_RSP,
  ROLE_OWNER,
  ROLE_VIEWER,
  SCOPE_ALL,
  PPG_BATCH_SAMPLES_MAX,
  PPG_SAMPLE_SIZE,
  RECORD_AUDIT,
  RECORD_BEAT,
  RECORD_HR,
  RECORD_HRV,
  RECORD_STATUS,
  TIME_ADJUST_MS_MAX,
  TIME_EPOCH_MS_MAX,
  TIME_EPOCH_MS_MIN,
} from '../ids.js';
import { IMG_HEADER_BYTES, IMG_TRAILER_BYTES } from '../../firmware/cmd/image-header.js';
import { PART_SLOT_BYTES } from '../../firmware/flash-map.js';

/** A CBOR value's shape. Integers carry their range; containers their members. */
export type FieldType =
  | { t: 'int'; min: number; max: number }
  | { t: 'bool' }
  | { t: 'text'; max_bytes: number }
  /** multiple_of: the length is a whole number of items (PPG samples: 4 bytes each). */
  | { t: 'bytes'; min_bytes: number; max_bytes: number; multiple_of?: number }
  | { t: 'map'; fields: readonly FieldDef[] }
  /** An array whose every item has one type. */
  | { t: 'list'; item: FieldType; min_items: number; max_items: number }
  /** A positional record: fields by index, the optional ones last. */
  | { t: 'tuple'; fields: readonly FieldDef[] }
  /** A history record: a tuple chosen by the kind at index 1; unknown kinds are ints. */
  | { t: 'record' };

export interface FieldDef {
  name: string;
  type: FieldType;
  optional?: boolean;
  /** Printed after the value ("ms", "bpm"); with scale, the value is divided first. */
  unit?: string;
  /** Fixed-point divisor: hr_bpm_x10 has scale 10 (PROTOCOL.md section 1). */
  scale?: number;
}

export interface MessageDef {
  /** Stable name: "time.set.req", "history.read.rsp", "stream.beats.ntf". */
  name: string;
  group: number;
  cmd: number;
  op: number;
  /** Unsolicited (FLAG_UNSOLICITED) notifications. */
  unsolicited: boolean;
  /** The body map's keys. */
  fields: readonly FieldDef[];
}

// ---------------------------------------------------------------------------------------
// Building blocks

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const CLOCK_MS_MAX = Number.MAX_SAFE_INTEGER;
const INT_ANY = { t: 'int', min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER } as const;

const int = (min: number, max: number): FieldType => ({ t: 'int', min, max });
const bool: FieldType = { t: 'bool' };

/** A field whose unit and scale follow from its name's suffix (PROTOCOL.md section 1). */
function f(name: string, type: FieldType, optional = false): FieldDef {
  return { name, type, ...(optional ? { optional } : {}), ...unitOf(name) };
}

/** Units by name suffix, longest first; names without one are plain numbers. */
const UNIT_SUFFIXES: readonly (readonly [string, string, number])[] = [
  ['_bpm_x10', 'bpm', 10],
  ['_ms_x10', 'ms', 10],
  ['_ppm_x10', 'ppm', 10],
  ['_permille', '‰', 1],
  ['_pct', '%', 1],
  ['_ms', 'ms', 1],
  ['_us', 'µs', 1],
  ['_hz', 'Hz', 1],
  ['_s', 's', 1],
];
/** Names whose unit is not a suffix. */
const UNIT_BY_NAME: Record<string, readonly [string, number]> = {
  mv: ['mV', 1], mtu: ['bytes', 1], frame_max: ['bytes', 1], len: ['bytes', 1], erased: ['bytes', 1], size: ['bytes', 1], off: ['bytes', 1],
};

export function unitOf(name: string): { unit?: string; scale?: number } {
  const fixed = UNIT_BY_NAME[name];
  if (fixed) return { unit: fixed[0], ...(fixed[1] !== 1 ? { scale: fixed[1] } : {}) };
  for (const [suffix, unit, scale] of UNIT_SUFFIXES) {
    if (name.endsWith(suffix)) return { unit, ...(scale !== 1 ? { scale } : {}) };
  }
  return {};
}

const clock = (name: string, optional = false): FieldDef => f(name, int(0, CLOCK_MS_MAX), optional);
const emitted = clock('emitted_ms', true);
const kinds = int(1, 15);

// ---------------------------------------------------------------------------------------
// Records (8.4, 8.5)

export const BEAT_ITEM: readonly FieldDef[] = [
  clock('time_ms'), f('ibi_ms', int(0, U16_MAX)), f('ibi_valid', bool), f('sqi', int(0, 100)), f('amplitude', INT_ANY), emitted,
];
export const HR_ITEM: readonly FieldDef[] = [
  clock('time_ms'), f('hr_bpm_x10', int(0, 3000)), f('confidence', int(0, 100)), emitted,
];
export const HRV_WINDOW: readonly FieldDef[] = [
  clock('end_ms'), f('window_s', int(30, 300)), f('beat_count', int(0, U16_MAX)), f('valid_permille', int(0, 1000)),
  f('mean_ibi_ms_x10', int(0, U32_MAX)), f('sdnn_ms_x10', int(0, U32_MAX)), f('rmssd_ms_x10', int(0, U32_MAX)),
  f('pnn50_permille', int(0, 1000)), f('published', bool), emitted,
];

const seq = f('seq', int(0, U32_MAX));
const kind = (k: number): FieldDef => f('kind', int(k, k));

/** History record layouts by kind (PROTOCOL.md 8.5): seq, kind, then the kind's fields. */
export const HISTORY_RECORDS: Readonly<Record<number, { name: string; fields: readonly FieldDef[] }>> = {
  [RECORD_BEAT]: {
    name: 'beat',
    fields: [
      seq, kind(RECORD_BEAT), clock('time_ms'), f('ibi_ms', int(0, U16_MAX)), f('ibi_valid', bool), f('sqi', int(0, 100)),
      f('amplitude', INT_ANY), f('beat_index', int(0, U32_MAX)), emitted,
    ],
  },
  [RECORD_HR]: { name: 'hr', fields: [seq, kind(RECORD_HR), ...HR_ITEM] },
  [RECORD_HRV]: { name: 'hrv', fields: [seq, kind(RECORD_HRV), ...HRV_WINDOW] },
  [RECORD_AUDIT]: {
    name: 'audit',
    fields: [
      seq, kind(RECORD_AUDIT), clock('time_ms'), f('event', int(0, 255)), f('host_hi', int(0, U32_MAX)), f('host_lo', int(0, U32_MAX)),
      f('detail', int(0, U32_MAX)),
    ],
  },
  [RECORD_STATUS]: {
    name: 'status',
    fields: [seq, kind(RECORD_STATUS), clock('time_ms'), f('code', int(0, U16_MAX)), f('value', INT_ANY), emitted],
  },
};

// ---------------------------------------------------------------------------------------
// Bodies (8.1 .. 8.6, 5.2)

const CONFIG_STREAM: readonly FieldDef[] = [
  f('ppg_decim', int(1, 4)), f('ppg_batch', int(1, PPG_BATCH_SAMPLES_MAX)), f('hr_period_s', int(0, 60)),
];
const CONFIG: readonly FieldDef[] = [
  f('sample_rate_hz', int(25, 100)), f('hrv_short_s', int(30, 120)), f('hrv_long_s', int(120, 300)),
  f('stream', { t: 'map', fields: CONFIG_STREAM }), f('hrs', bool),
];
const CONFIG_RSP: readonly FieldDef[] = [...CONFIG, f('reboot_required', bool, true)];
const optional = (defs: readonly FieldDef[]): FieldDef[] =>
  defs.map((d) => ({
    ...d, optional: true,
    ...(d.type.t === 'map' ? { type: { t: 'map', fields: optional(d.type.fields) } as FieldType } : {}),
  }));

const STREAM_STATUS: readonly FieldDef[] = [
  f('kinds', int(0, 15)), f('drops', { t: 'list', item: int(0, U32_MAX), min_items: 4, max_items: 4 }),
];

const LIMITS: readonly FieldDef[] = [
  f('frame_max', int(8, 1024)), f('buf_count', int(1, 8)), f('depth_max', int(1, 16)), f('text_max', int(1, 64)),
  f('page_max', int(1, 64)), f('ppg_batch_max', int(1, 128)), f('log_max', int(0, U32_MAX), true),
];

/** The history log's sizes and write rates (8.1 "log"). */
const LOG_INFO: readonly FieldDef[] = [
  'capacity_bytes', 'used_bytes', 'first_seq', 'last_seq', 'beats_first_seq', 'summary_capacity_bytes', 'beats_capacity_bytes',
  'summary_bytes_per_day', 'beats_bytes_per_day',
].map((name) => f(name, int(0, U32_MAX), true));

const list = (item: FieldType, min_items: number, max_items: number): FieldType => ({ t: 'list', item, min_items, max_items });
const tuple = (fields: readonly FieldDef[]): FieldType => ({ t: 'tuple', fields });

// Image management (8.7): slots are 0 (A) and 1 (B), 255 none; hashes are SHA-256.
const SLOT = int(0, 255);
const U32 = int(0, U32_MAX);
const SHA256: FieldType = { t: 'bytes', min_bytes: 32, max_bytes: 32 };
const IMAGE_LEN = int(IMG_HEADER_BYTES + IMG_TRAILER_BYTES, PART_SLOT_BYTES);
/** An empty slot has none of these. */
const SLOT_INFO: readonly FieldDef[] = [f('ver', U32, true), f('sc', U32, true), f('size', U32, true), f('sha', SHA256, true)];
const IMAGE_STATE: readonly FieldDef[] = [
  f('active', SLOT), f('running', SLOT), f('trial', bool), f('min_sc', U32), f('pending', SLOT),
  f('upload', { t: 'map', fields: [f('slot', SLOT), f('len', U32), f('erased', U32), f('off', U32)] }),
  f('last', { t: 'map', fields: [f('type', int(0, 255)), f('slot', SLOT), f('reason', int(0, 255))] }),
  f('slot_a', { t: 'map', fields: SLOT_INFO }), f('slot_b', { t: 'map', fields: SLOT_INFO }),
];
const imageMsg = (name: string, cmd: number, op: number, fields: readonly FieldDef[]): MessageDef =>
  ({ name: `image.${name}`, group: GROUP_IMAGE, cmd, op, unsolicited: false, fields });
const IMAGE_MESSAGES: readonly MessageDef[] = [
  imageMsg('state.req', CMD_IMAGE_STATE, OP_READ, []),
  imageMsg('state.rsp', CMD_IMAGE_STATE, OP_READ_RSP, IMAGE_STATE),
  imageMsg('begin.req', CMD_IMAGE_BEGIN, OP_WRITE, [f('sha', SHA256), f('len', IMAGE_LEN)]),
  imageMsg('begin.rsp', CMD_IMAGE_BEGIN, OP_WRITE_RSP, [f('slot', SLOT), f('erased', U32), f('len', U32), f('off', U32)]),
  imageMsg('upload.req', CMD_IMAGE_UPLOAD, OP_WRITE, [f('off', U32), f('data', { t: 'bytes', min_bytes: 0, max_bytes: FRAME_BODY_MAX })]),
  imageMsg('upload.rsp', CMD_IMAGE_UPLOAD, OP_WRITE_RSP, [f('off', U32)]),
  imageMsg('test.req', CMD_IMAGE_TEST, OP_WRITE, [f('sha', SHA256)]),
  imageMsg('test.rsp', CMD_IMAGE_TEST, OP_WRITE_RSP, [f('slot', SLOT)]),
  imageMsg('confirm.req', CMD_IMAGE_CONFIRM, OP_WRITE, []),
  imageMsg('confirm.rsp', CMD_IMAGE_CONFIRM, OP_WRITE_RSP, [f('slot', SLOT)]),
  imageMsg('revert.req', CMD_IMAGE_REVERT, OP_WRITE, []),
  imageMsg('revert.rsp', CMD_IMAGE_REVERT, OP_WRITE_RSP, [f('slot', SLOT)]),
  imageMsg('reset.req', CMD_IMAGE_RESET, OP_WRITE, []),
  imageMsg('reset.rsp', CMD_IMAGE_RESET, OP_WRITE_RSP, []),
];

// Pairing, sessions and sharing (section 11).
const bstr = (n: number): FieldType => ({ t: 'bytes', min_bytes: n, max_bytes: n });
const ROLE = int(ROLE_OWNER, ROLE_VIEWER);
const SCOPES = int(0, SCOPE_ALL);
const HOST_ROW: readonly FieldDef[] = [
  f('host', bstr(AUTH_HOST_ID_BYTES)), f('role', ROLE), f('scopes', SCOPES), clock('from_ms'), clock('until_ms'), clock('expires_ms'), f('revoked', bool),
];
const authMsg = (name: string, cmd: number, op: number, fields: readonly FieldDef[]): MessageDef =>
  ({ name: `auth.${name}`, group: GROUP_AUTH, cmd, op, unsolicited: false, fields });
const AUTH_MESSAGES: readonly MessageDef[] = [
  authMsg('pair.req', CMD_AUTH_PAIR, OP_WRITE, [f('host', bstr(AUTH_HOST_ID_BYTES))]),
  authMsg('pair.rsp', CMD_AUTH_PAIR, OP_WRITE_RSP, [f('ring', bstr(AUTH_RING_ID_BYTES)), f('key', bstr(AUTH_KEY_BYTES)), f('role', ROLE)]),
  authMsg('session.req', CMD_AUTH_SESSION, OP_WRITE, [f('host', bstr(AUTH_HOST_ID_BYTES)), f('nonce', bstr(AUTH_NONCE_BYTES))]),
  authMsg('session.rsp', CMD_AUTH_SESSION, OP_WRITE_RSP, [
    f('ring', bstr(AUTH_RING_ID_BYTES)), f('nonce', bstr(AUTH_NONCE_BYTES)), f('proof', bstr(AUTH_MAC_BYTES)), f('role', ROLE), f('scopes', SCOPES),
  ]),
  authMsg('status.req', CMD_AUTH_STATUS, OP_READ, []),
  authMsg('status.rsp', CMD_AUTH_STATUS, OP_READ_RSP, [f('owned', bool), f('window', bool), f('role', int(0, ROLE_VIEWER)), f('hosts', int(0, 255))]),
  authMsg('grant.req', CMD_AUTH_GRANT, OP_WRITE, [
    f('host', bstr(AUTH_HOST_ID_BYTES)), f('role', ROLE), f('scopes', SCOPES, true), clock('from_ms', true), clock('until_ms', true), clock('expires_ms', true),
  ]),
  authMsg('grant.rsp', CMD_AUTH_GRANT, OP_WRITE_RSP, [f('ring', bstr(AUTH_RING_ID_BYTES)), f('key', bstr(AUTH_KEY_BYTES))]),
  authMsg('revoke.req', CMD_AUTH_REVOKE, OP_WRITE, [f('host', bstr(AUTH_HOST_ID_BYTES))]),
  authMsg('revoke.rsp', CMD_AUTH_REVOKE, OP_WRITE_RSP, [f('revoked', bool)]),
  authMsg('list.req', CMD_AUTH_LIST, OP_READ, []),
  authMsg('list.rsp', CMD_AUTH_LIST, OP_READ_RSP, [f('hosts', { t: 'list', item: { t: 'tuple', fields: HOST_ROW }, min_items: 0, max_items: 8 })]),
  authMsg('factory-reset.req', CMD_AUTH_FACTORY_RESET, OP_WRITE, []),
  authMsg('factory-reset.rsp', CMD_AUTH_FACTORY_RESET, OP_WRITE_RSP, []),
];

/** A request or answer inside a session (11.3): the body wrapped with a counter and a MAC. */
export const SEALED_CTR: FieldDef = f('ctr', int(1, U32_MAX));
export const SEALED_MAC: FieldDef = f('mac', bstr(AUTH_MAC_BYTES));

/** Every message of section 8. Error responses (5.2) are ERROR_RSP, recognised by "rc". */
export const MESSAGES: readonly MessageDef[] = [
  { name: 'device.info.req', group: GROUP_DEVICE, cmd: CMD_DEVICE_INFO, op: OP_READ, unsolicited: false, fields: [] },
  {
    name: 'device.info.rsp', group: GROUP_DEVICE, cmd: CMD_DEVICE_INFO, op: OP_READ_RSP, unsolicited: false,
    fields: [
      f('fw', { t: 'text', max_bytes: 32 }), f('build', { t: 'bytes', min_bytes: 4, max_bytes: 32 }), f('proto', int(1, 3)),
      f('caps', int(0, 255)), f('limits', { t: 'map', fields: LIMITS }), f('mtu', int(23, 517)),
      f('model', { t: 'text', max_bytes: 32 }, true), f('serial', { t: 'text', max_bytes: 32 }, true),
      f('log', { t: 'map', fields: LOG_INFO }, true),
    ],
  },
  { name: 'time.get.req', group: GROUP_TIME, cmd: CMD_TIME, op: OP_READ, unsolicited: false, fields: [] },
  {
    name: 'time.get.rsp', group: GROUP_TIME, cmd: CMD_TIME, op: OP_READ_RSP, unsolicited: false,
    fields: [clock('now_ms'), clock('uptime_ms'), f('synced', bool), clock('last_sync_ms', true), f('drift_ppm_x10', INT_ANY, true)],
  },
  {
    name: 'time.set.req', group: GROUP_TIME, cmd: CMD_TIME, op: OP_WRITE, unsolicited: false,
    // Exactly one of the two (PROTOCOL.md 8.2); the decoder names whichever is present.
    fields: [f('now_ms', int(TIME_EPOCH_MS_MIN, TIME_EPOCH_MS_MAX), true), f('adjust_ms', int(-TIME_ADJUST_MS_MAX, TIME_ADJUST_MS_MAX), true)],
  },
  {
    name: 'time.set.rsp', group: GROUP_TIME, cmd: CMD_TIME, op: OP_WRITE_RSP, unsolicited: false,
    fields: [f('offset_ms', INT_ANY), f('drift_ppm_x10', int(-10_000_000, 10_000_000), true)],
  },
  { name: 'config.get.req', group: GROUP_CONFIG, cmd: CMD_CONFIG, op: OP_READ, unsolicited: false, fields: [] },
  { name: 'config.get.rsp', group: GROUP_CONFIG, cmd: CMD_CONFIG, op: OP_READ_RSP, unsolicited: false, fields: CONFIG_RSP },
  { name: 'config.set.req', group: GROUP_CONFIG, cmd: CMD_CONFIG, op: OP_WRITE, unsolicited: false, fields: optional(CONFIG) },
  { name: 'config.set.rsp', group: GROUP_CONFIG, cmd: CMD_CONFIG, op: OP_WRITE_RSP, unsolicited: false, fields: CONFIG_RSP },
  { name: 'stream.subscribe.req', group: GROUP_STREAM, cmd: CMD_STREAM_SUBSCRIBE, op: OP_WRITE, unsolicited: false, fields: [f('kinds', kinds)] },
  { name: 'stream.subscribe.rsp', group: GROUP_STREAM, cmd: CMD_STREAM_SUBSCRIBE, op: OP_WRITE_RSP, unsolicited: false, fields: STREAM_STATUS },
  { name: 'stream.unsubscribe.req', group: GROUP_STREAM, cmd: CMD_STREAM_UNSUBSCRIBE, op: OP_WRITE, unsolicited: false, fields: [f('kinds', kinds)] },
  { name: 'stream.unsubscribe.rsp', group: GROUP_STREAM, cmd: CMD_STREAM_UNSUBSCRIBE, op: OP_WRITE_RSP, unsolicited: false, fields: STREAM_STATUS },
  { name: 'stream.status.req', group: GROUP_STREAM, cmd: CMD_STREAM_STATUS, op: OP_READ, unsolicited: false, fields: [] },
  { name: 'stream.status.rsp', group: GROUP_STREAM, cmd: CMD_STREAM_STATUS, op: OP_READ_RSP, unsolicited: false, fields: STREAM_STATUS },
  {
    name: 'stream.beats.ntf', group: GROUP_STREAM, cmd: CMD_STREAM_BEATS, op: OP_READ_RSP, unsolicited: true,
    fields: [f('first', int(0, U32_MAX)), f('drops', int(0, U32_MAX)), f('beats', list(tuple(BEAT_ITEM), 1, 64))],
  },
  {
    name: 'stream.hr.ntf', group: GROUP_STREAM, cmd: CMD_STREAM_HR, op: OP_READ_RSP, unsolicited: true,
    fields: [f('drops', int(0, U32_MAX)), f('hr', list(tuple(HR_ITEM), 1, 64))],
  },
  {
    name: 'stream.hrv.ntf', group: GROUP_STREAM, cmd: CMD_STREAM_HRV, op: OP_READ_RSP, unsolicited: true,
    fields: [f('drops', int(0, U32_MAX)), f('windows', list(tuple(HRV_WINDOW), 1, 16))],
  },
  {
    name: 'stream.ppg.ntf', group: GROUP_STREAM, cmd: CMD_STREAM_PPG, op: OP_READ_RSP, unsolicited: true,
    fields: [
      f('first', int(0, U32_MAX)), clock('t_ms'), f('period_us', int(10_000, 160_000)),
      f('samples', { t: 'bytes', min_bytes: PPG_SAMPLE_SIZE, max_bytes: PPG_SAMPLE_SIZE * PPG_BATCH_SAMPLES_MAX, multiple_of: PPG_SAMPLE_SIZE }),
      f('drops_sensor', int(0, U32_MAX)), f('drops_link', int(0, U32_MAX)),
    ],
  },
  {
    name: 'history.read.req', group: GROUP_HISTORY, cmd: CMD_HISTORY_READ, op: OP_READ, unsolicited: false,
    fields: [f('from_seq', int(0, U32_MAX)), f('max_records', int(1, HISTORY_PAGE_RECORDS_MAX)), f('kinds', kinds, true)],
  },
  {
    name: 'history.read.rsp', group: GROUP_HISTORY, cmd: CMD_HISTORY_READ, op: OP_READ_RSP, unsolicited: false,
    fields: [
      f('records', list({ t: 'record' }, 0, HISTORY_PAGE_RECORDS_MAX)), f('next_seq', int(0, U32_MAX)),
      f('first_seq', int(0, U32_MAX)), f('last_seq', int(0, U32_MAX)),
    ],
  },
  { name: 'battery.req', group: GROUP_BATTERY, cmd: CMD_BATTERY, op: OP_READ, unsolicited: false, fields: [] },
  {
    name: 'battery.rsp', group: GROUP_BATTERY, cmd: CMD_BATTERY, op: OP_READ_RSP, unsolicited: false,
    fields: [f('level_pct', int(0, 100)), f('mv', int(0, 5000)), f('charging', bool)],
  },
  ...IMAGE_MESSAGES,
  ...AUTH_MESSAGES,
];

/** A failed response (5.2): any group and command, a response op, a body with "rc". */
export const ERROR_RSP: readonly FieldDef[] = [
  f('rc', int(1, 127)), f('key', { t: 'text', max_bytes: 64 }, true), f('off', int(0, U32_MAX), true),
];

/** Group names as the spec's table says them. */
export const GROUP_NAMES: Readonly<Record<number, string>> = {
  [GROUP_DEVICE]: 'device', [GROUP_TIME]: 'time', [GROUP_CONFIG]: 'config', [GROUP_STREAM]: 'stream',
  [GROUP_HISTORY]: 'history', [GROUP_BATTERY]: 'battery', [GROUP_IMAGE]: 'image', [GROUP_AUTH]: 'auth',
};

export const OP_NAMES: readonly string[] = ['read', 'read-rsp', 'write', 'write-rsp'];

/** The message a header announces, or null (unknown group, command or op). */
export function findMessage(group: number, cmd: number, op: number): MessageDef | null {
  return MESSAGES.find((m) => m.group === group && m.cmd === cmd && m.op === op) ?? null;
}

/** The largest error code the spec defines, for tables. */
export const RC_MAX = ERR_CODE_MAX;
