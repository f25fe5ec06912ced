// The per-node rules: one walk over each checked file, carrying the context (boot, assert
// helper or run path) of the innermost function. Call-graph rules live in callgraph.ts.

import type * as TS from "typescript";
import ts from "../typescript-api.js";
import {
  classifyFunction,
  type ContextKind,
  type FunctionLike,
  globalName,
  isFunctionLike,
  isIntegerLiteral,
  isLibrarySymbol,
  parentThroughParens,
  skipParens,
} from "./context.js";
import { checkForLoop, checkWhileLoop } from "./loops.js";
import {
  ALLOCATING_METHODS,
  BANNED_GLOBALS,
  CLOCK_RANDOM_GLOBALS,
  MATH_ALLOWED,
  TYPED_ARRAY_MEMBERS,
  TYPED_ARRAY_STATIC_MEMBERS,
  TYPED_ARRAYS,
} from "./tables.js";

export interface Report {
  (node: TS.Node, rule: string, message: string): void;
}

/** Facts the call-graph pass needs from the walk. */
export interface WalkFacts {
  /** Boot functions that allocate in their own body (callees are added later). */
  allocating: Set<FunctionLike>;
}

interface Ctx {
  kind: ContextKind;
  fn: FunctionLike | undefined;
  /** Inside the operand of a throw: allocation there happens on the fault path only (a misplaced throw is reported itself). */
  in_fault_throw: boolean;
}

