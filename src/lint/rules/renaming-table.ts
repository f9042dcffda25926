import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "renaming-table",
  severity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  summary: "ALTER TABLE ... RENAME TO on a table the application uses",
  locks:
    "ACCESS EXCLUSIVE (brief); every query of the running application that names the old table fails from the commit on.",
  hint: "Create the new table (or a view under the old name), move the application over, then drop the old name. Not flagged: a table this file created, a swap that gives the old name to a new table in the same transaction (MySQL: in the same RENAME TABLE), and in a down, undoing the up's rename.",
  only: { effects: ["rename-table"] },
  cases: {
    flag: [
      "ALTER TABLE tools RENAME TO mcp_tools;",
      "-- dialect: mysql\nALTER TABLE logs RENAME TO logs_old;\nCREATE TABLE logs (id bigint);",
    ],
    pass: [
      "CREATE TABLE tools_rebuild (id int);\nALTER TABLE tools_rebuild RENAME TO tools_v2;",
      // The swap in one transaction: not on MySQL, where the DDL commits between the two.
      "-- dialect: postgres\nALTER TABLE logs RENAME TO logs_old;\nCREATE TABLE logs (id bigint);",
      "-- dialect: sqlite\nALTER TABLE logs RENAME TO logs_old;\nCREATE TABLE logs (id bigint);",
      "-- dialect: mysql\nCREATE TABLE logs_new (id bigint);\nRENAME TABLE logs TO logs_old, logs_new TO logs;",
    ],
  },
  check: perStatement((s, file) => {
    for (const e of hasEffect(s, "rename-table")) {
      if (file.facts.isNewTable(e.from, s.index)) continue;
      // MySQL's RENAME TABLE a TO a_old, b TO a: one atomic swap, the name never missing.
      if (s.effects.some((x) => x.type === "rename-table" && x.to === e.from)) continue;
      if (file.direction === "down" && file.up?.renames.has(`table:${e.to}>${e.from}`)) continue;
      const retaken = file.facts.nameRetaken(e.from, s.index);
      if (retaken && retaken.tx !== null && retaken.tx === s.tx) continue; // clients never see the name missing
      if (retaken)
        return `RENAME ${e.from} TO ${e.to}: ${e.from} is recreated at line ${retaken.line}, but outside this statement's transaction, so queries fail in between`;
      return `RENAME ${e.from} TO ${e.to}: queries of the running application that name ${e.from} fail from the commit on`;
    }
    return undefined;
  }),
});
