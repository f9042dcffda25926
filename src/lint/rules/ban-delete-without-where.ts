import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-delete-without-where",
  severity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  summary: "DELETE without WHERE",
  locks:
    "Deletes every row, locking each one until the migration commits (writers to those rows wait); on a large table a long transaction, much WAL and bloat.",
  hint: "Add the WHERE that names the rows this migration owns (e.g. the ones its up inserted). Not flagged for a table this file created, or in a down for a table its up created.",
  only: { effects: ["delete-rows"] },
  cases: {
    flag: ["DELETE FROM tools;", "DELETE FROM servers RETURNING id;"],
    pass: ["DELETE FROM tools WHERE name = 'legacy';", "CREATE TABLE t (a int);\nDELETE FROM t;"],
  },
  check: perStatement((s, file) => {
    const e = hasEffect(s, "delete-rows").find(
      (d) =>
        !d.where &&
        !file.facts.isNewTable(d.table, s.index) &&
        !(file.direction === "down" && file.up?.tables.has(d.table)),
    );
    return e ? `DELETE FROM ${e.table} without WHERE deletes every row` : undefined;
  }),
});
