// Globals ES5 engines lack, host-only I/O and floating-point types.
export function lookup_init(): number {
  const m = new Map<number, number>(); // expect: banned-global
  const s = new Set<number>(); // expect: banned-global
  const y = Symbol("x"); // expect: banned-global
  console.log(m, s, y); // expect: banned-global
  const j = JSON.stringify(1); // expect: banned-global
  const f = new Float32Array(4); // expect: banned-global
  const n = NaN; // expect: banned-global
  const big = BigInt(3); // expect: banned-global
  const r = Reflect.has(f, "x"); // expect: banned-global
  const g = globalThis; // expect: banned-global
  const p = new Promise<number>(function (resolve) { resolve(1); }); // expect: banned-global
  return j.length + n + Number(big) + (r ? 1 : 0) + (g === undefined ? 0 : 1) + (p === undefined ? 0 : 1);
}
