import { as, constraints } from "../pg-ast.ts";
import { alterTable, defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "adding-primary-key-constraint",
  severity: "error",
  dialects: ["postgres"],
  summary: "ADD PRIMARY KEY (or ADD COLUMN ... PRIMARY KEY) without USING INDEX on an existing table",
  locks:
    "ACCESS EXCLUSIVE while the index is built, plus an implicit SET NOT NULL scan of the key columns: the table is unreadable until both end.",
  hint: "CREATE UNIQUE INDEX CONCURRENTLY on the key (no-transaction file), make the columns NOT NULL the safe way (CHECK ... NOT VALID, VALIDATE, SET NOT NULL), then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.",
  only: { kinds: ["AlterTableStmt"] },
  cases: {
    flag: ["ALTER TABLE events ADD PRIMARY KEY (id);", "ALTER TABLE events ADD COLUMN id bigint PRIMARY KEY;"],
    pass: [
      "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_idx;",
      "CREATE TABLE e (id bigint);\nALTER TABLE e ADD PRIMARY KEY (id);",
    ],
  },
  check: perStatement((s, file) => {
    const a = alterTable(s);
    if (!a || isNew(file, s, a.table)) return;
    for (const cmd of a.cmds) {
      const c = cmd.subtype === "AT_AddConstraint" ? as(cmd.def, "Constraint") : undefined;
      if (c?.contype === "CONSTR_PRIMARY" && !c.indexname)
        return `PRIMARY KEY on ${a.table} builds its index (and checks NOT NULL) under ACCESS EXCLUSIVE`;
      const col = cmd.subtype === "AT_AddColumn" ? as(cmd.def, "ColumnDef") : undefined;
      if (col && constraints(col).some((k) => k.contype === "CONSTR_PRIMARY"))
        return `ADD COLUMN ${col.colname} ... PRIMARY KEY builds an index under ACCESS EXCLUSIVE on ${a.table}`;
    }
    return undefined;
  }),
});
