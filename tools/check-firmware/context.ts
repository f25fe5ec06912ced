// Where a node runs: at boot (module top level, `*_init`/`*_boot` functions, functions
// marked `// check-firmware: boot -- reason`), in an assert helper, or on the run path
// (everything else, which includes the sample path). Plus small AST helpers.

import type * as TS from "typescript";
import ts from "../typescript-api.js";

export type FunctionLike =
  | TS.FunctionDeclaration
  | TS.FunctionExpression
  | TS.ArrowFunction
  | TS.MethodDeclaration
  | TS.GetAccessorDeclaration
  | TS.SetAccessorDeclaration
  | TS.ConstructorDeclaration;

export type ContextKind = "boot" | "assert" | "run";

const BOOT_NAME = /(_init|_boot)$/;
const ASSERT_NAME = /^assert([A-Z_]|$)/;
const BOOT_MARKER = /check-firmware:\s*boot\b/;

export function isFunctionLike(node: TS.Node): node is FunctionLike {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isConstructorDeclaration(node)
  );
}

/** The name a function is known by: its own, or the variable/property it is assigned to. */
export function functionName(fn: FunctionLike): string {
  if (ts.isConstructorDeclaration(fn)) return "constructor";
  if (fn.name !== undefined && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name) || ts.isPrivateIdentifier(fn.name))) {
    return fn.name.text;
  }
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === fn) {
    const left = skipParens(parent.left);
    if (ts.isIdentifier(left)) return left.text;
    if (ts.isPropertyAccessExpression(left)) return left.name.text;
  }
  return "";
}

/** The statement whose leading comments describe a function (for the boot marker). */
function describingStatement(fn: FunctionLike): TS.Node {
  if (ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) {
    const decl = fn.parent;
    if (ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && ts.isVariableStatement(decl.parent.parent)) {
      return decl.parent.parent;
    }
  }
  return fn;
}

function hasBootMarker(fn: FunctionLike): boolean {
  const node = describingStatement(fn);
  const text = node.getSourceFile().text;
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  return ranges.some((r) => BOOT_MARKER.test(text.slice(r.pos, r.end)));
}

export function classifyFunction(fn: FunctionLike): ContextKind {
  const name = functionName(fn);
  if (BOOT_NAME.test(name) || hasBootMarker(fn)) return "boot";
  if (ASSERT_NAME.test(name)) return "assert";
  return "run";
}

export function skipParens(e: TS.Expression): TS.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isNonNullExpression(x) || ts.isTypeAssertionExpression(x) || ts.isSatisfiesExpression(x)) {
    x = x.expression;
  }
  return x;
}

/** The parent of an expression, looking through parentheses and type-only wrappers. */
export function parentThroughParens(e: TS.Node): { parent: TS.Node; child: TS.Node } {
  let child: TS.Node = e;
  let parent = e.parent;
  while (
    ts.isParenthesizedExpression(parent) ||
    ts.isAsExpression(parent) ||
    ts.isNonNullExpression(parent) ||
    ts.isTypeAssertionExpression(parent) ||
    ts.isSatisfiesExpression(parent)
  ) {
    child = parent;
    parent = parent.parent;
  }
  return { parent, child };
}

export function isIntegerLiteral(e: TS.Expression, value?: number): boolean {
  const x = skipParens(e);
  if (!ts.isNumericLiteral(x)) return false;
  const v = Number(x.text.replace(/_/g, ""));
  if (!Number.isInteger(v)) return false;
  return value === undefined ? true : v === value;
}

export function isPositiveIntegerLiteral(e: TS.Expression): boolean {
  const x = skipParens(e);
  return ts.isNumericLiteral(x) && isIntegerLiteral(x) && Number(x.text.replace(/_/g, "")) > 0;
}

/** True when an identifier is read as a value (not a property name, declaration name or label). */
export function isValueReference(id: TS.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p)) return false;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === id) {
    return false;
  }
  if (
    (ts.isVariableDeclaration(p) ||
      ts.isFunctionDeclaration(p) ||
      ts.isFunctionExpression(p) ||
      ts.isParameter(p) ||
      ts.isBindingElement(p) ||
      ts.isClassDeclaration(p) ||
      ts.isClassExpression(p) ||
      ts.isEnumDeclaration(p) ||
      ts.isEnumMember(p) ||
      ts.isModuleDeclaration(p) ||
      ts.isInterfaceDeclaration(p) ||
      ts.isTypeAliasDeclaration(p)) &&
    p.name === id
  ) {
    return false;
  }
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p) || ts.isNamespaceExport(p)) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakStatement(p) || ts.isContinueStatement(p)) return false;
  return true;
}

/** True when a symbol is declared only by the standard library / ambient declarations (or not at all). */
export function isLibrarySymbol(program: TS.Program, symbol: TS.Symbol | undefined): boolean {
  if (symbol === undefined) return true;
  const decls = symbol.declarations ?? [];
  if (decls.length === 0) return true;
  return decls.every((d) => {
    const sf = d.getSourceFile();
    return program.isSourceFileDefaultLibrary(sf) || sf.isDeclarationFile;
  });
}

/** The global a value identifier refers to, or undefined when it names something declared in user code. */
export function globalName(program: TS.Program, checker: TS.TypeChecker, id: TS.Identifier): string | undefined {
  if (!isValueReference(id)) return undefined;
  const symbol = checker.getSymbolAtLocation(id);
  if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) return undefined; // an import
  return isLibrarySymbol(program, symbol) ? id.text : undefined;
}

export function lineCol(node: TS.Node): { line: number; col: number } {
  const sf = node.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return { line: line + 1, col: character + 1 };
}
