// PGlite keeps no lock on its directory: two processes that open one both
// write it, and the database is lost. A `pglite:dir` target is therefore
// locked from open to close, with the same lock file as SQLite's run lock
// (sqlite/lock-file.ts), which leaves no stale lock behind a killed run. It
// guards against other stairway runs (and another open in this process), not
// against programs that ignore it.

import { join } from "node:path";
import { StairwayError } from "../../errors.ts";
import { holdLockFile } from "../sqlite/lock-file.ts";

/** The lock file, inside the directory (PostgreSQL leaves files it does not know alone). */
export const LOCK_FILE = "stairway.lock";

/** Takes the directory's lock, retrying for `waitMs` (--wait); returns its release. */
export function lockDirectory(dir: string, name: string, waitMs = 0): Promise<() => void> {
  const path = join(dir, LOCK_FILE);
  return holdLockFile(
    path,
    name,
    waitMs,
    () =>
      new StairwayError(
        "E_LOCKED",
        `target ${name}: PGlite database ${dir} is open in another stairway run (it holds ${path}): wait for it to finish, or stop it`,
      ),
  );
}
