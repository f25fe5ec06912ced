// Protocol fuzzing against the simulated ring: seeded generated bad input, at the frame
// level (pieces written to the frame characteristic: random bytes, wrong lengths, bad CBOR,
// unknown groups/commands/ops, bad fields, oversize, interleaved fragments) and at the ATT
// level (random PDUs, malformed requests, writes of every length). After each case a probe
// request (time get) must be answered within a bound (a retry or two are allowed: a broken
// frame may swallow the probe's first piece, and PROTOCOL.md says the host resends).
//
//   crash  an exception out of the simulated ring (the firmware must never throw)
//   hang   the probe got no answer in all its attempts: the ring stopped serving
//
// Each case draws from its own Prng seeded by (seed, case index), so a failing case is
// rerun alone with `runFuzz({ seed, first_case: i, cases: 1 })`.

import {
  CBOR_DEPTH_MAX,
  CMD_TIME,
  FRAME_BODY_MAX,
  FRAME_HEADER_SIZE,
  GROUP_APP_FIRST,
  GROUP_APP_LAST,
  GROUP_TIME,
  OP_READ,
} from '../../protocol/ids.js';
import { encodeBody, encodeFrameBytes } from '../../protocol/host/frame.js';
import type { LinkParams } from '../../sim/ble/params.js';
import { Prng } from '../../sim/prng.js';
import { RingDevice } from '../../sim/ring-device.js';
import type { FirmwareBle } from '../../sim/device/firmware-ble.js';
import { SimTransport } from '../transport/sim-transport.js';
import { DisconnectedError, TransportError } from '../transport/transport.js';
import { RingClient } from './client.js';
import { DeviceError, ResponseError, TimeoutError } from './errors.js';
import { AttError } from '../transport/att.js';

export interface FuzzOptions {
  seed: number;
  cases: number;
  /** Index of the first case (to rerun one case alone). */
  first_case?: number;
  /** Link: default MTU 247, 2M PHY, 7.5 ms interval (the fastest turnaround). */
  link?: Partial<LinkParams>;
  /** How long a probe may wait for its answer, per attempt (default 250 ms of virtual time). */
  probe_timeout_us?: number;
  probe_attempts?: number;
  /** A stand-in GATT server instead of the firmware's (tests of the fuzzer itself). */
  ble?: FirmwareBle;
}

export interface FuzzFailure {
  case_index: number;
  kind: string;
  what: 'crash' | 'hang';
  detail: string;
  /** The case's input, hex, one entry per piece / PDU. */
  input: string[];
}

export interface FuzzReport {
  seed: number;
  /** Bad inputs sent (frames and raw PDUs): the cases run. */
  fuzz_frames: number;
  fuzz_frame_cases: number;
  fuzz_pdu_cases: number;
  /** ATT PDUs the cases put on the link. */
  fuzz_pdus: number;
  fuzz_crashes: number;
  fuzz_hangs: number;
  /** Error responses the ring sent to bad frames (it must answer every readable header). */
  fuzz_error_responses: number;
  /** Probes that needed a second or third attempt. */
  fuzz_probe_retries: number;
  /** Answers that broke the spec (a ring bug short of a crash). */
  fuzz_bad_responses: number;
  failures: FuzzFailure[];
  describe: string;
}

const FAILURES_KEPT = 20;
const PROBE_TIMEOUT_US_DEFAULT = 250_000;
const PROBE_ATTEMPTS_DEFAULT = 3;
/** After a hang, wait out the ring's reassembly timeout and reconnect before going on. */
const RECOVERY_US = 6_000_000;

interface Case {
  kind: string;
  /** Pieces for the frame characteristic (write commands), or whole ATT PDUs. */
  pieces?: Uint8Array[];
  pdus?: Uint8Array[];
}

type Gen = (r: Prng, payload: number, h: { frame: number; cccd: number }, mtu: number) => Case;

function bytes(r: Prng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r.nextU32() & 0xff;
  return out;
}

/** Cut a frame into pieces of `payload` bytes (as a correct sender would). */
function cut(frame: Uint8Array, payload: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < frame.length; off += payload) out.push(frame.slice(off, Math.min(frame.length, off + payload)));
  return out;
}

