import { blocks, lockName, pgLocks } from "../pg-locks.ts";
import { alterTable, defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "validate-in-same-transaction",
  severity: "error",
  dialects: ["postgres"],
  summary: "VALIDATE CONSTRAINT in the same transaction that added it NOT VALID (or that already locked the table)",
  locks:
    "The lock taken earlier in the transaction (ACCESS EXCLUSIVE for ADD CHECK, SHARE ROW EXCLUSIVE for ADD FOREIGN KEY) is held until COMMIT, so the validation scan runs under it: NOT VALID gains nothing.",
  hint: "Validate in a separate transaction: put `-- stairway:no-transaction` on the file (each statement then commits on its own) or move VALIDATE CONSTRAINT to the next migration.",
  only: { kinds: ["AlterTableStmt"] },
  cases: {
    flag: [
      "ALTER TABLE tools ADD CONSTRAINT c CHECK (execution_count >= 0) NOT VALID;\nALTER TABLE tools VALIDATE CONSTRAINT c;",
      "ALTER TABLE tools ADD COLUMN note text;\nALTER TABLE tools VALIDATE CONSTRAINT tools_gateway_fkey;",
    ],
    pass: [
      "-- stairway:no-transaction\nALTER TABLE tools ADD CONSTRAINT c CHECK (execution_count >= 0) NOT VALID;\nALTER TABLE tools VALIDATE CONSTRAINT c;",
      "ALTER TABLE tools VALIDATE CONSTRAINT c;",
    ],
  },
  check: perStatement((s, file) => {
    const a = alterTable(s);
    const v = a?.cmds.find((c) => c.subtype === "AT_ValidateConstraint");
    if (!a || !v || s.tx === null || isNew(file, s, a.table)) return;
    for (const earlier of file.statements) {
      if (earlier.index >= s.index) break;
      if (earlier.tx !== s.tx) continue;
      const lock = pgLocks(earlier).find((l) => l.name === a.table && !l.index && blocks(l.mode));
      if (!lock) continue;
      const addedHere = alterTable(earlier)?.cmds.some((c) => c.subtype === "AT_AddConstraint");
      return `VALIDATE CONSTRAINT ${v.name} runs in the transaction that took ${lockName(lock.mode)} on ${a.table} at line ${earlier.line}${addedHere ? " (the ADD ... NOT VALID)" : ""}: the lock is held for the whole validation scan`;
    }
    return undefined;
  }),
});
