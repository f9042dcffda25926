import type { Node } from "@pgsql/types";
import { as, each } from "../pg-ast.ts";
import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-duplicate-column-assignments",
  severity: "error",
  dialects: ["postgres"],
  summary: "a column defined, inserted or assigned twice in one statement",
  locks:
    'Nothing: PostgreSQL rejects the statement ("specified more than once", "multiple assignments to same column"), so the migration fails where it is deployed.',
  hint: "Keep one definition or assignment per column; when two were meant for two columns, fix the second name.",
  only: { kinds: ["CreateStmt", "AlterTableStmt", "InsertStmt", "UpdateStmt"] },
  cases: {
    flag: [
      "CREATE TABLE accounts (id bigint PRIMARY KEY, name text, name varchar(10));",
      "UPDATE tools SET name = 'a', name = 'b' WHERE id = 1;",
      "INSERT INTO tools (id, name, name) VALUES (1, 'a', 'b');",
      "ALTER TABLE tools ADD COLUMN note text, ADD COLUMN note varchar(20);",
    ],
    pass: [
      "CREATE TABLE accounts (id bigint PRIMARY KEY, name text);",
      "UPDATE tools SET name = 'a', url = 'b' WHERE id = 1;",
      "INSERT INTO tools (id, name) VALUES (1, 'a');",
    ],
  },
  check: perStatement((s) => {
    const names = columnNames(s.pg);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    return twice === undefined ? undefined : `column ${twice} appears twice in one statement: PostgreSQL rejects it`;
  }),
});

/** The columns a statement defines (CREATE TABLE, ADD COLUMN), inserts into or assigns (UPDATE … SET). */
function columnNames(node: Node | undefined): string[] {
  const create = as(node, "CreateStmt");
  if (create) return each(create.tableElts, "ColumnDef").map((c) => c.colname ?? "");
  const alter = as(node, "AlterTableStmt");
  if (alter)
    return each(alter.cmds, "AlterTableCmd")
      .filter((c) => c.subtype === "AT_AddColumn")
      .map((c) => as(c.def, "ColumnDef")?.colname ?? "");
  const insert = as(node, "InsertStmt");
  if (insert) return each(insert.cols, "ResTarget").map((t) => t.name ?? "");
  const update = as(node, "UpdateStmt");
  if (update) return each(update.targetList, "ResTarget").map((t) => t.name ?? "");
  return [];
}
