import { txShape } from "../../plan/transaction-control.ts";
import { hasEffect } from "../model.ts";
import { defineRule, type Hit } from "../rule.ts";

export default defineRule({
  id: "transaction-nesting",
  severity: "error",
  dialects: ["postgres", "sqlite"],
  summary:
    "BEGIN / COMMIT / ROLLBACK in a file stairway runs in a transaction (other than one BEGIN first and one COMMIT last), or a BEGIN never committed",
  locks:
    "In a transactional file, COMMIT ends stairway's transaction early: what follows, and the bookkeeping row, run outside it, so a failure leaves a half-applied migration (SQLite refuses the nested BEGIN outright); stairway refuses such a file before running it. A whole-file BEGIN … COMMIT wrapper is fine: stairway runs what is between in its own transaction. An unterminated BEGIN keeps its locks until the connection closes.",
  hint: "Drop the BEGIN/COMMIT (stairway already wraps the file), or put `-- stairway:no-transaction` on the file and pair every BEGIN with a COMMIT.",
  only: { effects: ["tx"] },
  cases: {
    flag: [
      "ALTER TABLE tools ADD COLUMN note text;\nCOMMIT;\nALTER TABLE tools ADD COLUMN note2 text;",
      "BEGIN;\nALTER TABLE tools ADD COLUMN note text;\nCOMMIT;\nBEGIN;\nALTER TABLE tools ADD COLUMN note2 text;\nCOMMIT;",
      "BEGIN;\nALTER TABLE tools ADD COLUMN note text;\nROLLBACK;",
      "-- stairway:no-transaction\nBEGIN;\nALTER TABLE tools ADD COLUMN note text;",
    ],
    pass: [
      "BEGIN;\nALTER TABLE tools ADD COLUMN note text;\nCOMMIT;",
      "-- stairway:no-transaction\nBEGIN;\nALTER TABLE tools ADD COLUMN note text;\nCOMMIT;",
      "ALTER TABLE tools ADD COLUMN note text;",
    ],
  },
  check(file) {
    const out: Hit[] = [];
    if (file.transactional) {
      // The runner's own verdict (src/plan/transaction-control.ts) on the file's statements; control inside a DO block is never a wrapper.
      const nested = file.statements.find((s) => s.via && hasEffect(s, "tx").length);
      const stray = nested ?? txShape(file.statements.filter((s) => !s.via)).stray;
      if (stray)
        out.push({
          statement: stray,
          message: `${stray.text.split(/\s/)[0]!.toUpperCase()} in a file stairway already runs in a transaction: it would end stairway's transaction early (stairway refuses the file)`,
        });
      return out;
    }
    let open: (typeof file.statements)[number] | undefined;
    for (const s of file.statements) {
      for (const e of hasEffect(s, "tx")) {
        if (e.action === "begin") {
          if (open)
            out.push({ statement: s, message: `BEGIN while the transaction begun at line ${open.line} is still open` });
          open = s;
        } else {
          if (!open) out.push({ statement: s, message: `${e.action.toUpperCase()} without a BEGIN` });
          open = undefined;
        }
      }
    }
    if (open)
      out.push({
        statement: open,
        message: "BEGIN without a COMMIT: the transaction stays open, with its locks, until the connection closes",
      });
    return out;
  },
});
