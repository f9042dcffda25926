import { as, dotted, each } from "../pg-ast.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-create-domain-with-constraint",
  severity: "warning",
  dialects: ["postgres"],
  summary: "CREATE DOMAIN ... CHECK",
  locks:
    "None now; changing the domain's constraint later re-checks every column of every table that uses it, under locks, with no NOT VALID path for columns.",
  hint: "Put the CHECK on the table columns instead, where it can be added NOT VALID and validated online.",
  only: { kinds: ["CreateDomainStmt"] },
  cases: { flag: ["CREATE DOMAIN positive AS bigint CHECK (VALUE > 0);"], pass: ["CREATE DOMAIN label AS text;"] },
  check: perStatement((s) => {
    const d = as(s.pg, "CreateDomainStmt");
    if (!d || !each(d.constraints, "Constraint").some((c) => c.contype === "CONSTR_CHECK")) return;
    return `domain ${dotted(d.domainname).join(".")} has a CHECK: changing it later re-checks every table that uses it`;
  }),
});
