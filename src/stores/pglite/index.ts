// PGlite as a store (stores/index.ts): PostgreSQL itself, compiled to
// WebAssembly and run inside stairway — no server. `pglite:` is a database in
// memory, `pglite:dir` one kept in a directory (locked while open: dir-lock.ts).
// It is a second store of the postgres dialect: the PostgreSQL store's driver
// and introspection run on it unchanged through client.ts, and what it cannot
// do is said by its capabilities: one session (no second connection for the
// concurrent probe) and, in the registry, timeouts that never fire.
// Scratch databases are instances of their own, in memory, made from the
// embedded empty database (assets.ts); backups are PGlite's dumpDataDir.
// https://pglite.dev/docs/

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { StairwayError } from "../../errors.ts";
import type { Capabilities, OpenOptions, SqlDriver, SqlStoreModule } from "../contract.ts";
import { postgresDriver } from "../postgres/driver.ts";
import type { TargetUrl } from "../url.ts";
import { loadEngine } from "./assets.ts";
import { pgliteClient } from "./client.ts";
import { LOCK_FILE, lockDirectory } from "./dir-lock.ts";

const CAPABILITIES: Capabilities = {
  transactionalDdl: true,
  // One backend, one session: a second client would run inside the first one's transaction.
  concurrentConnections: false,
  resumable: false,
  data: "rows",
  lockInsight: true,
};

// shared_buffers 16 MB instead of 128: an instance takes ~120 MB instead of ~250.
const START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

/** This process's scratch databases, by name: instances in memory (scratchUrl names one). */
const scratches = new Map<string, PGlite>();

/** A new instance: in memory without `dataDir`; `data` is the data directory it starts from (a tarball). */
async function start(dataDir: string | undefined, data: Blob | undefined): Promise<PGlite> {
  const { pgliteWasmModule, fsBundle } = await loadEngine();
  return PGlite.create(dataDir, { pgliteWasmModule, fsBundle, loadDataDir: data, startParams: START_PARAMS });
}

/** A new, empty database in memory. */
async function empty(): Promise<PGlite> {
  return start(undefined, (await loadEngine()).template);
}

function driverOn(pg: PGlite, opts: OpenOptions, release?: () => void): SqlDriver {
  const driver = postgresDriver({ sql: pgliteClient(pg), lost: { count: 0 } }, opts.name, opts.timeouts);
  return {
    ...driver,
    capabilities: CAPABILITIES,
    // One process has it (in memory; a directory is locked at open): no other run can reach it.
    lock: async () => {},
    unlock: async () => {},
    async close() {
      try {
        await driver.close();
      } finally {
        release?.();
      }
    },
  };
}

/** A `pglite:dir` database: made from the empty one in a new or empty directory, else opened. */
async function openDirectory(dir: string, opts: OpenOptions): Promise<SqlDriver> {
  const where = `PGlite database ${dir}`;
  const refuse = (why: string) =>
    new StairwayError("E_UNREACHABLE", `target ${opts.name}: cannot open ${where}: ${why}`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw refuse("it is a file, not a directory");
  const isDatabase = () => existsSync(join(dir, "PG_VERSION"));
  // Reading the state of a database that does not exist yet: an empty one, nothing created (as for SQLite).
  if (opts.readOnly && !isDatabase()) return driverOn(await empty(), opts);
  if (!existsSync(dir)) {
    if (!existsSync(dirname(dir))) throw refuse(`directory ${dirname(dir)} does not exist`);
    try {
      mkdirSync(dir);
    } catch (e) {
      throw refuse(`cannot create the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const others = () => readdirSync(dir).filter((f) => f !== LOCK_FILE);
  // Checked before the lock file is written: a directory of something else is left as it was.
  if (!isDatabase() && others().length)
    throw refuse("the directory holds files but no PostgreSQL database (no PG_VERSION): name a new or empty directory");
  const release = await lockDirectory(dir, opts.name, opts.waitMs);
  try {
    const fresh = !isDatabase();
    const pg = await start(dir, fresh ? (await loadEngine()).template : undefined).catch((e: Error) => {
      throw refuse(e.message);
    });
    return driverOn(pg, opts, release);
  } catch (e) {
    release();
    throw e;
  }
}

export const pgliteModule: SqlStoreModule = {
  async open(url, opts) {
    const scratch = url.params.scratch;
    if (scratch !== undefined) {
      const pg = scratches.get(scratch);
      if (!pg) throw new StairwayError("E_UNREACHABLE", `target ${opts.name}: no scratch database ${scratch} here`);
      return driverOn(pg, opts);
    }
    if (url.path === ":memory:") return driverOn(await empty(), opts);
    return openDirectory(url.path!, opts);
  },
  scratchUrl(url, name): TargetUrl {
    const raw = `pglite::memory:?scratch=${name}`;
    return { store: url.store, dialect: url.dialect, raw, redacted: raw, path: ":memory:", params: { scratch: name } };
  },
  async createScratch(url, name) {
    scratches.set(name, await empty());
    return pgliteModule.scratchUrl(url, name);
  },
  async dropScratch(_url, scratch) {
    const pg = scratches.get(scratch.params.scratch!);
    scratches.delete(scratch.params.scratch!);
    if (pg && !pg.closed) await pg.close();
  },
  async backup(url, file) {
    rmSync(file, { force: true });
    const pg = scratches.get(url.params.scratch ?? "");
    if (!pg) throw new StairwayError("E_UNREACHABLE", `no scratch database to back up at ${url.redacted}`);
    writeFileSync(file, new Uint8Array(await (await pg.dumpDataDir("gzip")).arrayBuffer()));
    return "PGlite dumpDataDir";
  },
  async restore(server, file, name) {
    scratches.set(name, await start(undefined, new Blob([readFileSync(file)])));
    return pgliteModule.scratchUrl(server, name);
  },
};
