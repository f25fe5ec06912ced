// Integer-only arithmetic: no non-integer literals.
export const GAIN = 0.5; // expect: no-float-literal
export const THOUSAND = 1e3; // an integer: allowed
export const HEX = 0x7fffffff; // allowed
export const HUGE = 90071992547409930; // expect: no-float-literal

export function run(x: number): number {
  return x * 1.25; // expect: no-float-literal
}

export function tiny(): number {
  return 5e-1; // expect: no-float-literal
}
