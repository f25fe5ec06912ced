// The firmware-subset checker: every bad case reports exactly the rules marked on exactly
// the marked lines (`// expect: rule[, rule]`), every good case passes, every rule has a
// negative case, and the real firmware passes.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import t from "tap";
import { checkFirmware, expandInputs, formatViolation, type Violation } from "../../tools/check-firmware/checker.js";
import { RULES } from "../../tools/check-firmware/rules.js";
import { repoRoot } from "../helpers/shared.js";

const CASES = path.join("test", "checker", "cases");
const EXPECT = /\/\/ expect: ([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/;

/** line -> sorted rule names, from the markers in a case file. */
function expectedOf(file: string): Map<number, string[]> {
  const expected = new Map<number, string[]>();
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const m = EXPECT.exec(line);
      if (m !== null) expected.set(i + 1, m[1]!.split(",").map((r) => r.trim()).sort());
    });
  return expected;
}

function actualOf(file: string, violations: readonly Violation[]): Map<number, string[]> {
  const actual = new Map<number, string[]>();
  for (const v of violations) {
    if (v.file !== file) continue;
    const rules = actual.get(v.line) ?? [];
    if (!rules.includes(v.rule)) rules.push(v.rule);
    actual.set(v.line, rules.sort());
  }
  return actual;
}

const asObject = (m: Map<number, string[]>): Record<string, string[]> => Object.fromEntries([...m].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v]));

// The bad cases are checked once (a TypeScript program each time, about a second): their
// violations serve the markers' test and the diagnostics' format below.
let badRun: { files: string[]; violations: Violation[] } | null = null;
function badCases(): { files: string[]; violations: Violation[] } {
  if (badRun === null) {
    const files = expandInputs([path.join(CASES, "bad")]);
    badRun = { files, violations: checkFirmware(files).violations };
  }
  return badRun;
}

t.test("bad cases report exactly the marked rules on the marked lines", async (t) => {
  const { files, violations } = badCases();
  t.ok(files.length >= 10, "bad cases found");
  for (const file of files) {
    const expected = expectedOf(file);
    t.ok(expected.size > 0, `${file} marks at least one line`);
    t.same(asObject(actualOf(file, violations)), asObject(expected), file);
  }
});

t.test("every rule has a negative case", async (t) => {
  const marked = new Set<string>();
  for (const file of expandInputs([path.join(CASES, "bad")])) for (const rules of expectedOf(file).values()) rules.forEach((r) => marked.add(r));
  for (const rule of RULES) t.ok(marked.has(rule.name), `rule ${rule.name} has a bad case`);
});

t.test("good cases pass", async (t) => {
  const files = expandInputs([path.join(CASES, "good")]);
  t.ok(files.length >= 1, "good cases found");
  const { violations } = checkFirmware(files);
  t.same(violations.map(formatViolation), []);
});

t.test("diagnostics are file:line:col rule-name message", async (t) => {
  const file = path.join(CASES, "bad", "float.ts");
  const first = badCases().violations.find((v) => v.file === file);
  t.ok(first, "float.ts has violations");
  t.match(formatViolation(first!), /^test\/checker\/cases\/bad\/float\.ts:2:21 no-float-literal \S.*$/);
});

t.test("the firmware and the device protocol satisfy the subset", async (t) => {
  const inputs = ["firmware", "protocol/device", "protocol/ids.ts"].filter((p) => fs.existsSync(p));
  if (!inputs.includes("firmware")) {
    t.skip("firmware/ not present", () => {});
    return;
  }
  const { violations } = checkFirmware(expandInputs(inputs));
  t.same(violations.map(formatViolation), [], "no violations (run `npm run check:firmware` for the list)");
});

t.test("the compiled CLI: exit codes, stdout lines, stderr summary", async (t) => {
  const main = path.join(repoRoot, "dist", "tools", "check-firmware", "main.js");
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run 'make build' first`);
  const run = (args: string[]) => spawnSync(process.execPath, [main, ...args], { cwd: repoRoot, encoding: "utf8" });
  const bad = run([path.join(CASES, "bad", "float.ts")]);
  t.equal(bad.status, 1, "exit 1 with violations");
  const lines = bad.stdout.trim().split("\n");
  t.equal(lines.length, 4, "one line per violation");
  for (const line of lines) t.match(line, /^test\/checker\/cases\/bad\/float\.ts:\d+:\d+ no-float-literal \S/);
  t.match(bad.stderr, /^check-firmware: 1 files, 4 violations \(no-float-literal 4\)\n$/, "one-line summary on stderr");
  const good = run([path.join(CASES, "good")]);
  t.equal(good.status, 0, "exit 0 when clean");
  t.equal(good.stdout, "", "nothing on stdout when clean");
  const missing = run(["no/such/dir"]);
  t.equal(missing.status, 2, "exit 2 for a missing input");
  t.match(missing.stderr, /no such file or folder: no\/such\/dir/);
});
