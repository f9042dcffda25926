import { as } from "../pg-ast.ts";
import { hasDefault, isNotNull } from "../pg-columns.ts";
import { alterTable, defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "adding-required-field",
  severity: "error",
  dialects: ["postgres"],
  summary: "ADD COLUMN ... NOT NULL without a default on an existing table",
  locks:
    "ACCESS EXCLUSIVE, and the statement fails on any table that has rows; where it succeeds, INSERTs of the application version still running (which do not know the column) fail.",
  hint: "Add the column nullable (or NOT NULL with a constant DEFAULT), backfill, then add CHECK (col IS NOT NULL) NOT VALID and VALIDATE it in a later migration.",
  only: { kinds: ["AlterTableStmt"] },
  cases: {
    flag: [
      "ALTER TABLE tools ADD COLUMN owner_id bigint NOT NULL;",
      "ALTER TABLE tools ADD COLUMN a int, ADD COLUMN b text NOT NULL;",
    ],
    pass: [
      "ALTER TABLE tools ADD COLUMN owner_id bigint;",
      "ALTER TABLE tools ADD COLUMN execution_count bigint NOT NULL DEFAULT 0;",
      "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;",
    ],
  },
  check: perStatement((s, file) => {
    const a = alterTable(s);
    if (!a || isNew(file, s, a.table)) return;
    for (const cmd of a.cmds) {
      const col = cmd.subtype === "AT_AddColumn" ? as(cmd.def, "ColumnDef") : undefined;
      if (col && isNotNull(col) && !hasDefault(col))
        return `ADD COLUMN ${col.colname} NOT NULL without a default: fails if ${a.table} has rows, and breaks INSERTs that do not name it`;
    }
    return undefined;
  }),
});
