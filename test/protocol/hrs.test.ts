// Heart Rate Measurement (0x2A37) encoding, checked with an independent parser written from
// the Bluetooth SIG layout.

import fc from 'fast-check';
import t from 'tap';
import {
  ATT_MTU_MAX,
  ATT_MTU_MIN,
  ERR_BAD_VALUE,
  ERR_TOO_LARGE,
  HRM_RR_MS_MAX,
} from '../../protocol/ids.js';
import {
  HRS_CONTACT_DETECTED,
  HRS_CONTACT_NOT_DETECTED,
  HRS_CONTACT_UNSUPPORTED,
  HRS_ENERGY_ABSENT,
  bas_level_encode,
  hrs_measurement_encode,
  hrs_rr_ms_to_1024,
} from '../../protocol/device/hrs.js';
import { hex } from './helpers.js';

interface Hrm {
  hr: number;
  contactSupported: boolean;
  contactDetected: boolean;
  energy?: number;
  rr: number[];
}

/** Parse per the Heart Rate Service spec: flags, HR u8/u16, energy u16?, RR u16 * n (LE). */
function parseHrm(v: Uint8Array): Hrm {
  const flags = v[0];
  let p = 1;
  const u16 = () => {
    const x = v[p] | (v[p + 1] << 8);
    p += 2;
    return x;
  };
  const hr = flags & 1 ? u16() : v[p++];
  const out: Hrm = { hr, contactSupported: (flags & 4) !== 0, contactDetected: (flags & 2) !== 0, rr: [] };
  if (flags & 8) out.energy = u16();
  if (flags & 16) while (p + 1 < v.length) out.rr.push(u16());
  if (p !== v.length) throw new Error('trailing byte');
  if (!(flags & 16) && p !== v.length) throw new Error('rr bytes without the flag');
  return out;
}

t.test('RR conversion ms -> 1/1024 s, rounded to nearest, exhaustively', async (t) => {
  let bad = 0;
  for (let ms = 1; ms <= HRM_RR_MS_MAX; ms++) {
    if (hrs_rr_ms_to_1024(ms) !== Math.round((ms * 1024) / 1000)) bad++;
  }
  t.equal(bad, 0, `1..${HRM_RR_MS_MAX} ms`);
  t.equal(hrs_rr_ms_to_1024(1000), 1024);
  t.equal(hrs_rr_ms_to_1024(HRM_RR_MS_MAX), 0xffff);
  t.equal(hrs_rr_ms_to_1024(HRM_RR_MS_MAX + 1), -ERR_BAD_VALUE);
  t.equal(hrs_rr_ms_to_1024(0), -ERR_BAD_VALUE);
});

t.test('u8 and u16 heart rate, contact, energy', async (t) => {
  const dst = new Uint8Array(64);
  const n = new Int32Array(1);
  const none = new Int32Array(0);
  let len = hrs_measurement_encode(dst, 23, 72, HRS_CONTACT_UNSUPPORTED, HRS_ENERGY_ABSENT, none, 0, 0, n);
  t.equal(hex(dst.subarray(0, len)), '0048', 'flags 0, HR 72 as u8');
  len = hrs_measurement_encode(dst, 23, 300, HRS_CONTACT_DETECTED, HRS_ENERGY_ABSENT, none, 0, 0, n);
  t.equal(hex(dst.subarray(0, len)), '072c01', 'u16 flag + contact supported and detected');
  len = hrs_measurement_encode(dst, 23, 255, HRS_CONTACT_NOT_DETECTED, 70000, none, 0, 0, n);
  t.equal(hex(dst.subarray(0, len)), '0cffffff', 'u8 255, contact supported only, energy clamped to 65535');
  const rr = new Int32Array([1000, 500]);
  len = hrs_measurement_encode(dst, 23, 60, HRS_CONTACT_DETECTED, 513, rr, 0, 2, n);
  t.equal(hex(dst.subarray(0, len)), '1e3c0102' + '0004' + '0002', 'all fields');
  t.equal(n[0], 2);
});

