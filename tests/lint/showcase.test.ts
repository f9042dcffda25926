// `make migration-safety`: the showcase (sql/, linted for each dialect of
// tests/migrations/config.yaml) has no error-level finding, and every allow
// directive in it has a reason and silences something.

import { afterAll, expect, test } from "bun:test";
import { cleanup, runCli, tempDir } from "../helpers.ts";

const out = tempDir("stairway-lint-report-");
afterAll(() => cleanup(out));

test("stairway safety passes on the showcase", async () => {
  const r = await runCli(["safety", "--json", "--report-dir", out]);
  expect(r.stderr).toBe("");
  const report = r.json();
  const errors = report.results.filter((x: { status: string }) => x.status === "fail");
  expect(
    errors.map(
      (x: { message: string; details: { file: string; line: number } }) =>
        `${x.details.file}:${x.details.line} ${x.message}`,
    ),
  ).toEqual([]);
  expect(r.code).toBe(0);
  expect(report.results.filter((x: { check: string }) => /allow/.test(x.check))).toEqual([]);
  // Every dialect was linted, each on the files the runner would apply for it.
  expect([...new Set(report.targets.map((t: { dialect: string }) => t.dialect))].sort()).toEqual([
    "mysql",
    "postgres",
    "sqlite",
  ]);
  // Not even a warning: the runner sets lock_timeout and statement_timeout from the config.
  expect(report.results.map((x: { check: string; message: string }) => `${x.check}: ${x.message}`)).toEqual([]);
});
