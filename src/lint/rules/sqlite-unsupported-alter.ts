import type { SqliteColumn } from "../sqlite-parser.ts";
import { defineRule, perStatement } from "../rule.ts";

// https://www.sqlite.org/lang_altertable.html#alter_table_add_column
function addColumnProblem(c: SqliteColumn, foreignKeys: boolean): string | undefined {
  if (c.primaryKey) return "SQLite cannot add a PRIMARY KEY column";
  if (c.unique) return "SQLite cannot add a UNIQUE column";
  if (c.generated === "stored") return "SQLite cannot add a STORED generated column";
  if (c.notNull && (!c.default || c.default.isNull) && !c.generated)
    return "SQLite cannot add a NOT NULL column without a non-NULL default";
  if (c.default && !c.default.constant)
    return `SQLite cannot add a column with a non-constant default (${c.default.text})`;
  if (foreignKeys && c.references && c.default && !c.default.isNull)
    return "SQLite cannot add a REFERENCES column with a non-NULL default while foreign keys are on";
  return undefined;
}

export default defineRule({
  id: "sqlite-unsupported-alter",
  severity: "error",
  dialects: ["sqlite"],
  summary:
    "ALTER TABLE forms SQLite does not have (ALTER COLUMN, ADD/DROP CONSTRAINT, several actions) and ADD COLUMN forms it refuses",
  locks: "None: SQLite rejects the statement and the migration fails.",
  hint: "SQLite only has RENAME TO, RENAME COLUMN, ADD COLUMN and DROP COLUMN; anything else is a table rebuild: CREATE TABLE new, INSERT INTO new SELECT ... FROM old, DROP TABLE old, ALTER TABLE new RENAME TO old (https://www.sqlite.org/lang_altertable.html#otheralter).",
  only: { kinds: ["alter-table"] },
  cases: {
    flag: [
      "ALTER TABLE tools ALTER COLUMN name SET NOT NULL;",
      "ALTER TABLE tools ADD CONSTRAINT tools_url_key UNIQUE (url);",
      "ALTER TABLE tools ADD COLUMN owner_id INTEGER NOT NULL;",
      "ALTER TABLE tools ADD COLUMN seen_at TEXT DEFAULT CURRENT_TIMESTAMP;",
      "ALTER TABLE tools ADD COLUMN slug TEXT UNIQUE;",
      "ALTER TABLE tools ADD COLUMN a TEXT, ADD COLUMN b TEXT;",
    ],
    pass: [
      "ALTER TABLE tools ADD COLUMN tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags));",
      "ALTER TABLE tools ADD COLUMN gateway_id INTEGER REFERENCES gateways (id) ON DELETE SET NULL;",
      "ALTER TABLE tools RENAME COLUMN url TO endpoint;",
      "ALTER TABLE tools DROP COLUMN note;",
    ],
  },
  check: perStatement((s) => {
    const st = s.sqlite;
    if (st?.kind !== "alter-table") return;
    const a = st.action;
    if (a.type === "unsupported") return `ALTER TABLE ${st.table} ${a.what}: SQLite has no such ALTER TABLE form`;
    if (a.type === "add-column") return addColumnProblem(a.column, true);
    return undefined;
  }),
});
