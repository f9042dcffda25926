import { as, relName } from "../pg-ast.ts";
import { defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "require-concurrent-index-creation",
  severity: "error",
  dialects: ["postgres"],
  summary: "CREATE INDEX without CONCURRENTLY on a table that already exists",
  locks:
    "SHARE lock on the table for the whole index build: reads go on, every INSERT, UPDATE and DELETE waits until the build ends.",
  hint: "Use CREATE INDEX CONCURRENTLY in a file with `-- stairway:no-transaction` (ideally alone in its migration); a table created in the same file needs no CONCURRENTLY.",
  only: { kinds: ["IndexStmt"] },
  cases: {
    flag: ["CREATE INDEX idx_tools_name ON tools (name);", "CREATE UNIQUE INDEX idx_users_email ON users (email);"],
    pass: [
      "-- stairway:no-transaction\nCREATE INDEX CONCURRENTLY idx_tools_name ON tools (name);",
      "CREATE TABLE logs (id bigint, at timestamptz);\nCREATE INDEX idx_logs_at ON logs (at);",
    ],
  },
  check: perStatement((s, file) => {
    const idx = as(s.pg, "IndexStmt");
    if (!idx || idx.concurrent) return;
    const table = relName(idx.relation);
    if (isNew(file, s, table)) return;
    return `CREATE ${idx.unique ? "UNIQUE " : ""}INDEX ${idx.idxname ?? ""} on existing table ${table} without CONCURRENTLY: writes to ${table} wait for the whole build`.replace(
      "  ",
      " ",
    );
  }),
});
