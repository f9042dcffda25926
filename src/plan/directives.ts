// `-- stairway:<name> args` comments, read from anywhere in a file
// (README "Directives").

import { dialectList, dialectNamed } from "../stores/dialects.ts";

export interface Lossy {
  table: string;
  column?: string;
}

export interface Allow {
  rule: string;
  reason: string;
  line: number;
}

export interface Directives {
  noTransaction: boolean;
  /** Dialects this migration does not apply to. */
  skip: string[];
  lossy: Lossy[];
  allow: Allow[];
}

export interface DirectiveProblem {
  line: number;
  message: string;
}

const DIRECTIVE = /--\s*stairway:([A-Za-z-]+)(.*)$/;

export function parseDirectives(text: string): { directives: Directives; problems: DirectiveProblem[] } {
  const directives: Directives = { noTransaction: false, skip: [], lossy: [], allow: [] };
  const problems: DirectiveProblem[] = [];
  if (!text.includes("stairway:")) return { directives, problems }; // most files have none
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const m = DIRECTIVE.exec(raw);
    if (!m) return;
    const line = index + 1;
    const name = m[1]!.toLowerCase();
    const args = m[2]!.trim().split(/\s+/).filter(Boolean);
    switch (name) {
      case "no-transaction":
        directives.noTransaction = true;
        break;
      case "skip":
        if (args.length === 0)
          problems.push({ line, message: `stairway:skip needs a dialect (${dialectList("sql")})` });
        for (const a of args.map((x) => x.replace(/,$/, ""))) {
          const d = dialectNamed(a);
          if (d) directives.skip.push(d);
          else
            problems.push({
              line,
              message: `stairway:skip names an unknown dialect "${a.toLowerCase()}" (use ${dialectList("sql")})`,
            });
        }
        break;
      case "lossy":
        if (args.length === 0) problems.push({ line, message: "stairway:lossy needs table or table.column names" });
        for (const a of args) {
          const [table, column] = a.replace(/,$/, "").split(".", 2) as [string, string | undefined];
          directives.lossy.push(column ? { table, column } : { table });
        }
        break;
      case "allow": {
        const [rule, ...reason] = args;
        if (!rule || reason.length === 0)
          problems.push({
            line,
            message: `stairway:allow needs a rule id and a reason, e.g. "-- stairway:allow ${rule ?? "ban-drop-column"} the column was never read"`,
          });
        else directives.allow.push({ rule, reason: reason.join(" "), line });
        break;
      }
      default:
        problems.push({
          line,
          message: `unknown directive "stairway:${m[1]}" (known: no-transaction, skip, lossy, allow)`,
        });
    }
  });
  return { directives, problems };
}

export function mergeDirectives(list: Directives[]): Directives {
  return {
    noTransaction: list.some((d) => d.noTransaction),
    skip: [...new Set(list.flatMap((d) => d.skip))],
    lossy: list.flatMap((d) => d.lossy),
    allow: list.flatMap((d) => d.allow),
  };
}
