// RFC 8949 Appendix A vectors (../shared/vectors/cbor/appendix_a.json) against the device
// CBOR codec: every supported vector decodes to its value, every unsupported one is rejected
// with its own code, and the encoder reproduces every supported round-trip vector.

import t from 'tap';
import {
  ERR_CBOR_FLOAT,
  ERR_CBOR_INDEFINITE,
  ERR_CBOR_INT_RANGE,
  ERR_CBOR_SIMPLE,
  ERR_CBOR_TAG,
} from '../../protocol/ids.js';
import { canon, deviceDecode, deviceEncode, hex, loadAppendixVectors, unhex } from './helpers.js';

/** Every vector the device must reject, with the code it must give. */
const REJECT: Record<string, number> = {
  // integers beyond +-(2^53-1), and bignums (tags 2, 3)
  '1bffffffffffffffff': ERR_CBOR_INT_RANGE,
  '3bffffffffffffffff': ERR_CBOR_INT_RANGE,
  c249010000000000000000: ERR_CBOR_TAG,
  c349010000000000000000: ERR_CBOR_TAG,
  // floats: half, single, double, including the ones equal to integers and the specials
  f90000: ERR_CBOR_FLOAT,
  f98000: ERR_CBOR_FLOAT,
  f93c00: ERR_CBOR_FLOAT,
  fb3ff199999999999a: ERR_CBOR_FLOAT,
  f93e00: ERR_CBOR_FLOAT,
  f97bff: ERR_CBOR_FLOAT,
  fa47c35000: ERR_CBOR_FLOAT,
  fa7f7fffff: ERR_CBOR_FLOAT,
  fb7e37e43c8800759c: ERR_CBOR_FLOAT,
  f90001: ERR_CBOR_FLOAT,
  f90400: ERR_CBOR_FLOAT,
  f9c400: ERR_CBOR_FLOAT,
  fbc010666666666666: ERR_CBOR_FLOAT,
  f97c00: ERR_CBOR_FLOAT,
  f97e00: ERR_CBOR_FLOAT,
  f9fc00: ERR_CBOR_FLOAT,
  fa7f800000: ERR_CBOR_FLOAT,
  fa7fc00000: ERR_CBOR_FLOAT,
  faff800000: ERR_CBOR_FLOAT,
  fb7ff0000000000000: ERR_CBOR_FLOAT,
  fb7ff8000000000000: ERR_CBOR_FLOAT,
  fbfff0000000000000: ERR_CBOR_FLOAT,
  // undefined and other simple values
  f7: ERR_CBOR_SIMPLE,
  f0: ERR_CBOR_SIMPLE,
  f818: ERR_CBOR_SIMPLE,
  f8ff: ERR_CBOR_SIMPLE,
  // tags
  c074323031332d30332d32315432303a30343a30305a: ERR_CBOR_TAG,
  c11a514b67b0: ERR_CBOR_TAG,
  c1fb41d452d9ec200000: ERR_CBOR_TAG,
  d74401020304: ERR_CBOR_TAG,
  d818456449455446: ERR_CBOR_TAG,
  d82076687474703a2f2f7777772e6578616d706c652e636f6d: ERR_CBOR_TAG,
  // indefinite lengths, at the top or nested
  '5f42010243030405ff': ERR_CBOR_INDEFINITE,
  '7f657374726561646d696e67ff': ERR_CBOR_INDEFINITE,
  '9fff': ERR_CBOR_INDEFINITE,
  '9f018202039f0405ffff': ERR_CBOR_INDEFINITE,
  '9f01820203820405ff': ERR_CBOR_INDEFINITE,
  '83018202039f0405ff': ERR_CBOR_INDEFINITE,
  '83019f0203ff820405': ERR_CBOR_INDEFINITE,
  '9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff': ERR_CBOR_INDEFINITE,
  bf61610161629f0203ffff: ERR_CBOR_INDEFINITE,
  '826161bf61626163ff': ERR_CBOR_INDEFINITE,
  bf6346756ef563416d7421ff: ERR_CBOR_INDEFINITE,
};

/** Supported vectors that JSON cannot carry: their value, from the diagnostic notation. */
const DIAGNOSTIC_VALUES: Record<string, unknown> = {
  "h''": new Uint8Array(0),
  "h'01020304'": new Uint8Array([1, 2, 3, 4]),
  '{1: 2, 3: 4}': new Map([
    [1, 2],
    [3, 4],
  ]),
};

const loaded = loadAppendixVectors();
if ('skip' in loaded) {
  t.test('CBOR appendix vectors', { skip: loaded.skip }, async () => {});
} else {
  const vectors = loaded.vectors;

  t.test('the vector file is the one we classified', async (t) => {
    t.equal(vectors.length, 82, '82 vectors in RFC 8949 Appendix A');
    const hexes = new Set(vectors.map((v) => v.hex));
    for (const h of Object.keys(REJECT)) t.ok(hexes.has(h), `reject-table entry ${h} is a vector`);
    for (const v of vectors) {
      t.equal(hex(Buffer.from(v.cbor, 'base64')), v.hex, `base64 and hex agree for ${v.hex}`);
    }
  });

  t.test('the decoder accepts each supported vector with its value', async (t) => {
    let count = 0;
    for (const v of vectors) {
      if (v.hex in REJECT) continue;
      count++;
      const r = deviceDecode(unhex(v.hex));
      if (!r.ok) {
        t.fail(`${v.hex} rejected with ${r.rc}`);
        continue;
      }
      let expected: unknown;
      if ('decoded' in v) {
        expected = v.decoded;
      } else if (v.diagnostic !== undefined && v.diagnostic in DIAGNOSTIC_VALUES) {
        expected = DIAGNOSTIC_VALUES[v.diagnostic];
      } else {
        t.fail(`${v.hex}: no expected value known for ${v.diagnostic}`);
        continue;
      }
      t.same(canon(r.value), canon(expected), `${v.hex} = ${JSON.stringify(canon(expected))}`);
    }
    t.equal(count, 82 - Object.keys(REJECT).length, 'every vector is either supported or in the reject table');
  });

  t.test('the decoder rejects each unsupported vector with its code, without throwing', async (t) => {
    for (const v of vectors) {
      const code = REJECT[v.hex];
      if (code === undefined) continue;
      const r = deviceDecode(unhex(v.hex));
      t.same(r, { ok: false, rc: -code }, `${v.hex} (${v.diagnostic ?? JSON.stringify(v.decoded)}) -> -${code}`);
    }
  });

  t.test('the encoder re-encodes every supported round-trip vector to the same bytes', async (t) => {
    let count = 0;
    for (const v of vectors) {
      if (v.hex in REJECT || !v.roundtrip) continue;
      const r = deviceDecode(unhex(v.hex));
      if (!r.ok) {
        t.fail(`${v.hex} did not decode`);
        continue;
      }
      const out = deviceEncode(r.value);
      if (typeof out === 'number') {
        t.fail(`${v.hex}: encoder returned ${out}`);
        continue;
      }
      t.equal(hex(out), v.hex, `re-encode ${v.hex}`);
      count++;
    }
    t.ok(count >= 30, `${count} round-trip vectors checked`);
  });
}
