// Syntax ES5 engines reject (or that allocates when lowered). Everything here is at boot
// (top level or *_init), so only the syntax rule fires.
export class Filter {} // expect: no-class
export const BASE = [1, 2, 3];
export const OBJ: { a?: number; b: number } = { a: 1, b: 2 };

export const ACC_init = (): object => ({
  get v(): number { // expect: no-getter-setter
    return 1;
  },
});

export function* gen(): Generator<number> { // expect: no-generator
  yield 1;
}

export async function load(): Promise<number> { // expect: no-async
  return 1;
}

export const N = 3;
export const S = `n=${N}`; // expect: no-template-literal
export const T = `plain`; // expect: no-template-literal

export const [P, Q] = BASE; // expect: no-destructuring
let x = 0;
let y = 1;
[x, y] = [y, x]; // expect: no-destructuring
export function pick(o: { a: number }): number {
  const { a } = o; // expect: no-destructuring
  return a + x + y;
}

export const MORE = [...BASE, 4]; // expect: no-spread
export const MAX = Math.max(...BASE); // expect: no-spread
export const COPY = { ...OBJ }; // expect: no-spread

export function sum(...xs: number[]): number { // expect: no-rest-parameter
  return xs.length;
}

export function scale(v: number, k = 2): number { // expect: no-default-parameter
  return v * k;
}

for (const key in OBJ) { x = key.length; } // expect: no-for-in
for (const v of BASE) { x = v; } // expect: no-for-of

outer: for (let i = 0; i < 3; i++) { // expect: no-label
  if (i > 1) break outer;
}

export const RE = /ab+/; // expect: no-regexp

export function argc(): number {
  return arguments.length; // expect: no-arguments
}

export function ev_init(): unknown {
  return eval("1"); // expect: no-eval
}
export const F = new Function("return 1"); // expect: no-eval

with (OBJ) { x = b; } // expect: no-with

export function oc(o: { a?: { b: number } }): number | undefined {
  return o.a?.b; // expect: no-optional-chaining
}

export function nc(v: number | null): number {
  return v ?? 0; // expect: no-nullish-coalescing
}

export const SQ = 2 ** 3; // expect: no-exponent

delete OBJ.a; // expect: no-delete

export enum Color { Red } // expect: no-enum
export namespace NS { export const X = 1; } // expect: no-namespace

let flag = 0;
flag ||= 1; // expect: unsupported-syntax
export const B = 10n; // expect: unsupported-syntax
export const U = import.meta.url; // expect: unsupported-syntax
debugger; // expect: unsupported-syntax
export const FLAG = flag;

export function self_ref(): unknown {
  return this; // expect: no-this
}
export const TOP_THIS = this; // expect: no-this
