import type { MysqlAlterAction, MysqlStatement } from "../mysql-parser.ts";
import { defineRule, perStatement } from "../rule.ts";

// What the server does when no ALGORITHM= says otherwise (MariaDB 10.11, MySQL 8):
// https://mariadb.com/kb/en/innodb-online-ddl-overview/  https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html
function risk(a: MysqlAlterAction): string | undefined {
  switch (a.type) {
    case "add-foreign-key":
      return "adding a foreign key copies the table (INPLACE only with foreign_key_checks=0)";
    case "add-check":
      return "adding a CHECK copies the table to check every row";
    case "add-primary-key":
      return "adding a primary key rebuilds the table";
    case "drop-primary-key":
      return "dropping the primary key copies the table";
    case "rebuild":
      return `${a.what.split(/\s+/).slice(0, 4).join(" ").toUpperCase()} rebuilds the table`;
    case "partition":
      return "repartitioning copies the rows";
    case "add-index":
      return a.kind === "btree" ? undefined : `a ${a.kind.toUpperCase()} index blocks writes while it builds`;
    case "add-column":
      return a.autoIncrement ? "an AUTO_INCREMENT column copies the table" : undefined;
    default:
      return undefined; // a column's type change is mysql-changing-column-type's
  }
}

function risks(st: MysqlStatement): string[] {
  if (st.kind === "alter-table") return st.actions.map(risk).filter((r): r is string => r !== undefined);
  if (st.kind === "create-index" && st.type !== "btree")
    return [`a ${st.type.toUpperCase()} index blocks writes while it builds`];
  return [];
}

export default defineRule({
  id: "mysql-require-online-ddl",
  severity: "error",
  dialects: ["mysql"],
  summary:
    "ALTER TABLE or CREATE INDEX that would copy the table or block writes, without ALGORITHM=INSTANT or INPLACE with LOCK=NONE (or with ALGORITHM=COPY, LOCK=SHARED or EXCLUSIVE)",
  locks:
    "ALGORITHM=COPY (what the server falls back to, silently, for a foreign key, a CHECK, a primary key, CONVERT TO, FORCE, ENGINE=): a new copy of the table, row by row, while writes (LOCK=SHARED) or everything (LOCK=EXCLUSIVE) wait; the metadata lock it takes at the end also queues every later query behind any open transaction.",
  hint: "Say ALGORITHM=INSTANT, or ALGORITHM=INPLACE, LOCK=NONE: the server then refuses the statement instead of copying the table behind your back. Add a foreign key with foreign_key_checks=0 and ALGORITHM=INPLACE (on a new, empty column there is nothing to check); for the rest, use an online schema-change tool (pt-online-schema-change, gh-ost). Not flagged: a table this file created, and in a down, one its up created.",
  only: { kinds: ["alter-table", "create-index"] },
  cases: {
    flag: [
      "ALTER TABLE tools ADD CONSTRAINT tools_gateway_fk FOREIGN KEY (gateway_id) REFERENCES gateways (id);",
      "ALTER TABLE tools ADD CONSTRAINT tools_count_check CHECK (execution_count >= 0);",
      "ALTER TABLE tools CONVERT TO CHARACTER SET utf8mb4;",
      "ALTER TABLE tools ADD INDEX idx_tools_name (name), ALGORITHM=COPY;",
      "ALTER TABLE tools ADD COLUMN note TEXT, LOCK=EXCLUSIVE;",
      "ALTER TABLE tools ADD FULLTEXT INDEX ft_description (description), ALGORITHM=INPLACE;",
    ],
    pass: [
      "ALTER TABLE tools ADD COLUMN note TEXT;",
      "CREATE INDEX idx_tools_name ON tools (name);",
      "ALTER TABLE tools ADD CONSTRAINT tools_gateway_fk FOREIGN KEY (gateway_id) REFERENCES gateways (id), ALGORITHM=INPLACE, LOCK=NONE;",
      "ALTER TABLE tools ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE;",
      "CREATE TABLE t (id BIGINT PRIMARY KEY, n INT);\nALTER TABLE t ADD CONSTRAINT t_n CHECK (n > 0);",
    ],
  },
  check: perStatement((s, file) => {
    const st = s.mysql;
    if (st?.kind !== "alter-table" && st?.kind !== "create-index") return;
    if (file.facts.isNewTable(st.table, s.index) || (file.direction === "down" && file.up?.tables.has(st.table)))
      return;
    const what = st.kind === "alter-table" ? `ALTER TABLE ${st.table}` : `CREATE INDEX ${st.index} ON ${st.table}`;
    if (st.algorithm === "copy")
      return `${what}: ALGORITHM=COPY copies every row of ${st.table} while writes to it wait`;
    if (st.lock === "shared" || st.lock === "exclusive")
      return `${what}: LOCK=${st.lock.toUpperCase()} blocks ${st.lock === "shared" ? "writes to" : "every query of"} ${st.table} while it runs`;
    const online =
      st.algorithm === "instant" || (["inplace", "nocopy"].includes(st.algorithm ?? "") && st.lock === "none");
    if (online) return;
    const found = risks(st);
    if (!found.length) return;
    return `${what}: ${found.join("; ")}, and no ALGORITHM=INSTANT or INPLACE with LOCK=NONE makes the server refuse instead`;
  }),
});
