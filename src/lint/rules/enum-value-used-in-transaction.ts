import { as, dotted, walk } from "../pg-ast.ts";
import { defineRule, type Hit } from "../rule.ts";

export default defineRule({
  id: "enum-value-used-in-transaction",
  severity: "error",
  dialects: ["postgres"],
  summary: "A value added with ALTER TYPE ... ADD VALUE used in the same transaction",
  locks: 'None: PostgreSQL refuses it ("unsafe use of new value") and the migration fails.',
  hint: "Use the new value in the next migration, or put `-- stairway:no-transaction` on this file so ADD VALUE commits first.",
  only: { kinds: ["AlterEnumStmt"] },
  cases: {
    flag: ["ALTER TYPE tool_state ADD VALUE 'paused' AFTER 'active';\nUPDATE tools SET state = 'paused' WHERE id = 1;"],
    pass: [
      "-- stairway:no-transaction\nALTER TYPE tool_state ADD VALUE 'paused' AFTER 'active';\nUPDATE tools SET state = 'paused' WHERE id = 1;",
      "ALTER TYPE tool_state ADD VALUE 'paused' AFTER 'active';",
    ],
  },
  check(file) {
    const out: Hit[] = [];
    const added: { value: string; type: string; tx: number; line: number }[] = [];
    for (const s of file.statements) {
      const e = as(s.pg, "AlterEnumStmt");
      if (e?.newVal && !e.oldVal && s.tx !== null) {
        added.push({ value: e.newVal, type: dotted(e.typeName).join("."), tx: s.tx, line: s.line });
        continue;
      }
      const live = added.filter((a) => a.tx === s.tx);
      if (live.length === 0 || !s.pg) continue;
      let used: (typeof live)[number] | undefined;
      walk(s.pg, (kind, v) => {
        const sval = kind === "A_Const" ? (v as { sval?: { sval?: string } }).sval?.sval : undefined;
        used ??= live.find((a) => a.value === sval);
      });
      if (used)
        out.push({
          statement: s,
          message: `uses '${used.value}', added to enum ${used.type} at line ${used.line} in the same transaction: PostgreSQL refuses it until that commits`,
        });
    }
    return out;
  },
});
