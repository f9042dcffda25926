// MariaDB and MySQL as a store (stores/index.ts): open a driver, make and drop
// scratch databases on the target's server (with the target database's
// character set and collation, so no diff shows a collation change), back up
// with mariadb-dump / mysqldump and restore with the mariadb / mysql client,
// the concurrent prober, clean. A user without global rights needs
// GRANT ALL ON `stairway\_%`.* for the scratch databases.

import { spawnSync } from "node:child_process";
import { closeSync, openSync, rmSync } from "node:fs";
import { StairwayError } from "../../errors.ts";
import { plural } from "../../plural.ts";
import { runOf } from "../../scratch-names.ts";
import type { OpenOptions, SqlStoreModule } from "../contract.ts";
import { databaseOf, parseTargetUrl, withDatabase, type TargetUrl } from "../url.ts";
import { addressOf, connectMysql, quoteIdent as q, type MysqlConnection } from "./connect.ts";
import { mysqlDriver } from "./driver.ts";
import { mysqlProber } from "./lock-probe.ts";

/** Work on the server itself, on a connection to no database. */
async function withServer<T>(url: TargetUrl, opts: OpenOptions, fn: (c: MysqlConnection) => Promise<T>): Promise<T> {
  const c = await connectMysql(url, opts, { database: null });
  try {
    return await fn(c);
  } finally {
    await c.conn.end().catch(() => c.conn.destroy());
  }
}

async function rows<T>(c: MysqlConnection, sql: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await c.conn.query(sql, params);
  return r as T[];
}

/** The first of these client programs that is installed, and whether it is MariaDB's (its options differ). */
function clientProgram(names: string[]): { cmd: string; mariadb: boolean } | undefined {
  for (const cmd of names) {
    const r = spawnSync(cmd, ["--version"], { encoding: "utf8" });
    if (!r.error) return { cmd, mariadb: /mariadb/i.test(r.stdout) };
  }
  return undefined;
}

/** Connection options for the client programs; the password goes in MYSQL_PWD, never on the command line. */
function clientArgs(url: TargetUrl, mariadb: boolean): { args: string[]; env: Record<string, string> } {
  const a = addressOf(url, "backup");
  const args = a.socket ? [`--socket=${a.socket}`] : [`--host=${a.host}`, `--port=${a.port}`, "--protocol=TCP"];
  if (a.user) args.push(`--user=${a.user}`);
  if (mariadb) args.push(a.tls === "off" ? "--skip-ssl" : a.tls === "encrypt" ? "--ssl" : "--ssl-verify-server-cert");
  else
    args.push(
      `--ssl-mode=${{ off: "DISABLED", encrypt: "REQUIRED", "verify-ca": "VERIFY_CA", "verify-full": "VERIFY_IDENTITY" }[a.tls]}`,
    );
  return { args, env: a.password ? { MYSQL_PWD: a.password } : {} };
}

