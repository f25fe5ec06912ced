// Bounded loops: for loops step a counter towards a bound; while/do-while need a `_max`
// bound and a counter stepped by a statement of the body.
const N_MAX = 16;

function next(n: number): number {
  return n + 1;
}

export function loops(n: number, buf: Int32Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += buf[i];
  for (let i = n - 1; i >= 0; i--) s += buf[i];
  for (let i = 0; i < buf.length && s < 100; i += 2) s += buf[i];
  for (let i = 0, j = n; i <= j; i = i + 1) s += buf[i];
  for (;;) { break; } // expect: unbounded-loop
  for (let i = 0; i < n; i--) s += 1; // expect: unbounded-loop
  for (let i = 0; i < n; i++) { i = 0; } // expect: unbounded-loop
  for (let i = 0; i < next(n); i++) s += 1; // expect: unbounded-loop
  for (let i = 0; i < n; i++) { n = n + 1; } // expect: unbounded-loop
  for (let i = 0; s < n; i++) s += 1; // expect: unbounded-loop
  for (let i = 0; i < n; i += s) s += 1; // expect: unbounded-loop
  for (let i = 0; i < n; ) i++; // expect: unbounded-loop
  while (true) { s++; if (s > 9) break; } // expect: unbounded-loop
  while (s < n) s++; // expect: unbounded-loop
  let k = 0;
  while (k < N_MAX) { if (s > 3) k++; } // expect: unbounded-loop
  k = 0;
  while (k < N_MAX) { k++; if (s > 3) continue; s++; } // expect: unbounded-loop
  k = 0;
  while (k < N_MAX) { k++; k--; } // expect: unbounded-loop
  k = 0;
  while (k < N_MAX && s < n) { k++; s++; }
  k = 0;
  while (N_MAX > k) { k += 2; }
  k = 0;
  do { k++; } while (k < N_MAX);
  do { s++; } while (s < n); // expect: unbounded-loop
  return s + k;
}
