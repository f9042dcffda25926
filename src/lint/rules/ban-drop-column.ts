import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-drop-column",
  severity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  summary: "DROP COLUMN of a column that holds data",
  locks:
    "PostgreSQL: ACCESS EXCLUSIVE (brief, no rewrite). SQLite: rewrites the table. Either way the values are gone, and the running application's queries that name the column fail.",
  hint: "Stop reading and writing the column in the application (deploy that first), then drop it. Not flagged: a column this file added, and in a down, a column the same migration's up added.",
  only: { effects: ["drop-column"] },
  cases: {
    flag: ["ALTER TABLE tools DROP COLUMN description;"],
    pass: [
      "ALTER TABLE tools ADD COLUMN note text;\nALTER TABLE tools DROP COLUMN note;",
      "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;",
    ],
  },
  check: perStatement((s, file) => {
    const lost = hasEffect(s, "drop-column").filter(
      (e) =>
        !file.facts.isNewColumn(e.table, e.column, s.index) &&
        !(file.direction === "down" && file.up?.columns.has(`${e.table}.${e.column}`)),
    );
    if (lost.length === 0) return;
    return `DROP COLUMN ${lost.map((e) => `${e.table}.${e.column}`).join(", ")} deletes its values for good, and queries of the running application that name it fail`;
  }),
});
