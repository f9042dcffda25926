import { as, dotted } from "../pg-ast.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "require-enum-value-ordering",
  severity: "warning",
  dialects: ["postgres"],
  summary: "ALTER TYPE ... ADD VALUE without BEFORE or AFTER",
  locks:
    "No table lock; the value goes last, which decides how ORDER BY and comparisons on the enum sort it — usually by accident.",
  hint: "Say where it belongs: ADD VALUE 'x' BEFORE 'y' (or AFTER).",
  only: { kinds: ["AlterEnumStmt"] },
  cases: {
    flag: ["ALTER TYPE tool_state ADD VALUE 'paused';"],
    pass: ["ALTER TYPE tool_state ADD VALUE 'paused' AFTER 'active';"],
  },
  check: perStatement((s) => {
    const e = as(s.pg, "AlterEnumStmt");
    if (!e || e.oldVal || !e.newVal || e.newValNeighbor) return;
    return `ADD VALUE '${e.newVal}' to enum ${dotted(e.typeName).join(".")} without BEFORE/AFTER: it sorts after every existing value`;
  }),
});
