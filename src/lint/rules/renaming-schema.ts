import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "renaming-schema",
  severity: "error",
  dialects: ["postgres"],
  summary: "ALTER SCHEMA ... RENAME TO",
  locks:
    "Brief catalog change; every query that names the old schema, and every search_path that lists it, breaks at once.",
  hint: "Create the new schema and move objects (or keep the old name); if the rename is meant, allow it with the reason. Not flagged in a down that undoes the up's rename.",
  only: { effects: ["rename-schema"] },
  cases: { flag: ["ALTER SCHEMA reporting RENAME TO analytics;"], pass: ["CREATE SCHEMA analytics;"] },
  check: perStatement((s, file) => {
    const e = hasEffect(s, "rename-schema").find(
      (r) => !(file.direction === "down" && file.up?.renames.has(`schema:${r.to}>${r.from}`)),
    );
    return e
      ? `RENAME SCHEMA ${e.from} TO ${e.to}: every query and search_path that names ${e.from} breaks`
      : undefined;
  }),
});
