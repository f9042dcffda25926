import { as, constraints } from "../pg-ast.ts";
import { alterTable, defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "disallowed-unique-constraint",
  severity: "error",
  dialects: ["postgres"],
  summary: "ADD CONSTRAINT ... UNIQUE (or EXCLUDE, or ADD COLUMN ... UNIQUE) without USING INDEX on an existing table",
  locks: "ACCESS EXCLUSIVE while the unique index is built: nothing reads or writes the table until the build ends.",
  hint: "CREATE UNIQUE INDEX CONCURRENTLY (no-transaction file), then ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX (brief). EXCLUDE constraints have no online path: build them in a maintenance window.",
  only: { kinds: ["AlterTableStmt"] },
  cases: {
    flag: [
      "ALTER TABLE tools ADD CONSTRAINT tools_url_key UNIQUE (url);",
      "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);",
      "ALTER TABLE tools ADD COLUMN slug text UNIQUE;",
    ],
    pass: [
      "ALTER TABLE tools ADD CONSTRAINT tools_url_key UNIQUE USING INDEX tools_url_idx;",
      "CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);",
    ],
  },
  check: perStatement((s, file) => {
    const a = alterTable(s);
    if (!a || isNew(file, s, a.table)) return;
    for (const cmd of a.cmds) {
      const c = cmd.subtype === "AT_AddConstraint" ? as(cmd.def, "Constraint") : undefined;
      if (c?.contype === "CONSTR_UNIQUE" && !c.indexname)
        return `UNIQUE constraint ${c.conname ?? ""} builds its index under ACCESS EXCLUSIVE: ${a.table} is unreadable until it is built`;
      if (c?.contype === "CONSTR_EXCLUSION")
        return `EXCLUDE constraint ${c.conname ?? ""} builds its index under ACCESS EXCLUSIVE: ${a.table} is unreadable until it is built`;
      const col = cmd.subtype === "AT_AddColumn" ? as(cmd.def, "ColumnDef") : undefined;
      if (col && constraints(col).some((k) => k.contype === "CONSTR_UNIQUE"))
        return `ADD COLUMN ${col.colname} ... UNIQUE builds a unique index under ACCESS EXCLUSIVE on ${a.table}`;
    }
    return undefined;
  }),
});
