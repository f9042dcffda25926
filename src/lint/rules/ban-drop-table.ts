import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-drop-table",
  severity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  summary: "DROP TABLE of a table that holds data",
  locks:
    "ACCESS EXCLUSIVE on the table (and on tables whose foreign keys point at it); every row is gone for good, and the running application breaks on the missing table.",
  hint: "Stop using the table in the application first, keep a backup, and drop it in a later migration. Not flagged: a table this file created, a table whose rows this file copied elsewhere first (a rebuild), and in a down, a table the same migration's up created.",
  only: { effects: ["drop-table"] },
  cases: {
    flag: ["DROP TABLE tools;", "DROP TABLE IF EXISTS old_logs;"],
    pass: [
      "CREATE TABLE scratch (a int);\nDROP TABLE scratch;",
      "CREATE TABLE tools_new (id bigint);\nINSERT INTO tools_new SELECT id FROM tools;\nDROP TABLE tools;\nALTER TABLE tools_new RENAME TO tools;",
    ],
  },
  check: perStatement((s, file) => {
    const lost = hasEffect(s, "drop-table")
      .map((e) => e.table)
      .filter((t) => {
        if (file.facts.isNewTable(t, s.index)) return false;
        if (file.direction === "down" && file.up?.tables.has(t)) return false;
        if (file.facts.rowsCopied(t, s.index)) return false;
        // Replaced by a table renamed to its name: table-rebuild-without-copy judges that.
        const retaken = file.facts.nameRetaken(t, s.index);
        return !retaken?.effects.some((e) => e.type === "rename-table" && e.to === t);
      });
    if (lost.length === 0) return;
    return `DROP TABLE ${lost.join(", ")} deletes every row for good, and the running application breaks on the missing table`;
  }),
});
