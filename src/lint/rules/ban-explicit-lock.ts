import { as, each, relName } from "../pg-ast.ts";
import { blocks, lockName, SHARE } from "../pg-locks.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-explicit-lock",
  severity: "error",
  dialects: ["postgres"],
  summary: "LOCK TABLE in a mode that blocks writes (SHARE or stronger), or outside a transaction",
  locks:
    "The lock named, held until the migration commits: with ACCESS EXCLUSIVE nothing reads the table meanwhile. Outside a transaction block LOCK TABLE fails.",
  hint: "Let each statement take the lock it needs, with a lock_timeout; if the explicit lock is deliberate (to order concurrent writers), allow it with the reason.",
  only: { kinds: ["LockStmt"] },
  cases: {
    flag: [
      "LOCK TABLE tools IN ACCESS EXCLUSIVE MODE;",
      "LOCK tools;",
      "-- stairway:no-transaction\nLOCK TABLE tools IN ROW SHARE MODE;",
    ],
    pass: ["LOCK TABLE tools IN ROW SHARE MODE;"],
  },
  check: perStatement((s) => {
    const l = as(s.pg, "LockStmt");
    if (!l) return;
    const mode = l.mode ?? 8;
    const tables = each(l.relations, "RangeVar").map(relName).join(", ");
    if (s.tx === null)
      return `LOCK TABLE ${tables} outside a transaction block fails ("can only be used in transaction blocks")`;
    if (mode < SHARE) return;
    return `LOCK TABLE ${tables} IN ${lockName(mode)} MODE blocks ${blocks(mode)} until the migration commits`;
  }),
});
