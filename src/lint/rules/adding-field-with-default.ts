import { as } from "../pg-ast.ts";
import { addColumnRewrite } from "../pg-columns.ts";
import { alterTable, defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "adding-field-with-default",
  severity: "error",
  dialects: ["postgres"],
  summary: "ADD COLUMN with a volatile default, a serial, an identity or a stored generated column",
  locks:
    "ACCESS EXCLUSIVE for a full table rewrite (and a rebuild of every index): nothing reads or writes the table until it ends. A constant or stable default (now()) is a catalog change since PostgreSQL 11 and is not flagged.",
  hint: "Add the column without the default (or with a constant one), set the default with ALTER COLUMN ... SET DEFAULT, then backfill existing rows in batches.",
  only: { kinds: ["AlterTableStmt"] },
  cases: {
    flag: [
      "ALTER TABLE tools ADD COLUMN uid uuid DEFAULT gen_random_uuid();",
      "ALTER TABLE tools ADD COLUMN seq bigserial;",
      "ALTER TABLE tools ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;",
      "ALTER TABLE tools ADD COLUMN twice bigint GENERATED ALWAYS AS (execution_count * 2) STORED;",
      "ALTER TABLE tools ADD COLUMN seen timestamptz DEFAULT clock_timestamp();",
    ],
    pass: [
      "ALTER TABLE tools ADD COLUMN tags jsonb NOT NULL DEFAULT '[]';",
      "ALTER TABLE tools ADD COLUMN added_at timestamptz NOT NULL DEFAULT now();",
      "ALTER TABLE tools ADD COLUMN state text DEFAULT 'new'::text;",
      "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN uid uuid DEFAULT gen_random_uuid();",
    ],
  },
  check: perStatement((s, file) => {
    const a = alterTable(s);
    if (!a || isNew(file, s, a.table)) return;
    for (const cmd of a.cmds) {
      const col = cmd.subtype === "AT_AddColumn" ? as(cmd.def, "ColumnDef") : undefined;
      const why = col && addColumnRewrite(col);
      if (why) return `ADD COLUMN ${col.colname} rewrites all of ${a.table} under ACCESS EXCLUSIVE: ${why}`;
    }
    return undefined;
  }),
});
