import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "renaming-table",
  severity: "error",
  dialects: ["postgres", "sqlite"],
  summary: "ALTER TABLE ... RENAME TO on a table the application uses",
  locks:
    "ACCESS EXCLUSIVE (brief); every query of the running application that names the old table fails from the commit on.",
  hint: "Create the new table (or a view under the old name), move the application over, then drop the old name. Not flagged: a table this file created, a swap that gives the old name to a new table in the same transaction, and in a down, undoing the up's rename.",
  only: { effects: ["rename-table"] },
  cases: {
    flag: ["ALTER TABLE tools RENAME TO mcp_tools;"],
    pass: [
      "CREATE TABLE tools_rebuild (id int);\nALTER TABLE tools_rebuild RENAME TO tools_v2;",
      "ALTER TABLE logs RENAME TO logs_old;\nCREATE TABLE logs (id bigint);",
    ],
  },
  check: perStatement((s, file) => {
    for (const e of hasEffect(s, "rename-table")) {
      if (file.facts.isNewTable(e.from, s.index)) continue;
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
