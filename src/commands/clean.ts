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
import { DEFAULT_CACHE_DIR } from "./selection.ts";

export default async function cleanCommand(flags: GlobalFlags & { cacheDir?: unknown }): Promise<ExitCode> {
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
      if (mod.cleanSnapshots)
        results.push({ check: "clean", target: t.name, status: "pass", message: await mod.cleanSnapshots(t.url) });
    }
    results.push(
      cleanCache(flags.cacheDir === undefined ? join(session.reportDir(), DEFAULT_CACHE_DIR) : String(flags.cacheDir)),
    );
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

/** The prefix cache's entries (a directory per entry, named <store>-<16 hex>), and nothing else of the directory. */
function cleanCache(dir: string): CheckResult {
  const removed: string[] = [];
  if (existsSync(dir))
    for (const name of readdirSync(dir))
      if (/^[a-z0-9]+-[0-9a-f]{16}$/.test(name)) {
        rmSync(join(dir, name), { recursive: true, force: true });
        removed.push(name);
      }
  if (existsSync(dir) && !readdirSync(dir).length) rmSync(dir, { recursive: true, force: true });
  return {
    check: "clean",
    target: "cache",
    status: "pass",
    message: `${dir}: ${removed.length ? `removed ${plural(removed.length, "prefix-cache entry", "prefix-cache entries")}` : "no prefix-cache entry"}`,
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
