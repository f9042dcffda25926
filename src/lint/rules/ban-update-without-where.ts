import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-update-without-where",
  severity: "warning",
  dialects: ["postgres", "sqlite", "mysql"],
  summary: "UPDATE without WHERE (an unbatched backfill)",
  locks:
    "Rewrites every row in one transaction: each row stays locked until the migration commits (writers wait), and a large table doubles in size until vacuum catches up.",
  hint: "Backfill in batches (UPDATE ... WHERE id BETWEEN ...) outside the schema-change transaction, or in a no-transaction migration. Not flagged for a table this file created.",
  only: { effects: ["update-rows"] },
  cases: {
    flag: ["UPDATE tools SET is_active = true;"],
    pass: ["UPDATE tools SET is_active = true WHERE id < 1000;", "CREATE TABLE t (a int);\nUPDATE t SET a = 1;"],
  },
  check: perStatement((s, file) => {
    const e = hasEffect(s, "update-rows").find((u) => !u.where && !file.facts.isNewTable(u.table, s.index));
    return e ? `UPDATE ${e.table} without WHERE rewrites and locks every row in one transaction` : undefined;
  }),
});
