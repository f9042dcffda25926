import { describe, expect, test } from "bun:test";
import { mergeDirectives, parseDirectives, type Directives } from "../../src/plan/directives.ts";

const none: Directives = { noTransaction: false, skip: [], lossy: [], allow: [] };

describe("parseDirectives", () => {
  test("a file without directives gives the defaults and no problems", () => {
    expect(parseDirectives("CREATE TABLE t (id int);\n-- an ordinary comment\n")).toEqual({
      directives: none,
      problems: [],
    });
  });

  test("no-transaction, anywhere in the file", () => {
    const { directives, problems } = parseDirectives(
      "CREATE INDEX CONCURRENTLY i ON t (x);\n-- stairway:no-transaction\n",
    );
    expect(directives.noTransaction).toBe(true);
    expect(problems).toEqual([]);
  });

  test("skip names one or more dialects; postgresql means postgres", () => {
    expect(parseDirectives("-- stairway:skip sqlite").directives.skip).toEqual(["sqlite"]);
    expect(parseDirectives("--stairway:skip PostgreSQL").directives.skip).toEqual(["postgres"]);
    expect(parseDirectives("-- stairway:skip sqlite, postgres").directives.skip).toEqual(["sqlite", "postgres"]);
  });

  test("lossy takes tables and table.column names", () => {
    const { directives, problems } = parseDirectives("-- stairway:lossy tool_stats tools.metadata, servers.region\n");
    expect(directives.lossy).toEqual([
      { table: "tool_stats" },
      { table: "tools", column: "metadata" },
      { table: "servers", column: "region" },
    ]);
    expect(problems).toEqual([]);
  });

  test("allow takes a rule id and the reason, with its line", () => {
    const { directives } = parseDirectives(
      "SELECT 1;\n-- stairway:allow adding-not-null-column table is empty in production\n",
    );
    expect(directives.allow).toEqual([
      { rule: "adding-not-null-column", reason: "table is empty in production", line: 2 },
    ]);
  });

  test("several directives in one file add up", () => {
    const text = [
      "-- stairway:no-transaction",
      "-- stairway:skip sqlite",
      "-- stairway:lossy a",
      "-- stairway:lossy b.c",
      "-- stairway:allow r1 because one",
      "-- stairway:allow r2 because two",
    ].join("\n");
    const { directives, problems } = parseDirectives(text);
    expect(problems).toEqual([]);
    expect(directives).toEqual({
      noTransaction: true,
      skip: ["sqlite"],
      lossy: [{ table: "a" }, { table: "b", column: "c" }],
      allow: [
        { rule: "r1", reason: "because one", line: 5 },
        { rule: "r2", reason: "because two", line: 6 },
      ],
    });
  });

  test("directives of a CRLF file are read, with no \\r left in arguments", () => {
    const text =
      "-- stairway:no-transaction\r\n-- stairway:lossy tools.notes\r\n-- stairway:allow r1 a reason\r\nSELECT 1;\r\n";
    const { directives } = parseDirectives(text);
    expect(directives.noTransaction).toBe(true);
    expect(directives.lossy).toEqual([{ table: "tools", column: "notes" }]);
    expect(directives.allow).toEqual([{ rule: "r1", reason: "a reason", line: 3 }]);
  });
});

describe("parseDirectives: bad directives are problems with their line", () => {
  test("skip without a dialect", () => {
    const { problems } = parseDirectives("SELECT 1;\n-- stairway:skip\n");
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(2);
    expect(problems[0]!.message).toContain("stairway:skip needs a dialect");
  });

  test("skip with an unknown dialect names it", () => {
    const { directives, problems } = parseDirectives("-- stairway:skip oracle");
    expect(directives.skip).toEqual([]);
    expect(problems).toEqual([{ line: 1, message: expect.stringContaining('"oracle"') }]);
  });

  test("an unknown directive name is named", () => {
    const { problems } = parseDirectives("\n\n-- stairway:notransaction\n");
    expect(problems).toEqual([{ line: 3, message: expect.stringContaining('"stairway:notransaction"') }]);
  });

  test("allow without a rule", () => {
    const { directives, problems } = parseDirectives("-- stairway:allow");
    expect(directives.allow).toEqual([]);
    expect(problems).toEqual([{ line: 1, message: expect.stringContaining("rule id") }]);
  });

  test("allow without a reason (the reason is mandatory)", () => {
    const { directives, problems } = parseDirectives("-- stairway:allow ban-drop-column");
    expect(directives.allow).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(1);
  });

  test("lossy without a table", () => {
    const { problems } = parseDirectives("-- stairway:lossy   ");
    expect(problems).toEqual([{ line: 1, message: expect.stringContaining("stairway:lossy needs") }]);
  });

  test("every bad line of a file is reported", () => {
    const { problems } = parseDirectives("-- stairway:skip oracle\n-- stairway:frobnicate\n-- stairway:allow\n");
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3]);
  });
});

describe("mergeDirectives", () => {
  test("no-transaction if any file says so; skips deduplicated; lossy and allow concatenated", () => {
    const up: Directives = {
      noTransaction: true,
      skip: ["sqlite"],
      lossy: [],
      allow: [{ rule: "r", reason: "x", line: 1 }],
    };
    const down: Directives = { noTransaction: false, skip: ["sqlite", "postgres"], lossy: [{ table: "t" }], allow: [] };
    expect(mergeDirectives([up, down])).toEqual({
      noTransaction: true,
      skip: ["sqlite", "postgres"],
      lossy: [{ table: "t" }],
      allow: [{ rule: "r", reason: "x", line: 1 }],
    });
  });

  test("merging nothing gives the defaults", () => {
    expect(mergeDirectives([])).toEqual(none);
  });
});
