import { typeLabel } from "../pg-ast.ts";
import { COLUMN_KINDS, definedColumns } from "../pg-columns.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-char-field",
  severity: "warning",
  dialects: ["postgres"],
  summary: "char(n) / character columns",
  locks: "None; char pads with spaces (comparisons and lengths surprise), and is no faster than text.",
  hint: "Use text (with a CHECK on length if needed). Not flagged in a down.",
  only: { kinds: COLUMN_KINDS },
  cases: {
    flag: ["CREATE TABLE c (code char(3));", "ALTER TABLE c ADD COLUMN flag character;"],
    pass: ["CREATE TABLE c (code text CHECK (char_length(code) = 3));"],
  },
  check: perStatement((s, file) => {
    if (file.direction === "down") return;
    const cols = definedColumns(s).filter((c) => c.typeName === "bpchar");
    if (cols.length === 0) return;
    return `${cols.map((c) => `${c.table}.${c.column} ${typeLabel(c.type).replace("bpchar", "char")}`).join(", ")}: char pads values with spaces`;
  }),
});
