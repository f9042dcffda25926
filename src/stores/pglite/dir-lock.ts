// PGlite keeps no lock on its directory: two processes that open one both
// write it, and the database is lost. A `pglite:dir` target is therefore
// locked from open to close — the same OS lock as SQLite's run lock (an
// exclusive transaction on a lock file, SQLite's own fcntl lock on Unix),
// which the kernel drops when the process dies: a SIGKILLed run leaves no
// stale lock behind. It guards against other stairway runs (and another
// open in this process), not against programs that ignore it.

import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { StairwayError } from "../../errors.ts";
import { openSqliteEngine } from "../sqlite/engine.ts";

/** The lock file, inside the directory (PostgreSQL leaves files it does not know alone). */
export const LOCK_FILE = "stairway.lock";

/** Takes the directory's lock, retrying for `waitMs` (--wait); returns its release. */
export async function lockDirectory(dir: string, name: string, waitMs = 0): Promise<() => void> {
  const path = join(dir, LOCK_FILE);
  const engine = await openSqliteEngine(path, { create: true }).catch((e: Error) => {
    throw new StairwayError("E_UNREACHABLE", `target ${name}: cannot create the lock file ${path}: ${e.message}`);
  });
  engine.run("PRAGMA busy_timeout = 0");
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      // No journal: the lock transaction writes nothing, and leaves no other file.
      engine.values("PRAGMA journal_mode = MEMORY");
      engine.run("BEGIN EXCLUSIVE");
      return () => {
        // Ended before closing: bun:sqlite's close() keeps a connection with live statements open, lock and all.
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
      throw new StairwayError(
        "E_LOCKED",
        `target ${name}: PGlite database ${dir} is open in another stairway run (it holds ${path}): wait for it to finish, or stop it`,
      );
    }
    await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
  }
}
