// Every rule's own cases (src/lint/rules/<id>.ts): each `flag` case yields
// exactly one finding of that rule, each `pass` case none.

import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { SqlDialect } from "../../src/plan/migration.ts";
import { lint } from "../../src/lint/lint.ts";
import { RULES } from "../../src/lint/rules/index.ts";
import { ROOT } from "../helpers.ts";

function dialectsOf(sql: string, ruleDialects: SqlDialect[]): SqlDialect[] {
  const m = /^--\s*dialect:\s*(\w+)/.exec(sql);
  return m ? [m[1] as SqlDialect] : ruleDialects;
}

async function findingsOf(ruleId: string, sql: string, dialect: SqlDialect) {
  const all = await lint([{ path: "case.sql", text: sql, dialect, direction: "up" }]);
  return all.filter((f) => f.rule.id === ruleId);
}

test("one file per rule, id = file name, all registered", () => {
  const files = readdirSync(join(ROOT, "src/lint/rules"))
    .filter((f) => f.endsWith(".ts") && f !== "index.ts")
    .map((f) => f.replace(/\.ts$/, ""))
    .sort();
  expect(RULES.map((r) => r.id).sort()).toEqual(files);
  for (const r of RULES) {
    expect(r.cases.flag.length).toBeGreaterThan(0);
    expect(r.cases.pass.length).toBeGreaterThan(0);
    expect(r.hint.length).toBeGreaterThan(10);
    expect(r.locks.length).toBeGreaterThan(10);
    expect(r.dialects.length).toBeGreaterThan(0);
  }
});

for (const rule of RULES) {
  describe(rule.id, () => {
    rule.cases.flag.forEach((sql, i) => {
      for (const dialect of dialectsOf(sql, rule.dialects))
        test(`flags case ${i + 1} (${dialect})`, async () => {
          const found = await findingsOf(rule.id, sql, dialect);
          expect(found.map((f) => `${f.line}: ${f.message}`)).toHaveLength(1);
          expect(found[0]!.message.length).toBeGreaterThan(10);
        });
    });
    rule.cases.pass.forEach((sql, i) => {
      for (const dialect of dialectsOf(sql, rule.dialects))
        test(`passes case ${i + 1} (${dialect})`, async () => {
          const found = await findingsOf(rule.id, sql, dialect);
          expect(found.map((f) => `${f.line}: ${f.message}`)).toEqual([]);
        });
    });
  });
}

// A rule's `only` lets the linter skip files without those statement kinds or
// effects: it must name everything the rule can flag. Every rule runs over
// every rule's cases, with and without its `only`; the findings must agree.
test("no rule flags a statement its `only` leaves out", async () => {
  const inputs = RULES.flatMap((r) =>
    [...r.cases.flag, ...r.cases.pass].flatMap((sql, i) =>
      dialectsOf(sql, r.dialects).map((dialect) => ({
        path: `${r.id}-${i}.sql`,
        text: sql,
        dialect,
        direction: "up" as const,
      })),
    ),
  );
  const show = (found: Awaited<ReturnType<typeof lint>>) =>
    found.map((f) => `${f.path}:${f.line} ${f.rule.id} ${f.dialect}`);
  const scoped = RULES.filter((r) => r.only && !r.meta);
  expect(scoped.length).toBeGreaterThan(30);
  for (const rule of scoped) {
    const unscoped = { ...rule, only: undefined };
    expect(show(await lint(inputs, [unscoped])), rule.id).toEqual(show(await lint(inputs, [rule])));
  }
});
