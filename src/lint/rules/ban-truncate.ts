import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-truncate",
  severity: "error",
  dialects: ["postgres"],
  summary: "TRUNCATE of a table that holds data",
  locks:
    "ACCESS EXCLUSIVE on the table; every row is gone, and with CASCADE every row of the tables whose foreign keys point at it too.",
  hint: "Delete the rows you mean to delete, with a WHERE, in batches. Not flagged for a table this file created.",
  only: { effects: ["truncate"] },
  cases: { flag: ["TRUNCATE tools;", "TRUNCATE servers CASCADE;"], pass: ["CREATE TABLE t (a int);\nTRUNCATE t;"] },
  check: perStatement((s, file) => {
    const hit = hasEffect(s, "truncate").filter((e) => !file.facts.isNewTable(e.table, s.index));
    if (hit.length === 0) return;
    const cascade = hit.some((e) => e.cascade) ? ", and CASCADE also empties every table that references them" : "";
    return `TRUNCATE ${hit.map((e) => e.table).join(", ")} deletes every row under ACCESS EXCLUSIVE${cascade}`;
  }),
});
