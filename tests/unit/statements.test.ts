import { describe, expect, test } from "bun:test";
import { isEmptySql, lineCol, splitStatements } from "../../src/plan/statements.ts";

const texts = (sql: string) => splitStatements(sql).map((s) => s.text);

describe("splitStatements: quotes and comments", () => {
  test("splits on semicolons and drops them", () => {
    expect(texts("CREATE TABLE a (x int);\nINSERT INTO a VALUES (1) ;\nSELECT 1")).toEqual([
      "CREATE TABLE a (x int)",
      "INSERT INTO a VALUES (1)",
      "SELECT 1",
    ]);
  });

  test("a ';' inside a single-quoted string, with '' escapes, does not split", () => {
    expect(texts("INSERT INTO t VALUES ('it''s; fine');\nSELECT 2;")).toEqual([
      "INSERT INTO t VALUES ('it''s; fine')",
      "SELECT 2",
    ]);
  });

  test("E'' strings honour backslash escapes", () => {
    expect(texts("SELECT E'it\\'s; still one';\nSELECT e'\\\\';\nSELECT 3;")).toEqual([
      "SELECT E'it\\'s; still one'",
      "SELECT e'\\\\'",
      "SELECT 3",
    ]);
  });

  test("a backslash in a standard string is literal: 'C:\\' ends at the next quote", () => {
    expect(texts("SELECT 'C:\\';\nSELECT 4;")).toEqual(["SELECT 'C:\\'", "SELECT 4"]);
  });

  test("a word ending in E before a quote is not an E'' string", () => {
    // TYPE'…' is not E'…': the backslash is literal, so the string ends at the second quote.
    expect(texts("SELECT TYPE'a\\';\nSELECT 5;")).toEqual(["SELECT TYPE'a\\'", "SELECT 5"]);
  });

  test("double-quoted and backquoted identifiers may hold ';'", () => {
    expect(texts('CREATE TABLE "a;b" ("c;d" int);\nSELECT `x;y` FROM t;')).toEqual([
      'CREATE TABLE "a;b" ("c;d" int)',
      "SELECT `x;y` FROM t",
    ]);
  });

  test("SQLite [bracketed] identifiers may hold ';'", () => {
    expect(texts("SELECT [a;b] FROM t;\nSELECT 2;")).toEqual(["SELECT [a;b] FROM t", "SELECT 2"]);
  });

  test("a PostgreSQL array of strings holding ']' and ';' is one statement", () => {
    const sql = "INSERT INTO t (tags) VALUES (ARRAY['[draft]', 'x;y']);\nSELECT 2;";
    expect(texts(sql)).toEqual(["INSERT INTO t (tags) VALUES (ARRAY['[draft]', 'x;y'])", "SELECT 2"]);
  });

  test("-- and /* */ comments hide ';', and /* */ nests", () => {
    const sql = "-- not; a statement\nSELECT 1 /* a; /* nested; */ still; comment */ + 1;\nSELECT 2;";
    expect(texts(sql)).toEqual(["SELECT 1 /* a; /* nested; */ still; comment */ + 1", "SELECT 2"]);
  });

  test("comments before a statement are not part of it", () => {
    const [s] = splitStatements("-- header\n/* block */\n  SELECT 1;");
    expect(s!.text).toBe("SELECT 1");
    expect(s!.line).toBe(3);
    expect(s!.col).toBe(3);
  });
});

describe("splitStatements: dollar quotes", () => {
  test("$$ bodies hold ';'", () => {
    const sql = "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql;\nSELECT f();";
    expect(texts(sql)).toEqual([
      "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql",
      "SELECT f()",
    ]);
  });

  test("$tag$ bodies end only at the same tag, even with $$ inside", () => {
    const sql = "DO $body$ BEGIN PERFORM $$;$$; END; $body$;\nSELECT 1;";
    expect(texts(sql)).toEqual(["DO $body$ BEGIN PERFORM $$;$$; END; $body$", "SELECT 1"]);
  });

  test("$1 parameters are not dollar quotes", () => {
    expect(texts("PREPARE p AS SELECT $1;\nEXECUTE p(1);")).toEqual(["PREPARE p AS SELECT $1", "EXECUTE p(1)"]);
  });
});

