// Explicit, explained exceptions, written where they are made:
//
//   // check-firmware: allow <rule>[, <rule>...] -- <reason>
//       on a line of its own: applies to the next line; after code: to its own line.
//   // check-firmware: boot -- <reason>
//       in the comments just above a function: the function counts as boot code (it may
//       allocate, build strings and throw), like a function named *_init or *_boot.
//       Calling it from run-path code is then reported if it allocates.
//
// A comment naming an unknown rule or directive, or without `-- reason`, is itself a
// violation (bad-allow-comment).

import { RULE_NAMES } from "./rules.js";

export interface AllowComment {
  /** 1-based line the comment's rules apply to. */
  target_line: number;
  rules: Set<string>;
}

export interface AllowProblem {
  line: number;
  col: number;
  message: string;
}

const DIRECTIVE = /(\/\/|\/\*)\s*check-firmware:\s*(.*?)\s*(\*\/)?\s*$/;

export function parseAllowComments(text: string): { allows: AllowComment[]; problems: AllowProblem[] } {
  const allows: AllowComment[] = [];
  const problems: AllowProblem[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = DIRECTIVE.exec(line);
    if (m === null) continue;
    const col = m.index + 1;
    const body = m[2]!;
    const [head, ...reason_parts] = body.split("--");
    const reason = reason_parts.join("--").trim();
    const words = (head ?? "").trim().split(/[\s,]+/).filter((w) => w !== "");
    const directive = words.shift();
    if (directive !== "allow" && directive !== "boot") {
      problems.push({ line: i + 1, col, message: `unknown directive "${directive ?? ""}": use "allow <rule> -- reason" or "boot -- reason"` });
      continue;
    }
    if (reason === "") {
      problems.push({ line: i + 1, col, message: `"check-firmware: ${directive}" needs "-- <reason>"` });
      continue;
    }
    if (directive === "boot") continue; // read by context.ts from the function's leading comments
    if (words.length === 0) {
      problems.push({ line: i + 1, col, message: "allow comment names no rule" });
      continue;
    }
    const unknown = words.filter((w) => !RULE_NAMES.has(w));
    if (unknown.length > 0) {
      problems.push({ line: i + 1, col, message: `unknown rule(s): ${unknown.join(", ")}` });
      continue;
    }
    const own_line = line.slice(0, m.index).trim() === "";
    allows.push({ target_line: own_line ? i + 2 : i + 1, rules: new Set(words) });
  }
  return { allows, problems };
}
