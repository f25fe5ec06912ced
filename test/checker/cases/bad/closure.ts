// Closures allocate a function object and a scope: only boot code may create them.
export function handler_init(): () => number {
  return () => 1; // created at boot: allowed
}

export const TOP = (x: number): number => x + 1; // top level: allowed

export function run(x: number): number {
  const f = (y: number): number => y + 1; // expect: no-closure
  function g(y: number): number { // expect: no-closure
    return y * 2;
  }
  const h = function (y: number): number { return y; }; // expect: no-closure
  return f(x) + g(x) + h(x);
}