function header(op: number, flags: number, length: number, group: number, seq: number, cmd: number, version = 1, reserved = 0): Uint8Array {
  const h = new Uint8Array(FRAME_HEADER_SIZE);
  h[0] = ((reserved & 7) << 5) | ((version & 3) << 3) | (op & 7);
  h[1] = flags & 0xff;
  h[2] = (length >> 8) & 0xff;
  h[3] = length & 0xff;
  h[4] = (group >> 8) & 0xff;
  h[5] = group & 0xff;
  h[6] = seq & 0xff;
  h[7] = cmd & 0xff;
  return h;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function knownGroup(r: Prng): number {
  return GROUP_APP_FIRST + r.nextBelow(GROUP_APP_LAST - GROUP_APP_FIRST + 1);
}

/** Hand-made CBOR the device subset rejects, or that is well-formed but wrong for a body. */
function badCbor(r: Prng): Uint8Array {
  const choices: (() => Uint8Array)[] = [
    () => Uint8Array.of(0xbf, 0x61, 0x61, 0x01, 0xff), // indefinite map
    () => Uint8Array.of(0xa1, 0x61, 0x61, 0x5f, 0x41, 0x00, 0xff), // indefinite bytes
    () => Uint8Array.of(0xc2, 0x41, 0x01), // tag (bignum)
    () => Uint8Array.of(0xa1, 0x61, 0x61, 0xf9, 0x3c, 0x00), // half float
    () => Uint8Array.of(0xa1, 0x61, 0x61, 0xfb, 0, 0, 0, 0, 0, 0, 0, 0), // double
    () => Uint8Array.of(0xa1, 0x61, 0x61, 0xf7), // undefined
    () => Uint8Array.of(0xa1, 0x61, 0x61, 0x1c), // reserved ai
    () => Uint8Array.of(0xff), // stray break
    () => Uint8Array.of(0xa2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02), // duplicate key
    () => Uint8Array.of(0xa1, 0x61, 0x61, 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), // int beyond 2^53
    () => Uint8Array.of(0xa1, 0x61), // truncated
    () => Uint8Array.of(0xa0, 0x00), // trailing bytes
    () => Uint8Array.of(0x80), // an array, not a map
    () => Uint8Array.of(0x01), // an int, not a map
    () => { // nested deeper than the limit
      const depth = CBOR_DEPTH_MAX + 1 + r.nextBelow(40);
      const out = new Uint8Array(depth + 3);
      out[0] = 0xa1; out[1] = 0x61; out[2] = 0x61;
      for (let i = 0; i < depth; i++) out[3 + i] = i === depth - 1 ? 0x80 : 0x81;
      return out;
    },
    () => { // a text longer than CBOR_TEXT_MAX as a key
      const n = 65 + r.nextBelow(100);
      const out = new Uint8Array(3 + n + 1);
      out[0] = 0xa1; out[1] = 0x78; out[2] = n;
      out.fill(0x61, 3, 3 + n);
      out[3 + n] = 0x00;
      return out;
    },
    () => Uint8Array.of(0xa1, 0x61, 0x61, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), // huge array count
  ];
  return choices[r.nextBelow(choices.length)]();
}

const FIELD_KEYS = ['kinds', 'from_seq', 'max_records', 'now_ms', 'sample_rate_hz', 'hrv_short_s', 'hrv_long_s', 'stream', 'hrs',
  'ppg_decim', 'ppg_batch', 'hr_period_s', 'x', '', 'rc', 'key'];

function randomValue(r: Prng, depth: number): unknown {
  switch (r.nextBelow(depth > 2 ? 6 : 8)) {
    case 0: return r.nextInt(-5, 300);
    case 1: return r.nextU32() * (r.nextBelow(2) === 0 ? 1 : 4096);
    case 2: return r.nextBelow(2) === 0;
    case 3: return null;
    case 4: return 'v'.repeat(r.nextBelow(10));
    case 5: return bytes(r, r.nextBelow(8));
    case 6: return [randomValue(r, depth + 1), randomValue(r, depth + 1)];
    default: return randomMap(r, depth + 1);
  }
}

function randomMap(r: Prng, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = r.nextBelow(4);
  for (let i = 0; i < n; i++) out[FIELD_KEYS[r.nextBelow(FIELD_KEYS.length)]] = randomValue(r, depth);
  return out;
}

const FRAME_GENS: [string, Gen][] = [
  ['random-bytes', (r, payload) => {
    const n = 1 + r.nextBelow(3);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < n; i++) pieces.push(bytes(r, 1 + r.nextBelow(payload)));
    return { kind: 'random-bytes', pieces };
  }],
  ['random-body', (r, payload) => {
    const body = bytes(r, r.nextBelow(Math.min(FRAME_BODY_MAX, 3 * payload)));
    const frame = concat(header(r.nextBelow(4), r.nextBelow(2), body.length, knownGroup(r), r.nextBelow(256), r.nextBelow(4)), body);
    return { kind: 'random-body', pieces: cut(frame, payload) };
  }],
  ['wrong-length', (r, payload) => {
    const body = encodeBody(randomMap(r, 0));
    const declared = Math.max(0, body.length + r.nextInt(-8, 40));
    const frame = concat(header(OP_READ, 0, Math.min(declared, 0xffff), knownGroup(r), r.nextBelow(256), 0), body);
    return { kind: 'wrong-length', pieces: cut(frame, payload) };
  }],
  ['bad-cbor', (r, payload) => {
    const body = badCbor(r);
    const frame = concat(header(r.nextBelow(2) * 2, 0, body.length, knownGroup(r), r.nextBelow(256), r.nextBelow(3)), body);
    return { kind: 'bad-cbor', pieces: cut(frame, payload) };
  }],
  ['bad-header', (r, payload) => {
    const body = Uint8Array.of(0xa0);
    const variant = r.nextBelow(6);
    const group = variant === 0 ? r.nextBelow(0x10000) : knownGroup(r);
    const cmd = variant === 1 ? r.nextBelow(256) : 0;
    const op = variant === 2 ? r.nextBelow(8) : OP_READ;
    const version = variant === 3 ? r.nextBelow(4) : 1;
    const reserved = variant === 4 ? 1 + r.nextBelow(7) : 0;
    const flags = variant === 5 ? r.nextBelow(256) : 0;
    const frame = concat(header(op, flags, body.length, group, r.nextBelow(256), cmd, version, reserved), body);
    return { kind: 'bad-header', pieces: cut(frame, payload) };
  }],
  ['bad-fields', (r, payload) => {
    const body = encodeBody(randomMap(r, 0));
    const frame = encodeFrameBytes({ op: r.nextBelow(2) * 2, group: knownGroup(r), seq: r.nextBelow(256), cmd: r.nextBelow(3) }, body);
    return { kind: 'bad-fields', pieces: cut(frame, payload) };
  }],
  ['oversize', (r, payload) => {
    const declared = FRAME_BODY_MAX + 1 + r.nextBelow(0xffff - FRAME_BODY_MAX);
    const frame = concat(header(OP_READ, 0, declared, knownGroup(r), r.nextBelow(256), 0), bytes(r, r.nextBelow(3 * payload)));
    return { kind: 'oversize', pieces: cut(frame, payload) };
  }],
  ['interleaved', (r, payload) => {
    const a = encodeFrameBytes({ op: OP_READ, group: GROUP_TIME, seq: r.nextBelow(256), cmd: CMD_TIME }, bytes(r, payload + r.nextBelow(2 * payload)));
    const b = encodeFrameBytes({ op: OP_READ, group: knownGroup(r), seq: r.nextBelow(256), cmd: 0 }, Uint8Array.of(0xa0));
    const pa = cut(a, payload);
    const at = 1 + r.nextBelow(pa.length - 1 || 1);
    return { kind: 'interleaved', pieces: [...pa.slice(0, at), ...cut(b, payload), ...pa.slice(at)] };
  }],
  ['response-op', (r, payload) => {
    const frame = encodeFrameBytes({ op: 1 + 2 * r.nextBelow(2), group: knownGroup(r), seq: r.nextBelow(256), cmd: 0 }, Uint8Array.of(0xa0));
    return { kind: 'response-op', pieces: cut(frame, payload) };
  }],
];

