// A lock held as an exclusive transaction on a lock file: an OS lock
// (SQLite's own, fcntl on Unix), which the kernel drops when the process dies,
// so a SIGKILLed run leaves no stale lock (a lock row would need expiry). The
// file itself stays; it holds nothing. The SQLite run lock and the PGlite
// directory lock are both this. https://www.sqlite.org/lockingv3.html

import { setTimeout as sleep } from "node:timers/promises";
import { StairwayError } from "../../errors.ts";
import { openSqliteEngine } from "./engine.ts";

/**
 * Takes the lock on `path` (made if missing), tried every 100 ms at most so
 * Ctrl-C still works while waiting; `held` is the error once `waitMs` has run
 * out with another holder. Returns its release.
 */
export async function holdLockFile(
  path: string,
  name: string,
  waitMs: number,
  held: () => StairwayError,
): Promise<() => void> {
  const engine = await openSqliteEngine(path, { create: true }).catch((e: Error) => {
    throw new StairwayError("E_UNREACHABLE", `target ${name}: cannot create the lock file ${path}: ${e.message}`);
  });
  engine.run("PRAGMA busy_timeout = 0");
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      // No journal: the lock transaction writes nothing, and a killed holder leaves no file behind.
      engine.values("PRAGMA journal_mode = MEMORY");
      engine.run("BEGIN EXCLUSIVE");
      return () => {
        // Ended before closing: bun:sqlite's close() leaves a connection with live statements open (sqlite3_close_v2), lock and all.
        engine.run("ROLLBACK");
        engine.close();
      };
    } catch (e) {
      if (!(e as { code?: string }).code?.startsWith("SQLITE_BUSY")) {
        engine.close();
        throw new StairwayError("E_UNREACHABLE", `target ${name}: cannot lock ${path}: ${(e as Error).message}`);
      }
    }
    if (Date.now() >= deadline) {
      engine.close();
      throw held();
    }
    await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
  }
}
