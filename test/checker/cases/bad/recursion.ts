// No recursion, direct or mutual.
export function fact(n: number): number {
  if (n <= 1) return 1;
  return n * fact(n - 1); // expect: no-recursion
}

export function is_even(n: number): boolean {
  return n === 0 ? true : is_odd(n - 1); // expect: no-recursion
}

export function is_odd(n: number): boolean {
  return n === 0 ? false : is_even(n - 1); // expect: no-recursion
}

export function leaf(n: number): number {
  return n + 1;
}

export function caller(n: number): number {
  return leaf(n) + leaf(leaf(n)); // a call tree, not a cycle: allowed
}
