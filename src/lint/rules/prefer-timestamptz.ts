import { COLUMN_KINDS, definedColumns } from "../pg-columns.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "prefer-timestamptz",
  severity: "warning",
  dialects: ["postgres"],
  summary: "timestamp without time zone columns",
  locks:
    "None; the value carries no zone, so the same instant reads differently per session TimeZone, and changing the type later rewrites the table.",
  hint: "Use timestamptz. Not flagged in a down.",
  only: { kinds: COLUMN_KINDS },
  cases: {
    flag: ["CREATE TABLE e (at timestamp NOT NULL);", "ALTER TABLE e ADD COLUMN seen timestamp(3) without time zone;"],
    pass: ["CREATE TABLE e (at timestamptz NOT NULL);"],
  },
  check: perStatement((s, file) => {
    if (file.direction === "down") return;
    const cols = definedColumns(s).filter((c) => c.typeName === "timestamp");
    if (cols.length === 0) return;
    return `${cols.map((c) => `${c.table}.${c.column}`).join(", ")}: timestamp without time zone; timestamptz stores an instant`;
  }),
});
