// The device half of protocol/ (protocol/ids.ts and protocol/device/*.ts) must stay in the
// firmware subset (docs/ARCHITECTURE.md). This test reads their syntax trees with the
// TypeScript compiler and reports every breach as file:line, so a change that allocates,
// recurses, uses floats or ES2015+ runtime features fails here before it reaches a device.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type * as TS from 'typescript';
import ts from '../../tools/typescript-api.js';
import { repoRoot } from './helpers.js';

const protocolDir = path.join(repoRoot, 'protocol');
const deviceDir = path.join(protocolDir, 'device');
const FILES = [
  path.join(protocolDir, 'ids.ts'),
  ...readdirSync(deviceDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(deviceDir, f)),
];

const TYPED_ARRAYS = new Set([
  'Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float64Array',
]);
const MATH_ALLOWED = new Set(['floor', 'min', 'max', 'abs', 'imul']);
const BANNED_GLOBALS = new Set([
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'BigInt', 'Proxy', 'Reflect', 'Promise', 'eval', 'Function',
  'arguments', 'JSON', 'Date', 'RegExp', 'Object', 'Array', 'Number', 'String', 'console', 'globalThis',
]);
/** Only this function may throw, build strings and allocate: it runs once at load. */
const BOOT_ONLY_FUNCTIONS = new Set(['assert_const']);

const BANNED_KINDS = new Map<TS.SyntaxKind, string>([
  [ts.SyntaxKind.ClassDeclaration, 'class'],
  [ts.SyntaxKind.ClassExpression, 'class'],
  [ts.SyntaxKind.ArrowFunction, 'closure (arrow function)'],
  [ts.SyntaxKind.FunctionExpression, 'closure (function expression)'],
  [ts.SyntaxKind.TemplateExpression, 'template literal'],
  [ts.SyntaxKind.NoSubstitutionTemplateLiteral, 'template literal'],
  [ts.SyntaxKind.TaggedTemplateExpression, 'tagged template'],
  [ts.SyntaxKind.RegularExpressionLiteral, 'regular expression'],
  [ts.SyntaxKind.SpreadElement, 'spread'],
  [ts.SyntaxKind.SpreadAssignment, 'spread'],
  [ts.SyntaxKind.ObjectBindingPattern, 'destructuring'],
  [ts.SyntaxKind.ArrayBindingPattern, 'destructuring'],
  [ts.SyntaxKind.ForOfStatement, 'for-of'],
  [ts.SyntaxKind.ForInStatement, 'for-in'],
  [ts.SyntaxKind.WhileStatement, 'while loop (use a for loop with a fixed bound)'],
  [ts.SyntaxKind.DoStatement, 'do loop (use a for loop with a fixed bound)'],
  [ts.SyntaxKind.LabeledStatement, 'label'],
  [ts.SyntaxKind.AwaitExpression, 'await'],
  [ts.SyntaxKind.YieldExpression, 'yield'],
  [ts.SyntaxKind.TryStatement, 'try (no exceptions for control flow)'],
  [ts.SyntaxKind.BigIntLiteral, 'BigInt literal'],
  [ts.SyntaxKind.DeleteExpression, 'delete'],
  [ts.SyntaxKind.ThisKeyword, 'this'],
  [ts.SyntaxKind.WithStatement, 'with'],
  [ts.SyntaxKind.EnumDeclaration, 'enum (compiles to an object)'],
  [ts.SyntaxKind.GetAccessor, 'accessor'],
  [ts.SyntaxKind.SetAccessor, 'accessor'],
]);

interface Breach {
  where: string;
  what: string;
}

function unparen(n: TS.Node): TS.Node {
  let p = n.parent;
  while (p && ts.isParenthesizedExpression(p)) p = p.parent;
  return p;
}

