// Call-graph rules over the checked files: no recursion (a call inside a strongly
// connected component of the graph, direct or mutual), and no call from run-path code
// into a boot function that allocates.
//
// Edges are the calls whose callee resolves statically (through imports and namespace
// imports) to a function declared in a checked file. Calls through function values
// (callbacks) and through the HAL interface have no edge: the subset forbids creating
// closures after boot, and the HAL is outside the firmware.

import type * as TS from "typescript";
import ts from "../typescript-api.js";
import { classifyFunction, type FunctionLike, functionName, isFunctionLike, skipParens } from "./context.js";
import type { Report } from "./visit.js";

interface Edge {
  caller: FunctionLike | undefined; // undefined: module top level
  callee: FunctionLike;
  site: TS.CallExpression | TS.NewExpression;
}

function resolveCallee(checker: TS.TypeChecker, expr: TS.Expression, checked: ReadonlySet<TS.SourceFile>): FunctionLike | undefined {
  const e = skipParens(expr);
  let id: TS.Node | undefined;
  if (ts.isIdentifier(e)) id = e;
  else if (ts.isPropertyAccessExpression(e)) id = e.name;
  else if (isFunctionLike(e)) return e; // immediately invoked
  if (id === undefined) return undefined;
  let symbol = checker.getSymbolAtLocation(id);
  if (symbol === undefined) return undefined;
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  for (const d of symbol.declarations ?? []) {
    if (!checked.has(d.getSourceFile())) continue;
    if (isFunctionLike(d) && d.body !== undefined) return d;
    if (ts.isVariableDeclaration(d) && d.initializer !== undefined) {
      const init = skipParens(d.initializer);
      if (ts.isFunctionExpression(init) || ts.isArrowFunction(init)) return init;
    }
  }
  return undefined;
}

function enclosingFunction(node: TS.Node): FunctionLike | undefined {
  let p = node.parent;
  while (p !== undefined && !ts.isSourceFile(p)) {
    if (isFunctionLike(p)) return p;
    p = p.parent;
  }
  return undefined;
}

function collectEdges(checker: TS.TypeChecker, files: readonly TS.SourceFile[]): Edge[] {
  const checked = new Set(files);
  const edges: Edge[] = [];
  const visit = (n: TS.Node): void => {
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const callee = resolveCallee(checker, n.expression, checked);
      if (callee !== undefined) edges.push({ caller: enclosingFunction(n), callee, site: n });
    }
    ts.forEachChild(n, visit);
  };
  for (const sf of files) visit(sf);
  return edges;
}

/** Tarjan's strongly connected components; returns the component id of every node. */
function components(nodes: readonly FunctionLike[], out: ReadonlyMap<FunctionLike, FunctionLike[]>): Map<FunctionLike, number> {
  const index = new Map<FunctionLike, number>();
  const low = new Map<FunctionLike, number>();
  const comp = new Map<FunctionLike, number>();
  const stack: FunctionLike[] = [];
  const on_stack = new Set<FunctionLike>();
  let next_index = 0;
  let next_comp = 0;
  // Iterative, so a deep call chain in the checked code cannot overflow the checker's stack.
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { v: FunctionLike; i: number }[] = [{ v: root, i: 0 }];
    index.set(root, next_index);
    low.set(root, next_index);
    next_index++;
    stack.push(root);
    on_stack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const succ = out.get(frame.v) ?? [];
      if (frame.i < succ.length) {
        const w = succ[frame.i++]!;
        if (!index.has(w)) {
          index.set(w, next_index);
          low.set(w, next_index);
          next_index++;
          stack.push(w);
          on_stack.add(w);
          work.push({ v: w, i: 0 });
        } else if (on_stack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.v;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.v)!));
      }
      if (low.get(frame.v) === index.get(frame.v)) {
        let w: FunctionLike;
        do {
          w = stack.pop()!;
          on_stack.delete(w);
          comp.set(w, next_comp);
        } while (w !== frame.v);
        next_comp++;
      }
    }
  }
  return comp;
}

function label(fn: FunctionLike): string {
  const name = functionName(fn);
  const sf = fn.getSourceFile();
  const line = sf.getLineAndCharacterOfPosition(fn.getStart(sf)).line + 1;
  return `${name === "" ? "<anonymous>" : name} (${sf.fileName.replace(/^.*\//, "")}:${line})`;
}

export function checkCallGraph(checker: TS.TypeChecker, files: readonly TS.SourceFile[], allocating: ReadonlySet<FunctionLike>, report: Report): void {
  const edges = collectEdges(checker, files);
  const out = new Map<FunctionLike, FunctionLike[]>();
  const nodes = new Set<FunctionLike>();
  for (const e of edges) {
    nodes.add(e.callee);
    if (e.caller === undefined) continue;
    nodes.add(e.caller);
    const list = out.get(e.caller) ?? [];
    list.push(e.callee);
    out.set(e.caller, list);
  }
  const comp = components([...nodes], out);
  const members = new Map<number, FunctionLike[]>();
  for (const [fn, c] of comp) members.set(c, [...(members.get(c) ?? []), fn]);

  for (const e of edges) {
    if (e.caller === undefined) continue;
    const c = comp.get(e.caller);
    if (c === undefined || c !== comp.get(e.callee)) continue;
    if (e.caller === e.callee) {
      report(e.site, "no-recursion", `${label(e.caller)} calls itself`);
    } else {
      const cycle = (members.get(c) ?? []).map(label).sort().join(", ");
      report(e.site, "no-recursion", `call closes a recursion cycle through ${cycle}`);
    }
  }

  // A boot function allocates if its own body does or if it calls a boot function that does.
  const allocates = new Set(allocating);
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of edges) {
      if (e.caller === undefined || allocates.has(e.caller) || classifyFunction(e.caller) !== "boot") continue;
      if (allocates.has(e.callee)) {
        allocates.add(e.caller);
        changed = true;
      }
    }
  }
  for (const e of edges) {
    if (e.caller === undefined || classifyFunction(e.caller) === "boot") continue;
    if (classifyFunction(e.callee) === "boot" && allocates.has(e.callee)) {
      report(e.site, "boot-call-after-boot", `calls ${label(e.callee)}, a boot function that allocates, from run-path code`);
    }
  }
}
