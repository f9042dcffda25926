// The stairway is judged by what it catches: each planted defect must fail
// with the right check id, and a correct tree must raise no alarm.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  cleanup,
  MYSQL_URL,
  mysqlScratchDatabasesOf,
  PG_URL,
  runCli,
  scratchDatabasesOf,
  tempDir,
  writeTree,
} from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

type Dialect = "sqlite" | "postgres" | "mysql";
type Store = Dialect | "pglite";

/** Text that MySQL can index: it needs a declared length. */
const text = (d: Dialect) => (d === "mysql" ? "VARCHAR(200)" : "text");

const base = (d: Dialect) => ({
  "sql/001_items/up.sql": `CREATE TABLE items (id integer PRIMARY KEY, name ${text(d)} NOT NULL, note ${text(d)});\nCREATE INDEX idx_items_name ON items (name);\n`,
  "sql/001_items/down.sql": "DROP TABLE items;\n",
});
const BASE = base("sqlite");

async function stairway(store: Store, files: Record<string, string>) {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, files);
  const db = { sqlite: `sqlite:${join(dir, "unused.db")}`, postgres: PG_URL, pglite: "pglite:", mysql: MYSQL_URL }[
    store
  ];
  const r = await runCli(["test", "--db", db, "--json"], { cwd: dir });
  const report = r.json();
  const failed = report.results
    .filter((x: any) => x.status === "fail")
    .map((x: any) => `${x.migration ?? "-"} ${x.check}`);
  return { r, report, failed, dir };
}

const find = (report: any, migration: string, check: string) =>
  report.results.find((x: any) => x.migration === migration && x.check === check);

for (const dialect of ["sqlite", "postgres", "mysql"] as const) {
  const BASE = base(dialect);
  describe(`stairway on ${dialect}`, () => {
    test("a correct tree raises no alarm, and leaves test.json and JUnit XML", async () => {
      const { r, report, failed, dir } = await stairway(dialect, {
        ...BASE,
        "sql/002_items_price/up.sql": "ALTER TABLE items ADD COLUMN price numeric(12,4);\n",
        "sql/002_items_price/down.sql": "ALTER TABLE items DROP COLUMN price;\n",
      });
      expect(failed).toEqual([]);
      expect(r.code).toBe(0);
      expect(report.ok).toBe(true);
      expect(find(report, "002_items_price", "step.data-preserved").message).toMatch(/^\d+ rows kept/);
      expect(JSON.parse(readFileSync(join(dir, "tests/migrations/reports/test.json"), "utf8")).command).toBe("test");
      const junit = readFileSync(join(dir, "tests/migrations/reports/test.junit.xml"), "utf8");
      expect(junit).toContain('<testcase classname="stairway.test.' + dialect + '" name="002_items_price step.redo"');
      // The user's own database was never created: tests run on scratch copies.
      if (dialect === "sqlite") expect(existsSync(join(dir, "unused.db"))).toBe(false);
    });

    test("a down that forgets an index fails step.down-restores-schema", async () => {
      const { failed, report } = await stairway(dialect, {
        ...BASE,
        "sql/002_idx/up.sql": "CREATE INDEX idx_items_note ON items (note);\n",
        "sql/002_idx/down.sql": "-- forgot DROP INDEX idx_items_note\nSELECT 1;\n",
      });
      expect(failed).toContain("002_idx step.down-restores-schema");
      expect(find(report, "002_idx", "step.down-restores-schema").message).toContain(
        "table items: index idx_items_note exists only after down",
      );
      expect(find(report, "002_idx", "step.down-restores-schema").details.diff).toContain(
        "+CREATE INDEX idx_items_note ON items (note);",
      );
    });

    test("a down that drops a column it did not add fails schema and data checks", async () => {
      const { failed, report } = await stairway(dialect, {
        ...BASE,
        "sql/002_tags/up.sql": "ALTER TABLE items ADD COLUMN tags text;\n",
        "sql/002_tags/down.sql": "ALTER TABLE items DROP COLUMN tags;\nALTER TABLE items DROP COLUMN note;\n",
      });
      expect(failed).toContain("002_tags step.down-restores-schema");
      expect(failed).toContain("002_tags step.data-preserved");
      expect(find(report, "002_tags", "step.data-preserved").message).toMatch(
        /items\.note: column is gone, with \d+ non-null values/,
      );
    });

    test("a missing down fails files.missing-down, an empty one files.empty-down", async () => {
      const { failed, r } = await stairway(dialect, {
        ...BASE,
        "sql/002_a/up.sql": "CREATE TABLE a (id integer);\n",
        "sql/003_b/up.sql": "CREATE TABLE b (id integer);\n",
        "sql/003_b/down.sql": "-- nothing to undo?\n",
      });
      expect(r.code).toBe(1);
      expect(failed).toContain("002_a files.missing-down");
      expect(failed).toContain("002_a step.down");
      expect(failed).toContain("003_b files.empty-down");
      expect(failed).toContain("003_b step.down-restores-schema");
    });

    test("a declared lossy down is a warning that lists the loss, not a failure", async () => {
      const { failed, report, r } = await stairway(dialect, {
        ...BASE,
        "sql/002_merge/up.sql": `UPDATE items SET name = ${dialect === "mysql" ? "CONCAT(name, ' ', coalesce(note, ''))" : "name || ' ' || coalesce(note, '')"};\nALTER TABLE items DROP COLUMN note;\n`,
        "sql/002_merge/down.sql": `-- stairway:lossy items.name items.note\nALTER TABLE items ADD COLUMN note ${text(dialect)};\n`,
      });
      expect(failed).toEqual([]);
      expect(r.code).toBe(0);
      const data = find(report, "002_merge", "step.data-preserved");
      expect(data.status).toBe("warn");
      expect(data.message).toMatch(
        /^declared loss \(stairway:lossy\): items\.name: \d+ of \d+ values changed.*; items\.note: \d+ of \d+ values changed/,
      );
    });
  });
}

