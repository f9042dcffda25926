import { alterTable, defineRule, isNew, perStatement } from "../rule.ts";

export default defineRule({
  id: "ban-drop-not-null",
  severity: "warning",
  dialects: ["postgres"],
  summary: "ALTER COLUMN ... DROP NOT NULL",
  locks: "ACCESS EXCLUSIVE (brief); the running application, which assumes a value, starts reading NULLs.",
  hint: "Make sure every reader copes with NULL first. Not flagged in a down that undoes the up's SET NOT NULL, or for a table this file created.",
  only: { kinds: ["AlterTableStmt"] },
  cases: {
    flag: ["ALTER TABLE tools ALTER COLUMN url DROP NOT NULL;"],
    pass: ["CREATE TABLE t (a int NOT NULL);\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;"],
  },
  check: perStatement((s, file) => {
    const a = alterTable(s);
    if (!a || isNew(file, s, a.table)) return;
    const cmd = a.cmds.find(
      (c) =>
        c.subtype === "AT_DropNotNull" && !(file.direction === "down" && file.up?.notNull.has(`${a.table}.${c.name}`)),
    );
    return cmd ? `DROP NOT NULL on ${a.table}.${cmd.name}: readers that assume a value start seeing NULLs` : undefined;
  }),
});
