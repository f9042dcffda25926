import { COLUMN_KINDS, definedColumns } from "../pg-columns.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "prefer-jsonb",
  severity: "warning",
  dialects: ["postgres"],
  summary: "json columns",
  locks:
    "None; json has no equality operator (SELECT DISTINCT, UNION and GROUP BY on the table fail) and cannot be indexed with GIN.",
  hint: "Use jsonb. Not flagged in a down.",
  only: { kinds: COLUMN_KINDS },
  cases: { flag: ["CREATE TABLE a (payload json);"], pass: ["CREATE TABLE a (payload jsonb);"] },
  check: perStatement((s, file) => {
    if (file.direction === "down") return;
    const cols = definedColumns(s).filter((c) => c.typeName === "json");
    if (cols.length === 0) return;
    return `${cols.map((c) => `${c.table}.${c.column}`).join(", ")}: json has no equality operator; use jsonb`;
  }),
});
