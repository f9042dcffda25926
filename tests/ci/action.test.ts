// The GitHub Action (action.yml at the repository root): every input used and
// documented, no input spliced into a script, and its shell steps run on this
// machine (tests/ci/composite.ts) with the binary built here and with a release
// installed through install.sh from a server on 127.0.0.1.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { cleanup, ROOT, tempDir, writeTree } from "../helpers.ts";
import { buildReleases, serve, VERSION } from "../dist/release.ts";
import { loadAction, runComposite, type ActionRun, type RunOptions } from "./composite.ts";

const action = loadAction(join(ROOT, "action.yml"));
const work = tempDir("stairway-action-");
const BIN = join(ROOT, "dist/stairway");

beforeAll(() => {
  if (!existsSync(BIN)) expect(Bun.spawnSync(["make", "build"], { cwd: ROOT }).exitCode).toBe(0);
}, 180_000);
afterAll(() => cleanup(work));

let runs = 0;
function runAction(inputs: RunOptions["inputs"], opts: Partial<RunOptions> = {}): Promise<ActionRun> {
  return runComposite(action, {
    actionPath: ROOT,
    workspace: ROOT,
    runnerDir: join(work, `runner-${++runs}`),
    inputs,
    ...opts,
  });
}

/** The README's section on the action: from its heading to the next one of the same level. */
function readmeSection(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n### The GitHub Action");
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe("action.yml", () => {
  test("every input is used by a step and documented in the README's table of inputs, and the table lists no other", () => {
    const steps = JSON.stringify(action.runs.steps);
    const names = Object.keys(action.inputs);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      expect({ input: name, used: new RegExp(`inputs\\.${name}(?![\\w-])`).test(steps) }).toEqual({
        input: name,
        used: true,
      });
      expect(action.inputs[name]!.description.length).toBeGreaterThan(20);
    }
    const documented = [...readmeSection().matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(names.sort());
  });

  test("every use of the action, in our workflows and in the README, passes only inputs it declares", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const docs = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const workflows = readdirSync(join(ROOT, ".github/workflows")).map((f) =>
      readFileSync(join(ROOT, ".github/workflows", f), "utf8"),
    );
    const uses: { uses: string; with?: Record<string, unknown> }[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === "object") {
        const step = node as { uses?: unknown; with?: Record<string, unknown> };
        if (typeof step.uses === "string" && (step.uses === "./" || step.uses.startsWith("stairwaydb/stairway@")))
          uses.push(step as (typeof uses)[number]);
        Object.values(node).forEach(collect);
      }
    };
    for (const text of [...docs, ...workflows]) collect(parse(text));
    expect(uses.length).toBeGreaterThanOrEqual(5); // the README's one-liner, its three steps, our safety job
    for (const u of uses)
      for (const key of Object.keys(u.with ?? {}))
        expect({ uses: u.uses, input: key, declared: key in action.inputs }).toEqual({
          uses: u.uses,
          input: key,
          declared: true,
        });
  });

  test("inputs reach the scripts through env only, every script is bash, and it is a composite action", () => {
    expect(action.runs.using).toBe("composite");
    for (const step of action.runs.steps) {
      if (step.uses) continue;
      expect({ step: step.name, shell: step.shell }).toEqual({ step: step.name, shell: "bash" });
      expect({ step: step.name, splices: step.run!.includes("${{") }).toEqual({ step: step.name, splices: false });
    }
  });

  test("the cache is keyed by version, runner OS and arch and skipped with a binary; SARIF is uploaded only when the run wrote one", () => {
    const cache = action.runs.steps.find((s) => s.uses?.startsWith("actions/cache@"))!;
    expect(cache.if).toBe("inputs.binary == '' && steps.resolve.outputs.present != 'true'");
    expect(cache.with!.key).toBe("${{ steps.resolve.outputs.key }}");
    const upload = action.runs.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
    expect(upload.if).toBe("steps.run.outputs.sarif != ''");
    expect(upload.with!.sarif_file).toBe("${{ steps.run.outputs.sarif }}");
  });
});

