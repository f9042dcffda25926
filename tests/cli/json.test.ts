// JSON reports: one line for programs (the report file, --json into a pipe),
// indented when --json prints to a terminal, where a person reads it.

import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, runCli, tempDir, writeTree } from "../helpers.ts";

const dir = writeTree(tempDir(), {
  "sql/001_a/up.sql": "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE INDEX a_id ON a (id);\n",
  "sql/001_a/down.sql": "DROP TABLE a;\n",
});
afterAll(() => cleanup(dir));

test("--json into a pipe is the report file's text: one line of JSON", async () => {
  const r = await runCli(["safety", "--json"], { cwd: dir });
  expect(r.code).toBe(0); // warnings only
  expect(r.stdout.endsWith("}\n")).toBe(true);
  expect(r.stdout.trimEnd()).not.toContain("\n");
  expect(r.json()).toMatchObject({
    tool: "stairway",
    command: "safety",
    ok: true,
    results: [{ check: "safety.require-lock-timeout" }],
  });
  expect(readFileSync(join(dir, "tests/migrations/reports/safety.json"), "utf8")).toBe(r.stdout);
});

test("--json on a terminal is indented", () => {
  // script(1) gives the command a pseudo-terminal for its stdout.
  const cmd = [process.execPath, join(ROOT, "src/cli.ts"), "safety", "--json"].map((a) => `'${a}'`).join(" ");
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const out = r.stdout.replace(/\r\n/g, "\n");
  expect(out).toStartWith('{\n  "tool": "stairway",');
  expect(JSON.parse(out)).toMatchObject({ command: "safety", ok: true });
  // The file is for programs, whoever ran the command.
  expect(readFileSync(join(dir, "tests/migrations/reports/safety.json"), "utf8").trimEnd()).not.toContain("\n");
});

test("progress on a terminal that reports 0 columns is whole (taken as 80 wide)", () => {
  const cmd = [
    "stty",
    "cols",
    "0",
    "rows",
    "0;",
    process.execPath,
    join(ROOT, "src/cli.ts"),
    "validate",
    "--sql",
    "sql",
  ]
    .map((a) => (a.endsWith(";") ? a : `'${a}'`))
    .join(" ");
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  expect(r.stdout).toContain("\r\x1b[2Ksqlite: parsing sql\r\x1b[2K");
});
