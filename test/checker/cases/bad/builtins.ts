// Library methods Duktape 2.7 lacks (ES2015+, and typed-array methods beyond set/subarray).
const BUF = new Int32Array(8);
const LIST = [3, 1, 2];

export function fill_init(): number {
  BUF.fill(0); // expect: unsupported-builtin
  const c = Int32Array.from(LIST); // expect: unsupported-builtin
  const i = LIST.includes(2); // expect: unsupported-builtin
  const k = Number.isInteger(3); // expect: unsupported-builtin
  const s = BUF.slice(0, 2); // expect: unsupported-builtin
  const f = LIST.find((v) => v > 1); // expect: unsupported-builtin
  BUF.set(c); // allowed
  const v = BUF.subarray(0, 4); // allowed (at boot)
  const idx = LIST.indexOf(1); // ES5: allowed
  return (i ? 1 : 0) + (k ? 1 : 0) + s.length + (f === undefined ? 0 : 1) + v.length + idx + BUF.length;
}
