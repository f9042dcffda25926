import { as, relName } from "../pg-ast.ts";
import { alterTable, defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "require-concurrent-partition-detach",
  severity: "error",
  dialects: ["postgres"],
  summary: "ALTER TABLE ... DETACH PARTITION without CONCURRENTLY",
  locks: "ACCESS EXCLUSIVE on the partitioned table and the partition: every read and write of the whole table waits.",
  hint: "Use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+) in a file with `-- stairway:no-transaction`.",
  only: { kinds: ["AlterTableStmt"] },
  cases: {
    flag: ["ALTER TABLE logs DETACH PARTITION logs_2024;"],
    pass: ["-- stairway:no-transaction\nALTER TABLE logs DETACH PARTITION logs_2024 CONCURRENTLY;"],
  },
  check: perStatement((s, file) => {
    const a = alterTable(s);
    if (!a || isNew(file, s, a.table)) return;
    for (const cmd of a.cmds) {
      if (cmd.subtype !== "AT_DetachPartition") continue;
      const p = as(cmd.def, "PartitionCmd");
      if (p?.concurrent) continue;
      return `DETACH PARTITION ${relName(p?.name)} from ${a.table} without CONCURRENTLY: ACCESS EXCLUSIVE on all of ${a.table} while it runs`;
    }
    return undefined;
  }),
});
