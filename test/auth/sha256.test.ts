// The firmware's SHA-256 and HMAC-SHA256 (firmware/auth/sha256.ts) against RFC 4231's test
// vectors and against @noble/hashes on seeded random keys and messages of every length
// around the block boundaries.
import t from 'tap';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as fw from '../../firmware/auth/sha256.js';
import { Prng } from '../../sim/prng.js';

fw.sha_boot();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

function fwSha(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  fw.sha_begin();
  fw.sha_update(msg, 0, msg.length);
  fw.sha_end(out, 0);
  return out;
}

function fwHmac(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  fw.hmac_begin(key, 0, key.length);
  // In two pieces, as the ring feeds labels and bodies separately.
  const cut = msg.length >> 1;
  fw.hmac_update(msg, 0, cut);
  fw.hmac_update(msg, cut, msg.length - cut);
  fw.hmac_end(out, 0);
  return out;
}

t.test('SHA-256: FIPS 180-4 examples', async (t) => {
  t.equal(hex(fwSha(new Uint8Array(0))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.equal(hex(fwSha(new TextEncoder().encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  t.equal(
    hex(fwSha(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
});

t.test('HMAC-SHA256: RFC 4231 test cases 1-4, 6, 7 (case 5 is a truncation of 4 bytes)', async (t) => {
  const aa131 = new Uint8Array(131).fill(0xaa);
  const cases: [string, Uint8Array, Uint8Array, string][] = [
    ['1', new Uint8Array(20).fill(0x0b), new TextEncoder().encode('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    ['2', new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['3', new Uint8Array(20).fill(0xaa), new Uint8Array(50).fill(0xdd), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
    ['4', bytes('0102030405060708090a0b0c0d0e0f10111213141516171819'), new Uint8Array(50).fill(0xcd), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
    ['6 (key hashed first)', fwSha(aa131), new TextEncoder().encode('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    ['7 (key hashed first)', fwSha(aa131), new TextEncoder().encode('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'), '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2'],
  ];
  for (const [name, key, msg, want] of cases) t.equal(hex(fwHmac(key, msg)), want, `case ${name}`);
  // Keys longer than a block are hashed by the caller (the ring's keys are 32 bytes): refused otherwise.
  t.throws(() => fw.hmac_begin(aa131, 0, aa131.length), 'a 131-byte key is a fault, not a silent truncation');
});

t.test('against @noble/hashes: seeded keys and messages of 0..300 bytes', async (t) => {
  const p = new Prng(4231);
  const differ: string[] = [];
  for (let len = 0; len <= 300; len++) {
    const msg = new Uint8Array(len).map(() => p.nextBelow(256));
    const key = new Uint8Array(1 + p.nextBelow(64)).map(() => p.nextBelow(256));
    if (hex(fwSha(msg)) !== hex(sha256(msg))) differ.push(`sha256 of ${len} bytes`);
    if (hex(fwHmac(key, msg)) !== hex(hmac(sha256, key, msg))) differ.push(`hmac of ${len} bytes, key ${key.length}`);
  }
  t.same(differ, [], 'every length agrees with @noble/hashes');
});
