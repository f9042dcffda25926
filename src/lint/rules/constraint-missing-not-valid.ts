import { as, constraints, relName } from "../pg-ast.ts";
import { alterTable, defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "constraint-missing-not-valid",
  severity: "error",
  dialects: ["postgres"],
  summary:
    "ADD CONSTRAINT ... CHECK / FOREIGN KEY / NOT NULL without NOT VALID on an existing table (also ADD COLUMN ... REFERENCES or CHECK)",
  locks:
    "CHECK and NOT NULL: ACCESS EXCLUSIVE while every row is checked. FOREIGN KEY: SHARE ROW EXCLUSIVE on both tables (writes to either wait) while every row is checked.",
  hint: "ADD CONSTRAINT ... NOT VALID (brief, checks new rows only), then ALTER TABLE ... VALIDATE CONSTRAINT in a separate transaction (it takes SHARE UPDATE EXCLUSIVE: reads and writes go on). For ADD COLUMN ... REFERENCES, add the column first, then the constraint NOT VALID.",
  only: { kinds: ["AlterTableStmt"] },
  cases: {
    flag: [
      "ALTER TABLE tools ADD CONSTRAINT tools_count_check CHECK (execution_count >= 0);",
      "ALTER TABLE tools ADD CONSTRAINT tools_gateway_fkey FOREIGN KEY (gateway_id) REFERENCES gateways (id);",
      "ALTER TABLE tools ADD COLUMN gateway_id bigint REFERENCES gateways (id);",
      "ALTER TABLE tools ADD CONSTRAINT tools_url_nn NOT NULL url;",
    ],
    pass: [
      "ALTER TABLE tools ADD CONSTRAINT tools_count_check CHECK (execution_count >= 0) NOT VALID;",
      "ALTER TABLE tools ADD CONSTRAINT tools_gateway_fkey FOREIGN KEY (gateway_id) REFERENCES gateways (id) NOT VALID;",
      "CREATE TABLE t (a int, b int);\nALTER TABLE t ADD CONSTRAINT t_b_check CHECK (b > 0);",
    ],
  },
  check: perStatement((s, file) => {
    const a = alterTable(s);
    if (!a || isNew(file, s, a.table)) return;
    for (const cmd of a.cmds) {
      if (cmd.subtype === "AT_AddConstraint") {
        const c = as(cmd.def, "Constraint");
        if (!c || c.skip_validation) continue;
        if (c.contype === "CONSTR_FOREIGN")
          return `FOREIGN KEY ${c.conname ?? ""} added without NOT VALID: writes to ${a.table} and ${relName(c.pktable)} wait while every row of ${a.table} is checked`;
        if (c.contype === "CONSTR_CHECK" || c.contype === "CONSTR_NOTNULL")
          return `${c.contype === "CONSTR_CHECK" ? "CHECK" : "NOT NULL"} constraint ${c.conname ?? ""} added without NOT VALID: ${a.table} is locked (ACCESS EXCLUSIVE) while every row is checked`;
      }
      if (cmd.subtype === "AT_AddColumn") {
        const col = as(cmd.def, "ColumnDef");
        for (const c of col ? constraints(col) : []) {
          if (c.contype === "CONSTR_FOREIGN")
            return `ADD COLUMN ${col!.colname} ... REFERENCES ${relName(c.pktable)} validates at once: writes to ${a.table} and ${relName(c.pktable)} wait while ${a.table} is scanned`;
          if (c.contype === "CONSTR_CHECK")
            return `ADD COLUMN ${col!.colname} ... CHECK validates every row of ${a.table} under ACCESS EXCLUSIVE`;
        }
      }
    }
    return undefined;
  }),
});
