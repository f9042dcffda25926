import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "renaming-column",
  severity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  summary: "RENAME COLUMN on a column the application uses",
  locks:
    "ACCESS EXCLUSIVE (brief); every query of the running application that names the old column fails from the commit on.",
  hint: "Add the new column, write both, backfill, move reads, then drop the old one. Not flagged: a column this file added, and in a down, undoing the up's rename.",
  only: { effects: ["rename-column"] },
  cases: {
    flag: ["ALTER TABLE tools RENAME COLUMN url TO endpoint;"],
    pass: ["ALTER TABLE tools ADD COLUMN nmae text;\nALTER TABLE tools RENAME COLUMN nmae TO nickname;"],
  },
  check: perStatement((s, file) => {
    for (const e of hasEffect(s, "rename-column")) {
      if (file.facts.isNewColumn(e.table, e.from, s.index)) continue;
      if (file.direction === "down" && file.up?.renames.has(`column:${e.table}.${e.to}>${e.from}`)) continue;
      return `RENAME COLUMN ${e.table}.${e.from} TO ${e.to}: queries of the running application that name ${e.from} fail from the commit on`;
    }
    return undefined;
  }),
});
