// `ring decode`: every message type of the spec round-trips (generated from the schema,
// encoded by the host's own encoder, decoded back to the same value and name), malformed
// input names the byte offset and what was expected there, and the schema agrees with the
// host's decoders (host/client/messages.ts).

import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import { FLAG_UNSOLICITED, OP_READ_RSP } from '../../protocol/ids.js';
import { encodeFrame, encodeFrameBytes } from '../../protocol/host/frame.js';
import { MESSAGES } from '../../protocol/host/schema.js';
import { Prng } from '../../sim/prng.js';
import { DecodeError, decodeFrames, frameText, parseFrameText } from '../../host/debug/decode.js';
import * as msg from '../../host/client/messages.js';
import { ring } from '../helpers/cli.js';
import * as img from '../../host/image/messages.js';
import { genBody } from './generate.js';

const ROUNDS_PER_MESSAGE = 40;

function frameOf(m: (typeof MESSAGES)[number], body: unknown, seq: number): Uint8Array {
  return encodeFrame({ op: m.op, group: m.group, cmd: m.cmd, seq, flags: m.unsolicited ? FLAG_UNSOLICITED : 0 }, body);
}

t.test('every message of the spec round-trips through decode, names and values intact', async (t) => {
  const prng = new Prng(13);
  let checked = 0;
  t.equal(MESSAGES.length, 52, 'the spec lists 52 message bodies (section 8 with image management, and section 11)');
  for (const m of MESSAGES) {
    for (let round = 0; round < ROUNDS_PER_MESSAGE; round++) {
      const body = genBody(prng, m, { all_optional: round % 2 === 0 });
      const bytes = frameOf(m, body, round);
      const [view] = decodeFrames(bytes);
      if (view.message !== m.name) t.fail(`${m.name}: decoded as ${view.message}`);
      if (!isDeepStrictEqual(view.value, body)) {
        t.same(view.value, body, `${m.name} round ${round}: decoded value`);
        return;
      }
      const again = encodeFrame({ op: m.op, group: m.group, cmd: m.cmd, seq: round, flags: view.header.flags }, view.value);
      if (Buffer.compare(again, bytes) !== 0) t.fail(`${m.name} round ${round}: re-encoding differs`);
      checked++;
    }
  }
  t.equal(checked, MESSAGES.length * ROUNDS_PER_MESSAGE, 'every message, every round');
});

t.test('decode names fields with units and scales', async (t) => {
  const hr = MESSAGES.find((m) => m.name === 'stream.hr.ntf')!;
  const [view] = decodeFrames(frameOf(hr, { drops: 0, hr: [[2667, 810, 96, 2780]] }, 4));
  const item = view.body.children![1].children![0].children!;
  t.same(item.map((f) => f.name), ['time_ms', 'hr_bpm_x10', 'confidence', 'emitted_ms']);
  t.equal(item[1].scaled, 81);
  t.equal(item[1].unit, 'bpm');
  t.equal(item[0].unit, 'ms');
  const text = frameText(view);
  t.match(text, /hr_bpm_x10: 810 \(81 bpm\)/);
  t.match(text, /stream\.hr\.ntf/);
  t.match(text, /flags 0x01 \(unsolicited\)/);
  const err = decodeFrames(encodeFrame({ op: OP_READ_RSP, group: 68, cmd: 0, seq: 9 }, { rc: 10, key: 'max_records' }))[0];
  t.equal(err.message, 'error.rsp');
  t.equal(err.error, 'ERR_BAD_VALUE');
});

/** What each malformed input gets: the offset and the expectation. */
const BAD: [string, string, number, RegExp][] = [
  ['short header', '0800', 2, /8-byte frame header/],
  ['reserved bits', 'e8000001004000 00a0'.replace(/ /g, ''), 0, /reserved bits/],
  ['version 2', '10000001004000 00a0'.replace(/ /g, ''), 0, /protocol version 1/],
  ['op 5', '0d000001004000 00a0'.replace(/ /g, ''), 0, /op 0\.\.3/],
  ['unknown flag', '08020001004000 00a0'.replace(/ /g, ''), 1, /flags within/],
  ['length too large', '0800ffff00400000', 2, /at most 1016/],
  ['body shorter than length', '080000050040000 0a0'.replace(/ /g, ''), 9, /5 body bytes/],
  ['float in body', '0800000900410000a1636e6f77fa3f800000', 13, /no floats/],
  ['tag', '0800000200400000c100', 8, /no tags/],
  ['indefinite map', '08000002004000 00bfff'.replace(/ /g, ''), 8, /definite length/],
  ['truncated text', '0800000300400000a16566', 11, /5 bytes of the text string/],
  ['duplicate key', '0800000700410000a2616101616101', 12, /not seen before/],
  ['trailing bytes', '0800000200400000a000', 9, /end of the body/],
  ['not a map', '080000010040000001', 8, /a map as the body/],
  ['missing key', '0900000100450000a0', 8, /the key "level_pct"/],
  ['out of range', '0a00000900410000a1666e6f775f6d7301', 16, /integer in 1577836800000/],
];

