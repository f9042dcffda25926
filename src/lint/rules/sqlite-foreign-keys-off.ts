import type { LintStatement } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

const OFF = new Set(["off", "0", "false", "no"]);

function pragma(s: LintStatement, name: string): string | undefined {
  return s.sqlite?.kind === "pragma" && s.sqlite.name === name ? (s.sqlite.value ?? "") : undefined;
}

export default defineRule({
  id: "sqlite-foreign-keys-off",
  severity: "error",
  dialects: ["sqlite"],
  summary: "PRAGMA foreign_keys = OFF inside a transaction (a no-op), or without a later PRAGMA foreign_key_check",
  locks:
    "Inside a transaction the pragma does nothing (https://www.sqlite.org/pragma.html#pragma_foreign_keys), so a rebuild that relied on it cascades or fails; outside one, rows that break foreign keys go unnoticed unless foreign_key_check runs, and keys stay off for the rest of the connection unless switched back on.",
  hint: "Put `-- stairway:no-transaction` on the file, and follow the rebuild with PRAGMA foreign_key_check; and PRAGMA foreign_keys = ON; (https://www.sqlite.org/lang_altertable.html#otheralter).",
  only: { kinds: ["pragma"] },
  cases: {
    flag: [
      "PRAGMA foreign_keys = OFF;\nDROP TABLE t;",
      "-- stairway:no-transaction\nPRAGMA foreign_keys = OFF;\nALTER TABLE t_new RENAME TO t;\nPRAGMA foreign_keys = ON;",
    ],
    pass: [
      "-- stairway:no-transaction\nPRAGMA foreign_keys = OFF;\nALTER TABLE t_new RENAME TO t;\nPRAGMA foreign_key_check;\nPRAGMA foreign_keys = ON;",
      "PRAGMA foreign_keys = ON;",
    ],
  },
  check: perStatement((s, file) => {
    const v = pragma(s, "foreign_keys");
    if (v === undefined || !OFF.has(v)) return;
    if (s.tx !== null)
      return `PRAGMA foreign_keys = OFF ${file.transactional ? "in a file stairway runs in a transaction" : "inside BEGIN ... COMMIT"} does nothing: foreign keys stay on`;
    const later = file.statements.filter((x) => x.index > s.index);
    const problems: string[] = [];
    if (!later.some((x) => pragma(x, "foreign_key_check") !== undefined))
      problems.push("no PRAGMA foreign_key_check follows, so broken references go unnoticed");
    if (
      !later.some((x) => {
        const w = pragma(x, "foreign_keys");
        return w !== undefined && !OFF.has(w);
      })
    )
      problems.push("foreign keys are not switched back on, so they stay off for the rest of the connection");
    return problems.length ? `PRAGMA foreign_keys = OFF: ${problems.join("; ")}` : undefined;
  }),
});
