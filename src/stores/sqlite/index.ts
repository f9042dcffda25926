// SQLite as a store (stores/index.ts): open a file (read-write whenever the
// file allows, so a reader can roll back a killed run's journal), make and
// drop scratch files, back up with VACUUM INTO and restore by copying.

import { accessSync, closeSync, constants, copyFileSync, existsSync, mkdirSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { StairwayError } from "../../errors.ts";
import type { OpenOptions, SqlDriver, SqlStoreModule } from "../contract.ts";
import type { TargetUrl } from "../url.ts";
import { sqliteDriver } from "./driver.ts";
import { openSqliteEngine, type SqliteEngine } from "./engine.ts";

async function open(url: TargetUrl, opts: OpenOptions): Promise<SqlDriver> {
  const path = url.path!;
  const memory = path === ":memory:";
  if (!memory && !existsSync(path)) {
    // Reading the state of a database that does not exist: an empty one, nothing created.
    if (opts.readOnly)
      return sqliteDriver(await openSqliteEngine(":memory:"), { timeouts: opts.timeouts, name: opts.name });
    if (!existsSync(dirname(path)))
      throw new StairwayError(
        "E_UNREACHABLE",
        `target ${opts.name}: cannot create SQLite database ${path}: directory ${dirname(path)} does not exist`,
      );
  }
  // Reading (status) still opens read-write when it may: after a killed run, the first reader
  // rolls back the unfinished transaction the journal holds, which a read-only connection cannot
  // do ("attempt to write a readonly database"). Read-only only when the file itself is.
  if (!memory && !opts.readOnly) refuseUnwritable(path, opts.name);
  const writable = memory || !existsSync(path) || canWrite(path);
  let db: SqliteEngine;
  try {
    db = await openSqliteEngine(path, { readonly: !writable, create: !opts.readOnly });
    db.run(`PRAGMA busy_timeout = ${Number(url.params.busy_timeout ?? 15000)}`);
    db.values("SELECT count(*) FROM sqlite_schema");
  } catch (e) {
    const message = (e as Error).message;
    if (!writable && /readonly/i.test(message))
      throw new StairwayError(
        "E_UNREACHABLE",
        `target ${opts.name}: SQLite database ${path} is read-only to this user and holds an unfinished transaction of a killed run, which only a writer can roll back: run the command as a user who may write the file`,
      );
    throw new StairwayError("E_UNREACHABLE", `target ${opts.name}: cannot open SQLite database ${path}: ${message}`);
  }
  // Foreign keys are enforced, as an application should have them; ?foreign_keys=off opts out.
  if (writable) db.run(`PRAGMA foreign_keys = ${url.params.foreign_keys === "off" ? "OFF" : "ON"}`);
  // A scratch copy nobody keeps: a commit need not wait for fsync (https://www.sqlite.org/pragma.html#pragma_synchronous).
  if (opts.unsynced && !memory) {
    db.run("PRAGMA synchronous = OFF");
    db.run("PRAGMA journal_mode = MEMORY");
  }
  return sqliteDriver(db, { timeouts: opts.timeouts, name: opts.name, file: path, runLock: !memory && !opts.scratch });
}

/**
 * A database the runner must write, checked before it is opened: SQLite
 * would open it and fail at the first write ("attempt to write a readonly
 * database", naming nothing). Its directory must take the journal too.
 */
function refuseUnwritable(path: string, name: string): void {
  const cannot = (what: string, e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "EISDIR"
        ? "it is a directory"
        : code === "EACCES"
          ? `${what} is read-only to this user`
          : `${what} cannot be written (${code}: read-only or immutable)`;
    return new StairwayError("E_UNREACHABLE", `target ${name}: cannot write SQLite database ${path}: ${why}`);
  };
  if (existsSync(path)) {
    try {
      closeSync(openSync(path, "r+"));
    } catch (e) {
      throw cannot("the file", e);
    }
  }
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (e) {
    throw cannot(`its directory ${dirname(path)}`, e);
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
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
    for (const suffix of ["", "-journal", "-wal", "-shm", "-stairway.lock"])
      rmSync(scratch.path! + suffix, { force: true });
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
  // The prefix cache: the closed scratch file, copied (it has no journal left once closed).
  async keepSnapshot(_server, scratch, entry) {
    copyFileSync(scratch.path!, join(entry.dir, SNAPSHOT_FILE));
    return { file: SNAPSHOT_FILE };
  },
  async fromSnapshot(server, entry, name) {
    const file = join(entry.dir, entry.kept.file ?? SNAPSHOT_FILE);
    if (!existsSync(file)) return undefined;
    const scratch = await sqliteModule.createScratch(server, name, { name, command: "", runId: "" });
    copyFileSync(file, scratch.path!);
    return scratch;
  },
};

const SNAPSHOT_FILE = "prefix.db";
