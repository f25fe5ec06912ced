// One ES5 script for the embedded engines from a TypeScript entry (make engines-bundle):
//
//   node engines/bundle.mjs <entry> <out.js> [--min] [--inline] [--banner TEXT]
//
// 1. esbuild bundles the TypeScript sources into one IIFE at ES2020 (it cannot lower
//    const/let to ES5 itself); with --min it also drops unused code, inlines same-module
//    constants and shortens names;
// 2. the TypeScript compiler lowers that script to ES5;
// 3. esbuild minifies the ES5 script again (--min) or just prints it;
// 4. numeric literals beyond +-0x7fffff become products of smaller ones, e.g. 4294967295 ->
//    (1023*4194304+4194303): JerryScript's static snapshots (bytecode and literal tables
//    kept in flash) accept only small integers and external (flash) strings as literals,
//    and JerryScript does not fold the arithmetic back; identifiers that Espruino reads as
//    keywords (`of`) are renamed.
// 5. (--min, or --inline alone: readable names for engines/profile.ts) the bundle's constants are written into the code: a variable of the bundle's
//    scope that is given a small integer (a literal, or arithmetic on literals and other
//    such constants) and never assigned again is replaced by its value and its declaration
//    dropped. esbuild inlines constants only in modules without imports, so nearly every
//    firmware constant would otherwise stay a variable, and on an interpreter reading a
//    variable of the enclosing scope is a lookup by name (JerryScript: a property search in
//    the scope's environment; Espruino: a linear search through the scope's names) on every
//    use, where a literal is an operand of the bytecode.

import fs from 'node:fs';
import path from 'node:path';
import { build, transform } from 'esbuild';
import { createRequire } from 'node:module';

// Loaded with require: an ES import of the CommonJS package has Node scan its 9 MB source
// for named exports first (~0.5 s of CPU a run).
const ts = createRequire(import.meta.url)('typescript');

const SMALL_INT_MAX = 0x7fffff; // JerryScript's smallest integer-value range (ECMA_INTEGER_NUMBER_MAX)
const SPLIT = 4194304; // 2^22
const ESPRUINO_KEYWORDS = new Set(['of']);

function numberExpr(v) {
  if (Number.isInteger(v) && Math.abs(v) <= SMALL_INT_MAX) return String(v);
  if (!Number.isInteger(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) throw new Error(`bundle: cannot rewrite the literal ${v}`);
  if (v < 0) return `(-${numberExpr(-v)})`;
  const hi = Math.floor(v / SPLIT);
  const lo = v - hi * SPLIT;
  return `(${numberExpr(hi)}*${SPLIT}+${lo})`;
}

function rewrite(code) {
  const sf = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
  const edits = [];
  const used = new Set();
  const visit = (node) => {
    if (ts.isIdentifier(node)) used.add(node.text);
    if (ts.isNumericLiteral(node)) {
      const v = Number(node.text);
      if (!(Number.isInteger(v) && Math.abs(v) <= SMALL_INT_MAX)) edits.push([node.getStart(sf), node.getEnd(), numberExpr(v)]);
    } else if (ts.isIdentifier(node) && ESPRUINO_KEYWORDS.has(node.text)) {
      const p = node.parent;
      const isPropertyName = (ts.isPropertyAccessExpression(p) && p.name === node) || (ts.isPropertyAssignment(p) && p.name === node);
      if (!isPropertyName) edits.push([node.getStart(sf), node.getEnd(), null]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  const renames = new Map();
  for (const name of ESPRUINO_KEYWORDS) {
    let alt = `${name}_`;
    while (used.has(alt)) alt += '_';
    renames.set(name, alt);
  }
  let out = code;
  for (const [start, end, text] of edits.sort((a, b) => b[0] - a[0])) {
    out = out.slice(0, start) + (text ?? renames.get(code.slice(start, end))) + out.slice(end);
  }
  return out;
}

/** The value of a constant expression (numeric literals, known constants, arithmetic), or null. */
function constValue(node, known) {
  if (ts.isParenthesizedExpression(node)) return constValue(node.expression, known);
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isIdentifier(node)) return known.has(node) ? known.get(node) : null;
  if (ts.isPrefixUnaryExpression(node)) {
    const v = constValue(node.operand, known);
    if (v === null) return null;
    if (node.operator === ts.SyntaxKind.MinusToken) return -v;
    if (node.operator === ts.SyntaxKind.PlusToken) return v;
    if (node.operator === ts.SyntaxKind.TildeToken) return ~v;
    return null;
  }
  if (ts.isBinaryExpression(node)) {
    const a = constValue(node.left, known);
    const b = a === null ? null : constValue(node.right, known);
    if (a === null || b === null) return null;
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken: return a + b;
      case ts.SyntaxKind.MinusToken: return a - b;
      case ts.SyntaxKind.AsteriskToken: return a * b;
      case ts.SyntaxKind.SlashToken: return a / b;
      case ts.SyntaxKind.PercentToken: return a % b;
      case ts.SyntaxKind.BarToken: return a | b;
      case ts.SyntaxKind.AmpersandToken: return a & b;
      case ts.SyntaxKind.CaretToken: return a ^ b;
      case ts.SyntaxKind.LessThanLessThanToken: return a << b;
      case ts.SyntaxKind.GreaterThanGreaterThanToken: return a >> b;
      case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken: return a >>> b;
      default: return null;
    }
  }
  return null;
}

function isWrite(id) {
  const p = id.parent;
  if (ts.isBinaryExpression(p) && p.left === id) {
    const k = p.operatorToken.kind;
    return k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;
  }
  if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) &&
      (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)) return true;
  if ((ts.isForInStatement(p) || ts.isForOfStatement(p)) && p.initializer === id) return true;
  return false;
}

