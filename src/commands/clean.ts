// stairway clean: removes what interrupted test runs left behind — scratch
// databases (stairway_<run>_<target>…) on the configured servers, scratch
// files, and the files of the report dir — and nothing else.

import { existsSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dialectModule } from "../drivers/index.ts";
import { redactUrl, withDatabase } from "../drivers/url.ts";
import type { ExitCode } from "../errors.ts";
import type { SqlDialect } from "../plan/migration.ts";
import { renderFindings, summaryLine } from "../report/console.ts";
import type { CheckResult } from "../results.ts";
import type { GlobalFlags, Session } from "../session.ts";
import { finish, withSession } from "./common.ts";

/** Exactly the names Session.scratch() makes: stairway_<run id>_<target>[_<label>]. */
export const SCRATCH_NAME = /^stairway_[0-9a-z]{6,12}_[a-z0-9_]+$/;
/** What stairway writes to a report dir. */
const REPORT_FILE = /^([a-z-]+\.json|[a-z-]+\.junit\.xml|junit\.xml|report\.html|migration-summary\.md)$/;

export default async function cleanCommand(flags: GlobalFlags): Promise<ExitCode> {
  return withSession(flags, async (session) => {
    const targets = session.targets(true);
    const results: CheckResult[] = [];
    const servers = new Set<string>();
    for (const t of targets) {
      if (t.dialect !== "postgres" || servers.has(t.url.raw)) continue;
      servers.add(t.url.raw);
      const mod = dialectModule(t.dialect as SqlDialect);
      const names = (await mod.listScratch(t.url, "stairway_")).filter((n) => SCRATCH_NAME.test(n));
      for (const name of names) {
        const raw = withDatabase(t.url.raw, name);
        const scratch = { ...t.url, raw, redacted: redactUrl(raw) };
        await mod.dropScratch(t.url, scratch);
      }
      results.push({ check: "clean", target: t.name, status: "pass", message: names.length ? `dropped ${names.length} scratch databases: ${names.join(", ")}` : "no scratch database left" });
    }
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

function cleanFiles(): CheckResult {
  const removed: string[] = [];
  const dir = join(tmpdir(), "stairway");
  if (existsSync(dir))
    for (const f of readdirSync(dir))
      if (/^stairway_[0-9a-z]{6,12}_.+\.(db|db-journal|db-wal|db-shm)$/.test(f)) {
        rmSync(join(dir, f), { force: true });
        removed.push(f);
      }
  for (const f of readdirSync(tmpdir()))
    if (/^stairway_[0-9a-z]{6,12}_.+\.backup$/.test(f)) {
      rmSync(join(tmpdir(), f), { force: true });
      removed.push(f);
    }
  return { check: "clean", target: "files", status: "pass", message: removed.length ? `removed ${removed.length} scratch files` : "no scratch file left" };
}

function cleanReports(session: Session): CheckResult {
  const dir = session.reportDir();
  const removed = existsSync(dir) ? readdirSync(dir).filter((f) => REPORT_FILE.test(f)) : [];
  for (const f of removed) rmSync(join(dir, f), { force: true });
  return { check: "clean", target: "reports", status: "pass", message: `${dir}: ${removed.length ? `removed ${removed.length} report files` : "already empty"}` };
}
