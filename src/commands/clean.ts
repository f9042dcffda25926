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
import { runIsAlive, runOf } from "../scratch-names.ts";
import { loadStore } from "../stores/index.ts";
import { plural } from "../plural.ts";
import { finish, withSession } from "./common.ts";

export default async function cleanCommand(flags: GlobalFlags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(true);
    const results: CheckResult[] = [];
    const servers = new Set<string>();
    // Each server once; stores whose scratch databases are files (SQLite) leave them in the temp dir, cleaned below.
    for (const t of targets) {
      const mod = await loadStore(t.url.store);
      if (!mod.clean || servers.has(t.url.raw)) continue;
      servers.add(t.url.raw);
      results.push({
        check: "clean",
        target: t.name,
        status: "pass",
        message: await mod.clean(t.url, (run) => !runIsAlive(run)),
      });
    }
    results.push(cleanFiles());
    results.push(cleanReports(session));
    return finish(session, {
      command: "clean",
      targets,
      results,
      noReportFile: true,
      render: (r) =>
        [...r.results.map((x) => `✓ ${x.target}: ${x.message}`), renderFindings(r.results), summaryLine(r.results)]
          .filter(Boolean)
          .join("\n"),
    });
  });
}

/** A scratch file whose run is no longer going. */
function isStale(file: string): boolean {
  const run = runOf(file);
  return run !== undefined && !runIsAlive(run);
}

function cleanFiles(): CheckResult {
  const removed: string[] = [];
  const dir = join(tmpdir(), "stairway");
  if (existsSync(dir))
    for (const f of readdirSync(dir))
      if (/\.(db|db-journal|db-wal|db-shm)$/.test(f) && isStale(f)) {
        rmSync(join(dir, f), { force: true });
        removed.push(f);
      }
  for (const f of readdirSync(tmpdir()))
    if (f.endsWith(".backup") && isStale(f)) {
      rmSync(join(tmpdir(), f), { force: true });
      removed.push(f);
    }
  return {
    check: "clean",
    target: "files",
    status: "pass",
    message: removed.length ? `removed ${plural(removed.length, "scratch file")}` : "no scratch file left",
  };
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
