import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "table-rebuild-without-copy",
  severity: "error",
  dialects: ["sqlite", "postgres"],
  summary:
    "A table rebuilt (new table created, old one dropped, new one renamed to the old name) without copying the rows",
  locks:
    "The rebuild itself is SQLite's documented way to change a table; without INSERT INTO new SELECT ... FROM old before the DROP, every row of the table is lost.",
  hint: "Copy the rows before dropping: INSERT INTO t_new (cols...) SELECT cols... FROM t; (https://www.sqlite.org/lang_altertable.html#otheralter).",
  only: { effects: ["rename-table"] },
  cases: {
    flag: [
      "CREATE TABLE tools_new (id integer PRIMARY KEY, name text NOT NULL);\nDROP TABLE tools;\nALTER TABLE tools_new RENAME TO tools;",
      "CREATE TABLE tools_new (id integer PRIMARY KEY, name text NOT NULL);\nINSERT INTO tools_new SELECT id, name FROM tools WHERE id > 10;\nDROP TABLE tools;\nALTER TABLE tools_new RENAME TO tools;",
    ],
    pass: [
      "CREATE TABLE tools_new (id integer PRIMARY KEY, name text NOT NULL);\nINSERT INTO tools_new (id, name) SELECT id, name FROM tools;\nDROP TABLE tools;\nALTER TABLE tools_new RENAME TO tools;",
    ],
  },
  check: perStatement((s, file) => {
    for (const e of hasEffect(s, "rename-table")) {
      const dropped = file.statements.find(
        (d) => d.index < s.index && hasEffect(d, "drop-table").some((x) => x.table === e.to),
      );
      if (!dropped || file.facts.isNewTable(e.to, dropped.index)) continue;
      if (file.facts.rowsCopied(e.to, dropped.index)) continue;
      const partial = file.statements.some(
        (c) => c.index < dropped.index && hasEffect(c, "copy-rows").some((x) => x.from === e.to && !x.complete),
      );
      return `${e.from} replaces ${e.to} (dropped at line ${dropped.line}), but ${partial ? "only some rows of" : "no INSERT ... SELECT copies the rows of"} ${e.to} ${partial ? "were copied" : "into it"}: ${partial ? "the others are" : "every row is"} lost`;
    }
    return undefined;
  }),
});
