// An up that fails over the generated rows and passes on empty tables is a
// warning that names the data it fails on: a duplicated value, NULLs, a value
// with no parent, a row a CHECK refuses, a child row pointing at a deleted
// parent. Real SQLite and PostgreSQL through `stairway test`; MariaDB (whose
// failed DDL the stairway does not run again, as it ran outside a transaction)
// through the runner and the explanation directly.

import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { blameData } from "../../src/checks/data-blame.ts";
import { loadPlan } from "../../src/plan/discover.ts";
import { applyStep } from "../../src/runner.ts";
import type { SqlDriver } from "../../src/stores/contract.ts";
import { mysqlModule } from "../../src/stores/mysql/index.ts";
import { parseTargetUrl } from "../../src/stores/url.ts";
import { cleanup, mysqlDatabase, PG_URL, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

const step = (name: string, up: string, down: string) => ({
  [`sql/${name}/up.sql`]: `${up}\n`,
  [`sql/${name}/down.sql`]: `${down}\n`,
});

const BASE = step(
  "001_base",
  [
    "CREATE TABLE customers (id integer PRIMARY KEY, name text);",
    "CREATE TABLE items (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id));",
    "CREATE TABLE accounts (id integer PRIMARY KEY, email text);",
    "CREATE TABLE notes (id integer PRIMARY KEY, body text);",
    "CREATE TABLE plans (id integer PRIMARY KEY, name text);",
    "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer);",
    "CREATE TABLE prices (id integer PRIMARY KEY, amount integer NOT NULL);",
  ].join("\n"),
  "DROP TABLE items; DROP TABLE customers; DROP TABLE accounts; DROP TABLE notes; DROP TABLE plans; DROP TABLE orders; DROP TABLE prices;",
);

/** SQLite changes a constraint by copying into a new table (https://www.sqlite.org/lang_altertable.html#otheralter). */
const rebuild = (table: string, columns: string, extra = "") =>
  `CREATE TABLE ${table}_new (${columns}${extra});\nINSERT INTO ${table}_new SELECT * FROM ${table};\nDROP TABLE ${table};\nALTER TABLE ${table}_new RENAME TO ${table};`;

/** The same SQL on both: SQLite and PostgreSQL both refuse it over rows. */
const NEW_COLUMN = step(
  "004_new_column",
  "ALTER TABLE plans ADD COLUMN tier text NOT NULL;",
  "ALTER TABLE plans DROP COLUMN tier;",
);

const TREES = {
  sqlite: {
    ...BASE,
    ...step("002_unique", "CREATE UNIQUE INDEX accounts_email ON accounts (email);", "DROP INDEX accounts_email;"),
    ...step(
      "003_not_null",
      rebuild("notes", "id integer PRIMARY KEY, body text NOT NULL"),
      rebuild("notes", "id integer PRIMARY KEY, body text"),
    ),
    ...NEW_COLUMN,
    ...step(
      "005_foreign_key",
      rebuild("orders", "id integer PRIMARY KEY, customer_id integer REFERENCES customers (id)"),
      rebuild("orders", "id integer PRIMARY KEY, customer_id integer"),
    ),
    ...step(
      "006_check",
      rebuild("prices", "id integer PRIMARY KEY, amount integer NOT NULL", ", CONSTRAINT small CHECK (amount < 100)"),
      rebuild("prices", "id integer PRIMARY KEY, amount integer NOT NULL"),
    ),
    ...step("007_delete", "DELETE FROM customers;", "SELECT 1;"),
    // SQLite empties a table it drops: the rows pointing at it fail the foreign key.
    ...step("008_drop", "DROP TABLE customers;", "CREATE TABLE customers (id integer PRIMARY KEY, name text);"),
  },
  postgres: {
    ...BASE,
    ...step(
      "002_unique",
      "ALTER TABLE accounts ADD CONSTRAINT accounts_email UNIQUE (email);",
      "ALTER TABLE accounts DROP CONSTRAINT accounts_email;",
    ),
    ...step(
      "003_not_null",
      "ALTER TABLE notes ALTER COLUMN body SET NOT NULL;",
      "ALTER TABLE notes ALTER COLUMN body DROP NOT NULL;",
    ),
    ...NEW_COLUMN,
    ...step(
      "005_foreign_key",
      "ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id);",
      "ALTER TABLE orders DROP CONSTRAINT orders_customer;",
    ),
    ...step(
      "006_check",
      "ALTER TABLE prices ADD CONSTRAINT small CHECK (amount < 100);",
      "ALTER TABLE prices DROP CONSTRAINT small;",
    ),
    ...step("007_delete", "DELETE FROM customers;", "SELECT 1;"),
    ...step(
      "009_primary_key",
      "ALTER TABLE orders DROP CONSTRAINT orders_pkey;\nALTER TABLE orders ADD PRIMARY KEY (customer_id);",
      "ALTER TABLE orders DROP CONSTRAINT orders_pkey;\nALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;\nALTER TABLE orders ADD PRIMARY KEY (id);",
    ),
    // Not one of the shapes it knows: the database's own words stay.
    ...step(
      "008_cast",
      "ALTER TABLE notes ALTER COLUMN body TYPE integer USING body::integer;",
      "ALTER TABLE notes ALTER COLUMN body TYPE text;",
    ),
  },
};

const EXPECTED: [string, RegExp][] = [
  [
    "002_unique",
    /adding UNIQUE \(email\) to accounts fails when accounts holds duplicates, e\.g\. email='.+' \(\d+ rows\)/,
  ],
  ["004_new_column", /adding plans\.tier NOT NULL without a default fails when plans holds rows \(it held \d+\)/],
  ["005_foreign_key", /fails when orders holds values with no row in customers, e\.g\. customer_id=\d+ \(\d+ rows?\)/],
  ["006_check", /fails when prices holds rows it refuses, e\.g\. id=\d+, amount=\d+ \(\d+ rows?\)/],
  [
    "007_delete",
    /deleting rows of customers fails when items holds rows that point at it, e\.g\. items\.customer_id=\d+ \(\d+ rows?\)/,
  ],
];

for (const dialect of ["sqlite", "postgres"] as const) {
  describe(`an up that fails over generated rows, on ${dialect}`, () => {
    test("is a warning that names the data it fails on, and the run goes on", async () => {
      const dir = tempDir();
      dirs.push(dir);
      writeTree(dir, TREES[dialect]);
      const db = dialect === "sqlite" ? `sqlite:${join(dir, "app.db")}` : PG_URL;
      const r = await runCli(["test", "--db", db, "--json"], { cwd: dir });
      expect(r.stderr).not.toContain("unexpected error");
      const results = r.json().results;
      expect(r.code).toBe(0);
      const up = (m: string) => results.find((x: any) => x.migration === m && x.check === "step.up");
      for (const [m, blame] of EXPECTED) {
        expect(up(m).status).toBe("warn");
        expect(up(m).message).toMatch(blame);
        expect(up(m).message).toStartWith(`sql/${m}/up.sql:`);
        expect(up(m).message).toEndWith("it passes on empty tables — a production risk");
        // The database's own words stay in the JSON.
        expect(up(m).details.failsOverData).toContain(`sql/${m}/up.sql:`);
        // The down and the redo run on the empty tables too: the same rows would fail the redo again.
        expect(results.find((x: any) => x.migration === m && x.check === "step.redo").status).toBe("pass");
      }
      expect(up("003_not_null").message).toMatch(
        dialect === "sqlite"
          ? /copying rows of notes into notes_new fails when notes\.body holds NULLs, which the new NOT NULL column refuses \(\d+ of \d+ rows, e\.g\. id=\d+\)/
          : /setting notes\.body NOT NULL fails when the column holds NULLs \(\d+ of \d+ rows, e\.g\. id=\d+\)/,
      );
      if (dialect === "sqlite")
        expect(up("008_drop").message).toMatch(
          /^sql\/008_drop\/up\.sql:1:1: dropping customers fails when items holds rows that point at it, e\.g\. items\.customer_id=\d+ \(\d+ rows?\)/,
        );
      if (dialect === "postgres")
        expect(up("009_primary_key").message).toMatch(
          /^sql\/009_primary_key\/up\.sql:2:\d+: adding PRIMARY KEY on orders\.customer_id fails when the column holds NULLs \(\d+ of \d+ rows, e\.g\. id=\d+\)/,
        );
      if (dialect === "postgres")
        expect(up("008_cast").message).toMatch(
          /^fails where the tables hold rows, passes on empty tables — a production risk: sql\/008_cast\/up\.sql:1:1: invalid input syntax for type integer/,
        );
    });
  });
}

describe("the data an up fails on, on MariaDB", () => {
  test("duplicates, NULLs, values with no parent, rows a CHECK refuses, rows pointing at a deleted parent", async () => {
    const db = await mysqlDatabase();
    const dir = tempDir();
    dirs.push(dir);
    const driver = (await mysqlModule.open(parseTargetUrl(db.url), { name: "mariadb" })) as SqlDriver;
    try {
      await driver.ensureBookkeeping();
      for (const s of [
        "CREATE TABLE customers (id integer PRIMARY KEY, name varchar(50))",
        "CREATE TABLE items (id integer PRIMARY KEY, customer_id integer NOT NULL, FOREIGN KEY (customer_id) REFERENCES customers (id))",
        "CREATE TABLE accounts (id integer PRIMARY KEY, email varchar(50))",
        "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer)",
        "CREATE TABLE prices (id integer PRIMARY KEY, amount integer NOT NULL)",
        "INSERT INTO customers VALUES (1, 'a'), (2, 'b')",
        "INSERT INTO items VALUES (1, 2)",
        "INSERT INTO accounts VALUES (1, 'x@y'), (2, 'x@y'), (3, NULL)",
        "INSERT INTO orders VALUES (1, 1), (2, 7)",
        "INSERT INTO prices VALUES (1, 5), (2, 5000)",
      ])
        await driver.execute(s);
      writeTree(dir, {
        ...step("001_unique", "ALTER TABLE accounts ADD UNIQUE KEY accounts_email (email);", "SELECT 1;"),
        ...step("002_not_null", "ALTER TABLE accounts MODIFY email varchar(50) NOT NULL;", "SELECT 1;"),
        ...step(
          "003_foreign_key",
          "ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id);",
          "SELECT 1;",
        ),
        ...step("004_check", "ALTER TABLE prices ADD CONSTRAINT small CHECK (amount < 100);", "SELECT 1;"),
        ...step("005_delete", "DELETE FROM customers;", "SELECT 1;"),
      });
      const plan = loadPlan({ sqlDir: join(dir, "sql") });
      const blame = async (id: string) => {
        const m = plan.migrations.find((x) => x.id === id)!;
        const o = await applyStep(driver, m, "up");
        expect(o.status).toBe("failed");
        return blameData(driver, await driver.introspect(), m, o.error!);
      };
      expect(await blame("001_unique")).toBe(
        "adding UNIQUE (email) to accounts fails when accounts holds duplicates, e.g. email='x@y' (2 rows)",
      );
      expect(await blame("002_not_null")).toBe(
        "setting accounts.email NOT NULL fails when the column holds NULLs (1 of 3 rows, e.g. id=3)",
      );
      expect(await blame("003_foreign_key")).toBe(
        "adding FOREIGN KEY (customer_id) REFERENCES customers (id) to orders fails when orders holds values with no row in customers, e.g. customer_id=7 (1 row)",
      );
      expect(await blame("004_check")).toBe(
        "adding CHECK (amount < 100) to prices fails when prices holds rows it refuses, e.g. id=2, amount=5000 (1 row)",
      );
      expect(await blame("005_delete")).toBe(
        "deleting rows of customers fails when items holds rows that point at it, e.g. items.customer_id=2 (1 row)",
      );
    } finally {
      await driver.close();
      await db.drop();
    }
  });
});
