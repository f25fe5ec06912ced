// One ES5 script for the embedded engines from a TypeScript entry (make engines-bundle):
//
//   node engines/bundle.mjs <entry> <out.js> [--min] [--banner TEXT]
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

import fs from 'node:fs';
import path from 'node:path';
import { build, transform } from 'esbuild';
import ts from 'typescript';

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

async function main(argv) {
  const pos = [];
  let min = false;
  let banner = '';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--min') min = true;
    else if (argv[i] === '--banner') banner = argv[++i];
    else pos.push(argv[i]);
  }
  if (pos.length !== 2) {
    process.stderr.write('usage: node engines/bundle.mjs <entry> <out.js> [--min] [--banner TEXT]\n');
    return 2;
  }
  const [entry, out] = pos;
  const first = await build({ entryPoints: [entry], bundle: true, format: 'iife', target: 'es2020', minify: min, write: false, logLevel: 'warning' });
  const es5 = ts.transpileModule(first.outputFiles[0].text, {
    compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, ignoreDeprecations: '6.0', removeComments: min },
  }).outputText;
  const second = await transform(es5, { target: 'es5', minify: min, logLevel: 'warning' });
  const code = (banner === '' ? '' : banner + '\n') + rewrite(second.code);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