test("sqlite: a down that rebuilds a table without copying its rows fails step.data-preserved", async () => {
  const { failed, report } = await stairway("sqlite", {
    ...BASE,
    "sql/002_flag/up.sql": "ALTER TABLE items ADD COLUMN flag integer REFERENCES items (id);\n",
    "sql/002_flag/down.sql": [
      "CREATE TABLE items_new (id integer PRIMARY KEY, name text NOT NULL, note text);",
      "-- forgot: INSERT INTO items_new SELECT id, name, note FROM items;",
      "DROP TABLE items;",
      "ALTER TABLE items_new RENAME TO items;",
      "CREATE INDEX idx_items_name ON items (name);",
      "",
    ].join("\n"),
  });
  expect(failed).toEqual(["002_flag step.data-preserved"]);
  expect(find(report, "002_flag", "step.data-preserved").message).toMatch(
    /^items: \d+ of \d+ rows missing, e\.g\. id=\d+/,
  );
});

test("postgres: a type change that rounds numbers on the way back fails step.data-preserved only", async () => {
  const { failed, report } = await stairway("postgres", {
    "sql/001_orders/up.sql": "CREATE TABLE orders (id integer PRIMARY KEY, amount numeric(12,4) NOT NULL);\n",
    "sql/001_orders/down.sql": "DROP TABLE orders;\n",
    "sql/002_amount_real/up.sql": "ALTER TABLE orders ALTER COLUMN amount TYPE real;\n",
    "sql/002_amount_real/down.sql": "ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12,4);\n",
  });
  // The schema comes back exactly; only the values show the damage.
  expect(failed).toEqual(["002_amount_real step.data-preserved"]);
  expect(find(report, "002_amount_real", "step.data-preserved").message).toMatch(
    /orders\.amount: \d+ of \d+ values changed, e\.g\. id=\d+: "\d+\.\d{4}" → "\d+\.\d{4}"/,
  );
});

test("pglite: a down that forgets an index and a type change that rounds are caught as on PostgreSQL", async () => {
  const { failed, report } = await stairway("pglite", {
    "sql/001_orders/up.sql": "CREATE TABLE orders (id integer PRIMARY KEY, amount numeric(12,4) NOT NULL);\n",
    "sql/001_orders/down.sql": "DROP TABLE orders;\n",
    "sql/002_idx/up.sql": "CREATE INDEX idx_orders_amount ON orders (amount);\n",
    "sql/002_idx/down.sql": "-- forgot DROP INDEX idx_orders_amount\nSELECT 1;\n",
    "sql/003_amount_real/up.sql": "ALTER TABLE orders ALTER COLUMN amount TYPE real;\n",
    "sql/003_amount_real/down.sql": "ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12,4);\n",
  });
  // The forgotten index also makes the redo fail (it exists already); the rounding shows only in the values.
  expect(failed).toEqual([
    "002_idx step.down-restores-schema",
    "002_idx step.redo",
    "003_amount_real step.data-preserved",
  ]);
  expect(find(report, "002_idx", "step.down-restores-schema").message).toContain(
    "table orders: index idx_orders_amount exists only after down",
  );
  expect(find(report, "003_amount_real", "step.data-preserved").message).toMatch(
    /orders\.amount: \d+ of \d+ values changed, e\.g\. id=\d+: "\d+\.\d{4}" → "\d+\.\d{4}"/,
  );
});

