// Trees the row generator cannot fill everywhere: a foreign key to a table a
// later migration creates (SQLite takes it), a NOT NULL self-reference, a
// cycle, a composite key, types it has no values for, generated and identity
// columns, a CHECK it cannot read, a table whose trigger refuses every insert.
// `stairway test` must never stop on them: every step is checked, and what the
// generator left out is said once, naming the table or column.

import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { cleanup, MYSQL_URL, PG_URL, runCli, tempDir, writeTree } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach(cleanup));

async function stairway(db: (dir: string) => string, files: Record<string, string>) {
  const dir = tempDir();
  dirs.push(dir);
  writeTree(dir, files);
  const r = await runCli(["test", "--db", db(dir), "--json"], { cwd: dir });
  expect(r.stderr).not.toContain("unexpected error");
  expect(r.code).toBe(0);
  const report = r.json();
  const messages = report.results.map((x: any) => x.message as string);
  /** How many results say `text`: once is the rule. */
  const said = (text: string) => messages.filter((m: string) => m.includes(text)).length;
  const find = (migration: string, check: string) =>
    report.results.find((x: any) => x.migration === migration && x.check === check);
  return { report, said, find };
}

const step = (name: string, up: string, down: string) => ({
  [`sql/${name}/up.sql`]: `${up}\n`,
  [`sql/${name}/down.sql`]: `${down}\n`,
});

/** The same small change to every table, so each later step touches (and seeds) all of them. */
const touchAll = (name: string, tables: string[]) =>
  step(
    name,
    tables.map((t) => `ALTER TABLE ${t} ADD COLUMN c${name.slice(0, 3)} integer;`).join("\n"),
    tables.map((t) => `ALTER TABLE ${t} DROP COLUMN c${name.slice(0, 3)};`).join("\n"),
  );