describe("the action's steps, run here", () => {
  test("safety on the showcase with sarif: passes, the summary on the job page, a SARIF file for code scanning", async () => {
    const reports = join(work, "reports-safety");
    const r = await runAction({ command: "safety", binary: "dist/stairway", sarif: "true", "report-dir": reports });
    expect(r.failed).toBeUndefined();
    expect(r.outputs["exit-code"]).toBe("0");
    expect(r.outputs["report-dir"]).toBe(reports);
    expect(r.summary).toBe(readFileSync(join(reports, "migration-summary.md"), "utf8"));
    expect(r.summary).toContain("safety");
    const sarif = r.steps.find((s) => s.id === "run")!.outputs.sarif!;
    expect(JSON.parse(readFileSync(sarif, "utf8")).version).toBe("2.1.0");
    expect(r.path).toEqual([]); // a given binary is not put on PATH
  });

  test("a failed check fails the last step with exit 1, after the summary was written; targets, config and args reach stairway", async () => {
    const project = writeTree(join(work, "project-fail"), {
      "sql/001_create_t/up.sql":
        "CREATE TABLE t (id integer PRIMARY KEY, name text);\nCREATE INDEX ix_t_name ON t (name);\n",
      "sql/001_create_t/down.sql": "DROP INDEX ix_t_name;\n", // forgets the table
      "stairway.yaml":
        'migrations: { sql: sql }\ndatabases:\n  lite: { url: "sqlite:lite.db" }\n  gone: { url: "postgres://nobody@127.0.0.1:1/x" }\n',
    });
    const r = await runAction({
      command: "test",
      binary: "dist/stairway",
      "working-directory": project,
      config: "stairway.yaml",
      targets: "lite",
      args: "--json",
    });
    expect(r.outputs["exit-code"]).toBe("1"); // not 3: the unreachable target was left out
    expect(r.failed?.name).toBe("Fail the step when a check failed");
    expect(r.failed?.code).toBe(1);
    expect(r.failed?.stdout).toContain("::error::stairway test: a check failed (exit 1)");
    const json = JSON.parse(r.steps.find((s) => s.id === "run")!.stdout);
    expect(json.ok).toBe(false);
    expect(json.targets.map((t: { name: string }) => t.name)).toEqual(["lite"]);
    expect(
      json.results.some(
        (x: { check: string; status: string }) => x.check === "step.down-restores-schema" && x.status === "fail",
      ),
    ).toBe(true);
    expect(r.outputs["report-dir"]).toBe(join(project, "tests/migrations/reports"));
    expect(r.summary).toContain("001_create_t");
    expect(r.summary).toContain("step.down-restores-schema");
  });

  test("db URLs replace the targets; an unreachable one fails with exit 3 and its password is never printed", async () => {
    const project = writeTree(join(work, "project-unreachable"), {
      "sql/001_a/up.sql": "CREATE TABLE a (id integer);\n",
      "sql/001_a/down.sql": "DROP TABLE a;\n",
    });
    const r = await runAction({
      command: "validate",
      binary: "dist/stairway",
      "working-directory": project,
      db: "postgres://u:hunter2secret@127.0.0.1:1/x",
    });
    expect(r.outputs["exit-code"]).toBe("3");
    expect(r.failed?.code).toBe(3);
    const all = r.steps.map((s) => s.stdout + s.stderr).join("\n") + r.summary;
    expect(all).toContain("127.0.0.1:1");
    expect(all).not.toContain("hunter2secret");
  });

  test("a binary that is not there: one sentence, exit 2, nothing run", async () => {
    const r = await runAction({ binary: "dist/no-such-stairway" });
    expect(r.failed?.id).toBe("resolve");
    expect(r.failed?.code).toBe(2);
    expect(r.failed?.stdout).toBe(
      `::error::binary: dist/no-such-stairway is not an executable file (the path is relative to ${ROOT}).\n`,
    );
    expect(r.steps.length).toBe(1);
  });

  describe("installing a release (install.sh from 127.0.0.1)", () => {
    let server: ReturnType<typeof serve>;
    beforeAll(() => {
      server = serve(buildReleases(join(work, "release")).current);
    }, 300_000);
    afterAll(() => server?.stop());

    test("installs the version asked for into the tool cache, puts it on PATH, runs it; no download when it is there already", async () => {
      const runnerDir = join(work, "runner-install");
      const env = { STAIRWAY_BASE_URL: server.url };
      const reports = join(work, "reports-install");
      const r = await runAction({ command: "safety", version: VERSION, "report-dir": reports }, { runnerDir, env });
      expect(r.failed).toBeUndefined();
      const resolve = r.steps.find((s) => s.id === "resolve")!.outputs;
      const arch = process.arch === "arm64" ? "ARM64" : "X64";
      const os = process.platform === "darwin" ? "macOS" : "Linux";
      expect(resolve.key).toBe(`stairway-v${VERSION}-${os}-${arch}`);
      expect(resolve.dir).toBe(join(runnerDir, "tool-cache/stairway", `v${VERSION}`, arch));
      expect(r.path).toEqual([resolve.dir!]);
      expect(Bun.spawnSync([join(resolve.dir!, "stairway"), "--version"]).stdout.toString()).toBe(
        `stairway ${VERSION}\n`,
      );
      expect(r.steps.find((s) => s.name.startsWith("Install"))!.stdout).toContain(
        `stairway ${VERSION} installed in ${resolve.dir}/stairway`,
      );
      expect(r.outputs["exit-code"]).toBe("0");
      expect(r.summary).toContain("safety");

      expect(resolve.present).toBe("false");

      // The binary is there (actions/cache restored it, or an earlier step of the job installed it):
      // no download, no second cache entry, the same binary.
      const asked = server.requests.length;
      const again = await runAction(
        { command: "safety", version: `v${VERSION}`, "report-dir": reports },
        { runnerDir, env },
      );
      expect(again.failed).toBeUndefined();
      expect(again.steps.find((s) => s.id === "resolve")!.outputs.present).toBe("true");
      expect(again.steps.find((s) => s.name.startsWith("Install"))!.stdout).toBe(
        `stairway ${VERSION} in ${resolve.dir} (from the cache, or an earlier step of this job)\n`,
      );
      expect(server.requests.length).toBe(asked);
    }, 120_000);

    test("latest is cached under the day's date, so a new release is picked up the next day", async () => {
      const r = await runAction(
        { command: "safety", "report-dir": join(work, "reports-latest") },
        { env: { STAIRWAY_BASE_URL: server.url } },
      );
      expect(r.failed).toBeUndefined();
      expect(r.steps.find((s) => s.id === "resolve")!.outputs.key).toMatch(
        /^stairway-latest-\d{4}-\d\d-\d\d-(Linux|macOS)-(X64|ARM64)$/,
      );
    }, 120_000);
  });
});
