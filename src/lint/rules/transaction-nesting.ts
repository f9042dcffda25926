import { hasEffect } from "../model.ts";
import { defineRule, type Hit } from "../rule.ts";

export default defineRule({
  id: "transaction-nesting",
  severity: "error",
  dialects: ["postgres", "sqlite"],
  summary: "BEGIN / COMMIT / ROLLBACK in a file stairway runs in a transaction, or a BEGIN never committed",
  locks: "In a transactional file, COMMIT ends stairway's transaction early: what follows, and the bookkeeping row, run outside it, so a failure leaves a half-applied migration (SQLite refuses the nested BEGIN outright). An unterminated BEGIN keeps its locks until the connection closes.",
  hint: "Drop the BEGIN/COMMIT (stairway already wraps the file), or put `-- stairway:no-transaction` on the file and pair every BEGIN with a COMMIT.",
  only: { effects: ["tx"] },
  cases: {
    flag: ["BEGIN;\nALTER TABLE tools ADD COLUMN note text;\nCOMMIT;", "-- stairway:no-transaction\nBEGIN;\nALTER TABLE tools ADD COLUMN note text;"],
    pass: ["-- stairway:no-transaction\nBEGIN;\nALTER TABLE tools ADD COLUMN note text;\nCOMMIT;", "ALTER TABLE tools ADD COLUMN note text;"],
  },
  check(file) {
    const out: Hit[] = [];
    if (file.transactional) {
      const first = file.statements.find((s) => hasEffect(s, "tx").length);
      if (first)
        out.push({
          statement: first,
          message: `${hasEffect(first, "tx")[0]!.action.toUpperCase()} in a file stairway already runs in a transaction: a COMMIT here ends stairway's transaction early`,
        });
      return out;
    }
    let open: (typeof file.statements)[number] | undefined;
    for (const s of file.statements) {
      for (const e of hasEffect(s, "tx")) {
        if (e.action === "begin") {
          if (open) out.push({ statement: s, message: `BEGIN while the transaction begun at line ${open.line} is still open` });
          open = s;
        } else {
          if (!open) out.push({ statement: s, message: `${e.action.toUpperCase()} without a BEGIN` });
          open = undefined;
        }
      }
    }
    if (open) out.push({ statement: open, message: "BEGIN without a COMMIT: the transaction stays open, with its locks, until the connection closes" });
    return out;
  },
});