describe("splitStatements: BEGIN … END bodies", () => {
  test("PostgreSQL BEGIN ATOMIC … END is one statement", () => {
    const sql = [
      "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql",
      "BEGIN ATOMIC",
      "  SELECT a + b;",
      "  SELECT a - b;",
      "END;",
      "SELECT add(1, 2);",
    ].join("\n");
    const out = splitStatements(sql);
    expect(out).toHaveLength(2);
    expect(out[0]!.text).toEndWith("SELECT a - b;\nEND");
    expect(out[1]).toMatchObject({ text: "SELECT add(1, 2)", line: 6, col: 1 });
  });

  test("SQLite CREATE TRIGGER … BEGIN …; …; END is one statement", () => {
    const sql = [
      "CREATE TRIGGER tools_touch AFTER UPDATE ON tools",
      "BEGIN",
      "  UPDATE tools SET updated_at = CURRENT_TIMESTAMP WHERE id = new.id;",
      "  INSERT INTO audit (what) VALUES ('touch; tools');",
      "END;",
      "CREATE INDEX i ON tools (name);",
    ].join("\n");
    const out = texts(sql);
    expect(out).toHaveLength(2);
    expect(out[0]).toStartWith("CREATE TRIGGER tools_touch");
    expect(out[0]).toEndWith("END");
    expect(out[1]).toBe("CREATE INDEX i ON tools (name)");
  });

  test("a CASE … END inside a trigger body does not close the body", () => {
    const sql = [
      "CREATE TEMP TRIGGER IF NOT EXISTS t AFTER INSERT ON a FOR EACH ROW",
      "BEGIN",
      "  UPDATE a SET kind = CASE WHEN new.n > 0 THEN 'pos' ELSE 'neg' END WHERE id = new.id;",
      "  DELETE FROM b WHERE id = new.id;",
      "END;",
      "SELECT 1;",
    ].join("\n");
    const out = texts(sql);
    expect(out).toHaveLength(2);
    expect(out[0]).toContain("DELETE FROM b WHERE id = new.id;\nEND");
    expect(out[1]).toBe("SELECT 1");
  });

  test("a CASE … END outside any body is an ordinary expression", () => {
    expect(texts("SELECT CASE WHEN 1 THEN 'a' END;\nSELECT 2;")).toEqual([
      "SELECT CASE WHEN 1 THEN 'a' END",
      "SELECT 2",
    ]);
  });

  test("a plain BEGIN; transaction statement does not open a body", () => {
    expect(texts("BEGIN;\nCREATE TABLE a (x int);\nCOMMIT;")).toEqual(["BEGIN", "CREATE TABLE a (x int)", "COMMIT"]);
    expect(texts("begin transaction;\nSELECT 1;\nEND;")).toEqual(["begin transaction", "SELECT 1", "END"]);
  });
});

describe("splitStatements: MySQL's lexical rules (the mysql-lexical syntax)", () => {
  const my = (sql: string) => splitStatements(sql, Infinity, "mysql-lexical").map((s) => s.text);

  test("# comments hide ';'; elsewhere # is no comment (a PostgreSQL operator)", () => {
    expect(my("# a comment; still\nSELECT 1;\nSELECT 2 # trailing; comment\n;")).toEqual([
      "SELECT 1",
      "SELECT 2 # trailing; comment",
    ]);
    expect(texts("SELECT 5 # 3;\nSELECT 2;")).toEqual(["SELECT 5 # 3", "SELECT 2"]);
  });

  test("'--' starts a comment only before a space: SELECT 1--1 is arithmetic", () => {
    expect(my("SELECT 1--1;\n-- a comment; here\nSELECT 2;")).toEqual(["SELECT 1--1", "SELECT 2"]);
  });

  test("backslash escapes in '…' and \"…\" strings (a standard string ends at the backslash's quote)", () => {
    expect(my('INSERT INTO t VALUES (\'it\\\'s; one\', "say \\"hi\\"; too");\nSELECT 2;')).toEqual([
      'INSERT INTO t VALUES (\'it\\\'s; one\', "say \\"hi\\"; too")',
      "SELECT 2",
    ]);
    expect(texts("SELECT 'C:\\';\nSELECT 4;")).toEqual(["SELECT 'C:\\'", "SELECT 4"]);
  });

  test("/*! … */ executable comments are statements; other comments are not; they do not nest", () => {
    expect(my("/* plain; */ /*!40101 SET NAMES utf8mb4 */;\n/*M!100100 SET x = 1 */;\nSELECT /* a /* b */ 1;")).toEqual(
      ["/*!40101 SET NAMES utf8mb4 */", "/*M!100100 SET x = 1 */", "SELECT /* a /* b */ 1"],
    );
  });

  test("DELIMITER lines change the terminator and are no statements", () => {
    const sql = [
      "CREATE TABLE t (a int);",
      "DELIMITER //",
      "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW",
      "BEGIN",
      "  IF NEW.a < 0 THEN SET NEW.a = 0; END IF;",
      "END//",
      "DELIMITER ;",
      "INSERT INTO t VALUES (1);",
      "delimiter ;;",
      "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END;;",
      "DELIMITER ;",
    ].join("\n");
    const out = splitStatements(sql, Infinity, "mysql-lexical");
    expect(out.map((s) => s.text)).toEqual([
      "CREATE TABLE t (a int)",
      "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n  IF NEW.a < 0 THEN SET NEW.a = 0; END IF;\nEND",
      "INSERT INTO t VALUES (1)",
      "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END",
    ]);
    expect(out.map((s) => s.line)).toEqual([1, 3, 8, 10]);
  });

  test("without DELIMITER, a routine's BEGIN … END body is one statement; END IF / END LOOP close no body", () => {
    const sql =
      "CREATE DEFINER = `root`@`%` PROCEDURE p(n INT)\nBEGIN\n  WHILE n > 0 DO\n    IF n = 2 THEN SELECT 2; END IF;\n    SET n = n - 1;\n  END WHILE;\n  lbl: BEGIN SELECT 1; END lbl;\n  CASE n WHEN 0 THEN SELECT 0; ELSE SELECT 9; END CASE;\nEND;\nSELECT 3;";
    expect(my(sql)).toEqual([sql.slice(0, sql.indexOf(";\nSELECT 3")), "SELECT 3"]);
  });

  test("$ and [ are ordinary characters: no dollar quotes, no bracketed names", () => {
    expect(my("SELECT $$ FROM t;\nSELECT a[1;\nSELECT 3;")).toEqual(["SELECT $$ FROM t", "SELECT a[1", "SELECT 3"]);
  });

  test("PostgreSQL and SQLite splitting is unchanged by it: DELIMITER is a word there", () => {
    expect(texts("DELIMITER //\nSELECT 1;")).toEqual(["DELIMITER //\nSELECT 1"]);
  });
});

