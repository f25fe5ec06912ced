// The firmware subset's rules: one name per rule (kebab-case, printed in every
// diagnostic), what it forbids and why. docs/firmware-subset.md is the long form;
// `check-firmware --list-rules` prints this table.

export interface Rule {
  name: string;
  /** What the rule forbids, in one line. */
  forbids: string;
  /** Why: which engine lacks it, or what it costs on a microcontroller. */
  reason: string;
}

export const RULES: readonly Rule[] = [
  // Memory: boot, then freeze.
  {
    name: "alloc-after-boot",
    forbids: "`new`, array/object literals and allocating built-in calls (slice, subarray, concat, push, map, join, ...) outside boot code",
    reason: "every allocation after boot can fail at run time on a heap of tens of KB and fragments it; all buffers are typed arrays made at boot",
  },
  {
    name: "boot-call-after-boot",
    forbids: "calling a boot function that allocates (directly or through its callees) from non-boot code",
    reason: "a `_init`/`_boot` function may allocate only because it runs once at boot; calling it later allocates after boot",
  },
  {
    name: "no-closure",
    forbids: "function expressions, arrow functions and nested function declarations created outside boot code",
    reason: "each evaluation allocates a function object and a scope record on the heap",
  },
  {
    name: "no-string-concat",
    forbids: "`+`/`+=` with a string operand outside boot code",
    reason: "builds a new heap string (Duktape also interns and hashes it); firmware output is integer records",
  },
  // Integer math.
  {
    name: "no-float-literal",
    forbids: "numeric literals that are not integers (or exceed 2^53)",
    reason: "no FPU on the target MCU class: doubles are software-emulated, 10-100x an integer op, and Espruino stores them in 8 bytes instead of its int fast path",
  },
  {
    name: "untruncated-division",
    forbids: "`/` not directly wrapped in Math.floor(...), `(...) | 0`, `(...) >> 0` or `(...) >>> 0`; any `/=`",
    reason: "JS division yields a double; truncating at once keeps every value a 32-bit integer (Duktape fastint, Espruino int) and results identical across engines",
  },
  {
    name: "banned-math",
    forbids: "Math members other than floor, abs, min, max, imul, clz32 (and Math used as a value)",
    reason: "the rest are floating point (sqrt, pow, sin, log, round, PI): software float on the MCU and last-bit differences between engines; Math.trunc/sign are not ES5",
  },
  {
    name: "no-exponent",
    forbids: "`**` and `**=`",
    reason: "ES2016 syntax that lowers to Math.pow, a floating-point call",
  },
  // Control flow.
  {
    name: "no-recursion",
    forbids: "a call that closes a cycle in the call graph of the checked files (direct or mutual recursion)",
    reason: "stack depth must be bounded statically: MCU stacks are a few KB and Duktape/Espruino recursion costs heap per frame",
  },
  {
    name: "unbounded-loop",
    forbids: "a for loop without a counter bound, any while/do-while without a `_max` bound and a counter stepped on every pass",
    reason: "every loop needs a fixed upper bound so the worst-case time per interrupt is known",
  },
  {
    name: "no-try-catch",
    forbids: "try/catch/finally",
    reason: "exceptions are not control flow: errors are negative return codes; catching allocates the error value and a catch scope",
  },
  {
    name: "throw-outside-boot",
    forbids: "`throw` outside boot code and assert helpers (functions named assert, assert_*, assertX)",
    reason: "a throw on the sample path allocates an Error and unwinds unknown frames; after boot only a failed assertion (a fault) may throw",
  },
  {
    name: "no-label",
    forbids: "labelled statements and labelled break/continue",
    reason: "Espruino does not implement labels",
  },
  // Determinism.
  {
    name: "no-clock-random",
    forbids: "Date, performance, Math.random, setTimeout/setInterval/setImmediate, process.hrtime, queueMicrotask",
    reason: "time enters only through the HAL or as an argument and randomness does not exist, so replays are bit-identical; bare engines have no timers",
  },
  // ES5 engines.
  {
    name: "banned-global",
    forbids: "Map, Set, WeakMap, WeakSet, WeakRef, Symbol, Proxy, Reflect, BigInt, RegExp, Promise, JSON, Intl, console, globalThis, process, require, Float32Array, Float64Array, NaN, Infinity, parseFloat, ...",
    reason: "missing in ES5 engines (Espruino/JerryScript profiles, Duktape lacks Map/Set/Promise/BigInt), host-only I/O, or floating point",
  },
  {
    name: "unsupported-builtin",
    forbids: "library methods newer than ES5, and typed-array methods other than set/subarray",
    reason: "Duktape 2.7 lacks Array.from/of, Array#fill/find/includes and typed-array from/of/fill/slice/indexOf/forEach/...",
  },
  {
    name: "no-class",
    forbids: "class declarations and expressions",
    reason: "ES5 lowering emits an IIFE, prototype objects and per-instance heap objects; firmware state is module-level typed arrays and integers",
  },
  {
    name: "no-getter-setter",
    forbids: "get/set accessors",
    reason: "hidden function calls on plain property reads; ES5 output needs Object.defineProperty",
  },
  { name: "no-generator", forbids: "function* and yield", reason: "Duktape rejects generators; lowering allocates an iterator and a state machine per call" },
  { name: "no-async", forbids: "async functions and await", reason: "ES5 engines have no Promise; lowering allocates a promise and a generator per call" },
  { name: "no-template-literal", forbids: "template literals, tagged or not", reason: "Duktape rejects them; they build strings" },
  { name: "no-destructuring", forbids: "destructuring declarations, parameters and assignments", reason: "Duktape rejects them; lowering allocates temporaries and iterator helpers" },
  { name: "no-spread", forbids: "spread in calls, array and object literals", reason: "Duktape rejects it; lowering allocates arrays (__spreadArray) or objects (__assign)" },
  { name: "no-rest-parameter", forbids: "rest parameters and rest elements", reason: "Duktape rejects them; lowering copies `arguments` into a new array on every call" },
  { name: "no-default-parameter", forbids: "default parameter values", reason: "Duktape rejects them; pass every argument explicitly" },
  { name: "no-for-in", forbids: "for-in loops", reason: "enumerates property names as heap strings in engine-specific order; iterate typed arrays by index" },
  { name: "no-for-of", forbids: "for-of loops", reason: "Duktape rejects them; lowering needs Symbol.iterator or index rewriting that differs for typed arrays" },
  { name: "no-regexp", forbids: "regular expression literals", reason: "Espruino's regexp support is partial and JerryScript can be built without one; matching allocates and backtracking has no time bound" },
  { name: "no-arguments", forbids: "the `arguments` object", reason: "materialises a heap object on every call; use named parameters" },
  {
    name: "no-this",
    forbids: "`this`",
    reason: "means different things in strict and non-strict code and per call style (the ES5 bundle runs non-strict); pass state explicitly",
  },
  { name: "no-eval", forbids: "eval and the Function constructor", reason: "a compiler and its heap at run time; often compiled out of embedded engines" },
  { name: "no-with", forbids: "with statements", reason: "invalid in strict mode and ES modules; defeats static name resolution" },
  { name: "no-optional-chaining", forbids: "`?.`", reason: "ES2020 syntax Duktape rejects; firmware state is never null after boot, so the check hides a bug" },
  { name: "no-nullish-coalescing", forbids: "`??` and `??=`", reason: "ES2020 syntax Duktape rejects; use explicit comparisons" },
  { name: "no-delete", forbids: "the delete operator", reason: "changes an object's shape at run time (dictionary mode, heap churn); firmware objects have a fixed shape" },
  { name: "no-enum", forbids: "enum declarations (const or not)", reason: "an enum is a run-time object with reverse-mapping strings; const enums do not survive per-file bundlers; use exported integer constants" },
  { name: "no-namespace", forbids: "non-ambient namespaces/modules", reason: "lowered to an IIFE building an object; use ES modules" },
  {
    name: "unsupported-syntax",
    forbids: "logical assignment (||=, &&=), bigint literals, dynamic import(), import.meta, new.target, decorators, private #names, `using`, debugger",
    reason: "syntax newer than ES5 or host-only; no ES5 engine runs it unchanged",
  },
  { name: "syntax-error", forbids: "source that does not parse", reason: "nothing else can be checked" },
  {
    name: "bad-allow-comment",
    forbids: "a `check-firmware: allow` comment with an unknown rule or without `-- reason`",
    reason: "every exception to the subset is named and explained where it is made",
  },
];

export const RULE_NAMES: ReadonlySet<string> = new Set(RULES.map((r) => r.name));

export function ruleByName(name: string): Rule {
  const rule = RULES.find((r) => r.name === name);
  if (rule === undefined) throw new Error(`unknown rule ${name}`);
  return rule;
}
