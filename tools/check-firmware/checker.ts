// Checks TypeScript files against the firmware subset (docs/firmware-subset.md) with the
// TypeScript compiler API: a program over the given files (imports resolved, so calls
// across modules join one call graph), one walk per file for the per-node rules, then
// the call-graph rules, then the explicit allow comments.

import fs from "node:fs";
import path from "node:path";
import type * as TS from "typescript";
import ts from "../typescript-api.js";
import { parseAllowComments } from "./allow.js";
import { checkCallGraph } from "./callgraph.js";
import { type FunctionLike, lineCol } from "./context.js";
import { RULE_NAMES } from "./rules.js";
import { walkFile } from "./visit.js";

export interface Violation {
  /** Path as given (relative paths stay relative). */
  file: string;
  line: number;
  col: number;
  rule: string;
  message: string;
}

export interface CheckResult {
  files: string[];
  violations: Violation[];
}

/** Options for the checking program: type information only, nothing is emitted. */
const COMPILER_OPTIONS: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2022.d.ts"],
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  allowJs: false,
};

/** Expand files and folders (recursively) to the .ts files to check, sorted; .d.ts files are skipped. */
export function expandInputs(inputs: readonly string[]): string[] {
  const files = new Set<string>();
  const add = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) add(path.join(p, e));
    } else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) {
      files.add(p);
    }
  };
  for (const input of inputs) add(input);
  return [...files].sort();
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line}:${v.col} ${v.rule} ${v.message}`;
}

export function checkFirmware(files: readonly string[]): CheckResult {
  const abs = files.map((f) => path.resolve(f));
  const display = new Map(abs.map((a, i) => [a, files[i]!]));
  const program = ts.createProgram(abs, COMPILER_OPTIONS);
  const checker = program.getTypeChecker();
  const sources: TS.SourceFile[] = [];
  for (const a of abs) {
    const sf = program.getSourceFile(a);
    if (sf === undefined) throw new Error(`cannot read ${display.get(a)}`);
    sources.push(sf);
  }

  const violations: Violation[] = [];
  const report = (node: TS.Node, rule: string, message: string): void => {
    if (!RULE_NAMES.has(rule)) throw new Error(`internal: unknown rule ${rule}`);
    const sf = node.getSourceFile();
    const { line, col } = lineCol(node);
    violations.push({ file: display.get(path.resolve(sf.fileName)) ?? sf.fileName, line, col, rule, message });
  };

  const allocating = new Set<FunctionLike>();
  for (const sf of sources) {
    for (const d of program.getSyntacticDiagnostics(sf)) {
      const pos = d.start === undefined ? { line: 0, character: 0 } : sf.getLineAndCharacterOfPosition(d.start);
      violations.push({
        file: display.get(path.resolve(sf.fileName)) ?? sf.fileName,
        line: pos.line + 1,
        col: pos.character + 1,
        rule: "syntax-error",
        message: ts.flattenDiagnosticMessageText(d.messageText, " "),
      });
    }
    walkFile(sf, program, checker, report, { allocating });
  }
  checkCallGraph(checker, sources, allocating, report);

  // Allow comments remove the violations they name, on the line they apply to.
  const allowed = new Map<string, Set<string>>(); // "file:line" -> rules
  for (const sf of sources) {
    const file = display.get(path.resolve(sf.fileName)) ?? sf.fileName;
    const { allows, problems } = parseAllowComments(sf.text);
    for (const a of allows) {
      const key = `${file}:${a.target_line}`;
      allowed.set(key, new Set([...(allowed.get(key) ?? []), ...a.rules]));
    }
    for (const p of problems) violations.push({ file, line: p.line, col: p.col, rule: "bad-allow-comment", message: p.message });
  }
  const kept = violations.filter((v) => !(allowed.get(`${v.file}:${v.line}`)?.has(v.rule) ?? false));

  // One report per (place, rule); stable order.
  const seen = new Set<string>();
  const unique = kept.filter((v) => {
    const key = `${v.file}:${v.line}:${v.col}:${v.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)));
  return { files: [...files], violations: unique };
}