describe("the generator on trees it cannot fill", () => {
  test("sqlite: a foreign key to a later table, a self-reference, a cycle, a composite key, an unknown type, a CHECK it cannot read", async () => {
    const tables = ["orders", "nodes", "a", "b", "pairs", "weird", "gen", "chk"];
    const { report, said, find } = await stairway((dir) => `sqlite:${join(dir, "app.db")}`, {
      ...step(
        "001_tables",
        [
          "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE, note text);",
          "CREATE TABLE nodes (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES nodes (id), name text);",
          "CREATE TABLE a (id integer PRIMARY KEY, b_id integer NOT NULL REFERENCES b (id));",
          "CREATE TABLE b (id integer PRIMARY KEY, a_id integer NOT NULL REFERENCES a (id));",
          "CREATE TABLE pk2 (p integer, q integer, PRIMARY KEY (p, q));",
          "CREATE TABLE pairs (x integer, y integer, FOREIGN KEY (x, y) REFERENCES pk2);",
          "CREATE TABLE weird (id integer PRIMARY KEY, shape GEOMETRY, label text);",
          "CREATE TABLE gen (id integer PRIMARY KEY, a integer NOT NULL, b integer GENERATED ALWAYS AS (a * 2) STORED);",
          "CREATE TABLE chk (id integer PRIMARY KEY, code text NOT NULL CHECK (code GLOB '[A-Z][A-Z][0-9]*' AND length(code) = 5));",
        ].join("\n"),
        "DROP TABLE orders; DROP TABLE nodes; DROP TABLE a; DROP TABLE b; DROP TABLE pairs; DROP TABLE pk2; DROP TABLE weird; DROP TABLE gen; DROP TABLE chk;",
      ),
      ...touchAll("002_x", tables),
      ...touchAll("003_y", tables),
      ...step("004_customers", "CREATE TABLE customers (id integer PRIMARY KEY, name text);", "DROP TABLE customers;"),
      ...touchAll("005_z", ["orders"]),
    });
    expect(report.ok).toBe(true);
    // Every step was checked: none stopped the chain.
    for (const m of ["001_tables", "002_x", "003_y", "004_customers", "005_z"])
      expect(find(m, "step.redo").status).toBe("pass");
    // Each gap said once, naming the table (or column), though three steps meet it.
    const orders =
      "no generated rows for orders: its foreign key (customer_id) references customers, which does not exist (yet)";
    expect(said(orders)).toBe(1);
    expect(said("no generated rows for nodes: its foreign key to itself (parent_id) is NOT NULL")).toBe(1);
    expect(said("no generated rows for chk: cannot generate rows: CHECK constraint failed")).toBe(1);
    expect(said("no generated rows for a: its foreign key (b_id) needs rows in b, which has none")).toBe(1);
    // Once customers exists, orders gets rows that point at it.
    expect(find("005_z", "step.data-preserved").message).toMatch(/^\d+ rows kept$/);
    expect(find("003_y", "step.data-preserved").status).toBe("pass");
  });

  test("sqlite: a foreign key to columns that are no key, or to a view, is the tree's error, not an internal one", async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeTree(dir, {
      ...step(
        "001_tables",
        [
          "CREATE TABLE p (id integer PRIMARY KEY, code text);",
          "CREATE TABLE c (id integer PRIMARY KEY, p_code text REFERENCES p (code));",
          "CREATE VIEW pv AS SELECT * FROM p;",
          "CREATE TABLE c2 (id integer PRIMARY KEY, p_id integer NOT NULL REFERENCES pv (id));",
        ].join("\n"),
        "DROP TABLE c; DROP TABLE c2; DROP VIEW pv; DROP TABLE p;",
      ),
      ...touchAll("002_x", ["c", "c2"]),
    });
    const r = await runCli(["test", "--db", `sqlite:${join(dir, "app.db")}`, "--json"], { cwd: dir });
    expect(r.stderr).not.toContain("unexpected error");
    expect(r.code).toBe(1);
    const results = r.json().results;
    const find = (m: string, check: string) => results.find((x: any) => x.migration === m && x.check === check);
    // SQLite refuses every write to c: step.integrity says why, at each step that touches it.
    for (const m of ["001_tables", "002_x"]) {
      expect(find(m, "step.integrity")).toMatchObject({
        status: "fail",
        message: 'foreign keys cannot be checked: foreign key mismatch - "c" referencing "p"',
      });
      expect(find(m, "step.redo").status).toBe("pass");
    }
    expect(find("001_tables", "step.data-preserved").message).toContain(
      "no generated rows for c2: its foreign key (p_id) references pv, which is a view",
    );
  });

  test("postgres: types without a generator, identity and generated columns, a cycle, a trigger that refuses every row", async () => {
    const tables = ["nodes", "a", "pairs", "weird", "weird2", "gen", "chk", "locked"];
    const { report, said, find } = await stairway(() => PG_URL, {
      ...step(
        "001_tables",
        [
          "CREATE TABLE nodes (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES nodes (id), name text);",
          "CREATE TABLE a (id integer PRIMARY KEY, b_id integer NOT NULL);",
          "CREATE TABLE b (id integer PRIMARY KEY, a_id integer NOT NULL REFERENCES a (id));",
          "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id) DEFERRABLE INITIALLY DEFERRED;",
          "CREATE TABLE pk2 (p integer, q integer, PRIMARY KEY (p, q));",
          "CREATE TABLE pairs (x integer NOT NULL, y integer NOT NULL, FOREIGN KEY (x, y) REFERENCES pk2 (p, q));",
          "CREATE TABLE weird (id integer PRIMARY KEY, g point NOT NULL);",
          "CREATE TABLE weird2 (id integer PRIMARY KEY, h tsvector, c circle);",
          "CREATE TABLE gen (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a integer NOT NULL, b integer GENERATED ALWAYS AS (a * 2) STORED);",
          "CREATE TABLE chk (id integer PRIMARY KEY, s text NOT NULL CHECK (s ~ '^[A-Z]{2}[0-9]{3}$'));",
          "CREATE TABLE locked (id integer PRIMARY KEY, v text);",
          "CREATE FUNCTION no_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'read only'; END $$;",
          "CREATE TRIGGER locked_ro BEFORE INSERT ON locked FOR EACH ROW EXECUTE FUNCTION no_insert();",
        ].join("\n"),
        "DROP TABLE nodes; DROP TABLE b CASCADE; DROP TABLE a CASCADE; DROP TABLE pairs; DROP TABLE pk2; DROP TABLE weird; DROP TABLE weird2; DROP TABLE gen; DROP TABLE chk; DROP TABLE locked; DROP FUNCTION no_insert();",
      ),
      ...touchAll("002_x", tables),
      ...touchAll("003_y", tables),
    });
    expect(report.ok).toBe(true);
    for (const m of ["001_tables", "002_x", "003_y"]) expect(find(m, "step.redo").status).toBe("pass");
    expect(said("no generated rows for weird: no generator for column g of type point, which is NOT NULL")).toBe(1);
    expect(
      said(
        "weird2: columns left NULL or to their default: h (no generator for type tsvector), c (no generator for type circle)",
      ),
    ).toBe(1);
    expect(said("no generated rows for locked: cannot generate rows: read only")).toBe(1);
    expect(said("no generated rows for nodes: its foreign key to itself (parent_id) is NOT NULL")).toBe(1);
    // The tables it could fill (composite key, identity and generated columns) were checked over rows.
    expect(find("002_x", "step.data-preserved").message).toMatch(/^\d+ rows kept$/);
  });

  test("mariadb: spatial types, a NOT NULL self-reference, AUTO_INCREMENT and virtual columns, a CHECK it cannot read", async () => {
    const tables = ["nodes", "shapes", "shapes2", "gen", "chk"];
    const { report, said, find } = await stairway(() => MYSQL_URL, {
      ...step(
        "001_tables",
        [
          "CREATE TABLE nodes (id integer PRIMARY KEY, parent_id integer NOT NULL, FOREIGN KEY (parent_id) REFERENCES nodes (id));",
          "CREATE TABLE shapes (id integer PRIMARY KEY, g POINT NOT NULL);",
          "CREATE TABLE shapes2 (id integer PRIMARY KEY, g GEOMETRY, label varchar(20));",
          "CREATE TABLE gen (id integer AUTO_INCREMENT PRIMARY KEY, a integer NOT NULL, b integer AS (a * 2) VIRTUAL);",
          "CREATE TABLE chk (id integer PRIMARY KEY, code varchar(5) NOT NULL, CHECK (code REGEXP '^[A-Z]{2}[0-9]{3}$'));",
        ].join("\n"),
        "DROP TABLE nodes; DROP TABLE shapes; DROP TABLE shapes2; DROP TABLE gen; DROP TABLE chk;",
      ),
      ...touchAll("002_x", tables),
      ...touchAll("003_y", tables),
    });
    expect(report.ok).toBe(true);
    for (const m of ["001_tables", "002_x", "003_y"]) expect(find(m, "step.redo").status).toBe("pass");
    expect(said("no generated rows for shapes: no generator for column g of type point, which is NOT NULL")).toBe(1);
    expect(said("shapes2: columns left NULL or to their default: g (no generator for type geometry)")).toBe(1);
    expect(said("no generated rows for nodes: its foreign key to itself (parent_id) is NOT NULL")).toBe(1);
    expect(said("no generated rows for chk: cannot generate rows: CONSTRAINT")).toBe(1);
    expect(find("002_x", "step.data-preserved").message).toMatch(/^\d+ rows kept$/);
  });
});
