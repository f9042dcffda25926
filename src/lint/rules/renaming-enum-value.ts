import { as, dotted } from "../pg-ast.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "renaming-enum-value",
  severity: "error",
  dialects: ["postgres"],
  summary: "ALTER TYPE ... RENAME VALUE",
  locks:
    "Brief catalog change; rows keep their value under its new label, and the running application that writes or compares the old label fails.",
  hint: "Add the new value, move the application and the rows to it, and stop using the old one (enum values cannot be dropped). Not flagged for a type this file created.",
  only: { kinds: ["AlterEnumStmt"] },
  cases: {
    flag: ["ALTER TYPE tool_state RENAME VALUE 'active' TO 'enabled';"],
    pass: ["CREATE TYPE s AS ENUM ('a');\nALTER TYPE s RENAME VALUE 'a' TO 'b';"],
  },
  check: perStatement((s, file) => {
    const e = as(s.pg, "AlterEnumStmt");
    if (!e?.oldVal) return;
    const type = dotted(e.typeName).join(".");
    const created = file.statements.some(
      (x) => x.index < s.index && dotted(as(x.pg, "CreateEnumStmt")?.typeName).join(".") === type,
    );
    if (created) return;
    return `RENAME VALUE '${e.oldVal}' TO '${e.newVal}' of enum ${type}: the running application that uses '${e.oldVal}' breaks`;
  }),
});
