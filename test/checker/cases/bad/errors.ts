// Exceptions are not control flow: throw only in boot code and assert helpers; no try/catch.
export function check_init(x: number): void {
  if (x < 0) throw new Error("negative"); // boot: allowed
}

export function assert_positive(x: number): void {
  if (x <= 0) throw new Error("not positive: " + x); // assert helper: allowed, message built on the fault path only
}

export function assertInRange(x: number, hi: number): void {
  const pair = [x, hi]; // expect: alloc-after-boot
  if (pair[0] > pair[1]) throw new RangeError("range");
}

export function run(x: number): number {
  if (x > 9) throw new Error("big"); // expect: throw-outside-boot
  try { return x; } catch { return 0; } // expect: no-try-catch
}