t.test('as many RR-intervals as fit in MTU - 3, oldest first', async (t) => {
  const rr = new Int32Array(300).map((_, i) => 400 + i);
  const dst = new Uint8Array(600);
  const n = new Int32Array(1);
  for (const mtu of [23, 131, 185, 247, 517]) {
    for (const [hr, energy, fixed] of [
      [60, HRS_ENERGY_ABSENT, 2],
      [300, HRS_ENERGY_ABSENT, 3],
      [60, 10, 4],
      [300, 10, 5],
    ]) {
      const len = hrs_measurement_encode(dst, mtu, hr, HRS_CONTACT_DETECTED, energy, rr, 5, 290, n);
      const fit = Math.floor((mtu - 3 - fixed) / 2);
      t.equal(n[0], fit, `MTU ${mtu}, ${fixed} fixed bytes: ${fit} intervals`);
      t.equal(len, fixed + 2 * fit);
      const parsed = parseHrm(dst.subarray(0, len));
      t.same(parsed.rr, Array.from(rr.subarray(5, 5 + fit), hrs_rr_ms_to_1024), 'in order from rr_off');
    }
  }
  const small = new Uint8Array(7);
  const len = hrs_measurement_encode(small, 517, 60, 0, HRS_ENERGY_ABSENT, rr, 0, 10, n);
  t.equal([len, n[0]].join(), '6,2', 'limited by dst as well');
});

t.test('random measurements parse back', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: ATT_MTU_MIN, max: ATT_MTU_MAX }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.constantFrom(HRS_CONTACT_UNSUPPORTED, HRS_CONTACT_NOT_DETECTED, HRS_CONTACT_DETECTED),
      fc.oneof(fc.constant(HRS_ENERGY_ABSENT), fc.integer({ min: 0, max: 0xffff })),
      fc.array(fc.integer({ min: 1, max: HRM_RR_MS_MAX }), { maxLength: 300 }),
      (mtu, hr, contact, energy, rrList) => {
        const rr = Int32Array.from(rrList);
        const dst = new Uint8Array(mtu - 3);
        const n = new Int32Array(1);
        const len = hrs_measurement_encode(dst, mtu, hr, contact, energy, rr, 0, rr.length, n);
        if (len < 0 || len > mtu - 3) throw new Error(`len ${len}`);
        const p = parseHrm(dst.subarray(0, len));
        if (p.hr !== hr) throw new Error('hr');
        if (p.contactSupported !== (contact !== HRS_CONTACT_UNSUPPORTED)) throw new Error('contact support');
        if (p.contactSupported && p.contactDetected !== (contact === HRS_CONTACT_DETECTED)) throw new Error('contact');
        if ((p.energy ?? HRS_ENERGY_ABSENT) !== energy) throw new Error('energy');
        if (p.rr.join() !== rrList.slice(0, n[0]).map(hrs_rr_ms_to_1024).join()) throw new Error('rr');
        const room = Math.floor((mtu - 3 - (len - 2 * n[0])) / 2);
        if (n[0] !== Math.min(rrList.length, room)) throw new Error('not as many as fit');
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});

t.test('errors', async (t) => {
  const dst = new Uint8Array(20);
  const n = new Int32Array(1);
  const rr = new Int32Array([800, 0]);
  t.equal(hrs_measurement_encode(dst, 22, 60, 0, -1, rr, 0, 0, n), -ERR_BAD_VALUE, 'MTU 22');
  t.equal(hrs_measurement_encode(dst, 23, 65536, 0, -1, rr, 0, 0, n), -ERR_BAD_VALUE, 'HR too big');
  t.equal(hrs_measurement_encode(dst, 23, 60.5, 0, -1, rr, 0, 0, n), -ERR_BAD_VALUE, 'HR not an integer');
  t.equal(hrs_measurement_encode(dst, 23, 60, 3, -1, rr, 0, 0, n), -ERR_BAD_VALUE, 'contact 3');
  t.equal(hrs_measurement_encode(dst, 23, 60, 0, -2, rr, 0, 0, n), -ERR_BAD_VALUE, 'energy -2');
  t.equal(hrs_measurement_encode(dst, 23, 60, 0, -1, rr, 1, 2, n), -ERR_BAD_VALUE, 'RR range beyond the array');
  dst.fill(0xee);
  t.equal(hrs_measurement_encode(dst, 23, 60, 0, -1, rr, 0, 2, n), -ERR_BAD_VALUE, 'a 0 ms interval');
  t.ok(dst.every((b) => b === 0xee), 'nothing written on error');
  t.equal(hrs_measurement_encode(new Uint8Array(2), 23, 300, 0, -1, rr, 0, 0, n), -ERR_TOO_LARGE, 'dst too small');
});

t.test('battery level', async (t) => {
  const d = new Uint8Array(1);
  for (const [input, out] of [[50, 50], [-3, 0], [101, 100], [NaN, 0], [99.9, 99]]) {
    t.equal(bas_level_encode(d, input), 1);
    t.equal(d[0], out, `${input} -> ${out}`);
  }
  t.equal(bas_level_encode(new Uint8Array(0), 5), -ERR_TOO_LARGE);
});