test("postgres: the scratch database is dropped at the end, even when checks fail", async () => {
  const { r, failed } = await stairway("postgres", {
    ...BASE,
    "sql/002_x/up.sql": "CREATE TABLE x (id int);\n",
    "sql/002_x/down.sql": "SELECT 1;\n",
  });
  expect(failed.length).toBeGreaterThan(0);
  expect(await scratchDatabasesOf(r.pid)).toEqual([]);
});

test("sqlite: a table of one INTEGER PRIMARY KEY (SQLite numbers it) gets rows of defaults, not a crash", async () => {
  const { r, report, failed } = await stairway("sqlite", {
    "sql/001_ids/up.sql": "CREATE TABLE ids (id integer PRIMARY KEY);\n",
    "sql/001_ids/down.sql": "DROP TABLE ids;\n",
  });
  expect(r.stderr).toBe("");
  expect(failed).toEqual([]);
  expect(find(report, "001_ids", "step.data-preserved").status).toBe("pass");
});

test("mysql: a down that fails halfway (DDL commits by itself) is dirty; the stairway rebuilds the state and checks the next migration", async () => {
  const BASE = base("mysql");
  const { failed, report, r } = await stairway("mysql", {
    ...BASE,
    "sql/002_widen/up.sql":
      "ALTER TABLE items ADD COLUMN code VARCHAR(400);\nALTER TABLE items MODIFY name VARCHAR(400) NOT NULL;\n",
    // Strict mode refuses to cut the generated names: the first statement is done, the second fails.
    "sql/002_widen/down.sql":
      "ALTER TABLE items DROP COLUMN code;\nALTER TABLE items MODIFY name VARCHAR(10) NOT NULL;\n",
    "sql/003_flag/up.sql": "ALTER TABLE items ADD COLUMN flag BOOLEAN NOT NULL DEFAULT FALSE;\n",
    "sql/003_flag/down.sql": "ALTER TABLE items DROP COLUMN flag;\n",
  });
  // Going all the way down meets the same down again.
  expect(failed).toEqual(["002_widen step.down", "- step.down-to-base"]);
  expect(find(report, "002_widen", "step.down").message).toMatch(
    /^sql\/002_widen\/down\.sql:2:1: Data too long for column 'name' at row \d+$/,
  );
  for (const check of ["step.up", "step.down", "step.down-restores-schema", "step.data-preserved", "step.redo"])
    expect(find(report, "003_flag", check).status).toBe("pass");
  expect(report.results.find((x: any) => x.check === "step.down-to-base").message).toMatch(/^stopped at 002_widen: /);
  expect(await mysqlScratchDatabasesOf(r.pid)).toEqual([]);
}, 60_000);

test("mysql: an up that fails halfway, and again on a rebuilt copy with empty tables, names the statement and stops the chain, the scratch database dropped", async () => {
  const { failed, report, r } = await stairway("mysql", {
    ...base("mysql"),
    "sql/002_bad/up.sql":
      "CREATE TABLE extra (id integer PRIMARY KEY);\nALTER TABLE items ADD COLUMN missing_comma integer integer;\n",
    "sql/002_bad/down.sql": "DROP TABLE extra;\n",
  });
  expect(failed).toEqual(["002_bad step.up"]);
  expect(find(report, "002_bad", "step.up").message).toMatch(
    /^sql\/002_bad\/up\.sql:2:52: You have an error in your SQL syntax.* near 'integer' at line 1 \(on empty tables too\)$/,
  );
  // Taken again on a rebuilt copy without generated rows, it fails there too. Its CREATE TABLE was committed: the way down to the base starts from a rebuilt copy, so nothing is left over.
  expect(report.results.find((x: any) => x.check === "step.down-to-base").status).toBe("pass");
  expect(await mysqlScratchDatabasesOf(r.pid)).toEqual([]);
}, 60_000);

test("mysql: a down that restores a column without its ON UPDATE, in another collation, fails step.down-restores-schema", async () => {
  const { failed, report } = await stairway("mysql", {
    ...base("mysql"),
    "sql/002_seen/up.sql":
      "ALTER TABLE items ADD COLUMN seen_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6);\nALTER TABLE items MODIFY note VARCHAR(200) COLLATE utf8mb4_bin;\n",
    "sql/002_seen/down.sql":
      "ALTER TABLE items DROP COLUMN seen_at;\nALTER TABLE items MODIFY note VARCHAR(200) COLLATE utf8mb4_unicode_ci;\n",
  });
  expect(failed).toEqual(["002_seen step.down-restores-schema"]);
  expect(find(report, "002_seen", "step.down-restores-schema").message).toContain(
    "table items: column note differs: note varchar(200)  →  note varchar(200) COLLATE utf8mb4_unicode_ci",
  );
}, 60_000);
