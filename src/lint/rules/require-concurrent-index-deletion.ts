import { as, objectName } from "../pg-ast.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "require-concurrent-index-deletion",
  severity: "error",
  dialects: ["postgres"],
  summary: "DROP INDEX without CONCURRENTLY",
  locks:
    "ACCESS EXCLUSIVE lock on the index's table: brief once granted, but it waits for every running query on the table, and every query after it queues behind it.",
  hint: "Use DROP INDEX CONCURRENTLY in a file with `-- stairway:no-transaction`.",
  only: { kinds: ["DropStmt"] },
  cases: {
    flag: ["DROP INDEX idx_tools_name;", "DROP INDEX IF EXISTS idx_a, idx_b;"],
    pass: [
      "-- stairway:no-transaction\nDROP INDEX CONCURRENTLY idx_tools_name;",
      "CREATE TABLE t (a int);\nCREATE INDEX idx_t_a ON t (a);\nDROP INDEX idx_t_a;",
    ],
  },
  check: perStatement((s, file) => {
    const drop = as(s.pg, "DropStmt");
    if (drop?.removeType !== "OBJECT_INDEX" || drop.concurrent) return;
    const names = (drop.objects ?? []).map(objectName).filter((n) => !file.facts.isNewIndex(n, s.index));
    if (names.length === 0) return;
    return `DROP INDEX ${names.join(", ")} without CONCURRENTLY: takes ACCESS EXCLUSIVE on the table, and every query on it queues behind the drop`;
  }),
});
