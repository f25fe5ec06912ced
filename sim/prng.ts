// The simulator's one source of randomness: a seeded 32-bit PRNG (SplitMix32-style
// seeding into xoshiro128**). Integer-only, so every run on every machine draws the
// same numbers. Never use Math.random in sim/ or firmware/.

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in 0..4294967295, got ${seed}`);
    }
    this.seed = seed;
    let z = seed >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b) >>> 0;
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35) >>> 0;
      return (t ^ (t >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform integer in [0, bound), bound in 1..2^32, without modulo bias. */
  nextBelow(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 0x100000000) {
      throw new RangeError(`bound must be an integer in 1..2^32, got ${bound}`);
    }
    const limit = 0x100000000 - (0x100000000 % bound);
    for (let i = 0; i < 64; i++) {
      const r = this.nextU32();
      if (r < limit) return r % bound;
    }
    return this.nextU32() % bound; // 2^-64 chance of reaching here; still deterministic
  }

  /** Uniform integer in [lo, hi], inclusive. */
  nextInt(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`empty range ${lo}..${hi}`);
    return lo + this.nextBelow(hi - lo + 1);
  }

  /** Uniform double in [0, 1) with 32 bits of resolution (for generators, not firmware). */
  nextUnit(): number {
    return this.nextU32() / 0x100000000;
  }

  /** Standard normal deviate (Box-Muller on two draws); for signal generators only. */
  nextGaussian(): number {
    const u1 = (this.nextU32() + 1) / 0x100000001;
    const u2 = this.nextU32() / 0x100000000;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A child generator with its own stream, so adding draws in one place does not shift another. */
  fork(label: number): Prng {
    return new Prng((Math.imul(this.nextU32() ^ label, 0x9e3779b1) >>> 0));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