function isMathCall(n: TS.Node | undefined, name: string): boolean {
  return (
    !!n &&
    ts.isCallExpression(n) &&
    ts.isPropertyAccessExpression(n.expression) &&
    ts.isIdentifier(n.expression.expression) &&
    n.expression.expression.text === 'Math' &&
    n.expression.name.text === name
  );
}

/** `a / b` is integer division only as Math.floor(a / b) or (a / b) | 0. */
function divisionTruncated(div: TS.BinaryExpression): boolean {
  const outer = unparen(div);
  if (isMathCall(outer, 'floor')) return true;
  if (ts.isBinaryExpression(outer) && outer.operatorToken.kind === ts.SyntaxKind.BarToken) {
    return ts.isNumericLiteral(outer.right) && outer.right.text === '0';
  }
  return false;
}

function enclosingFunction(n: TS.Node): TS.FunctionDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) if (ts.isFunctionDeclaration(p)) return p;
  return undefined;
}

function isStringy(e: TS.Expression): boolean {
  return ts.isStringLiteral(e) || ts.isTemplateExpression(e) || ts.isNoSubstitutionTemplateLiteral(e);
}

/** Check one file; `text` lets the self-test check code that is never written to disk. */
function checkFile(file: string, calls: Map<string, Set<string>>, text = readFileSync(file, 'utf8')): Breach[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: Breach[] = [];
  const rel = path.relative(repoRoot, file);
  const report = (n: TS.Node, what: string) => {
    const { line } = src.getLineAndCharacterOfPosition(n.getStart(src));
    out.push({ where: `${rel}:${line + 1}`, what });
  };
  const visit = (n: TS.Node): void => {
    const fn = enclosingFunction(n);
    const bootOnly = fn?.name !== undefined && BOOT_ONLY_FUNCTIONS.has(fn.name.text);
    const banned = BANNED_KINDS.get(n.kind);
    if (banned) report(n, banned);

    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const spec = n.moduleSpecifier.text;
      const target = path.resolve(path.dirname(file), spec);
      const inside = spec.startsWith('.') && target.startsWith(protocolDir + path.sep);
      if (!inside || target.startsWith(path.join(protocolDir, 'host'))) {
        report(n, `import of ${spec} (device code imports only protocol/ device files)`);
      }
      if (!spec.endsWith('.js')) report(n, `import ${spec} without the .js suffix`);
    }
    if (ts.isFunctionDeclaration(n)) {
      if (fn) report(n, 'nested function (a closure)');
      if (n.asteriskToken) report(n, 'generator');
      if (n.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) report(n, 'async function');
      for (const p of n.parameters) {
        if (p.initializer) report(p, 'default parameter');
        if (p.dotDotDotToken) report(p, 'rest parameter');
      }
    }
    if (ts.isNumericLiteral(n) && !/^(0x[0-9a-f]+|0|[1-9][0-9]*)$/i.test(n.getText(src))) {
      report(n, `non-integer or unusual numeric literal ${n.getText(src)}`);
    }
    if (ts.isIdentifier(n) && BANNED_GLOBALS.has(n.text)) {
      const p = n.parent;
      const isPropertyName = (ts.isPropertyAccessExpression(p) && p.name === n) || ts.isPropertyAssignment(p);
      if (!isPropertyName && !(bootOnly && n.text === 'Error')) report(n, `${n.text} is not available on the target`);
    }
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'Math') {
      if (!MATH_ALLOWED.has(n.name.text)) report(n, `Math.${n.name.text} is not on the allow-list`);
    }
    if (n.kind === ts.SyntaxKind.QuestionDotToken || n.kind === ts.SyntaxKind.QuestionQuestionToken) {
      report(n, 'optional chaining / nullish coalescing');
    }
    if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken.kind;
      if (op === ts.SyntaxKind.SlashToken && !divisionTruncated(n)) {
        report(n, '`/` outside Math.floor(...) or (...) | 0');
      }
      if (op === ts.SyntaxKind.SlashEqualsToken) report(n, '`/=`');
      if (op === ts.SyntaxKind.AsteriskAsteriskToken || op === ts.SyntaxKind.AsteriskAsteriskEqualsToken) {
        report(n, '`**`');
      }
      if ((op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.PlusEqualsToken) && fn && !bootOnly) {
        if (isStringy(n.left) || isStringy(n.right)) report(n, 'string building');
      }
    }
    if (ts.isThrowStatement(n) && !bootOnly) report(n, 'throw (return a negative error code)');
    if (fn && !bootOnly) {
      if (ts.isNewExpression(n)) report(n, '`new` after init (allocate typed arrays at module level)');
      if (ts.isArrayLiteralExpression(n)) report(n, 'array literal in a function');
      if (ts.isObjectLiteralExpression(n)) report(n, 'object literal in a function');
    }
    if (!fn && ts.isNewExpression(n)) {
      const ctor = ts.isIdentifier(n.expression) ? n.expression.text : '?';
      if (!TYPED_ARRAYS.has(ctor)) report(n, `module-level new ${ctor} (only typed arrays)`);
    }
    if (ts.isForStatement(n)) {
      const c = n.condition;
      const bounded =
        c &&
        ts.isBinaryExpression(c) &&
        [ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken].includes(c.operatorToken.kind);
      if (!n.initializer || !bounded || !n.incrementor) report(n, 'for loop without `i = ..; i < bound; i++` form');
    }
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && fn?.name) {
      const set = calls.get(fn.name.text) ?? new Set<string>();
      set.add(n.expression.text);
      calls.set(fn.name.text, set);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

/** Cycles in the call graph between named functions of the checked files. */
function recursion(calls: Map<string, Set<string>>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 1 | 2>();
  const walk = (f: string, stack: string[]) => {
    state.set(f, 1);
    for (const g of calls.get(f) ?? []) {
      if (!calls.has(g) && !stack.includes(g)) continue; // leaf or external
      if (state.get(g) === 1) cycles.push([...stack, f, g].join(' -> '));
      else if (!state.has(g)) walk(g, [...stack, f]);
    }
    state.set(f, 2);
  };
  for (const f of calls.keys()) if (!state.has(f)) walk(f, []);
  return cycles;
}

t.test('device protocol files stay in the firmware subset', async (t) => {
  t.ok(FILES.length >= 5, `checking ${FILES.map((f) => path.relative(repoRoot, f)).join(', ')}`);
  const calls = new Map<string, Set<string>>();
  const breaches = FILES.flatMap((f) => checkFile(f, calls));
  t.same(breaches.map((b) => `${b.where}: ${b.what}`), [], 'no breaches');
  t.same(recursion(calls), [], 'no recursion');
});

t.test('the checker catches what it claims to', async (t) => {
  const virtual = path.join(deviceDir, 'selftest.ts'); // checked in memory only
  const bad = [
    'import { x } from "../host/frame.js";',
    'export function f(a: number, b = 2): number {',
    '  const o = { a };',
    '  const l = [1, 2];',
    '  const g = () => a;',
    '  while (a > 0) a--;',
    '  for (const q of l) a += q;',
    '  const s = "n=" + a;',
    '  if (a > 1) throw new Error(s);',
    '  return a / 2 + 1.5 + Math.round(a) + f(a - 1, b);',
    '}',
  ].join('\n');
  {
    const calls = new Map<string, Set<string>>();
    const found = checkFile(virtual, calls, bad).map((b) => b.what);
    for (const expect of [
      /import of \.\.\/host/, /default parameter/, /object literal/, /array literal/, /closure/, /while loop/,
      /for-of/, /string building/, /throw/, /`new` after init/, /`\/` outside/, /numeric literal 1\.5/, /Math\.round/,
    ]) {
      t.ok(found.some((w) => expect.test(w)), `flags ${expect}`);
    }
    t.same(recursion(calls), ['f -> f'], 'flags recursion');
  }
});
