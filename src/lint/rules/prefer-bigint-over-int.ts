import { COLUMN_KINDS, definedColumns, isIdentity } from "../pg-columns.ts";
import { defineRule, perStatement } from "../rule.ts";

const SMALL = new Set(["int2", "int4", "smallint", "integer", "int", "serial", "serial4", "smallserial", "serial2"]);

export default defineRule({
  id: "prefer-bigint-over-int",
  severity: "warning",
  dialects: ["postgres"],
  summary: "integer / smallint primary keys, identity and serial columns",
  locks:
    "None now; the key runs out at 2,147,483,647 (32,767 for smallint), and widening it later is a rewrite of the table and every index and foreign key that uses it.",
  hint: "Use bigint (bigint GENERATED ... AS IDENTITY). Plain int columns that are not keys are not flagged; nor is a down.",
  only: { kinds: COLUMN_KINDS },
  cases: {
    flag: [
      "CREATE TABLE a (id integer PRIMARY KEY);",
      "CREATE TABLE b (id serial, PRIMARY KEY (id));",
      "CREATE TABLE c (id int GENERATED ALWAYS AS IDENTITY, n int);",
    ],
    pass: ["CREATE TABLE a (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, qty integer NOT NULL);"],
  },
  check: perStatement((s, file) => {
    if (file.direction === "down") return;
    const cols = definedColumns(s).filter(
      (c) => SMALL.has(c.typeName) && (c.primaryKey || isIdentity(c.col) || c.typeName.includes("serial")),
    );
    if (cols.length === 0) return;
    return `${cols.map((c) => `${c.table}.${c.column} ${c.typeName}`).join(", ")}: a 32-bit key runs out, and widening it later rewrites the table`;
  }),
});
