// Cross-dialect normalization: equal intent compares equal, nothing else does.

import { describe, expect, test } from "bun:test";
import { compileEquivalences, equivalence } from "../../src/schema/equivalences.ts";
import { normalizeDefault, normalizeExpression } from "../../src/schema/normalize.ts";

describe("normalizeExpression", () => {
  const same: [string, string][] = [
    ["((char_length(name) >= 1) AND (char_length(name) <= 255))", "length(name) BETWEEN 1 AND 255"],
    ["(kind = ANY (ARRAY['a'::text, 'b'::text]))", "kind IN ('a','b')"],
    ["(ms >= 0::double precision)", "ms >= 0"],
    ["((icon IS NULL) OR (char_length(icon) <= 767))", "icon is null or length(icon) <= 767"],
    ["(at > '2024-01-01 00:00:00+00'::timestamp with time zone)", "at > '2024-01-01 00:00:00+00'"],
  ];
  for (const [pg, lite] of same)
    test(`${pg} ≡ ${lite}`, () => expect(normalizeExpression(pg)).toBe(normalizeExpression(lite)));

  test("parentheses that group AND/OR are kept: different meanings stay different", () => {
    expect(normalizeExpression("(a AND (b OR c))")).not.toBe(normalizeExpression("((a AND b) OR c)"));
  });
  test("text inside quotes is not touched", () => {
    expect(normalizeExpression("note <> 'a,b  (c)'")).toBe("note <> 'a,b  (c)'");
  });
});

describe("normalizeDefault", () => {
  test("the current time, however spelled", () => {
    for (const d of ["now()", "CURRENT_TIMESTAMP", "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))", "(datetime('now'))"])
      expect(normalizeDefault(d)).toBe("CURRENT_TIMESTAMP");
  });
  test("casts go, values stay", () => {
    expect(normalizeDefault("'{}'::jsonb")).toBe("'{}'");
    expect(normalizeDefault("'SSE'::character varying")).toBe("'SSE'");
    expect(normalizeDefault("0")).toBe("0");
  });
});

describe("type equivalences", () => {
  const rules = compileEquivalences();
  const eq = (pg: string, lite: string, column = "c", checks: string[] = []) => {
    const e = equivalence(
      rules,
      { dialect: "postgres", type: pg, column, checks: [] },
      { dialect: "sqlite", type: lite, column, checks },
    );
    return e && { rule: e.rule, consumed: e.consumed[1] };
  };

  test("integers, floats, text", () => {
    expect(eq("bigint", "INTEGER")?.rule.note).toBe("SQLite has one 64-bit integer type");
    expect(eq("double precision", "REAL")).toBeDefined();
    expect(eq("text", "TEXT")).toBeDefined();
    expect(eq("text", "INTEGER")).toBeUndefined();
  });
  test("varchar(n): the same declared length, or TEXT with its length CHECK", () => {
    expect(eq("character varying(20)", "VARCHAR(20)")).toBeDefined();
    expect(eq("character varying(20)", "VARCHAR(30)")).toBeUndefined();
    expect(eq("character varying(20)", "TEXT", "email")).toBeUndefined();
    expect(eq("character varying(20)", "TEXT", "email", ["length(email) <= 20"])?.consumed).toEqual([
      "length(email) <= 20",
    ]);
  });
  test("a SQLite CHECK that carries the type is part of it", () => {
    expect(eq("boolean", "INTEGER", "on", ["on IN (0, 1)"])?.consumed).toEqual(["on IN (0, 1)"]);
    expect(eq("jsonb", "TEXT", "doc", ["doc IS NULL OR json_valid(doc)"])?.consumed).toEqual([
      "doc IS NULL OR json_valid(doc)",
    ]);
    expect(
      eq("timestamp with time zone", "TEXT", "at", ["at IS strftime('%Y-%m-%dT%H:%M:%fZ', at)"])?.consumed,
    ).toHaveLength(1);
    expect(eq("date", "TEXT", "day", ["day IS date(day)"])?.consumed).toEqual(["day IS date(day)"]);
    // Another column's CHECK is not consumed.
    expect(eq("boolean", "INTEGER", "on", ["off IN (0, 1)"])?.consumed).toEqual([]);
  });
  test("the config's rules come first", () => {
    const extended = compileEquivalences([
      { types: { postgres: "^citext$", sqlite: "^TEXT$" }, note: "case-insensitive text" },
    ]);
    const side = (dialect: "postgres" | "sqlite", type: string) => ({ dialect, type, column: "c", checks: [] });
    expect(equivalence(extended, side("postgres", "citext"), side("sqlite", "TEXT"))?.rule.note).toBe(
      "case-insensitive text",
    );
    // Either order: the rule is per dialect, not per side.
    expect(equivalence(extended, side("sqlite", "TEXT"), side("postgres", "citext"))?.rule.note).toBe(
      "case-insensitive text",
    );
  });
});