describe("splitStatements: positions", () => {
  test("line, col and offset of each statement", () => {
    const sql = "SELECT 1;  SELECT 2;\n\n   SELECT 3;";
    const out = splitStatements(sql);
    expect(out.map((s) => [s.line, s.col])).toEqual([
      [1, 1],
      [1, 12],
      [3, 4],
    ]);
    for (const s of out) expect(sql.slice(s.offset, s.offset + s.text.length)).toBe(s.text);
  });

  test("CRLF line endings count one line per CRLF and leave no \\r in the text", () => {
    const sql = "SELECT 1;\r\n\r\n  SELECT 2;\r\nSELECT 3\r\n";
    const out = splitStatements(sql);
    expect(out.map((s) => s.text)).toEqual(["SELECT 1", "SELECT 2", "SELECT 3"]);
    expect(out.map((s) => [s.line, s.col])).toEqual([
      [1, 1],
      [3, 3],
      [4, 1],
    ]);
  });
});

describe("lineCol", () => {
  test("1-based line and column of an offset", () => {
    expect(lineCol("abc", 0)).toEqual({ line: 1, col: 1 });
    expect(lineCol("ab\ncd", 4)).toEqual({ line: 2, col: 2 });
    expect(lineCol("a\r\nb", 3)).toEqual({ line: 2, col: 1 });
    expect(lineCol("a\n\n\nb", 4)).toEqual({ line: 4, col: 1 });
  });
});

describe("isEmptySql", () => {
  test("blank, comment-only and semicolon-only files are empty", () => {
    expect(isEmptySql("")).toBe(true);
    expect(isEmptySql("  \n\t\r\n")).toBe(true);
    expect(isEmptySql("-- nothing to undo\n/* really /* nothing */ */\n")).toBe(true);
    expect(isEmptySql(" ; ;\n;")).toBe(true);
    expect(isEmptySql("-- stairway:lossy tools")).toBe(true);
    expect(splitStatements("-- only a comment")).toEqual([]);
  });

  test("a file with one statement is not empty", () => {
    expect(isEmptySql("-- drop it\nDROP TABLE tools;")).toBe(false);
    expect(isEmptySql("SELECT 1")).toBe(false);
  });
});

describe("splitStatements: linear in the size of the file", () => {
  // Each statement's line used to be counted from the top of the file: 20k
  // statements took 20 s, a 600k-statement seed file hours. Now a second or
  // less; the bound leaves room for a busy machine, not for a quadratic scan.
  test("200,000 statements on as many lines, and on one line, split in seconds with the right positions", () => {
    const rows = Array.from(
      { length: 200_000 },
      (_, i) => `INSERT INTO seed (id, note) VALUES (${i}, 'row ${i}; it''s fine')`,
    );
    for (const [sql, last] of [
      [rows.join(";\n") + ";\n", { line: 200_000, col: 1 }],
      [rows.join("; ") + ";", { line: 1, col: rows.slice(0, -1).reduce((n, r) => n + r.length + 2, 0) + 1 }],
    ] as const) {
      const t0 = performance.now();
      const out = splitStatements(sql);
      expect(performance.now() - t0).toBeLessThan(8_000);
      expect(out).toHaveLength(200_000);
      expect(out.at(-1)).toMatchObject({ text: rows.at(-1), ...last });
    }
  });
});
