import { defineRule, perStatement } from "../rule.ts";

export default defineRule({
  id: "mysql-changing-column-type",
  severity: "error",
  dialects: ["mysql"],
  summary: "MODIFY or CHANGE COLUMN of a column that holds data, without ALGORITHM=INSTANT or INPLACE",
  locks:
    "A change of type (INT → BIGINT, a charset, VARCHAR across 255 bytes, NULL to NOT NULL on MySQL) makes the server copy the table, ALGORITHM=COPY: every row rewritten while writes wait, for as long as the table is large; the running application may also break on the new type.",
  hint: "Add ALGORITHM=INSTANT (or INPLACE, LOCK=NONE): the server then does the change online or refuses it (error 1846 names why). For a real type change, add a new column, write both from the application, backfill in batches, switch reads, then drop the old one. Not flagged: a column or table this file created, and in a down, one its up created.",
  only: { kinds: ["alter-table"] },
  cases: {
    flag: [
      "ALTER TABLE tools MODIFY execution_count BIGINT NOT NULL;",
      "ALTER TABLE tools CHANGE COLUMN url url VARCHAR(1024) NOT NULL;",
    ],
    pass: [
      "ALTER TABLE tools MODIFY name VARCHAR(300) NOT NULL, ALGORITHM=INSTANT;",
      "CREATE TABLE t (a INT);\nALTER TABLE t MODIFY a BIGINT;",
      "ALTER TABLE tools ADD COLUMN n INT;\nALTER TABLE tools MODIFY n BIGINT;",
    ],
  },
  check: perStatement((s, file) => {
    const st = s.mysql;
    if (st?.kind !== "alter-table") return;
    if (file.facts.isNewTable(st.table, s.index) || (file.direction === "down" && file.up?.tables.has(st.table)))
      return;
    if (["instant", "inplace", "nocopy"].includes(st.algorithm ?? "")) return; // the server refuses to copy
    for (const a of st.actions) {
      if (a.type !== "redefine-column" || file.facts.isNewColumn(st.table, a.from, s.index)) continue;
      if (file.direction === "down" && file.up?.columns.has(`${st.table}.${a.from}`)) continue;
      return `${st.table}.${a.from} gets a new definition (${a.definition.split(/\s+/).slice(0, 4).join(" ")}): if its type changes, the server copies ${st.table} (ALGORITHM=COPY) while writes wait`;
    }
    return undefined;
  }),
});
