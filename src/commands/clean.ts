// stairway clean: removes what interrupted test runs left behind — scratch
// databases (stairway_<run>_<target>…) on the configured servers, scratch
// files, and the files stairway wrote in the report dir — and nothing else.

import { existsSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExitCode } from "../errors.ts";
import { renderFindings, summaryLine } from "../report/console.ts";
import { removeWrittenFiles } from "../report/manifest.ts";
import type { CheckResult } from "../results.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { finish, withSession } from "./common.ts";

/** Exactly the names Session.scratch() makes: stairway_<run id>_<target>[_<label>]. */
export const SCRATCH_NAME = /^stairway_[0-9a-z]{11}_[a-z0-9_]+$/;

/** The process that made a scratch name (the run id ends with its pid), if it still runs here. */
function runIsAlive(runId: string): boolean {
  const pid = parseInt(runId.slice(6, 11), 36);
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}
export default async function cleanCommand(flags: GlobalFlags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(true);
    const results: CheckResult[] = [];
    const servers = new Set<string>();
    for (const t of targets) {
      if (t.dialect !== "postgres" || servers.has(t.url.raw)) continue;
      servers.add(t.url.raw);
      const { listScratchDatabases, postgresModule } = await import("../drivers/postgres.ts");
      // A database someone is connected to belongs to a run still going (perhaps on another machine).
      const names = (await listScratchDatabases(t.url, "stairway_", { idleOnly: true })).filter((n) => SCRATCH_NAME.test(n) && !runIsAlive(n.slice(9, 20)));
      for (const name of names) await postgresModule.dropScratch(t.url, postgresModule.scratchUrl(t.url, name));
      results.push({ check: "clean", target: t.name, status: "pass", message: names.length ? `dropped ${names.length} scratch databases: ${names.join(", ")}` : "no scratch database left" });
    }
    for (const t of targets.filter((x) => x.dialect === "redis")) results.push(await cleanRedis(t));
    results.push(cleanFiles());
    results.push(cleanReports(session));
    return finish(session, {
      command: "clean",
      targets,
      results,
      noReportFile: true,
      render: (r) => [...r.results.map((x) => `✓ ${x.target}: ${x.message}`), renderFindings(r.results), summaryLine(r.results)].filter(Boolean).join("\n"),
    });
  });
}

/** A logical database a killed test run was working in carries the scratch marker: empty it. Any other is left alone. */
async function cleanRedis(t: Target): Promise<CheckResult> {
  const { openRedis, SCRATCH_MARKER } = await import("../drivers/redis.ts");
  const driver = await openRedis(t.url, { name: t.name });
  try {
    const run = await driver.client.get(SCRATCH_MARKER);
    if (!run) return { check: "clean", target: t.name, status: "pass", message: `${driver.where}: no test run left keys here` };
    if (runIsAlive(run)) return { check: "clean", target: t.name, status: "pass", message: `${driver.where}: test run ${run} is still going; left alone` };
    const n = await driver.keyCount();
    await driver.flush();
    return { check: "clean", target: t.name, status: "pass", message: `${driver.where}: removed the ${n} keys test run ${run} left behind` };
  } finally {
    await driver.close();
  }
}

function cleanFiles(): CheckResult {
  const removed: string[] = [];
  const dir = join(tmpdir(), "stairway");
  if (existsSync(dir))
    for (const f of readdirSync(dir))
      if (/^stairway_[0-9a-z]{11}_.+\.(db|db-journal|db-wal|db-shm)$/.test(f) && !runIsAlive(f.slice(9, 20))) {
        rmSync(join(dir, f), { force: true });
        removed.push(f);
      }
  for (const f of readdirSync(tmpdir()))
    if (/^stairway_[0-9a-z]{11}_.+\.backup$/.test(f) && !runIsAlive(f.slice(9, 20))) {
      rmSync(join(tmpdir(), f), { force: true });
      removed.push(f);
    }
  return { check: "clean", target: "files", status: "pass", message: removed.length ? `removed ${removed.length} scratch files` : "no scratch file left" };
}

/** Only the files stairway listed as its own when it wrote them: a report dir may hold the user's files too. */
function cleanReports(session: Session): CheckResult {
  const dir = session.reportDir();
  const removed = existsSync(dir) ? removeWrittenFiles(dir) : [];
  return {
    check: "clean",
    target: "reports",
    status: "pass",
    message: `${dir}: ${removed.length ? `removed ${removed.join(", ")}` : "no report file of stairway's left"}`,
    details: { removed },
  };
}
