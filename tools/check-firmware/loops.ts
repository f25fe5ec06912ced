// Bounded loops. The rule, precisely:
//
// for (init; cond; update) is bounded when
//   - update steps a counter c: c++, ++c, c--, --c, c += k, c -= k, c = c + k, c = c - k
//     (k a positive integer literal; several updates may be joined with commas);
//   - cond, or one of its top-level `&&` conjuncts, compares c against a bound B in the
//     direction of the step: c < B, c <= B, B > c, B >= c when c grows; c > B, c >= B,
//     B < c, B <= c when it shrinks;
//   - B contains no call, assignment or ++/-- and does not mention c;
//   - the body writes neither c nor any identifier in B.
//
// while (cond) S and do S while (cond) are bounded when
//   - cond, or one of its top-level `&&` conjuncts, is c < X or c <= X (or X > c, X >= c)
//     with X an identifier or property whose name ends in `_max` (any case);
//   - S is a block with a statement of its own (not nested) that steps c up by a positive
//     integer literal (c++, ++c, c += k, c = c + k), and S writes c nowhere else;
//   - S has no `continue` for this loop (it could skip the step) and does not write X.
// `while (true)` and every other shape are unbounded.

import type * as TS from "typescript";
import ts from "../typescript-api.js";
import { isFunctionLike, isPositiveIntegerLiteral, skipParens } from "./context.js";

type Direction = 1 | -1;

function conjuncts(e: TS.Expression): TS.Expression[] {
  const x = skipParens(e);
  if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
    return [...conjuncts(x.left), ...conjuncts(x.right)];
  }
  return [x];
}

function commaParts(e: TS.Expression): TS.Expression[] {
  const x = skipParens(e);
  if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.CommaToken) {
    return [...commaParts(x.left), ...commaParts(x.right)];
  }
  return [x];
}

/** The counter an expression steps and the step's direction, if it is a plain step. */
function stepOf(e: TS.Expression): { name: string; dir: Direction } | undefined {
  const x = skipParens(e);
  if ((ts.isPostfixUnaryExpression(x) || ts.isPrefixUnaryExpression(x)) && ts.isIdentifier(skipParens(x.operand))) {
    const name = (skipParens(x.operand) as TS.Identifier).text;
    if (x.operator === ts.SyntaxKind.PlusPlusToken) return { name, dir: 1 };
    if (x.operator === ts.SyntaxKind.MinusMinusToken) return { name, dir: -1 };
    return undefined;
  }
  if (!ts.isBinaryExpression(x)) return undefined;
  const left = skipParens(x.left);
  if (!ts.isIdentifier(left)) return undefined;
  const op = x.operatorToken.kind;
  if (op === ts.SyntaxKind.PlusEqualsToken && isPositiveIntegerLiteral(x.right)) return { name: left.text, dir: 1 };
  if (op === ts.SyntaxKind.MinusEqualsToken && isPositiveIntegerLiteral(x.right)) return { name: left.text, dir: -1 };
  if (op === ts.SyntaxKind.EqualsToken) {
    const r = skipParens(x.right);
    if (ts.isBinaryExpression(r) && isPositiveIntegerLiteral(r.right)) {
      const rl = skipParens(r.left);
      if (ts.isIdentifier(rl) && rl.text === left.text) {
        if (r.operatorToken.kind === ts.SyntaxKind.PlusToken) return { name: left.text, dir: 1 };
        if (r.operatorToken.kind === ts.SyntaxKind.MinusToken) return { name: left.text, dir: -1 };
      }
    }
  }
  return undefined;
}

