import { hasEffect } from "../model.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-drop-schema",
  severity: "error",
  dialects: ["postgres"],
  summary: "DROP SCHEMA",
  locks:
    "ACCESS EXCLUSIVE on everything in it; with CASCADE every table, view and function in the schema is gone for good.",
  hint: "Drop the objects you mean to drop one by one, after the application stopped using them. Not flagged in a down when the up created the schema, or when this file created it.",
  only: { effects: ["drop-schema"] },
  cases: {
    flag: ["DROP SCHEMA reporting CASCADE;"],
    pass: ["CREATE SCHEMA tmp;\nDROP SCHEMA tmp;"],
  },
  check: perStatement((s, file) => {
    const drops = hasEffect(s, "drop-schema");
    if (drops.length === 0) return;
    const created = new Set(
      file.statements
        .filter((x) => x.index < s.index)
        .flatMap((x) => hasEffect(x, "create-schema").map((e) => e.schema)),
    );
    const lost = drops
      .map((e) => e.schema)
      .filter((n) => !created.has(n) && !(file.direction === "down" && file.up?.schemas.has(n)));
    if (lost.length === 0) return;
    return `DROP SCHEMA ${lost.join(", ")} removes every object in it for good`;
  }),
});
