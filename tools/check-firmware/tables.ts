// Name tables for the per-node rules (visit.ts): allowed Math members, clock and
// randomness globals, banned globals with their reasons, allocating built-in methods and
// the typed-array members Duktape 2.7 implements.

export const MATH_ALLOWED = new Set(["floor", "abs", "min", "max", "imul", "clz32"]);

export const CLOCK_RANDOM_GLOBALS = new Set([
  "Date",
  "performance",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
  "queueMicrotask",
  "requestAnimationFrame",
]);

export const BANNED_GLOBALS: ReadonlyMap<string, string> = new Map([
  ["Map", "not in ES5 engines (Duktape, Espruino lack it); use a typed array indexed by an integer key"],
  ["Set", "not in ES5 engines (Duktape, Espruino lack it); use a typed array of flags"],
  ["WeakMap", "not in ES5 engines"],
  ["WeakSet", "not in ES5 engines"],
  ["WeakRef", "not in ES5 engines"],
  ["FinalizationRegistry", "not in ES5 engines"],
  ["Symbol", "ES2015; absent from Espruino/JerryScript ES5 profiles"],
  ["Proxy", "ES2015; absent from Espruino and ES5 profiles, and a hidden call on every access"],
  ["Reflect", "ES2015; absent from Espruino and ES5 profiles"],
  ["BigInt", "not in Duktape or Espruino; use i53 integers or 32-bit halves"],
  ["BigInt64Array", "not in Duktape or Espruino"],
  ["BigUint64Array", "not in Duktape or Espruino"],
  ["RegExp", "regular expressions: partial in Espruino, unbounded backtracking time, allocation"],
  ["Promise", "no Promise in Duktape or Espruino's ES5 core; the firmware is interrupt-driven"],
  ["JSON", "builds and parses heap strings; records leave as integers through Hal.emit"],
  ["Intl", "not in embedded engines"],
  ["console", "no console on the device (Duktape has none); output goes through Hal.emit"],
  ["print", "engine-specific host function; output goes through Hal.emit"],
  ["globalThis", "ES2020; reach nothing through the global object"],
  ["window", "browser global"],
  ["global", "Node global"],
  ["self", "browser global"],
  ["process", "Node global"],
  ["require", "Node module loader; use ES imports (bundled at build time)"],
  ["module", "Node module object"],
  ["Buffer", "Node global; use typed arrays"],
  ["Atomics", "not in embedded engines"],
  ["SharedArrayBuffer", "not in embedded engines"],
  ["Float32Array", "single-precision floats: integer-only firmware, and rounding on every store"],
  ["NaN", "a floating-point value; integer code has no NaN"],
  ["Infinity", "a floating-point value; use a named integer limit"],
  ["parseFloat", "floating point, and string parsing"],
  ["parseInt", "string parsing; the firmware never sees text"],
]);

/** Built-in methods that return a new heap object or string. */
export const ALLOCATING_METHODS = new Set([
  "concat",
  "slice",
  "splice",
  "map",
  "filter",
  "join",
  "push",
  "unshift",
  "flat",
  "flatMap",
  "subarray",
  "charAt",
  "substring",
  "substr",
  "toLowerCase",
  "toUpperCase",
  "trim",
  "split",
  "replace",
  "repeat",
  "padStart",
  "padEnd",
  "toString",
  "toFixed",
  "toPrecision",
  "toExponential",
  "bind",
  "keys",
  "values",
  "entries",
  "create",
  "assign",
  "fromCharCode",
  "from",
  "of",
]);

export const TYPED_ARRAYS = new Set(["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array"]);
/** Typed-array members Duktape 2.7 provides (checked with duk): everything else is missing. */
export const TYPED_ARRAY_MEMBERS = new Set(["length", "byteLength", "byteOffset", "buffer", "BYTES_PER_ELEMENT", "set", "subarray"]);
export const TYPED_ARRAY_STATIC_MEMBERS = new Set(["BYTES_PER_ELEMENT", "prototype"]);
