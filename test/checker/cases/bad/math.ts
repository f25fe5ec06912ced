// Math: floor, abs, min, max, imul, clz32 only.
export function run(a: number): number {
  const m = Math.max(a, 0) + Math.min(a, 9) + Math.abs(a) + Math.imul(a, 3) + Math.clz32(a);
  const r = Math.round(a); // expect: banned-math
  const s = Math.sqrt(a); // expect: banned-math
  const p = Math.PI; // expect: banned-math
  const t = Math.trunc(a); // expect: banned-math
  const k = Math["floor"](a); // expect: banned-math
  const pw = Math.pow(a, 2); // expect: banned-math
  return m + r + s + p + t + k + pw;
}

export const M = Math; // expect: banned-math
