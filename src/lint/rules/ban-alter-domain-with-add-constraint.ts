import { as, dotted } from "../pg-ast.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-alter-domain-with-add-constraint",
  severity: "error",
  dialects: ["postgres"],
  summary: "ALTER DOMAIN ... ADD CONSTRAINT without NOT VALID",
  locks: "Checks every column of every table that uses the domain, holding locks on them for the whole scan.",
  hint: "ADD CONSTRAINT ... NOT VALID, then ALTER DOMAIN ... VALIDATE CONSTRAINT in a separate transaction; or put the CHECK on the columns.",
  only: { kinds: ["AlterDomainStmt"] },
  cases: {
    flag: ["ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0);"],
    pass: ["ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID;"],
  },
  check: perStatement((s) => {
    const d = as(s.pg, "AlterDomainStmt");
    if (d?.subtype !== "C" || as(d.def, "Constraint")?.skip_validation) return;
    return `ALTER DOMAIN ${dotted(d.typeName).join(".")} ADD CONSTRAINT checks every table that uses the domain, under locks`;
  }),
});
