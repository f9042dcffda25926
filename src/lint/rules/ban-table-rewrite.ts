import { as, each, relName } from "../pg-ast.ts";
import { defineRule, isNew, perStatement } from "../rule.ts";

const REWRITES: Record<string, string> = {
  AT_SetLogged: "SET LOGGED",
  AT_SetUnLogged: "SET UNLOGGED",
  AT_SetTableSpace: "SET TABLESPACE",
  AT_SetAccessMethod: "SET ACCESS METHOD",
};

export default defineRule({
  id: "ban-table-rewrite",
  severity: "error",
  dialects: ["postgres"],
  summary:
    "Commands that rewrite a whole table: VACUUM FULL, CLUSTER, SET LOGGED / UNLOGGED, SET TABLESPACE, SET ACCESS METHOD",
  locks:
    "ACCESS EXCLUSIVE for the full rewrite (or copy) of the table and its indexes: nothing reads or writes it until the end.",
  hint: "Run these in a maintenance window, not in a migration; to reclaim space online use pg_repack (or REPACK on PostgreSQL 19+). Not flagged for a table this file created.",
  only: { kinds: ["VacuumStmt", "ClusterStmt", "AlterTableStmt"] },
  cases: {
    flag: [
      "-- stairway:no-transaction\nVACUUM FULL tools;",
      "CLUSTER tools USING idx_tools_active_name;",
      "ALTER TABLE tools SET LOGGED;",
      "ALTER TABLE tools SET TABLESPACE fast_ssd;",
    ],
    pass: [
      "-- stairway:no-transaction\nVACUUM (ANALYZE) tools;",
      "CREATE TABLE t (a int);\nALTER TABLE t SET UNLOGGED;",
    ],
  },
  check: perStatement((s, file) => {
    const v = as(s.pg, "VacuumStmt");
    if (v && each(v.options, "DefElem").some((d) => d.defname === "full")) {
      const tables = each(v.rels, "VacuumRelation").map((r) => relName(r.relation));
      if (tables.length && tables.every((t) => isNew(file, s, t))) return;
      return `VACUUM FULL ${tables.join(", ") || "(every table)"} rewrites under ACCESS EXCLUSIVE`;
    }
    const c = as(s.pg, "ClusterStmt");
    if (c) {
      const t = relName(c.relation);
      if (t && isNew(file, s, t)) return;
      return `CLUSTER ${t || "(every clustered table)"} rewrites under ACCESS EXCLUSIVE`;
    }
    const a = as(s.pg, "AlterTableStmt");
    if (!a) return;
    const table = relName(a.relation);
    if (isNew(file, s, table)) return;
    const cmd = each(a.cmds, "AlterTableCmd").find((x) => REWRITES[x.subtype ?? ""]);
    if (!cmd) return;
    return `ALTER ${a.objtype === "OBJECT_INDEX" ? "INDEX" : "TABLE"} ${table} ${REWRITES[cmd.subtype!]} rewrites it under ACCESS EXCLUSIVE`;
  }),
});