const WRITE_OPCODES = [0x12, 0x52, 0xd2, 0x16];

const PDU_GENS: [string, Gen][] = [
  ['att-random', (r, _payload, h, mtu) => {
    const pdu = bytes(r, 1 + r.nextBelow(mtu));
    return { kind: 'att-random', pdus: [protectCccd(pdu, h.cccd)] };
  }],
  ['att-request', (r, _payload, h, mtu) => {
    const opcodes = [0x02, 0x04, 0x06, 0x08, 0x0a, 0x0c, 0x0e, 0x10, 0x12, 0x16, 0x18, 0x20, 0x1e, 0x1d, 0x1b, 0x03, 0x01, 0x52, 0xd2];
    const op = opcodes[r.nextBelow(opcodes.length)];
    const len = 1 + r.nextBelow(Math.min(mtu, 24));
    const pdu = bytes(r, len);
    pdu[0] = op;
    if (len >= 3 && r.nextBelow(2) === 0) { pdu[1] = r.nextBelow(12); pdu[2] = 0; } // near the real handles
    return { kind: 'att-request', pdus: [protectCccd(pdu, h.cccd)] };
  }],
  ['att-write-frame', (r, _payload, h, mtu) => {
    const pdu = bytes(r, 3 + r.nextBelow(mtu - 2));
    pdu[0] = r.nextBelow(2) === 0 ? 0x52 : 0x12;
    pdu[1] = h.frame & 0xff;
    pdu[2] = h.frame >> 8;
    return { kind: 'att-write-frame', pdus: [pdu] };
  }],
];

/** Never write the frame CCCD: turning notifications off is legitimate, and would look like a hang. */
function protectCccd(pdu: Uint8Array, cccd: number): Uint8Array {
  if (pdu.length >= 3 && WRITE_OPCODES.includes(pdu[0]) && (pdu[1] | (pdu[2] << 8)) === cccd) pdu[1] ^= 0x80;
  return pdu;
}

