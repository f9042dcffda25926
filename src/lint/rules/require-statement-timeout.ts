import type { LintFile, LintStatement } from "../model.ts";
import { blockingLocks, blocks, lockName, pgLocks } from "../pg-locks.ts";
import { defineRule, head, where } from "../rule.ts";
import { plural } from "../../plural.ts";

/** Why a statement may run long over a table that existed before this file, or undefined. */
function longWork(file: LintFile, s: LintStatement): string | undefined {
  const old = (t: string) => !file.facts.isNewTable(t, s.index);
  const lock = pgLocks(s).find((l) => l.long && blocks(l.mode) && (l.index || old(l.name)));
  if (lock) return `holds ${lockName(lock.mode)} on ${lock.name} while it scans or rewrites it`;
  for (const e of s.effects) {
    if (e.type === "copy-rows" && old(e.from)) return `reads every row of ${e.from}`;
    if ((e.type === "update-rows" || e.type === "delete-rows") && !e.where && old(e.table))
      return `touches every row of ${e.table}`;
  }
  return undefined;
}

export default defineRule({
  id: "require-statement-timeout",
  severity: "warning",
  dialects: ["postgres"],
  summary:
    "A long statement (scan, rewrite, copy) while reads or writes of an existing table are blocked, with no statement_timeout",
  locks: "The blocking lock is held for as long as the scan, rewrite or copy takes; nothing bounds the outage.",
  hint: "SET LOCAL statement_timeout = '...' to the longest outage you accept (SET in a no-transaction file); better, make the statement non-blocking (CONCURRENTLY, NOT VALID + VALIDATE, batches).",
  cases: {
    flag: [
      "ALTER TABLE tools ALTER COLUMN execution_count TYPE numeric;",
      "ALTER TABLE logs RENAME TO logs_old;\nCREATE TABLE logs (id bigint);\nINSERT INTO logs SELECT id FROM logs_old;",
    ],
    pass: [
      "SET LOCAL statement_timeout = '30s';\nALTER TABLE tools ALTER COLUMN execution_count TYPE numeric;",
      "ALTER TABLE tools ADD COLUMN note text;",
      "-- stairway:no-transaction\nCREATE INDEX CONCURRENTLY idx_tools_name ON tools (name);",
      "CREATE TABLE t (a int);\nINSERT INTO t SELECT id FROM tools;",
    ],
  },
  check(file) {
    const held: { line: number; name: string; mode: number; tx: number }[] = [];
    let count = 0;
    let first: { s: LintStatement; message: string } | undefined;
    for (const s of file.statements) {
      const work = longWork(file, s);
      const own = blockingLocks(file, s)[0];
      const earlier = s.tx !== null ? held.find((h) => h.tx === s.tx) : undefined;
      if (work && !s.statementTimeout && (own || earlier)) {
        count++;
        if (!first) {
          const during =
            own && pgLocks(s).some((l) => l.long && blocks(l.mode))
              ? ""
              : earlier
                ? ` while this transaction holds ${lockName(earlier.mode)} on ${earlier.name} (taken at line ${earlier.line})`
                : "";
          first = {
            s,
            message: `${head(s)} ${work}${during}, with no statement_timeout: nothing bounds how long the table stays blocked`,
          };
        }
      }
      if (own && s.tx !== null) held.push({ line: s.line, name: own.name, mode: own.mode, tx: s.tx });
    }
    if (!first) return [];
    const more = count > 1 ? ` (and ${plural(count - 1, "more statement")} in this file)` : "";
    return [{ statement: first.s, message: first.message + more + where(first.s) }];
  },
});
