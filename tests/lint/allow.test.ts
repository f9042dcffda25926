// `-- stairway:allow RULE reason` silences one rule in one file; without a
// reason it silences nothing and is a finding; an unknown rule is a finding
// (not a crash); an allow that silences nothing is reported.

import { describe, expect, test } from "bun:test";
import { lint, type LintInput } from "../../src/lint/lint.ts";

const pg = (path: string, text: string): LintInput => ({ path, text, dialect: "postgres", direction: "up" });
const summary = (fs: Awaited<ReturnType<typeof lint>>) =>
  fs.map((f) => `${f.path}:${f.line} ${f.rule.id}${f.allowed ? ` allowed(${f.allowed.reason})` : ""}`);

describe("allow directives", () => {
  test("silence one rule in one file only", async () => {
    const a =
      "-- stairway:allow ban-drop-table legacy table, emptied in 040\nDROP TABLE legacy;\nDROP TABLE other;\nTRUNCATE audit;\n";
    const b = "DROP TABLE legacy;\n";
    const found = (await lint([pg("a.sql", a), pg("b.sql", b)])).filter((f) => f.rule.id !== "require-lock-timeout");
    expect(summary(found)).toEqual([
      "a.sql:2 ban-drop-table allowed(legacy table, emptied in 040)",
      "a.sql:3 ban-drop-table allowed(legacy table, emptied in 040)",
      "a.sql:4 ban-truncate",
      "b.sql:1 ban-drop-table",
    ]);
  });

  test("a missing reason is itself a finding, and silences nothing", async () => {
    const found = await lint([pg("a.sql", "-- stairway:allow ban-drop-table\nDROP TABLE legacy;\n")]);
    expect(summary(found).filter((s) => !s.includes("lock-timeout"))).toEqual([
      "a.sql:1 allow-without-reason",
      "a.sql:2 ban-drop-table",
    ]);
    expect(found.find((f) => f.rule.id === "allow-without-reason")!.rule.severity).toBe("error");
  });

  test("an unknown rule is a finding, not a crash; safety. prefix is accepted", async () => {
    const found = await lint([
      pg(
        "a.sql",
        "-- stairway:allow ban-drop-tables typo\n-- stairway:allow safety.ban-truncate reset each deploy\nTRUNCATE cache;\n",
      ),
    ]);
    expect(summary(found).filter((s) => !s.includes("lock-timeout"))).toEqual([
      "a.sql:1 allow-unknown-rule",
      "a.sql:3 ban-truncate allowed(reset each deploy)",
    ]);
    expect(found[0]!.message).toContain('unknown rule "ban-drop-tables"');
  });

  test("an allow that silences nothing is reported (warning)", async () => {
    const found = await lint([pg("a.sql", "-- stairway:allow ban-drop-table gone since 012\nSELECT 1;\n")]);
    expect(summary(found)).toEqual(["a.sql:1 unused-allow"]);
    expect(found[0]!.rule.severity).toBe("warning");
  });

  test("a file linted for two dialects: an allow one dialect uses is not unused in the other", async () => {
    const text =
      "-- stairway:allow sqlite-unsupported-alter rebuilt by hand in 015 on SQLite\nALTER TABLE tools ALTER COLUMN name SET DEFAULT 'x';\n";
    const found = await lint([
      pg("shared.sql", text),
      { path: "shared.sql", text, dialect: "sqlite", direction: "up" },
    ]);
    expect(summary(found).filter((s) => !s.includes("lock-timeout"))).toEqual([
      "shared.sql:2 sqlite-unsupported-alter allowed(rebuilt by hand in 015 on SQLite)",
    ]);
  });

  test("a file linted for two dialects: an allow used by either is not unused", async () => {
    const text =
      "-- stairway:allow renaming-column clients read through the v2 view since 031\nALTER TABLE tools RENAME COLUMN url TO endpoint;\n";
    const found = await lint([
      pg("shared.sql", text),
      { path: "shared.sql", text, dialect: "sqlite", direction: "up" },
    ]);
    expect(summary(found).filter((s) => !s.includes("lock-timeout"))).toEqual([
      "shared.sql:2 renaming-column allowed(clients read through the v2 view since 031)",
      "shared.sql:2 renaming-column allowed(clients read through the v2 view since 031)",
    ]);
  });
});
