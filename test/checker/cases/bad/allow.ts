// Explicit exceptions: `check-firmware: allow <rule> -- reason`, on the line before or at the end of the line.
export function run(x: number): number {
  // check-firmware: allow alloc-after-boot -- measured: one pair per minute, reclaimed at once
  const a = [x, x];
  const b = [x]; // check-firmware: allow alloc-after-boot -- same-line form
  const c = [x]; // check-firmware: allow alloc-after-boot // expect: bad-allow-comment, alloc-after-boot
  // check-firmware: allow no-such-rule -- a reason // expect: bad-allow-comment
  const d = [x]; // expect: alloc-after-boot
  // check-firmware: allow no-float-literal -- names another rule, so the allocation below still counts
  const e = [x]; // expect: alloc-after-boot
  return a.length + b.length + c.length + d.length + e.length;
}

// check-firmware: frobnicate -- not a directive // expect: bad-allow-comment
export const Z = 0;
