// The suite every store passes, on a real database (golang-migrate's
// database/testing), by the part of the contract it implements: every store
// the Migrator part (what the runner needs), SQL stores the rest. Plain async
// functions with node:assert, so the same suite runs under bun test and,
// bundled, under Node (better-sqlite3).

import assert from "node:assert/strict";
import { StairwayError } from "../../src/errors.ts";
import { isSqlSession, SqlExecError, type Migrator, type SqlDriver } from "../../src/stores/contract.ts";

export interface Case<D> {
  name: string;
  /** `again` opens one more driver on the same database (another run), closed by the harness. */
  run: (d: D, again: () => Promise<D>) => Promise<void>;
}

/** Opens a fresh database; `again` opens another connection to it. */
export type Opener<D = SqlDriver> = () => Promise<{ driver: D; again: () => Promise<D>; close: () => Promise<void> }>;

const pg = (d: Migrator) => d.dialect === "postgres";
const my = (d: Migrator) => d.dialect === "mysql";
/** A quoted identifier: MySQL reads "…" as a string. */
const qi = (d: Migrator, name: string) => (my(d) ? `\`${name}\`` : `"${name}"`);

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The runner's part of the contract: every store. */
export const migratorCases: Case<Migrator>[] = [
  {
    name: "run lock: a second run waits, then gives up with E_LOCKED; unlock or close lets it in",
    async run(d, again) {
      const other = await again();
      await d.lock(1000);
      const t0 = Date.now();
      const err = await other.lock(300).catch((e: unknown) => e);
      assert.ok(err instanceof StairwayError, `expected E_LOCKED, got ${String(err)}`);
      assert.equal(err.code, "E_LOCKED");
      assert.match(err.message, /is locked by another stairway run/);
      assert.ok(Date.now() - t0 >= 290, "it waited for the time it was given");
      await d.unlock();
      await other.lock(300);
      // A migration outside a transaction runs while the lock is held: the lock is not the transaction.
      if (isSqlSession(other)) await other.execute("CREATE TABLE locked_run (id integer)");
      await other.close(); // closing (or dying) releases it too
      await d.lock(300);
      await d.unlock();
    },
  },
  {
    name: "bookkeeping: created once, records, updates and forgets",
    async run(d) {
      assert.deepEqual(await d.applied(), []);
      await d.ensureBookkeeping();
      await d.ensureBookkeeping();
      assert.deepEqual(await d.applied(), []);
      const row = {
        version: "001",
        name: "a",
        checksum: "c1",
        appliedAt: "2026-01-02T03:04:05.000Z",
        durationMs: 1.5,
        dirty: true,
      };
      await d.record(row);
      await d.record({ ...row, checksum: "c2", dirty: false });
      const rows = await d.applied();
      assert.equal(rows.length, 1);
      assert.deepEqual(
        { ...rows[0], appliedAt: rows[0]!.appliedAt.slice(0, 19) },
        { ...row, checksum: "c2", dirty: false, appliedAt: "2026-01-02T03:04:05" },
      );
      await d.forget("001");
      assert.deepEqual(await d.applied(), []);
    },
  },
];

