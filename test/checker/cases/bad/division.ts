// Every division is truncated at once: Math.floor(a / b), (a / b) | 0, (a / b) >> 0, (a / b) >>> 0.
export function run(a: number, b: number): number {
  const q1 = Math.floor(a / b);
  const q2 = (a / b) | 0;
  const q3 = ((a / b)) >> 0;
  const q4 = (a / b) >>> 0;
  const q5 = 0 | (a / b);
  const r1 = a / b; // expect: untruncated-division
  const r2 = Math.floor(a / b + 1); // expect: untruncated-division
  const r3 = (a / b) >> 1; // expect: untruncated-division
  let r4 = a;
  r4 /= b; // expect: untruncated-division
  const r5 = Math.abs(a / b) | 0; // expect: untruncated-division
  const r6 = Math.floor(a / b, ); // trailing comma, still one argument: allowed
  const r7 = ((a / b) | 1); // expect: untruncated-division
  return q1 + q2 + q3 + q4 + q5 + r1 + r2 + r3 + r4 + r5 + r6 + r7;
}