t.test('malformed frames: an error naming the byte offset and what was expected there', async (t) => {
  for (const [what, hex, offset, expected] of BAD) {
    const err = (() => {
      try {
        decodeFrames(parseFrameText(hex));
        return null;
      } catch (e) {
        return e;
      }
    })();
    if (!(err instanceof DecodeError)) {
      t.fail(`${what}: expected a DecodeError, got ${String(err)}`);
      continue;
    }
    t.equal(err.offset, offset, `${what}: offset`);
    t.match(err.message, expected, `${what}: ${err.message}`);
  }
  t.throws(() => parseFrameText('08 0$'), /at byte 3: expected hex digits or base64/);
  t.same(parseFrameText('0x08:00 00 01'), Uint8Array.of(8, 0, 0, 1));
  t.same(parseFrameText(Buffer.from([8, 0, 0, 1, 0, 0x40, 0, 0, 0xa0]).toString('base64')), Uint8Array.of(8, 0, 0, 1, 0, 0x40, 0, 0, 0xa0));
});

t.test('the schema agrees with the host decoders: every generated response decodes there too', async (t) => {
  const prng = new Prng(7);
  const decoders: Record<string, (body: unknown) => unknown> = {
    'device.info.rsp': msg.decodeDeviceInfo,
    'time.get.rsp': msg.decodeTimeGet,
    'time.set.rsp': msg.decodeTimeSet,
    'config.get.rsp': msg.decodeConfig,
    'config.set.rsp': msg.decodeConfig,
    'stream.subscribe.rsp': msg.decodeStreamStatus,
    'stream.unsubscribe.rsp': msg.decodeStreamStatus,
    'stream.status.rsp': msg.decodeStreamStatus,
    'stream.beats.ntf': (b) => msg.decodeBeatsNtf(b, 0),
    'stream.hr.ntf': (b) => msg.decodeHrNtf(b, 0),
    'stream.hrv.ntf': (b) => msg.decodeHrvNtf(b, 0),
    'stream.ppg.ntf': (b) => msg.decodePpgNtf(b, 0),
    'history.read.rsp': msg.decodeHistoryPage,
    'battery.rsp': msg.decodeBattery,
    'image.state.rsp': img.decodeImageState,
    'image.begin.rsp': img.decodeImageBegin,
    'image.upload.rsp': img.decodeImageOffset,
    'image.test.rsp': (b) => img.decodeImageSlot(b),
    'image.confirm.rsp': (b) => img.decodeImageSlot(b),
    'image.revert.rsp': (b) => img.decodeImageSlot(b),
    'image.reset.rsp': img.decodeImageReset,
  };
  // The auth group's answers are checked inline by RingClient (host/client/client.ts), which
  // test/auth drives against the ring itself.
  const responses = MESSAGES.filter((m) => (m.op === 1 || m.op === 3) && !m.name.startsWith('auth.'));
  let accepted = 0;
  t.same(responses.map((m) => m.name).sort(), Object.keys(decoders).sort(), 'a host decoder for every response in the schema');
  for (const m of responses) {
    for (let round = 0; round < ROUNDS_PER_MESSAGE; round++) {
      const body = genBody(prng, m, { all_optional: true });
      const [view] = decodeFrames(frameOf(m, body, round));
      try {
        decoders[m.name](view.value);
        accepted++;
      } catch (err) {
        t.fail(`${m.name} round ${round}: the host decoder refuses a body the schema allows: ${(err as Error).message}`);
      }
    }
  }
  t.equal(accepted, responses.length * ROUNDS_PER_MESSAGE);
});

t.test('ring decode on the command line: text, --json, stdin, and a bad frame exits 2 naming the offset', async (t) => {
  const battery = MESSAGES.find((m) => m.name === 'battery.rsp')!;
  const hex = Buffer.from(frameOf(battery, { level_pct: 87, mv: 4083, charging: false }, 3)).toString('hex');
  const text = ring(['decode', hex]);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /battery\.rsp/);
  t.match(text.stdout, /level_pct: 87 %/);
  t.match(text.stdout, /mv: 4083 mV/);
  const json = ring(['decode', Buffer.from(hex, 'hex').toString('base64'), '--json']);
  t.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout);
  t.equal(doc.message, 'battery.rsp');
  t.same(doc.value, { level_pct: 87, mv: 4083, charging: false });
  t.equal(doc.header.seq, 3);
  const bad = ring(['decode', hex.slice(0, -2)]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^error: malformed input at byte \d+: expected/);
  t.equal(bad.stderr.trim().split('\n').length, 1, 'one line');
  t.equal(bad.stdout, '');
  const raw = encodeFrameBytes({ op: 0, group: 64, cmd: 0, seq: 1 }, Uint8Array.of(0xa0));
  t.equal(raw.length, 9);
});
