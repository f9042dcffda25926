// What only the MariaDB/MySQL store does, on the real MariaDB server: scratch
// databases in the target's collation, dropped while a session still holds a
// transaction there, and `clean`; GET_LOCK as the run lock, lost with its
// connection; migrations run statement by statement (DDL commits by itself):
// a failure leaves the version dirty naming file:line, `force` recovers;
// DELIMITER files; the timeouts set around each migration; URL parameters and
// connection errors in one sentence, the password hidden.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mysql from "mysql2/promise";
import { StairwayError } from "../../src/errors.ts";
import { mysqlModule } from "../../src/stores/mysql/index.ts";
import { parseTargetUrl } from "../../src/stores/url.ts";
import { cleanup, MYSQL_URL, mysqlDatabase, mysqlQuery, runCli, tempDir, writeTree } from "../helpers.ts";

let db: Awaited<ReturnType<typeof mysqlDatabase>>;
const dirs: string[] = [];
beforeAll(async () => {
  db = await mysqlDatabase();
});
afterAll(async () => {
  await db.drop();
  dirs.forEach(cleanup);
});

function project(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeTree(dir, files);
}

/** A raw client on `url`, the way an application would hold one. */
async function client(url: string) {
  const u = new URL(url);
  return mysql.createConnection({
    host: u.hostname,
    port: Number(u.port),
    user: "root",
    database: u.pathname.slice(1),
  });
}

