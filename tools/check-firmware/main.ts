// check-firmware: enforce the firmware subset (docs/firmware-subset.md).
//
//   node dist/tools/check-firmware/main.js [--list-rules] [path ...]
//
// Paths are files or folders (searched recursively for .ts). Without paths it checks
// firmware/, protocol/device/ and protocol/ids.ts (whichever exist). Prints every
// violation as `file:line:col rule-name message` on stdout and a one-line summary on
// stderr. Exit codes: 0 clean, 1 violations, 2 usage or input error.

import fs from "node:fs";
import { RULES } from "./rules.js";

export const DEFAULT_INPUTS = ["firmware", "protocol/device", "protocol/ids.ts"];

const EXIT_OK = 0;
const EXIT_VIOLATIONS = 1;
const EXIT_USAGE = 2;

function usage(): string {
  return "usage: check-firmware [--list-rules] [file-or-folder ...]\n" + `default inputs: ${DEFAULT_INPUTS.join(" ")} (those that exist)\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const inputs: string[] = [];
  for (const arg of argv) {
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(usage());
      return EXIT_OK;
    }
    if (arg === "--list-rules") {
      for (const r of RULES) process.stdout.write(`${r.name}\n  forbids: ${r.forbids}\n  why: ${r.reason}\n`);
      return EXIT_OK;
    }
    if (arg.startsWith("-")) {
      process.stderr.write(`check-firmware: unknown option ${arg}\n${usage()}`);
      return EXIT_USAGE;
    }
    inputs.push(arg);
  }
  let roots: string[];
  if (inputs.length === 0) {
    roots = DEFAULT_INPUTS.filter((p) => fs.existsSync(p));
    const missing = DEFAULT_INPUTS.filter((p) => !fs.existsSync(p));
    if (missing.length > 0) process.stderr.write(`check-firmware: not present, skipped: ${missing.join(", ")}\n`);
  } else {
    const missing = inputs.filter((p) => !fs.existsSync(p));
    if (missing.length > 0) {
      process.stderr.write(`check-firmware: no such file or folder: ${missing.join(", ")}\n`);
      return EXIT_USAGE;
    }
    roots = inputs;
  }
  // The checker loads the TypeScript compiler (about a second): only once the inputs are known.
  const { checkFirmware, expandInputs, formatViolation } = await import("./checker.js");
  const files = expandInputs(roots);
  if (files.length === 0) {
    process.stderr.write(`check-firmware: no .ts files under ${roots.join(", ") || "(nothing)"}\n`);
    return EXIT_USAGE;
  }
  const result = checkFirmware(files);
  for (const v of result.violations) process.stdout.write(formatViolation(v) + "\n");
  const by_rule = new Map<string, number>();
  for (const v of result.violations) by_rule.set(v.rule, (by_rule.get(v.rule) ?? 0) + 1);
  const detail = [...by_rule].map(([r, n]) => `${r} ${n}`).join(", ");
  process.stderr.write(
    `check-firmware: ${files.length} files, ${result.violations.length} violations${detail === "" ? "" : ` (${detail})`}\n`,
  );
  return result.violations.length === 0 ? EXIT_OK : EXIT_VIOLATIONS;
}

process.exitCode = await main(process.argv.slice(2));
