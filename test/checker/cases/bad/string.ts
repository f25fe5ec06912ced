// String building allocates: allowed at boot only.
export const NAME = "ring" + "-fw"; // top level: allowed

export function label_init(n: number): string {
  return "n=" + n; // boot: allowed
}

export function run(n: number): number {
  let s = "v";
  s += n; // expect: no-string-concat
  const t = s + "x"; // expect: no-string-concat
  const u = n + 1; // numbers: fine
  return t.length + u;
}