describe("scratch databases", () => {
  test("made in the collation of the target's database; dropped although a session holds a transaction there", async () => {
    await mysqlQuery(db.url, `ALTER DATABASE ${db.name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const url = parseTargetUrl(db.url);
    const name = `stairway_conf_${Date.now().toString(36)}`;
    const scratch = await mysqlModule.createScratch(url, name, { name: "my", command: "test", runId: "conformance" });
    const [row] = await mysqlQuery<{ co: string }>(
      MYSQL_URL,
      `SELECT DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`,
      { server: true },
    );
    expect(row!.co).toBe("utf8mb4_unicode_ci");
    const app = await client(scratch.raw);
    await app.query("CREATE TABLE t (id int PRIMARY KEY)");
    await app.query("START TRANSACTION");
    await app.query("INSERT INTO t VALUES (1)"); // a metadata lock DROP DATABASE would wait a day for
    const t0 = Date.now();
    await mysqlModule.dropScratch(url, scratch);
    expect(Date.now() - t0).toBeLessThan(5000);
    app.destroy();
    expect(
      await mysqlQuery(MYSQL_URL, `SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`, {
        server: true,
      }),
    ).toEqual([]);
  });

  test("clean drops the scratch databases of runs that are gone, and no other database", async () => {
    const url = parseTargetUrl(db.url);
    const dead = "stairway_zzzzzz99999_my";
    const alive = `stairway_zzzzzz${process.pid.toString(36).padStart(5, "0").slice(-5)}_my`;
    for (const n of [dead, alive]) await mysqlQuery(MYSQL_URL, `CREATE DATABASE IF NOT EXISTS ${n}`, { server: true });
    try {
      const said = await mysqlModule.clean!(url, (run) => run === "zzzzzz99999");
      expect(said).toContain(dead);
      const left = await mysqlQuery<{ n: string }>(
        MYSQL_URL,
        "SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'stairway\\_zzzzzz%'",
        { server: true },
      );
      expect(left.map((r) => r.n)).toEqual([alive]);
    } finally {
      await mysqlQuery(MYSQL_URL, `DROP DATABASE IF EXISTS ${dead}; DROP DATABASE IF EXISTS ${alive}`, {
        server: true,
      });
    }
  });
});

describe("introspection", () => {
  test("what MariaDB keeps apart from the other stores reads into the model, and what it spells its own way does not show", async () => {
    const d = await mysqlModule.open(parseTargetUrl(db.url), { name: "my" });
    try {
      await d.execute(
        "CREATE TABLE p (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB COLLATE utf8mb4_bin",
      );
      await d.execute(
        `CREATE TABLE c (
           id INT PRIMARY KEY,
           name VARCHAR(20) NOT NULL UNIQUE CHECK (char_length(name) > 0),
           doc JSON,
           kind ENUM('a', 'b') NOT NULL DEFAULT 'a',
           at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
           twice INT AS (id * 2) VIRTUAL,
           code VARCHAR(5) COLLATE utf8mb4_unicode_ci,
           p_id BIGINT UNSIGNED,
           FOREIGN KEY (p_id) REFERENCES p (id),
           KEY ix_at (at DESC, code(3))
         ) ENGINE=InnoDB COLLATE utf8mb4_bin`,
      );
      const c = (await d.introspect()).tables.find((t) => t.name === "c")!;
      const col = (n: string) => c.columns.find((x) => x.name === n)!;
      expect(c.options).toEqual(["ENGINE=InnoDB", "COLLATE=utf8mb4_bin"]);
      // The UNIQUE key and the CHECK are both named after the column: each read once, as what it is.
      expect(c.uniques).toEqual([{ name: "name", columns: ["name"] }]);
      expect(c.checks).toEqual([{ name: "name", expression: "char_length(name) > 0" }]);
      // JSON is LONGTEXT with a json_valid CHECK on MariaDB: the type, not a constraint.
      expect(col("doc").type).toBe("json");
      expect(col("kind")).toMatchObject({ type: "enum('a','b')", default: "'a'", nullable: false });
      expect(col("at")).toMatchObject({ default: "current_timestamp(6)", onUpdate: "current_timestamp(6)" });
      expect(col("twice")).toMatchObject({ generated: "id * 2", virtual: true, default: null });
      expect(col("code").collation).toBe("utf8mb4_unicode_ci");
      expect(col("p_id").type).toBe("bigint unsigned");
      expect(col("id").type).toBe("int");
      // RESTRICT is InnoDB's NO ACTION; the index InnoDB made for the key is not the migration's.
      expect(c.foreignKeys.map((f) => [f.columns, f.onDelete, f.onUpdate])).toEqual([
        [["p_id"], "NO ACTION", "NO ACTION"],
      ]);
      expect(c.indexes).toEqual([{ name: "ix_at", unique: false, columns: ["at DESC", "code(3)"], where: null }]);
      const p = (await d.introspect()).tables.find((t) => t.name === "p")!;
      expect(p.columns[0]).toMatchObject({ type: "bigint unsigned", identity: "autoincrement" });
    } finally {
      await d.execute("DROP TABLE IF EXISTS c");
      await d.execute("DROP TABLE IF EXISTS p");
      await d.close();
    }
  });
});

describe("the run lock", () => {
  test("another run is told which connection holds it; a lost connection loses it, and the run stops", async () => {
    const d = await mysqlModule.open(parseTargetUrl(db.url), { name: "my" });
    const other = await mysqlModule.open(parseTargetUrl(db.url), { name: "my" });
    try {
      await d.lock(1000);
      const [holder] = await mysqlQuery<{ id: number }>(db.url, `SELECT IS_USED_LOCK('stairway:${db.name}') AS id`);
      const id = holder!.id;
      const err = await other.lock(200).catch((e) => e);
      expect(err).toBeInstanceOf(StairwayError);
      expect(err.message).toBe(
        `target my is locked by another stairway run (connection id ${id}): wait for it to finish, or stop it`,
      );
      await mysqlQuery(MYSQL_URL, `KILL ${id}`, { server: true });
      await other.lock(2000); // the server released it with the connection
      const row = { version: "1", name: "a", checksum: "c", appliedAt: new Date().toISOString(), durationMs: 1 };
      const lost = await d.record({ ...row, dirty: false }).catch((e) => e);
      expect(lost).toBeInstanceOf(StairwayError);
      expect(lost.message).toBe(
        "target my: the connection to the server was lost during the run, and the migration lock with it: run again",
      );
    } finally {
      await d.close();
      await other.close();
    }
  });
});

describe("migrations on a real database", () => {
  const files = {
    "sql/001_t/up.sql": "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20));\n",
    "sql/001_t/down.sql": "DROP TABLE t;\n",
    "sql/002_u/up.sql":
      "# MySQL's own comment; with a semicolon\nCREATE TABLE u (id INT PRIMARY KEY);\nINSERT INTO u VALUES (1), ('not a number');\nCREATE TABLE v (id INT);\n",
    "sql/002_u/down.sql": "DROP TABLE IF EXISTS v;\nDROP TABLE u;\n",
  };

  test("a failure halfway: the statements before it stay, the version is dirty naming file:line, force recovers", async () => {
    const dir = project(files);
    const up = await runCli(["up", "--db", db.url, "--json"], { cwd: dir });
    expect(up.code).toBe(1);
    const failed = up.json().results.find((r: { status: string }) => r.status === "fail");
    expect(failed.message).toBe(
      "sql/002_u/up.sql:3:1: Incorrect integer value: 'not a number' for column `" +
        db.name +
        "`.`u`.`id` at row 2 — version 002 is now dirty",
    );
    // DDL commits by itself: u exists, v does not.
    const tables = await mysqlQuery<{ n: string }>(
      db.url,
      "SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
    );
    expect(tables.map((r) => r.n)).toEqual(["stairway_migrations", "t", "u"]);
    const again = await runCli(["up", "--db", db.url], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("version 002 is dirty");
    await mysqlQuery(db.url, "DROP TABLE u");
    const forced = await runCli(["force", "002", "--pending", "--db", db.url], { cwd: dir });
    expect(forced.code).toBe(0);
    const status = await runCli(["status", "--db", db.url, "--json"], { cwd: dir });
    expect(status.json().migrations.map((m: { state: string }) => m.state)).toEqual(["applied", "pending"]);
    await mysqlQuery(db.url, "DROP TABLE t; DROP TABLE stairway_migrations");
  }, 60_000);

  test("a file's own START TRANSACTION … COMMIT runs as written: its rows go in together or not at all", async () => {
    const dir = project({
      "sql/001_t/up.sql": files["sql/001_t/up.sql"],
      "sql/001_t/down.sql": files["sql/001_t/down.sql"],
      // A whole-file wrapper: stairway would take it off where it runs the file in its own transaction.
      "sql/002_rows/up.sql": "BEGIN;\nINSERT INTO t VALUES (1, 'a');\nINSERT INTO t VALUES (1, 'again');\nCOMMIT;\n",
      "sql/002_rows/down.sql": "DELETE FROM t WHERE id = 1;\n",
    });
    const up = await runCli(["up", "--db", db.url, "--json"], { cwd: dir });
    expect(up.code).toBe(1);
    expect(up.json().results.at(-1).message).toMatch(
      /^sql\/002_rows\/up\.sql:3:1: Duplicate entry '1' for key 'PRIMARY'/,
    );
    expect(await mysqlQuery(db.url, "SELECT COUNT(*) AS n FROM t")).toEqual([{ n: 0 }]);
    await mysqlQuery(db.url, "DROP TABLE t; DROP TABLE stairway_migrations");
  }, 60_000);

  test("a DELIMITER file (a trigger and a procedure) runs as the mariadb client would run it", async () => {
    const dir = project({
      "sql/001_t/up.sql": files["sql/001_t/up.sql"],
      "sql/001_t/down.sql": files["sql/001_t/down.sql"],
      "sql/002_trg/up.mysql.sql": [
        "DELIMITER //",
        "CREATE TRIGGER t_name BEFORE INSERT ON t FOR EACH ROW",
        "BEGIN",
        "  IF NEW.name IS NULL THEN SET NEW.name = 'none'; END IF;",
        "END//",
        "CREATE PROCEDURE add_t(IN n INT)",
        "BEGIN",
        "  INSERT INTO t (id) VALUES (n);",
        "END//",
        "DELIMITER ;",
        "CALL add_t(7);",
        "",
      ].join("\n"),
      "sql/002_trg/down.mysql.sql": "DELETE FROM t WHERE id = 7;\nDROP PROCEDURE add_t;\nDROP TRIGGER t_name;\n",
      "sql/002_trg/up.sql": "-- stairway:skip sqlite postgres\n",
      "sql/002_trg/down.sql": "SELECT 1;\n",
    });
    const up = await runCli(["up", "--db", db.url], { cwd: dir });
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    expect(await mysqlQuery(db.url, "SELECT id, name FROM t")).toEqual([{ id: 7, name: "none" }]);
    const test_ = await runCli(["test", "--db", db.url, "--json"], { cwd: dir });
    expect(test_.json().results.filter((r: { status: string }) => r.status === "fail")).toEqual([]);
    const down = await runCli(["down", "--to", "0", "--db", db.url], { cwd: dir });
    expect(down.code).toBe(0);
    await mysqlQuery(db.url, "DROP TABLE stairway_migrations");
  }, 60_000);

  test("lock_timeout becomes lock_wait_timeout: a DDL behind an open transaction gives up instead of queueing", async () => {
    const dir = project({
      "stairway.yaml": `databases:\n  my: { url: "${db.url}", lock_timeout: 1000 }\n`,
      "sql/001_t/up.sql": files["sql/001_t/up.sql"],
      "sql/001_t/down.sql": files["sql/001_t/down.sql"],
      "sql/002_col/up.sql": "ALTER TABLE t ADD COLUMN c INT;\n",
      "sql/002_col/down.sql": "ALTER TABLE t DROP COLUMN c;\n",
    });
    expect((await runCli(["up", "--to", "001", "--config", "stairway.yaml"], { cwd: dir })).code).toBe(0);
    const app = await client(db.url);
    await app.query("START TRANSACTION");
    await app.query("SELECT * FROM t"); // holds t's metadata lock until it ends
    try {
      const t0 = Date.now();
      const r = await runCli(["up", "--json", "--config", "stairway.yaml"], { cwd: dir });
      expect(r.code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.json().results[0].message).toMatch(/^sql\/002_col\/up\.sql:1:1: Lock wait timeout exceeded/);
    } finally {
      await app.query("ROLLBACK");
      app.destroy();
      await mysqlQuery(db.url, "DROP TABLE t; DROP TABLE stairway_migrations");
    }
  }, 60_000);
});

describe("URLs and connection errors", () => {
  test("one sentence naming the target, exit code 3 (2 for the URL's own fault), password hidden", async () => {
    const base = new URL(MYSQL_URL);
    const at = (path: string, query = "") => `mysql://root:s3cret-pw@${base.host}${path}${query}`;
    const cases: [string, number, RegExp][] = [
      [
        "mysql://root:s3cret-pw@127.0.0.1:1/x",
        3,
        /^cannot connect to target my \(mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/x\): connection refused: is MariaDB\/MySQL running there\?/,
      ],
      [at("/x"), 3, /access denied: check the user and password in the URL$/],
      [`mysql://root@${base.host}/no_such_db_stairway`, 3, /database "no_such_db_stairway" does not exist/],
      [at("/x", "?ssl-mode=REQUIRED"), 3, /the server does not offer TLS/],
      [
        at("/x", "?ssl-mode=ALWAYS"),
        2,
        /has ssl-mode=ALWAYS: use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY$/,
      ],
      [at("/x", "?charset=latin1"), 2, /has a parameter stairway does not know \(charset\)/],
      [`mysql://root@${base.host}`, 2, /names no database: add it to the URL/],
    ];
    for (const [raw, exit, re] of cases) {
      const err = await mysqlModule.open(parseTargetUrl(raw), { name: "my" }).catch((e) => e);
      expect(err).toBeInstanceOf(StairwayError);
      expect([raw, err.exitCode]).toEqual([raw, exit]);
      expect(err.message).toMatch(re);
      expect(err.message).not.toContain("s3cret-pw");
    }
  });

  test("mariadb:// is the same store; sql_mode= sets the session's mode", async () => {
    const url = parseTargetUrl(`${db.url.replace(/^mysql:/, "mariadb:")}?sql_mode=ANSI_QUOTES`);
    expect(url.store).toBe("mysql");
    const d = await mysqlModule.open(url, { name: "my" });
    try {
      await d.execute('CREATE TABLE "quoted" (id int)'); // "…" names a table only under ANSI_QUOTES
      expect((await d.introspect()).tables.map((t) => t.name)).toContain("quoted");
      await d.execute("DROP TABLE quoted");
    } finally {
      await d.close();
    }
  });
});
