import type { LintFile, LintStatement } from "../model.ts";
import { as, each } from "../pg-ast.ts";
import { alterTable, defineRule, isNew, perStatement } from "../rule.ts";

/** Columns of `table` a valid CHECK (col IS NOT NULL) covers before statement `at` (PostgreSQL 12+ then skips the scan). */
function provenNotNull(file: LintFile, table: string, at: number): Set<string> {
  const pending = new Map<string, string>(); // constraint name → column, added NOT VALID
  const proven = new Set<string>();
  for (const s of file.statements) {
    if (s.index >= at) break;
    const a = alterTable(s);
    if (!a || a.table !== table) continue;
    for (const cmd of a.cmds) {
      const c = as(cmd.def, "Constraint");
      if (cmd.subtype === "AT_AddConstraint" && c?.contype === "CONSTR_CHECK") {
        const test = as(c.raw_expr, "NullTest");
        const col = each(as(test?.arg, "ColumnRef")?.fields, "String")[0]?.sval;
        if (test?.nulltesttype !== "IS_NOT_NULL" || !col) continue;
        if (c.skip_validation) pending.set(c.conname ?? "", col);
        else proven.add(col);
      }
      if (cmd.subtype === "AT_ValidateConstraint" && cmd.name && pending.has(cmd.name))
        proven.add(pending.get(cmd.name)!);
    }
  }
  return proven;
}

export default defineRule({
  id: "adding-not-nullable-field",
  severity: "error",
  dialects: ["postgres"],
  summary: "ALTER COLUMN ... SET NOT NULL on an existing table",
  locks: "ACCESS EXCLUSIVE while the whole table is scanned for NULLs: nothing reads or writes it meanwhile.",
  hint: "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in its own transaction, then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the CHECK.",
  only: { kinds: ["AlterTableStmt"] },
  cases: {
    flag: ["ALTER TABLE tools ALTER COLUMN url SET NOT NULL;"],
    pass: [
      "-- stairway:no-transaction\nALTER TABLE tools ADD CONSTRAINT tools_url_nn CHECK (url IS NOT NULL) NOT VALID;\nALTER TABLE tools VALIDATE CONSTRAINT tools_url_nn;\nALTER TABLE tools ALTER COLUMN url SET NOT NULL;",
      "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
    ],
  },
  check: perStatement((s: LintStatement, file) => {
    const a = alterTable(s);
    if (!a || isNew(file, s, a.table)) return;
    const cols = a.cmds.filter((c) => c.subtype === "AT_SetNotNull" && c.name).map((c) => c.name!);
    if (cols.length === 0) return;
    const proven = provenNotNull(file, a.table, s.index);
    const left = cols.filter((c) => !proven.has(c));
    if (left.length === 0) return;
    return `SET NOT NULL on ${a.table}.${left.join(", ")} scans all of ${a.table} under ACCESS EXCLUSIVE`;
  }),
});
