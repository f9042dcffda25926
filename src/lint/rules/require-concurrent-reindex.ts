import { as, each, relName } from "../pg-ast.ts";
import { defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "require-concurrent-reindex",
  severity: "error",
  dialects: ["postgres"],
  summary: "REINDEX without CONCURRENTLY",
  locks:
    "SHARE lock on the table (writes wait) and ACCESS EXCLUSIVE on each index rebuilt (reads that use it wait), for the whole rebuild.",
  hint: "Use REINDEX ... CONCURRENTLY (PostgreSQL 12+) in a file with `-- stairway:no-transaction`.",
  only: { kinds: ["ReindexStmt"] },
  cases: {
    flag: ["REINDEX INDEX idx_tools_name;", "REINDEX TABLE tools;"],
    pass: [
      "-- stairway:no-transaction\nREINDEX INDEX CONCURRENTLY idx_tools_name;",
      "CREATE TABLE t (a int);\nREINDEX TABLE t;",
    ],
  },
  check: perStatement((s, file) => {
    const r = as(s.pg, "ReindexStmt");
    if (!r || each(r.params, "DefElem").some((d) => d.defname === "concurrently")) return;
    const name = relName(r.relation) || r.name || "";
    if (r.kind === "REINDEX_OBJECT_TABLE" && isNew(file, s, name)) return;
    if (r.kind === "REINDEX_OBJECT_INDEX" && file.facts.isNewIndex(name, s.index)) return;
    const what = (r.kind ?? "").replace("REINDEX_OBJECT_", "");
    return `REINDEX ${what} ${name} without CONCURRENTLY: blocks writes to the table, and reads that use the index, for the whole rebuild`;
  }),
});
