import { typeMods } from "../pg-ast.ts";
import { COLUMN_KINDS, definedColumns } from "../pg-columns.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "prefer-text-field",
  severity: "warning",
  dialects: ["postgres"],
  summary: "varchar(n) columns",
  locks:
    "None now; changing n later is ALTER COLUMN ... TYPE under ACCESS EXCLUSIVE (a rewrite when n shrinks), where a CHECK on text changes with NOT VALID + VALIDATE.",
  hint: "Use text with CHECK (char_length(col) <= n). Not flagged in a down, which restores what was there.",
  only: { kinds: COLUMN_KINDS },
  cases: {
    flag: ["CREATE TABLE users (id bigint, email varchar(255));"],
    pass: [
      "CREATE TABLE users (id bigint, email text CHECK (char_length(email) <= 255));",
      "ALTER TABLE u ADD COLUMN code varchar;",
    ],
  },
  check: perStatement((s, file) => {
    if (file.direction === "down") return;
    const cols = definedColumns(s).filter((c) => c.typeName === "varchar" && typeMods(c.type).length);
    if (cols.length === 0) return;
    return `${cols.map((c) => `${c.table}.${c.column} varchar(${typeMods(c.type)[0]})`).join(", ")}: changing the length later locks the table; text with a CHECK does not`;
  }),
});
