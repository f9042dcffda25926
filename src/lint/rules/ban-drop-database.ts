import { as } from "../pg-ast.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-drop-database",
  severity: "error",
  dialects: ["postgres"],
  summary: "DROP DATABASE",
  locks: "Removes a whole database for good; it also cannot run inside a transaction.",
  hint: "Databases are not a migration's business: drop them by hand, with a backup.",
  only: { kinds: ["DropdbStmt"] },
  cases: {
    flag: ["-- stairway:no-transaction\nDROP DATABASE analytics;"],
    pass: ["-- stairway:no-transaction\nCREATE DATABASE analytics;"],
  },
  check: perStatement((s) => {
    const d = as(s.pg, "DropdbStmt");
    return d ? `DROP DATABASE ${d.dbname ?? ""} removes a whole database for good` : undefined;
  }),
});