const ASSIGNMENT_OPS = new Set<TS.SyntaxKind>([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.AmpersandEqualsToken,
  ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/** Every write to a plain identifier inside node (not descending into nested functions). */
function writesIn(node: TS.Node): TS.Node[] {
  const writes: TS.Node[] = [];
  const visit = (n: TS.Node): void => {
    if (isFunctionLike(n)) return;
    if (ts.isBinaryExpression(n) && ASSIGNMENT_OPS.has(n.operatorToken.kind)) writes.push(n);
    if (
      (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
      (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)
    ) {
      writes.push(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return writes;
}

function writtenName(w: TS.Node): string | undefined {
  const target = ts.isBinaryExpression(w) ? w.left : (w as TS.PrefixUnaryExpression | TS.PostfixUnaryExpression).operand;
  const t = skipParens(target);
  return ts.isIdentifier(t) ? t.text : undefined;
}

function identifiersIn(e: TS.Node): Set<string> {
  const names = new Set<string>();
  const visit = (n: TS.Node): void => {
    if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) names.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(e);
  return names;
}

function isPureBound(e: TS.Expression): boolean {
  let pure = true;
  const visit = (n: TS.Node): void => {
    if (ts.isCallExpression(n) || ts.isNewExpression(n) || isFunctionLike(n)) pure = false;
    if (ts.isBinaryExpression(n) && ASSIGNMENT_OPS.has(n.operatorToken.kind)) pure = false;
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
      pure = false;
    }
    ts.forEachChild(n, visit);
  };
  visit(e);
  return pure;
}

const GROWING_LEFT = new Set([ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken]);
const SHRINKING_LEFT = new Set([ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken]);

/** For a comparison, the bound opposite `counter` when the comparison limits a counter moving in `dir`. */
function boundFor(cmp: TS.Expression, counter: string, dir: Direction): TS.Expression | undefined {
  if (!ts.isBinaryExpression(cmp)) return undefined;
  const op = cmp.operatorToken.kind;
  const l = skipParens(cmp.left);
  const r = skipParens(cmp.right);
  const up = dir === 1;
  if (ts.isIdentifier(l) && l.text === counter && (up ? GROWING_LEFT : SHRINKING_LEFT).has(op)) return r;
  if (ts.isIdentifier(r) && r.text === counter && (up ? SHRINKING_LEFT : GROWING_LEFT).has(op)) return l;
  return undefined;
}

/** undefined when the for loop is bounded, else the reason it is not. */
export function checkForLoop(loop: TS.ForStatement): string | undefined {
  if (loop.condition === undefined) return "for loop without a condition: compare a counter against a bound";
  if (loop.incrementor === undefined) return "for loop without an update clause: step a counter towards the bound";
  const steps = commaParts(loop.incrementor).map(stepOf);
  const body_writes = writesIn(loop.statement);
  let why = "for loop condition does not compare a counter stepped by the update clause against a bound in the step's direction";
  for (const cmp of conjuncts(loop.condition)) {
    for (const step of steps) {
      if (step === undefined) continue;
      const bound = boundFor(cmp, step.name, step.dir);
      if (bound === undefined) continue;
      if (!isPureBound(bound)) {
        why = "for loop bound must not contain a call, an assignment or ++/--";
        continue;
      }
      const bound_names = identifiersIn(bound);
      if (bound_names.has(step.name)) {
        why = `for loop bound mentions its own counter \`${step.name}\``;
        continue;
      }
      const written = body_writes.map(writtenName);
      if (written.includes(step.name)) {
        why = `for loop body writes its counter \`${step.name}\``;
        continue;
      }
      const moved = written.find((n) => n !== undefined && bound_names.has(n));
      if (moved !== undefined) {
        why = `for loop body writes \`${moved}\`, which its bound depends on`;
        continue;
      }
      return undefined;
    }
  }
  return why;
}

function isMaxName(e: TS.Expression): boolean {
  const x = skipParens(e);
  if (ts.isIdentifier(x)) return /_max$/i.test(x.text);
  if (ts.isPropertyAccessExpression(x)) return /_max$/i.test(x.name.text);
  return false;
}

/** `continue` statements in body that would apply to the loop itself. */
function hasOwnContinue(body: TS.Node): boolean {
  let found = false;
  const visit = (n: TS.Node): void => {
    if (isFunctionLike(n)) return;
    if (ts.isIterationStatement(n, false)) return;
    if (ts.isContinueStatement(n)) found = true;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/** undefined when the while/do-while loop is bounded, else the reason it is not. */
export function checkWhileLoop(loop: TS.WhileStatement | TS.DoStatement): string | undefined {
  const kind = ts.isWhileStatement(loop) ? "while" : "do-while";
  const need = `${kind} loop needs a counter bound: \`${kind === "while" ? "while (n < X_max && ...)" : "do { ... n++; } while (n < X_max && ...)"}\` with \`n++\` as a statement of the loop body`;
  const body = loop.statement;
  const own_statements: readonly TS.Statement[] = ts.isBlock(body) ? body.statements : [body];
  const body_writes = writesIn(body);
  for (const cmp of conjuncts(loop.expression)) {
    if (!ts.isBinaryExpression(cmp)) continue;
    let counter: string | undefined;
    const bound = [cmp.left, cmp.right];
    const l = skipParens(cmp.left);
    const r = skipParens(cmp.right);
    if (ts.isIdentifier(l) && isMaxName(cmp.right) && GROWING_LEFT.has(cmp.operatorToken.kind)) counter = l.text;
    if (ts.isIdentifier(r) && isMaxName(cmp.left) && SHRINKING_LEFT.has(cmp.operatorToken.kind)) counter = r.text;
    if (counter === undefined) continue;
    const step = own_statements.find((s) => {
      if (!ts.isExpressionStatement(s)) return false;
      const st = stepOf(s.expression);
      return st !== undefined && st.name === counter && st.dir === 1;
    });
    if (step === undefined) return `${kind} loop counter \`${counter}\` is not stepped up by a statement of the loop body itself`;
    const counter_writes = body_writes.filter((w) => writtenName(w) === counter);
    if (counter_writes.length !== 1) return `${kind} loop body writes its counter \`${counter}\` outside the single step statement`;
    if (hasOwnContinue(body)) return `${kind} loop body has a \`continue\`, which can skip the counter step`;
    const max_expr = bound.find((b) => isMaxName(b));
    const max_names = max_expr === undefined ? new Set<string>() : identifiersIn(max_expr);
    const moved = body_writes.map(writtenName).find((n) => n !== undefined && max_names.has(n));
    if (moved !== undefined) return `${kind} loop body writes its bound \`${moved}\``;
    return undefined;
  }
  return need;
}
