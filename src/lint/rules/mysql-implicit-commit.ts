import { COMMITS_IMPLICITLY } from "../mysql-parser.ts";
import { hasEffect } from "../model.ts";
import { defineRule, head, type Hit } from "../rule.ts";

export default defineRule({
  id: "mysql-implicit-commit",
  severity: "error",
  dialects: ["mysql"],
  summary:
    "DDL (or LOCK TABLES) inside a transaction the file began: the server commits that transaction before the statement",
  locks:
    "None of its own; but every statement since START TRANSACTION is committed there and then, the statements after it run in autocommit, and the ROLLBACK (or a failure) meant to undo them all undoes nothing: the migration stops halfway with its data changes kept.",
  hint: "Keep schema changes and data changes apart: the DDL outside the transaction (before it, or in its own migration), and only INSERT, UPDATE and DELETE between START TRANSACTION and COMMIT.",
  only: { effects: ["tx"] },
  cases: {
    flag: [
      "START TRANSACTION;\nUPDATE tools SET is_active = 0 WHERE id = 1;\nALTER TABLE tools ADD COLUMN note TEXT;\nCOMMIT;",
      "BEGIN;\nINSERT INTO tools (name) VALUES ('a');\nCREATE INDEX idx_tools_name ON tools (name);\nROLLBACK;",
    ],
    pass: [
      "START TRANSACTION;\nUPDATE tools SET is_active = 0 WHERE id = 1;\nCOMMIT;\nALTER TABLE tools ADD COLUMN note TEXT;",
      "ALTER TABLE tools ADD COLUMN note TEXT;\nUPDATE tools SET note = 'x' WHERE id = 1;",
    ],
  },
  check(file) {
    const out: Hit[] = [];
    let begun: (typeof file.statements)[number] | undefined;
    for (const s of file.statements) {
      for (const e of hasEffect(s, "tx")) begun = e.action === "begin" ? s : undefined;
      if (!begun || !COMMITS_IMPLICITLY.has(s.kind)) continue;
      out.push({
        statement: s,
        message: `${head(s)} commits the transaction begun at line ${begun.line}: what ran since is committed, and what follows runs outside it (a ROLLBACK or a failure undoes none of it)`,
      });
      begun = undefined; // the transaction is over
    }
    return out;
  },
});
