// 10,000 mutated frames through `ring decode`'s decoder: each one either decodes or fails
// with a DecodeError whose offset lies inside the input (or at its end, for truncation);
// nothing else is ever thrown. Mutations: bit flips, random bytes, truncation, insertion,
// deletion and length-field edits of valid frames of every message type. Seeded.

import t from 'tap';
import { FLAG_UNSOLICITED } from '../../protocol/ids.js';
import { encodeFrame } from '../../protocol/host/frame.js';
import { MESSAGES } from '../../protocol/host/schema.js';
import { Prng } from '../../sim/prng.js';
import { DecodeError, decodeFrames } from '../../host/debug/decode.js';
import { genBody } from './generate.js';

const MUTATED_FRAMES = 10_000;
const SEED = 1313;

function mutate(prng: Prng, src: Uint8Array): Uint8Array {
  const b = Array.from(src);
  const edits = prng.nextInt(1, 4);
  for (let e = 0; e < edits; e++) {
    const at = prng.nextInt(0, Math.max(0, b.length - 1));
    switch (prng.nextInt(0, 5)) {
      case 0:
        b[at] ^= 1 << prng.nextInt(0, 7);
        break;
      case 1:
        b[at] = prng.nextInt(0, 255);
        break;
      case 2:
        b.length = prng.nextInt(0, b.length);
        break;
      case 3:
        b.splice(at, 0, prng.nextInt(0, 255));
        break;
      case 4:
        b.splice(at, 1);
        break;
      default:
        if (b.length >= 4) b[prng.nextInt(2, 3)] = prng.nextInt(0, 255); // the length field
    }
  }
  return Uint8Array.from(b);
}

t.test(`${MUTATED_FRAMES} mutated frames: decoded or an error naming an offset, never a crash`, async (t) => {
  const prng = new Prng(SEED);
  const seeds = MESSAGES.flatMap((m) =>
    [0, 1, 2].map((i) =>
      encodeFrame({ op: m.op, group: m.group, cmd: m.cmd, seq: i, flags: m.unsolicited ? FLAG_UNSOLICITED : 0 }, genBody(prng, m, { all_optional: i === 0 })),
    ),
  );
  let decoded = 0;
  let errors = 0;
  const offsets_outside: string[] = [];
  const crashes: string[] = [];
  for (let i = 0; i < MUTATED_FRAMES; i++) {
    const input = mutate(prng, seeds[prng.nextInt(0, seeds.length - 1)]);
    try {
      decodeFrames(input);
      decoded++;
    } catch (err) {
      if (!(err instanceof DecodeError)) {
        crashes.push(`${Buffer.from(input).toString('hex')}: ${String(err)}`);
        continue;
      }
      errors++;
      if (!Number.isInteger(err.offset) || err.offset < 0 || err.offset > input.length) {
        offsets_outside.push(`${Buffer.from(input).toString('hex')}: offset ${err.offset} of ${input.length}`);
      }
      if (!/^at byte \d+: expected .+, found .+/.test(err.message)) crashes.push(`unclear message: ${err.message}`);
    }
  }
  t.same(crashes, [], `nothing but DecodeError (seed ${SEED})`);
  t.same(offsets_outside, [], 'every offset within the input');
  t.equal(decoded + errors, MUTATED_FRAMES);
  t.ok(errors > MUTATED_FRAMES / 2, `most mutations are caught (${errors} errors, ${decoded} still valid)`);
});
