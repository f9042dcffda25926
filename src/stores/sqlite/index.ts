// SQLite as a store (stores/index.ts): open a file, make and drop scratch
// files, back up with VACUUM INTO and restore by copying the file.

import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { StairwayError } from "../../errors.ts";
import type { OpenOptions, SqlDriver, SqlStoreModule } from "../contract.ts";
import type { TargetUrl } from "../url.ts";
import { sqliteDriver } from "./driver.ts";
import { openSqliteEngine, type SqliteEngine } from "./engine.ts";

async function open(url: TargetUrl, opts: OpenOptions): Promise<SqlDriver> {
  const path = url.path!;
  if (path !== ":memory:" && !existsSync(path)) {
    // Reading the state of a database that does not exist: an empty one, nothing created.
    if (opts.readOnly) return sqliteDriver(await openSqliteEngine(":memory:"), opts.timeouts);
    if (!existsSync(dirname(path)))
      throw new StairwayError(
        "E_UNREACHABLE",
        `target ${opts.name}: cannot create SQLite database ${path}: directory ${dirname(path)} does not exist`,
      );
  }
  let db: SqliteEngine;
  try {
    db = await openSqliteEngine(path, { readonly: opts.readOnly, create: true });
    db.run(`PRAGMA busy_timeout = ${Number(url.params.busy_timeout ?? 15000)}`);
    db.values("SELECT count(*) FROM sqlite_schema");
  } catch (e) {
    throw new StairwayError("E_UNREACHABLE", `target ${opts.name}: cannot open SQLite database ${path}: ${(e as Error).message}`);
  }
  // Foreign keys are enforced, as an application should have them; ?foreign_keys=off opts out.
  if (!opts.readOnly) db.run(`PRAGMA foreign_keys = ${url.params.foreign_keys === "off" ? "OFF" : "ON"}`);
  return sqliteDriver(db, opts.timeouts);
}

export const sqliteModule: SqlStoreModule = {
  open,
  scratchUrl(url, name) {
    const path = join(tmpdir(), "stairway", `${name}.db`);
    return { ...url, raw: `sqlite:${path}`, redacted: `sqlite:${path}`, path };
  },
  async createScratch(url, name) {
    const scratch = sqliteModule.scratchUrl(url, name);
    mkdirSync(dirname(scratch.path!), { recursive: true });
    rmSync(scratch.path!, { force: true });
    return scratch;
  },
  async dropScratch(_url, scratch) {
    for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(scratch.path! + suffix, { force: true });
  },
  async backup(url, file) {
    // VACUUM INTO writes a consistent copy while the database stays online.
    // https://www.sqlite.org/lang_vacuum.html#vacuuminto
    rmSync(file, { force: true });
    const db = await openSqliteEngine(url.path!);
    try {
      db.run(`VACUUM INTO '${file.replace(/'/g, "''")}'`);
    } finally {
      db.close();
    }
    return "VACUUM INTO";
  },
  async restore(server, file, name) {
    const scratch = sqliteModule.scratchUrl(server, name);
    mkdirSync(dirname(scratch.path!), { recursive: true });
    copyFileSync(file, scratch.path!);
    return scratch;
  },
};
