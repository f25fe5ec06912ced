import t from 'tap';
import { clamp, div_floor, div_round, isqrt, mul_q15, sat_add_i32, sat_mul_i32 } from '../../firmware/lib/imath.js';

function exactIsqrt(v: bigint): bigint {
  if (v < 2n) return v;
  let x = v;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + v / x) / 2n;
  }
  return x;
}

t.test('isqrt matches an exact big-integer reference', async (t) => {
  const cases: number[] = [0, 1, 2, 3, 4, 15, 16, 17, 24, 25, 26, 99, 100, 2 ** 31 - 1, 2 ** 32, 2 ** 52, 2 ** 52 - 1, 4503599627370495];
  for (let k = 1; k < 67108864; k = k * 3 + 1) cases.push(k * k, k * k - 1, k * k + 1);
  // A deterministic spread of large values.
  let s = 12345;
  for (let i = 0; i < 2000; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    cases.push(Math.floor((s / 4294967296) * 2 ** 52));
  }
  let bad = 0;
  for (const v of cases) {
    if (v > 2 ** 52) continue;
    if (BigInt(isqrt(v)) !== exactIsqrt(BigInt(v))) bad++;
  }
  t.equal(bad, 0, `all ${cases.length} values exact`);
  t.throws(() => isqrt(-1), /firmware fault/, 'negative input faults');
  t.throws(() => isqrt(2 ** 53), /firmware fault/, 'input beyond 2^52 faults');
});

t.test('rounding division and shifts', async (t) => {
  t.equal(div_round(7, 2), 4);
  t.equal(div_round(-7, 2), -4);
  t.equal(div_round(600000, 857), 700);
  t.equal(div_round(5, 10), 1);
  t.equal(div_round(4, 10), 0);
  t.equal(div_floor(-7, 2), -4);
  t.throws(() => div_round(1, 0), /firmware fault/);
});

t.test('saturating and fixed-point helpers', async (t) => {
  t.equal(sat_add_i32(2147483647, 1), 2147483647);
  t.equal(sat_add_i32(-2147483648, -1), -2147483648);
  t.equal(sat_mul_i32(65536, 65536), 2147483647);
  t.equal(sat_mul_i32(-65536, 65536), -2147483648);
  t.equal(mul_q15(1000, 16384), 500, '0.5 in Q15');
  t.equal(mul_q15(-1000, 16384), -500);
  t.equal(mul_q15(3, 10923), 1, '1/3 in Q15 rounds');
  t.equal(clamp(5, 0, 3), 3);
  t.equal(clamp(-5, 0, 3), 0);
});
