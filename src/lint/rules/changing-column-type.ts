import { as, typeLabel } from "../pg-ast.ts";
import { alterTable, defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "changing-column-type",
  severity: "error",
  dialects: ["postgres"],
  summary: "ALTER COLUMN ... TYPE on an existing table",
  locks:
    "ACCESS EXCLUSIVE, and unless the change is binary-coercible (varchar → text, varchar(n) → varchar(m ≥ n), numeric precision up) a rewrite of the table and all its indexes; the running application may also break on the new type.",
  hint: "Add a new column of the new type, write both from the application, backfill in batches, switch reads, then drop the old column. A linter cannot see the old type: if this change is binary-coercible, allow it with the reason.",
  only: { kinds: ["AlterTableStmt"] },
  cases: {
    flag: [
      "ALTER TABLE tools ALTER COLUMN execution_count TYPE bigint;",
      "ALTER TABLE tools ALTER COLUMN name TYPE varchar(100) USING left(name, 100);",
    ],
    pass: [
      "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;",
      "ALTER TABLE tools ALTER COLUMN name SET DEFAULT 'x';",
    ],
  },
  check: perStatement((s, file) => {
    const a = alterTable(s);
    if (!a || isNew(file, s, a.table)) return;
    const cmd = a.cmds.find((c) => c.subtype === "AT_AlterColumnType");
    if (!cmd) return;
    const type = typeLabel(as(cmd.def, "ColumnDef")?.typeName);
    return `${a.table}.${cmd.name} changes type to ${type}: ACCESS EXCLUSIVE and, unless binary-coercible, a rewrite of ${a.table} and its indexes`;
  }),
});
