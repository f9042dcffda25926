// --wait: a server still starting is waited for, visibly on a terminal, and a
// time-out says how long it waited (port 1: nothing listens there).

import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, runCli } from "../helpers.ts";

for (const [url, store] of [
  ["postgres://127.0.0.1:1/x", "PostgreSQL"],
  ["mysql://127.0.0.1:1/x", "MariaDB/MySQL"],
  ["redis://127.0.0.1:1/3", "Redis"],
] as const)
  test(`--wait on ${store}: the time-out says it waited; without --wait the error suggests it`, async () => {
    const t0 = performance.now();
    const waited = await runCli(["status", "--db", url, "--wait", "2"]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2000);
    expect(waited.code).toBe(3);
    const target = url.split(":")[0];
    expect(waited.stderr).toBe(
      `stairway: cannot connect to target ${target} (${url}): connection refused: is ${store} running there? (waited 2 s)\n`,
    );
    const now = await runCli(["status", "--db", url]);
    expect(now.stderr).toContain("(--wait waits for a server that is starting)");
  });

test("--wait on a terminal: a progress line while it waits, cleared before the error", () => {
  const cmd = [process.execPath, join(ROOT, "src/cli.ts"), "status", "--db", "postgres://127.0.0.1:1/x", "--wait", "2"]
    .map((a) => `'${a}'`)
    .join(" ");
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  expect(r.stdout).toContain("\r\x1b[2Kwaiting for postgres (0 s)…");
  expect(r.stdout).toMatch(/\r\x1b\[2Kwaiting for postgres \([12] s\)…/);
  expect(r.stdout).toMatch(/…\r\x1b\[2K\r\x1b\[2Kstairway: cannot connect to target postgres .*\(waited 2 s\)/);
});