function runClient(cmd: string, args: string[], env: Record<string, string>, stdin?: string) {
  const fd = stdin === undefined ? undefined : openSync(stdin, "r");
  try {
    const r = spawnSync(cmd, args, {
      env: { ...process.env, ...env },
      encoding: "utf8",
      stdio: [fd ?? "ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
    return { ok: r.status === 0, why: (r.stderr || r.stdout || `exit ${r.status}`).trim().split("\n")[0]! };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** CHARACTER SET … COLLATE … of a database, to make another like it; "" when it does not exist. */
async function charsetOf(c: MysqlConnection, database: string): Promise<string> {
  const [row] = await rows<{ cs: string; co: string }>(
    c,
    "SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
    [database],
  );
  return row ? ` CHARACTER SET ${row.cs} COLLATE ${row.co}` : "";
}

async function createDatabase(url: TargetUrl, name: string, opts: OpenOptions): Promise<void> {
  await withServer(url, opts, async (c) => {
    try {
      await c.conn.query(`CREATE DATABASE ${q(name)}${await charsetOf(c, addressOf(url, opts.name).database)}`);
    } catch (e) {
      const err = e as { code?: string; sqlMessage?: string; message?: string };
      const why =
        err.code === "ER_DBACCESS_DENIED_ERROR" || err.code === "ER_SPECIFIC_ACCESS_DENIED_ERROR"
          ? "the user may not create databases: GRANT ALL ON `stairway\\_%`.* TO the user, or point the target at a server where it may"
          : String(err.sqlMessage ?? err.message);
      throw new StairwayError("E_UNREACHABLE", `target ${opts.name}: cannot create scratch database ${name}: ${why}`);
    }
  });
}

export const mysqlModule: SqlStoreModule = {
  async open(url, opts) {
    const c = await connectMysql(url, opts);
    return mysqlDriver(c, opts.name, addressOf(url, opts.name).database, opts.timeouts, () =>
      connectMysql(url, { ...opts, waitMs: 0 }),
    );
  },
  scratchUrl(url, name) {
    return parseTargetUrl(withDatabase(url.raw, name));
  },
  async createScratch(url, name, opts) {
    await createDatabase(url, name, opts);
    return mysqlModule.scratchUrl(url, name);
  },
  async dropScratch(url, scratch) {
    const name = databaseOf(scratch.raw);
    await withServer(url, { name: "scratch" }, async (c) => {
      // DROP DATABASE waits (up to lock_wait_timeout: a day) for every open transaction there: end those sessions first.
      const sessions = await rows<{ id: number }>(
        c,
        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()",
        [name],
      );
      for (const s of sessions) await c.conn.query(`KILL ${Number(s.id)}`).catch(() => {});
      await c.conn.query("SET SESSION lock_wait_timeout = 30");
      await c.conn.query(`DROP DATABASE IF EXISTS ${q(name)}`);
    });
  },
  async backup(url, file) {
    rmSync(file, { force: true });
    const tool = clientProgram(["mariadb-dump", "mysqldump"]);
    if (!tool)
      throw new StairwayError(
        "E_UNREACHABLE",
        "neither mariadb-dump nor mysqldump is installed: install the MariaDB or MySQL client programs to run backup-test",
      );
    const { args, env } = clientArgs(url, tool.mariadb);
    const how = ["--single-transaction", "--routines", "--triggers", "--events", "--hex-blob", "--skip-comments"];
    const r = runClient(tool.cmd, [...args, ...how, `--result-file=${file}`, databaseOf(url.raw)], env);
    if (!r.ok) throw new StairwayError("E_SQL", `${tool.cmd} of ${databaseOf(url.raw)} failed: ${r.why}`);
    return `${tool.cmd} ${how[0]}`;
  },
  async restore(server, file, name) {
    await createDatabase(server, name, { name: "restore" });
    const url = mysqlModule.scratchUrl(server, name);
    // The dump holds DELIMITER blocks (triggers, routines): only the client program reads those.
    const tool = clientProgram(["mariadb", "mysql"]);
    if (!tool) throw new StairwayError("E_UNREACHABLE", "neither mariadb nor mysql (the client) is installed");
    const { args, env } = clientArgs(url, tool.mariadb);
    const r = runClient(tool.cmd, [...args, `--database=${name}`], env, file);
    if (!r.ok) throw new StairwayError("E_SQL", `${tool.cmd} < dump into ${name} failed: ${r.why}`);
    return url;
  },
  async clean(url, stale) {
    const names = await withServer(url, { name: "clean" }, async (c) => {
      const all = await rows<{ name: string }>(
        c,
        "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'stairway\\_%' ORDER BY 1",
      );
      // A database someone is connected to belongs to a run still going (perhaps on another machine).
      const busy = new Set(
        (
          await rows<{ db: string }>(
            c,
            "SELECT DISTINCT DB AS db FROM information_schema.PROCESSLIST WHERE DB IS NOT NULL",
          )
        ).map((r) => r.db),
      );
      return all
        .map((r) => r.name)
        .filter((n) => {
          const run = runOf(n);
          return run !== undefined && stale(run) && !busy.has(n);
        });
    });
    for (const name of names) await mysqlModule.dropScratch(url, mysqlModule.scratchUrl(url, name));
    return names.length
      ? `dropped ${plural(names.length, "scratch database")}: ${names.join(", ")}`
      : "no scratch database left";
  },
  async openProber(url, opts) {
    const probe = await connectMysql(url, opts);
    const watcher = await connectMysql(url, { ...opts, name: `${opts.name} watcher` }).catch(async (e: unknown) => {
      await probe.conn.end().catch(() => {});
      throw e;
    });
    return mysqlProber(probe, watcher);
  },
};