export function walkFile(sf: TS.SourceFile, program: TS.Program, checker: TS.TypeChecker, report: Report, facts: WalkFacts): void {
  const reportAlloc = (node: TS.Node, ctx: Ctx, rule: string, message: string): void => {
    if (ctx.kind === "boot") {
      if (ctx.fn !== undefined) facts.allocating.add(ctx.fn);
      return;
    }
    if (ctx.in_fault_throw) return;
    report(node, rule, message);
  };

  const libraryMember = (name: TS.MemberName): { owner: string; file: string; member: string } | undefined => {
    const symbol = checker.getSymbolAtLocation(name);
    if (symbol === undefined || !isLibrarySymbol(program, symbol)) return undefined;
    const decl = symbol.declarations?.[0];
    if (decl === undefined) return undefined;
    const owner = decl.parent;
    const owner_name = ts.isInterfaceDeclaration(owner) ? owner.name.text : "";
    const file = decl.getSourceFile().fileName.replace(/^.*\//, "");
    return { owner: owner_name, file, member: name.text };
  };

  const checkLibraryMember = (node: TS.PropertyAccessExpression): void => {
    const obj = skipParens(node.expression);
    if (ts.isIdentifier(obj)) {
      // A banned global's members are covered by the report on the global itself.
      const g = globalName(program, checker, obj);
      if (g !== undefined && (BANNED_GLOBALS.has(g) || CLOCK_RANDOM_GLOBALS.has(g) || g === "Math")) return;
    }
    const m = libraryMember(node.name);
    if (m === undefined || m.owner === "Math") return;
    const base = m.owner.replace(/Constructor$/, "");
    if (TYPED_ARRAYS.has(base)) {
      const allowed = m.owner.endsWith("Constructor") ? TYPED_ARRAY_STATIC_MEMBERS : TYPED_ARRAY_MEMBERS;
      if (!allowed.has(m.member)) {
        const where = m.owner.endsWith("Constructor") ? `${base}.${m.member}` : `${base}.prototype.${m.member}`;
        report(node.name, "unsupported-builtin", `\`${where}\` is missing in Duktape 2.7 (typed arrays there have only set and subarray)`);
      }
      return;
    }
    if (!/^lib\.es5\.d\.ts$/.test(m.file)) {
      const where = m.owner === "" ? m.member : m.owner.endsWith("Constructor") ? `${base}.${m.member}` : `${m.owner}.prototype.${m.member}`;
      report(node.name, "unsupported-builtin", `\`${where}\` is not ES5 (declared in ${m.file})`);
    }
  };

  const checkDivision = (node: TS.BinaryExpression): void => {
    const { parent, child } = parentThroughParens(node);
    if (ts.isCallExpression(parent) && parent.arguments.length === 1 && parent.arguments[0] === child && isMathFloor(parent.expression)) return;
    if (ts.isBinaryExpression(parent)) {
      const op = parent.operatorToken.kind;
      if (op === ts.SyntaxKind.BarToken) {
        const other = parent.left === child ? parent.right : parent.left;
        if (isIntegerLiteral(other, 0)) return;
      }
      if ((op === ts.SyntaxKind.GreaterThanGreaterThanToken || op === ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken) && parent.left === child && isIntegerLiteral(parent.right, 0)) {
        return;
      }
    }
    report(node.operatorToken, "untruncated-division", "division must be wrapped directly in Math.floor(...), (...) | 0, (...) >> 0 or (...) >>> 0");
  };

  const isMathFloor = (e: TS.Expression): boolean => {
    const x = skipParens(e);
    return ts.isPropertyAccessExpression(x) && x.name.text === "floor" && ts.isIdentifier(x.expression) && globalName(program, checker, x.expression) === "Math";
  };

  const isStringish = (e: TS.Expression): boolean => (checker.getTypeAtLocation(e).flags & ts.TypeFlags.StringLike) !== 0;

  const checkIdentifier = (id: TS.Identifier): void => {
    const name = globalName(program, checker, id);
    if (name === undefined) return;
    if (name === "arguments") {
      report(id, "no-arguments", "`arguments` allocates an object per call; use named parameters");
      return;
    }
    if (name === "eval" || name === "Function") {
      report(id, "no-eval", `\`${name}\` compiles code at run time`);
      return;
    }
    if (name === "Math") {
      const p = id.parent;
      if (ts.isPropertyAccessExpression(p) && p.expression === id) {
        const member = p.name.text;
        if (member === "random") report(p, "no-clock-random", "Math.random: randomness does not exist in the firmware");
        else if (!MATH_ALLOWED.has(member)) report(p, "banned-math", `Math.${member} is not allowed (only ${[...MATH_ALLOWED].join(", ")})`);
        return;
      }
      report(id, "banned-math", "Math used as a value; call Math.floor/abs/min/max/imul/clz32 directly");
      return;
    }
    if (name === "process") {
      const p = id.parent;
      if (ts.isPropertyAccessExpression(p) && (p.name.text === "hrtime" || p.name.text === "uptime")) {
        report(p, "no-clock-random", `process.${p.name.text} reads a clock; time comes from the HAL or as an argument`);
        return;
      }
    }
    if (CLOCK_RANDOM_GLOBALS.has(name)) {
      report(id, "no-clock-random", `\`${name}\`: time comes from the HAL or as an argument; timers do not exist on the device`);
      return;
    }
    const why = BANNED_GLOBALS.get(name);
    if (why !== undefined) report(id, "banned-global", `\`${name}\`: ${why}`);
  };

  const visit = (node: TS.Node, ctx: Ctx): void => {
    // Types, interfaces and ambient declarations leave nothing in the output.
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isImportEqualsDeclaration(node)) return;
    if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return;

    let child_ctx = ctx;
    switch (node.kind) {
      case ts.SyntaxKind.ClassDeclaration:
      case ts.SyntaxKind.ClassExpression: {
        const c = node as TS.ClassLikeDeclaration;
        report(c.name ?? c, "no-class", "classes are not in the subset: use module-level functions and typed arrays");
        break;
      }
      case ts.SyntaxKind.GetAccessor:
      case ts.SyntaxKind.SetAccessor:
        report(node, "no-getter-setter", "accessors hide a function call behind a property read or write");
        break;
      case ts.SyntaxKind.EnumDeclaration:
        report((node as TS.EnumDeclaration).name, "no-enum", "enums are run-time objects; export integer constants instead");
        break;
      case ts.SyntaxKind.ModuleDeclaration:
        report((node as TS.ModuleDeclaration).name, "no-namespace", "namespaces lower to an IIFE building an object; use ES modules");
        break;
      case ts.SyntaxKind.TemplateExpression:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        if (!ts.isTaggedTemplateExpression(node.parent)) report(node, "no-template-literal", "template literals build strings and are not ES5");
        break;
      case ts.SyntaxKind.TaggedTemplateExpression:
        report(node, "no-template-literal", "tagged templates are not ES5");
        break;
      case ts.SyntaxKind.ObjectBindingPattern:
      case ts.SyntaxKind.ArrayBindingPattern:
        report(node, "no-destructuring", "destructuring is not ES5 and allocates when lowered");
        break;
      case ts.SyntaxKind.SpreadElement:
      case ts.SyntaxKind.SpreadAssignment:
        report(node, "no-spread", "spread is not ES5 and allocates when lowered");
        break;
      case ts.SyntaxKind.BindingElement:
        if ((node as TS.BindingElement).dotDotDotToken !== undefined) report(node, "no-rest-parameter", "rest elements copy into a new array");
        break;
      case ts.SyntaxKind.Parameter: {
        const p = node as TS.ParameterDeclaration;
        if (p.dotDotDotToken !== undefined) report(p, "no-rest-parameter", "rest parameters copy `arguments` into a new array on every call");
        if (p.initializer !== undefined) report(p.initializer, "no-default-parameter", "default parameters are not ES5; pass every argument");
        break;
      }
      case ts.SyntaxKind.ForInStatement:
        report(node, "no-for-in", "for-in enumerates property names as strings; iterate by index");
        break;
      case ts.SyntaxKind.ForOfStatement:
        report(node, "no-for-of", "for-of is not ES5; iterate by index with a bounded for loop");
        break;
      case ts.SyntaxKind.LabeledStatement:
        report(node, "no-label", "labels are not supported by Espruino");
        break;
      case ts.SyntaxKind.RegularExpressionLiteral:
        report(node, "no-regexp", "regular expressions are not in the subset");
        break;
      case ts.SyntaxKind.WithStatement:
        report(node, "no-with", "`with` defeats static name resolution");
        break;
      case ts.SyntaxKind.DeleteExpression:
        report(node, "no-delete", "`delete` changes an object's shape at run time");
        break;
      case ts.SyntaxKind.TryStatement:
        report(node, "no-try-catch", "exceptions are not control flow: return a negative error code");
        break;
      case ts.SyntaxKind.ThisKeyword:
        if (!ts.isClassLike(enclosingClassOrFunction(node))) report(node, "no-this", "`this` differs between strict and non-strict code; pass state explicitly");
        break;
      case ts.SyntaxKind.DebuggerStatement:
        report(node, "unsupported-syntax", "`debugger` statement");
        break;
      case ts.SyntaxKind.BigIntLiteral:
        report(node, "unsupported-syntax", "bigint literals are not supported by ES5 engines");
        break;
      case ts.SyntaxKind.MetaProperty:
        report(node, "unsupported-syntax", `\`${node.getText()}\` is not ES5`);
        break;
      case ts.SyntaxKind.Decorator:
        report(node, "unsupported-syntax", "decorators are not ES5");
        break;
      case ts.SyntaxKind.PrivateIdentifier:
        report(node, "unsupported-syntax", "private #names are not ES5");
        break;
      case ts.SyntaxKind.VariableDeclarationList: {
        const flags = (node as TS.VariableDeclarationList).flags;
        if ((flags & ts.NodeFlags.Using) !== 0) {
          report(node, "unsupported-syntax", "`using` declarations are not ES5");
        }
        break;
      }
      case ts.SyntaxKind.AwaitExpression:
        if (ctx.fn === undefined) report(node, "no-async", "top-level await is not ES5");
        break;
      case ts.SyntaxKind.YieldExpression:
        break; // reported on the generator function itself
      case ts.SyntaxKind.ThrowStatement: {
        if (ctx.kind === "run") report(node, "throw-outside-boot", "throw only in boot code or assert helpers; return a negative error code");
        // The thrown value is built on the fault path only (or is already reported above).
        child_ctx = { ...ctx, in_fault_throw: true };
        break;
      }
      case ts.SyntaxKind.NumericLiteral: {
        const v = Number((node as TS.NumericLiteral).text.replace(/_/g, ""));
        if (!Number.isInteger(v)) report(node, "no-float-literal", `${(node as TS.NumericLiteral).text} is not an integer; use a fixed-point integer (name its scale, e.g. _x100, _q15)`);
        else if (Math.abs(v) > Number.MAX_SAFE_INTEGER) report(node, "no-float-literal", `${(node as TS.NumericLiteral).text} is beyond 2^53 and not exact`);
        break;
      }
      case ts.SyntaxKind.Identifier:
        checkIdentifier(node as TS.Identifier);
        break;
      case ts.SyntaxKind.PropertyAccessExpression: {
        const pa = node as TS.PropertyAccessExpression;
        if (pa.questionDotToken !== undefined) report(pa, "no-optional-chaining", "`?.` is not ES5; firmware state is never null after boot");
        checkLibraryMember(pa);
        break;
      }
      case ts.SyntaxKind.ElementAccessExpression: {
        const ea = node as TS.ElementAccessExpression;
        if (ea.questionDotToken !== undefined) report(ea, "no-optional-chaining", "`?.` is not ES5");
        const obj = skipParens(ea.expression);
        if (ts.isIdentifier(obj) && globalName(program, checker, obj) === "Math") {
          report(ea, "banned-math", "computed Math member access");
          visit(ea.argumentExpression, ctx);
          return;
        }
        break;
      }
      case ts.SyntaxKind.CallExpression: {
        const call = node as TS.CallExpression;
        if (call.questionDotToken !== undefined) report(call, "no-optional-chaining", "`?.()` is not ES5");
        if (call.expression.kind === ts.SyntaxKind.ImportKeyword) report(call, "unsupported-syntax", "dynamic import() is not ES5");
        const callee = skipParens(call.expression);
        if (ts.isPropertyAccessExpression(callee) && ALLOCATING_METHODS.has(callee.name.text)) {
          const symbol = checker.getSymbolAtLocation(callee.name);
          if (symbol !== undefined && isLibrarySymbol(program, symbol)) {
            reportAlloc(callee.name, ctx, "alloc-after-boot", `\`.${callee.name.text}()\` allocates; only boot code may allocate`);
          }
        }
        break;
      }
      case ts.SyntaxKind.NewExpression:
        reportAlloc(node, ctx, "alloc-after-boot", "`new` allocates; create buffers at boot (in a *_init/*_boot function or at module top level)");
        break;
      case ts.SyntaxKind.ArrayLiteralExpression:
      case ts.SyntaxKind.ObjectLiteralExpression:
        if (!isDestructuringTarget(node)) {
          const what = node.kind === ts.SyntaxKind.ArrayLiteralExpression ? "array" : "object";
          reportAlloc(node, ctx, "alloc-after-boot", `${what} literal allocates; only boot code may allocate`);
        }
        break;
      case ts.SyntaxKind.ForStatement: {
        const why = checkForLoop(node as TS.ForStatement);
        if (why !== undefined) report(node, "unbounded-loop", why);
        break;
      }
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement: {
        const why = checkWhileLoop(node as TS.WhileStatement | TS.DoStatement);
        if (why !== undefined) report(node, "unbounded-loop", why);
        break;
      }
      case ts.SyntaxKind.BinaryExpression:
        checkBinary(node as TS.BinaryExpression, ctx);
        break;
      default:
        break;
    }

    if (isFunctionLike(node)) {
      visitFunction(node, ctx);
      return;
    }
    ts.forEachChild(node, (c) => visit(c, child_ctx));
  };

  const visitFunction = (fn: FunctionLike, outer: Ctx): void => {
    if (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) {
      if (fn.asteriskToken !== undefined) report(fn.name ?? fn, "no-generator", "generators are not ES5 and allocate an iterator per call");
    }
    if (ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) {
      report(fn.name ?? fn, "no-async", "async functions need Promise, which ES5 engines lack");
    }
    // Creating a function object is an allocation unless it happens at boot (or is a plain declaration at top level).
    const nested = outer.fn !== undefined || !ts.isFunctionDeclaration(fn);
    if (nested && !ts.isClassLike(fn.parent) && !ts.isGetAccessor(fn) && !ts.isSetAccessor(fn)) {
      reportAlloc(fn.name ?? fn, outer, "no-closure", "a function created here allocates a closure; only boot code may create functions");
    }
    const inner: Ctx = { kind: classifyFunction(fn), fn, in_fault_throw: false };
    ts.forEachChild(fn, (c) => visit(c, inner));
  };

  const checkBinary = (node: TS.BinaryExpression, ctx: Ctx): void => {
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.SlashToken:
        checkDivision(node);
        break;
      case ts.SyntaxKind.SlashEqualsToken:
        report(node.operatorToken, "untruncated-division", "`/=` cannot be truncated; write x = Math.floor(x / d) or x = (x / d) | 0");
        break;
      case ts.SyntaxKind.AsteriskAsteriskToken:
      case ts.SyntaxKind.AsteriskAsteriskEqualsToken:
        report(node.operatorToken, "no-exponent", "`**` lowers to Math.pow (floating point); multiply or shift");
        break;
      case ts.SyntaxKind.QuestionQuestionToken:
      case ts.SyntaxKind.QuestionQuestionEqualsToken:
        report(node.operatorToken, "no-nullish-coalescing", "`??` is not ES5; compare explicitly");
        break;
      case ts.SyntaxKind.BarBarEqualsToken:
      case ts.SyntaxKind.AmpersandAmpersandEqualsToken:
        report(node.operatorToken, "unsupported-syntax", "logical assignment is not ES5");
        break;
      case ts.SyntaxKind.PlusToken:
      case ts.SyntaxKind.PlusEqualsToken:
        if (isStringish(node.left) || isStringish(node.right)) {
          reportAlloc(node.operatorToken, ctx, "no-string-concat", "string concatenation builds a heap string; only boot code may build strings");
        }
        break;
      case ts.SyntaxKind.EqualsToken: {
        const left = skipParens(node.left);
        if (ts.isObjectLiteralExpression(left) || ts.isArrayLiteralExpression(left)) {
          report(left, "no-destructuring", "destructuring assignment is not ES5 and allocates when lowered");
        }
        break;
      }
      default:
        break;
    }
  };

  visit(sf, { kind: "boot", fn: undefined, in_fault_throw: false });
}

function isDestructuringTarget(node: TS.Node): boolean {
  const { parent, child } = parentThroughParens(node);
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.left === child) return true;
  // Nested patterns: [a, [b, c]] = ... or { a: { b } } = ...
  if (ts.isArrayLiteralExpression(parent) || ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) {
    const outer = ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent) ? parent.parent : parent;
    return isDestructuringTarget(outer);
  }
  if (ts.isForOfStatement(parent) || ts.isForInStatement(parent)) return parent.initializer === child;
  return false;
}

/** The class a `this` belongs to (classes are reported by no-class already), else anything. */
function enclosingClassOrFunction(node: TS.Node): TS.Node {
  let p = node.parent;
  while (p !== undefined && !ts.isSourceFile(p)) {
    if (ts.isClassLike(p)) return p;
    if (ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p)) return p;
    p = p.parent;
  }
  return node;
}