/**
 * Step 5: the constants of the bundle's function scope (the IIFE esbuild wraps it in)
 * replaced by their values. Names are resolved by the TypeScript checker, so a local of
 * the same name in some function is left alone.
 */
function inlineConstants(code) {
  const name = 'bundle.js';
  const sf = ts.createSourceFile(name, code, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
  const options = { allowJs: true, noLib: true, noResolve: true, target: ts.ScriptTarget.ES5, types: [] };
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (f) => (f === name ? sf : undefined);
  host.fileExists = (f) => f === name;
  host.readFile = (f) => (f === name ? code : undefined);
  const checker = ts.createProgram([name], options, host).getTypeChecker();
  // The scope: the body of the function of the first call statement (the IIFE).
  let body = null;
  for (const st of sf.statements) {
    if (!ts.isExpressionStatement(st)) continue;
    let call = st.expression;
    while (ts.isParenthesizedExpression(call) || ts.isPrefixUnaryExpression(call)) call = ts.isParenthesizedExpression(call) ? call.expression : call.operand;
    if (!ts.isCallExpression(call)) continue;
    let fn = call.expression;
    while (ts.isParenthesizedExpression(fn)) fn = fn.expression;
    if (ts.isFunctionExpression(fn) && fn.body !== undefined) body = fn.body;
    break;
  }
  if (body === null) return code;
  // Every identifier by the symbol it names; writes mark a symbol as not constant.
  const uses = new Map();
  const written = new Set();
  const visit = (node) => {
    if (ts.isIdentifier(node)) {
      const sym = checker.getSymbolAtLocation(node);
      if (sym !== undefined) {
        if (!uses.has(sym)) uses.set(sym, []);
        uses.get(sym).push(node);
        if (isWrite(node)) written.add(sym);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  // Candidates in declaration order, so a constant defined from earlier ones folds.
  const decls = [];
  for (const st of body.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || d.initializer === undefined) continue;
      const sym = checker.getSymbolAtLocation(d.name);
      if (sym === undefined || written.has(sym) || (sym.declarations ?? []).length !== 1) continue;
      decls.push({ d, sym });
    }
  }
  const known = new Map(); // identifier node -> value
  const inlined = new Map(); // symbol -> value
  for (const { d, sym } of decls) {
    const v = constValue(d.initializer, known);
    if (v === null || !Number.isInteger(v) || Object.is(v, -0)) continue;
    // A larger constant stays a variable (a static snapshot takes no such literal) but
    // still folds into the constants defined from it.
    for (const id of uses.get(sym) ?? []) if (id !== d.name) known.set(id, v);
    if (Math.abs(v) <= SMALL_INT_MAX) inlined.set(sym, { v, d });
  }
  if (inlined.size === 0) return code;
  const ids = []; // [start, end, text] of every reference, in source order
  const gone = new Set();
  for (const [sym, { v, d }] of inlined) {
    gone.add(d);
    for (const id of uses.get(sym) ?? []) {
      if (id === d.name) continue;
      const text = v < 0 || ts.isPropertyAccessExpression(id.parent) ? `(${v})` : String(v);
      ids.push([id.getStart(sf), id.getEnd(), text]);
    }
  }
  ids.sort((a, b) => a[0] - b[0]);
  const withValues = (start, end) => {
    let text = '';
    let at = start;
    for (const [s0, e0, t] of ids) {
      if (s0 < start || e0 > end) continue;
      text += code.slice(at, s0) + t;
      at = e0;
    }
    return text + code.slice(at, end);
  };
  // A declaration statement loses the declarators of inlined constants (all of them: it goes).
  const edits = [];
  for (const st of body.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const list = st.declarationList.declarations;
    const keep = list.filter((d) => !gone.has(d));
    if (keep.length === list.length) continue;
    const text = keep.length === 0 ? '' : `var ${keep.map((d) => withValues(d.getStart(sf), d.getEnd())).join(',')};`;
    edits.push([st.getStart(sf), st.getEnd(), text]);
  }
  for (const e of ids) if (!edits.some(([s0, e0]) => e[0] >= s0 && e[1] <= e0)) edits.push(e);
  const flat = edits.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < flat.length; i++) if (flat[i][0] < flat[i - 1][1]) throw new Error('bundle: overlapping constant edits');
  let out = code;
  for (const [start, end, text] of flat.reverse()) out = out.slice(0, start) + text + out.slice(end);
  return out;
}

async function main(argv) {
  const pos = [];
  let min = false;
  let inline = false;
  let banner = '';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--min') min = true;
    else if (argv[i] === '--inline') inline = true;
    else if (argv[i] === '--banner') banner = argv[++i];
    else pos.push(argv[i]);
  }
  if (pos.length !== 2) {
    process.stderr.write('usage: node engines/bundle.mjs <entry> <out.js> [--min] [--inline] [--banner TEXT]\n');
    return 2;
  }
  const [entry, out] = pos;
  const first = await build({ entryPoints: [entry], bundle: true, format: 'iife', target: 'es2020', minify: min, write: false, logLevel: 'warning' });
  const es5 = ts.transpileModule(first.outputFiles[0].text, {
    compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, ignoreDeprecations: '6.0', removeComments: min },
  }).outputText;
  const second = await transform(es5, { target: 'es5', minify: min, logLevel: 'warning' });
  const es5_min = min || inline ? (await transform(inlineConstants(second.code), { target: 'es5', minify: min, logLevel: 'warning' })).code : second.code;
  const code = (banner === '' ? '' : banner + '\n') + rewrite(es5_min);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
