import { as, each } from "../pg-ast.ts";
import { defineRule, perStatement } from "../rule.ts";
import type { LintStatement } from "../model.ts";

// PostgreSQL refuses these inside a transaction block ("cannot run inside a
// transaction block"); SQLite refuses VACUUM inside one.
function refusedInTransaction(s: LintStatement): string | undefined {
  if (s.sqlite?.kind === "vacuum") return "VACUUM";
  const n = s.pg;
  if (!n) return;
  switch (s.kind) {
    case "IndexStmt":
      return as(n, "IndexStmt")?.concurrent ? "CREATE INDEX CONCURRENTLY" : undefined;
    case "DropStmt":
      return as(n, "DropStmt")?.concurrent ? "DROP INDEX CONCURRENTLY" : undefined;
    case "ReindexStmt":
      return each(as(n, "ReindexStmt")?.params, "DefElem").some((d) => d.defname === "concurrently")
        ? "REINDEX CONCURRENTLY"
        : undefined;
    case "AlterTableStmt":
      return each(as(n, "AlterTableStmt")?.cmds, "AlterTableCmd").some(
        (c) => c.subtype === "AT_DetachPartition" && as(c.def, "PartitionCmd")?.concurrent,
      )
        ? "DETACH PARTITION CONCURRENTLY"
        : undefined;
    case "VacuumStmt":
      return as(n, "VacuumStmt")?.is_vacuumcmd ? "VACUUM" : undefined;
  }
  return REFUSED.get(s.kind);
}

const REFUSED = new Map([
  ["CreatedbStmt", "CREATE DATABASE"],
  ["DropdbStmt", "DROP DATABASE"],
  ["AlterSystemStmt", "ALTER SYSTEM"],
  ["CreateTableSpaceStmt", "CREATE TABLESPACE"],
  ["DropTableSpaceStmt", "DROP TABLESPACE"],
]);

export default defineRule({
  id: "require-no-transaction",
  severity: "error",
  dialects: ["postgres", "sqlite"],
  summary: "CONCURRENTLY (or VACUUM, CREATE DATABASE ...) in a file stairway runs in a transaction",
  locks:
    'None: the statement fails at once ("cannot run inside a transaction block") and the migration does not apply.',
  hint: "Add `-- stairway:no-transaction` to the file (and keep such statements in a migration of their own), and keep them out of BEGIN ... COMMIT and DO blocks.",
  only: {
    kinds: ["IndexStmt", "DropStmt", "ReindexStmt", "AlterTableStmt", "VacuumStmt", ...REFUSED.keys(), "vacuum"],
  },
  cases: {
    flag: [
      "-- dialect: postgres\nCREATE INDEX CONCURRENTLY idx_tools_name ON tools (name);",
      "-- dialect: postgres\n-- stairway:no-transaction\nBEGIN;\nDROP INDEX CONCURRENTLY idx_a;\nCOMMIT;",
      "-- dialect: postgres\n-- stairway:no-transaction\nDO $$ BEGIN CREATE INDEX CONCURRENTLY idx_a ON a (x); END $$;",
      "-- dialect: sqlite\nVACUUM;",
    ],
    pass: [
      "-- dialect: postgres\n-- stairway:no-transaction\nCREATE INDEX CONCURRENTLY idx_tools_name ON tools (name);",
      "-- dialect: postgres\n-- stairway:no-transaction\nREINDEX INDEX CONCURRENTLY idx_a;",
      "-- dialect: sqlite\n-- stairway:no-transaction\nVACUUM;",
    ],
  },
  check: perStatement((s, file) => {
    const what = refusedInTransaction(s);
    if (!what) return;
    if (s.via?.kind === "do") return `${what} inside a DO block: a DO block always runs in a transaction, so it fails`;
    if (s.via?.kind === "function")
      return `${what} inside a function: a function always runs in a transaction, so it fails`;
    if (s.tx === null) return;
    if (file.transactional)
      return `${what} cannot run inside a transaction, and stairway runs this file in one: the migration fails`;
    return `${what} inside BEGIN ... COMMIT: it cannot run inside a transaction, so it fails`;
  }),
});
