import { blockingLocks, lockName } from "../pg-locks.ts";
import { defineRule, head, where, type Hit } from "../rule.ts";
import { plural } from "../../plural.ts";

export default defineRule({
  id: "require-lock-timeout",
  severity: "warning",
  dialects: ["postgres"],
  summary: "A statement that takes a blocking lock on an existing table with no lock_timeout set before it",
  locks:
    "While a DDL statement waits for its lock (behind one long query or an idle transaction), every later query on the table queues behind it: a brief ALTER becomes an outage.",
  hint: "Start the file with SET LOCAL lock_timeout = '5s'; (in a `-- stairway:no-transaction` file: SET lock_timeout = '5s';, which lasts for the session), and retry the migration when it times out.",
  cases: {
    flag: [
      "ALTER TABLE tools ADD COLUMN note text;",
      "-- stairway:no-transaction\nSET LOCAL lock_timeout = '5s';\nALTER TABLE tools ADD COLUMN note text;",
    ],
    pass: [
      "SET LOCAL lock_timeout = '5s';\nALTER TABLE tools ADD COLUMN note text;",
      "-- stairway:no-transaction\nSET lock_timeout = '5s';\nALTER TABLE tools ADD COLUMN note text;\nDROP INDEX CONCURRENTLY idx_a;",
      "CREATE TABLE t (a int);\nCREATE INDEX idx_t_a ON t (a);",
      "-- stairway:no-transaction\nCREATE INDEX CONCURRENTLY idx_tools_name ON tools (name);",
    ],
  },
  // One finding per file, at the first statement that needs it: the fix is one SET at the top.
  check(file) {
    const offenders = file.statements.filter((s) => !s.lockTimeout && blockingLocks(file, s).length);
    const first = offenders[0];
    if (!first) return [];
    const lock = blockingLocks(file, first)[0]!;
    const more = offenders.length > 1 ? ` (and ${plural(offenders.length - 1, "more statement")} in this file)` : "";
    const localHint =
      !file.transactional &&
      file.statements.some((s) => s.effects.some((e) => e.type === "set" && e.name === "lock_timeout" && e.local))
        ? "; SET LOCAL lasts one statement in a no-transaction file"
        : "";
    const message = `${head(first)} takes ${lockName(lock.mode)} on ${lock.name} with no lock_timeout: while it waits, every query on ${lock.name} queues behind it${more}${localHint}${where(first)}`;
    return [{ statement: first, message } satisfies Hit];
  },
});