/** The SQL parts: sessions, inspection, rows. */
export const sqlCases: Case<SqlDriver>[] = [
  ...(migratorCases as Case<SqlDriver>[]),
  {
    name: "transactions: DDL and rows roll back together (where DDL commits by itself, it commits what came before)",
    async run(d) {
      if (!d.capabilities.transactionalDdl) {
        await d.execute("CREATE TABLE t_before (id integer PRIMARY KEY)");
        await d.begin();
        await d.execute("INSERT INTO t_before VALUES (1)");
        await d.execute("CREATE TABLE t_tx (id integer PRIMARY KEY)");
        await d.execute("INSERT INTO t_tx VALUES (1)");
        await d.rollback();
        assert.equal(await d.rowCount("t_before"), 1, "the CREATE TABLE committed the row before it");
        assert.equal(await d.rowCount("t_tx"), 1, "after it, the session is back in autocommit");
        return;
      }
      await d.begin();
      await d.execute("CREATE TABLE t_tx (id integer PRIMARY KEY, v text)");
      await d.execute("INSERT INTO t_tx VALUES (1, 'a')");
      await d.rollback();
      assert.equal(
        (await d.introspect()).tables.some((t) => t.name === "t_tx"),
        false,
      );
      await d.begin();
      await d.execute("CREATE TABLE t_tx (id integer PRIMARY KEY, v text)");
      await d.commit();
      assert.equal(
        (await d.introspect()).tables.some((t) => t.name === "t_tx"),
        true,
      );
    },
  },
  {
    name: "execute: a failing statement throws SqlExecError with the database's code",
    async run(d) {
      await assert.rejects(d.execute("CREATE TABLE x (id integer,"), (e: unknown) => {
        assert.ok(e instanceof SqlExecError);
        if (pg(d)) {
          assert.equal(e.sqlState, "42601");
          assert.ok(e.position && e.position > 20, "PostgreSQL gives the error position");
        } else if (my(d)) {
          assert.equal(e.sqlState, "42000");
          assert.equal(e.position, "CREATE TABLE x (id integer,".length + 1, "found from the server's near '…'");
        } else assert.match(e.message, /syntax error|incomplete input/);
        return true;
      });
      await d.execute("CREATE TABLE t_err (id integer PRIMARY KEY)");
      await d.execute("INSERT INTO t_err VALUES (1)");
      await assert.rejects(
        d.execute("INSERT INTO t_err VALUES (1)"),
        (e: unknown) => e instanceof SqlExecError && /unique|duplicate entry/i.test(e.message),
      );
    },
  },
  {
    name: "executeScript: several statements in one go; a syntax error's position is in the script",
    async run(d) {
      await d.executeScript(
        "CREATE TABLE s1 (id integer PRIMARY KEY);\n-- a comment; with a semicolon\nINSERT INTO s1 VALUES (1);\nINSERT INTO s1 VALUES (2);\n",
      );
      assert.equal(await d.rowCount("s1"), 2);
      await assert.rejects(d.executeScript("SELECT 1;\nSELECT FROM WHERE;\n"), (e: unknown) => {
        assert.ok(e instanceof SqlExecError);
        if (pg(d)) assert.equal(e.position, 23);
        if (my(d)) assert.equal(e.position, 18, "SELECT FROM WHERE: FROM, at 18 in the script");
        return true;
      });
    },
  },
  {
    name: "introspect: columns, keys, foreign keys, checks, indexes, views",
    async run(d) {
      const text = pg(d) ? "text" : "TEXT";
      await d.execute(`CREATE TABLE parent (id integer PRIMARY KEY, code ${text} NOT NULL UNIQUE)`);
      await d.execute(
        `CREATE TABLE child (
           id integer PRIMARY KEY,
           parent_id integer NOT NULL,
           qty integer NOT NULL DEFAULT 0 CHECK (qty >= 0),
           note ${text},
           FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE
         )`,
      );
      // MySQL has no partial index, and indexes text by a prefix.
      await d.execute(
        my(d)
          ? "CREATE INDEX idx_child_note ON child (note(20))"
          : "CREATE INDEX idx_child_note ON child (note) WHERE note IS NOT NULL",
      );
      await d.execute("CREATE UNIQUE INDEX idx_child_pq ON child (parent_id, qty)");
      await d.execute("CREATE VIEW v_child AS SELECT id, qty FROM child");
      const s = await d.introspect();
      const child = s.tables.find((t) => t.name === "child")!;
      assert.deepEqual(
        child.columns.map((c) => c.name),
        ["id", "parent_id", "qty", "note"],
      );
      const qty = child.columns.find((c) => c.name === "qty")!;
      assert.equal(qty.nullable, false);
      assert.equal(qty.default, "0");
      assert.equal(child.columns.find((c) => c.name === "note")!.nullable, true);
      assert.deepEqual(child.primaryKey?.columns, ["id"]);
      assert.equal(child.foreignKeys.length, 1);
      assert.deepEqual(
        { ...child.foreignKeys[0]!, name: null },
        {
          name: null,
          columns: ["parent_id"],
          refTable: "parent",
          refColumns: ["id"],
          onDelete: "CASCADE",
          onUpdate: "NO ACTION",
        },
      );
      assert.equal(child.checks.length, 1);
      assert.match(child.checks[0]!.expression, /qty >= 0/);
      const note = child.indexes.find((i) => i.name === "idx_child_note")!;
      if (my(d)) assert.deepEqual(note.columns, ["note(20)"]);
      else {
        assert.deepEqual(note.columns, ["note"]);
        assert.match(note.where ?? "", /note IS NOT NULL/);
      }
      assert.equal(
        child.indexes.length,
        2,
        "no index for the foreign key (MySQL makes one, and drops it with the key)",
      );
      assert.equal(child.indexes.find((i) => i.name === "idx_child_pq")!.unique, true);
      const parent = s.tables.find((t) => t.name === "parent")!;
      assert.deepEqual(
        parent.uniques.map((u) => u.columns),
        [["code"]],
      );
      assert.deepEqual(
        s.views.map((v) => v.name),
        ["v_child"],
      );
      assert.equal(
        s.tables.some((t) => t.name === "stairway_migrations"),
        false,
        "bookkeeping stays out of the model",
      );
    },
  },
  {
    name: "rows: insert, skip clashes, read as text, sample, max, count",
    async run(d) {
      await d.execute(
        `CREATE TABLE r (id integer PRIMARY KEY, name ${pg(d) ? "text" : "TEXT"} UNIQUE, price ${pg(d) ? "numeric(10,2)" : "REAL"}, ${qi(d, "blob")} ${pg(d) ? "bytea" : "BLOB"})`,
      );
      const n = await d.insertRows(
        "r",
        ["id", "name", "price", "blob"],
        [
          [1, "ünï 🚀", 12.5, new Uint8Array([0, 255])],
          [2, null, null, null],
          [3, "ünï 🚀", 1, null], // clashes with row 1 on name: skipped, not an error
        ],
      );
      assert.equal(n, 2);
      assert.equal(await d.rowCount("r"), 2);
      const rows = (await all(d.readRows("r", ["id", "name", "price", "blob"]))).sort(
        (a, b) => Number(a[0]) - Number(b[0]),
      );
      assert.deepEqual(rows[0], ["1", "ünï 🚀", pg(d) ? "12.50" : "12.5", "\\x00ff"]);
      assert.deepEqual(rows[1], ["2", null, null, null]);
      assert.equal(await d.maxValue("r", "id"), 2);
      assert.deepEqual(
        (await d.sampleRows("r", ["id"], 10)).map((r) => String(r[0])),
        ["1", "2"],
      );
      assert.equal(await d.maxValue("r", "price"), 12.5);
    },
  },
  {
    name: "rows: read in the order the columns are asked for, even when a column's name is a number",
    async run(d) {
      await d.execute(`CREATE TABLE n (id integer PRIMARY KEY, ${qi(d, "2024")} integer, z text, ${qi(d, "7")} text)`);
      await d.insertRows("n", ["id", "2024", "z", "7"], [[1, 20, "zed", "seven"]]);
      assert.deepEqual(await all(d.readRows("n", ["z", "2024", "id", "7"])), [["zed", "20", "1", "seven"]]);
      const print = await d.fingerprint("n", ["z", "7"]);
      assert.deepEqual(print, await d.fingerprint("n", ["z", "7"]));
      assert.notEqual(print.columns.z, print.columns["7"]);
    },
  },
  {
    name: "rows: a table of thousands of rows is read whole, each row once (small tables go in one round trip, large ones stream)",
    async run(d) {
      await d.execute("CREATE TABLE big (id integer PRIMARY KEY, label text)");
      for (const n of [2000, 2001, 4500]) {
        const ids = Array.from({ length: n }, (_, i) => i + 1);
        await d.execute("DELETE FROM big");
        await d.insertRows(
          "big",
          ["id", "label"],
          ids.map((i) => [i, `row ${i}`]),
        );
        const got = (await all(d.readRows("big", ["id", "label"]))).map((r) => Number(r[0])).sort((a, b) => a - b);
        assert.deepEqual(got, ids);
      }
    },
  },
  {
    name: "rows: typed values are written exactly as given (booleans, JSON, time zones, microseconds)",
    async run(d) {
      if (!pg(d)) {
        await d.execute("CREATE TABLE v (flag INTEGER, doc TEXT, at TEXT)");
        await d.insertRows("v", ["flag", "doc", "at"], [[true, '{"a": "ü"}', "2026-03-04T05:06:07.123Z"]]);
        assert.deepEqual(await all(d.readRows("v", ["flag", "doc", "at"])), [
          ["1", '{"a": "ü"}', "2026-03-04T05:06:07.123Z"],
        ]);
        return;
      }
      await d.execute("SET TIME ZONE 'UTC'");
      await d.execute(
        "CREATE TABLE v (flag boolean, off boolean, doc jsonb, at timestamptz, local timestamp, day date)",
      );
      await d.insertRows(
        "v",
        ["flag", "off", "doc", "at", "local", "day"],
        [["true", false, '{"a": "ü"}', "2026-03-04 05:06:07.123456+05:30", "2026-03-04 05:06:07.654321", "2026-02-28"]],
      );
      assert.deepEqual(await all(d.readRows("v", ["flag", "off", "doc", "at", "local", "day"])), [
        ["true", "false", '{"a": "ü"}', "2026-03-03 23:36:07.123456+00", "2026-03-04 05:06:07.654321", "2026-02-28"],
      ]);
    },
  },
  {
    name: "foreign key violations are found",
    async run(d) {
      await d.execute("CREATE TABLE p (id integer PRIMARY KEY)");
      await d.execute("CREATE TABLE c (id integer PRIMARY KEY, p_id integer)");
      await d.execute("INSERT INTO c VALUES (1, 42), (2, NULL)");
      if (pg(d)) await d.execute("ALTER TABLE c ADD CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p (id) NOT VALID");
      else if (my(d)) {
        // Not checked while foreign_key_checks is off.
        await d.execute("SET foreign_key_checks = 0");
        await d.execute("ALTER TABLE c ADD CONSTRAINT c_p_fk FOREIGN KEY (p_id) REFERENCES p (id)");
        await d.execute("SET foreign_key_checks = 1");
      } else {
        // SQLite checks a foreign key only on write: declare it on a rebuilt table.
        await d.execute("PRAGMA foreign_keys = OFF");
        await d.execute("CREATE TABLE c2 (id integer PRIMARY KEY, p_id integer REFERENCES p (id))");
        await d.execute("INSERT INTO c2 SELECT * FROM c");
        await d.execute("DROP TABLE c");
        await d.execute("ALTER TABLE c2 RENAME TO c");
        await d.execute("PRAGMA foreign_keys = ON");
      }
      assert.deepEqual(await d.foreignKeyViolations(), [{ table: "c", parent: "p", rows: 1 }]);
    },
  },
];

/** Runs every case on a fresh database from `open`; returns failures as text. */
export async function runConformance(open: Opener): Promise<string[]> {
  const failures: string[] = [];
  for (const c of sqlCases) {
    const { driver, again, close } = await open();
    try {
      await c.run(driver, again);
    } catch (e) {
      failures.push(`${c.name}: ${(e as Error).message}`);
    } finally {
      await close();
    }
  }
  return failures;
}