function caseSeed(seed: number, index: number): number {
  return (Math.imul((seed ^ Math.imul(index, 0x9e3779b1)) >>> 0, 0x85ebca6b) ^ index) >>> 0;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Rig {
  device: RingDevice;
  transport: SimTransport;
  client: RingClient;
  error_responses: number;
}

async function rig(opts: FuzzOptions, attempt: number): Promise<Rig> {
  const device = new RingDevice(null, {
    seed: (opts.seed + attempt) >>> 0, rate_hz: 25, ble: opts.ble,
    link: { interval_us: 7_500, phy: '2M', central_mtu_max_bytes: 247, ...opts.link },
  });
  const transport = new SimTransport(device, { connect_delay_us: 0 });
  const client = new RingClient(transport, { timeout_us: opts.probe_timeout_us ?? PROBE_TIMEOUT_US_DEFAULT, retries: 0, reconnect: false });
  const r: Rig = { device, transport, client, error_responses: 0 };
  client.channel.onFrame((frame) => {
    // An error response {rc: ...} starts with a map head and the text key "rc".
    if (frame.length > 12 && frame[9] === 0x62 && frame[10] === 0x72 && frame[11] === 0x63) r.error_responses++;
  });
  await client.connect();
  return r;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const first = opts.first_case ?? 0;
  const attempts = opts.probe_attempts ?? PROBE_ATTEMPTS_DEFAULT;
  const report: FuzzReport = {
    seed: opts.seed, fuzz_frames: 0, fuzz_frame_cases: 0, fuzz_pdu_cases: 0, fuzz_pdus: 0, fuzz_crashes: 0, fuzz_hangs: 0,
    fuzz_error_responses: 0, fuzz_probe_retries: 0, fuzz_bad_responses: 0, failures: [], describe: '',
  };
  let rebuilds = 0;
  let r = await rig(opts, rebuilds);
  report.describe = r.transport.describe();
  const fail = (f: FuzzFailure): void => {
    if (report.failures.length < FAILURES_KEPT) report.failures.push(f);
  };
  for (let i = first; i < first + opts.cases; i++) {
    const rng = new Prng(caseSeed(opts.seed, i));
    const mtu = r.transport.mtu;
    const handles = { frame: r.transport.handles.frame_value, cccd: r.transport.handles.frame_cccd };
    const gens = rng.nextBelow(4) === 0 ? PDU_GENS : FRAME_GENS;
    const [, gen] = gens[rng.nextBelow(gens.length)];
    const c = gen(rng, mtu - 3, handles, mtu);
    const input = (c.pieces ?? c.pdus ?? []).map(hex);
    report.fuzz_frames++;
    if (c.pieces) report.fuzz_frame_cases++;
    else report.fuzz_pdu_cases++;
    try {
      if (!r.transport.connected) await r.client.connect();
      for (const p of c.pieces ?? []) await r.transport.write(p);
      for (const p of c.pdus ?? []) await r.transport.att.sendPdu(p);
      report.fuzz_pdus += input.length;
      const answered = await probe(r, attempts, report);
      if (!answered) {
        report.fuzz_hangs++;
        fail({ case_index: i, kind: c.kind, what: 'hang', detail: `no answer to ${attempts} probes`, input });
        await recover(r);
      }
    } catch (err) {
      report.fuzz_crashes++;
      fail({ case_index: i, kind: c.kind, what: 'crash', detail: (err as Error).stack ?? String(err), input });
      report.fuzz_error_responses += r.error_responses;
      r = await rig(opts, ++rebuilds);
    }
  }
  report.fuzz_error_responses += r.error_responses;
  return report;
}

/** A time get must come back (a reply or an error response both count: the ring is serving). */
async function probe(r: Rig, attempts: number, report: FuzzReport): Promise<boolean> {
  for (let a = 0; a < attempts; a++) {
    if (a > 0) report.fuzz_probe_retries++;
    try {
      if (!r.transport.connected) await r.client.connect();
      await r.client.once({ name: 'probe', group: GROUP_TIME, cmd: CMD_TIME, op: OP_READ, idempotent: false });
      return true;
    } catch (err) {
      if (err instanceof DeviceError) return true;
      if (err instanceof ResponseError) {
        report.fuzz_bad_responses++;
        return true;
      }
      if (err instanceof TimeoutError || err instanceof DisconnectedError || err instanceof TransportError || err instanceof AttError) continue;
      throw err;
    }
  }
  return false;
}

async function recover(r: Rig): Promise<void> {
  await r.transport.disconnect();
  await r.transport.clock.waitUntil(() => false, RECOVERY_US);
  await r.client.connect();
}
