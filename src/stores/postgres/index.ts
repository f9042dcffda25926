// PostgreSQL as a store (stores/index.ts): open a driver, make and drop
// scratch databases, back up and restore with pg_dump / pg_restore (or a
// template copy without them).

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StairwayError } from "../../errors.ts";
import type { OpenOptions, SnapshotEntry, SqlStoreModule } from "../contract.ts";
import { connectPostgres, type PgClient } from "./connect.ts";
import { postgresDriver, quoteIdent as q } from "./driver.ts";
import { startProbe } from "./lock-probe.ts";
import { runOf } from "../../scratch-names.ts";
import { plural } from "../../plural.ts";
import { databaseOf, parseTargetUrl, withDatabase, withoutPassword, type TargetUrl } from "../url.ts";

/** Runs a PostgreSQL client program; the password goes in PGPASSWORD, never on the command line. */
function runClient(cmd: string[], env: Record<string, string>): { ok: boolean; why: string } {
  try {
    const r = spawnSync(cmd[0]!, cmd.slice(1), { env: { ...process.env, ...env }, encoding: "utf8" });
    if (r.error) return { ok: false, why: `${cmd[0]} is not installed` };
    return { ok: r.status === 0, why: (r.stderr || r.stdout || `exit ${r.status}`).trim().split("\n")[0]! };
  } catch (e) {
    return { ok: false, why: (e as Error).message };
  }
}

function pgEnv(url: TargetUrl): Record<string, string> {
  return url.password ? { PGPASSWORD: url.password } : {};
}

async function withServer<T>(url: TargetUrl, opts: OpenOptions, fn: (sql: PgClient) => Promise<T>): Promise<T> {
  const { sql } = await connectPostgres(url, opts);
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export const postgresModule: SqlStoreModule = {
  async open(url, opts) {
    return postgresDriver(await connectPostgres(url, opts), opts.name, opts.timeouts, () =>
      connectPostgres(url, { ...opts, waitMs: 0 }),
    );
  },
  scratchUrl(url, name) {
    return parseTargetUrl(withDatabase(url.raw, name));
  },
  async createScratch(url, name, opts) {
    await withServer(url, opts, async (sql) => {
      try {
        await sql.unsafe(`CREATE DATABASE ${q(name)}`);
      } catch (e) {
        const err = e as { code?: string; message?: string };
        const why =
          err.code === "42501"
            ? "the user may not create databases: grant it CREATEDB, or point the target at a server where it may"
            : String(err.message);
        throw new StairwayError("E_UNREACHABLE", `target ${opts.name}: cannot create scratch database ${name}: ${why}`);
      }
    });
    return postgresModule.scratchUrl(url, name);
  },
  async dropScratch(url, scratch) {
    await withServer(url, { name: "scratch" }, async (sql) => {
      await sql.unsafe(`DROP DATABASE IF EXISTS ${q(databaseOf(scratch.raw))} WITH (FORCE)`);
    });
  },
  async backup(url, file) {
    // pg_dump, as operators do; without it (or when its version cannot read
    // the server's), a copy of the database made with CREATE DATABASE … TEMPLATE.
    rmSync(file, { force: true });
    const dump = runClient(
      [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--file",
        file,
        "--dbname",
        withoutPassword(url.raw),
      ],
      pgEnv(url),
    );
    if (dump.ok) return "pg_dump --format=custom";
    const copy = `${databaseOf(url.raw)}_bak`.slice(0, 63);
    await withServer(url, { name: "backup" }, async (sql) => {
      // A template must have no other session; ours reconnects on its next query.
      await sql.unsafe(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [databaseOf(url.raw)],
      );
      await sql.unsafe(`DROP DATABASE IF EXISTS ${q(copy)}`);
      await sql.unsafe(`CREATE DATABASE ${q(copy)} TEMPLATE ${q(databaseOf(url.raw))}`);
    });
    writeFileSync(file, `template:${copy}`);
    return `CREATE DATABASE … TEMPLATE (pg_dump: ${dump.why})`;
  },
  async clean(url, stale) {
    // A database someone is connected to belongs to a run still going (perhaps on another machine).
    const names = (await listScratchDatabases(url, "stairway_", { idleOnly: true })).filter((n) => {
      const run = runOf(n);
      return run !== undefined && stale(run);
    });
    for (const name of names) await postgresModule.dropScratch(url, postgresModule.scratchUrl(url, name));
    return names.length
      ? `dropped ${plural(names.length, "scratch database")}: ${names.join(", ")}`
      : "no scratch database left";
  },
  async openProber(url, opts) {
    const driver = await postgresModule.open(url, opts);
    return { start: (tables) => startProbe(driver, tables), close: () => driver.close() };
  },
  async keepSnapshot(server, scratch, entry) {
    // A template database on the server: a new scratch database is a copy of
    // it (CREATE DATABASE … TEMPLATE, a file copy on the server). Its pg_dump
    // goes into the entry too, so a server that does not keep it (a CI
    // service container is new each run) gets it back from the file.
    const template = templateName(entry);
    await withServer(server, { name: "cache" }, async (sql) => {
      await dropTemplate(sql, template);
      await sql.unsafe(`CREATE DATABASE ${q(template)} TEMPLATE ${q(databaseOf(scratch.raw))}`);
    });
    const dump = runClient(
      [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--file",
        join(entry.dir, DUMP_FILE),
        "--dbname",
        withoutPassword(withDatabase(server.raw, template)),
      ],
      pgEnv(server),
    );
    await withServer(server, { name: "cache" }, (sql) => markTemplate(sql, template));
    return { template, ...(dump.ok ? { dump: DUMP_FILE } : { noDump: dump.why }) };
  },
  async fromSnapshot(server, entry, name, opts) {
    const template = entry.kept.template;
    if (!template || template !== templateName(entry)) return undefined;
    return withServer(server, opts, async (sql) => {
      const there = await sql.unsafe(`SELECT 1 FROM pg_database WHERE datname = $1`, [template]);
      if (!there.length && !(await restoreTemplate(sql, server, entry, template))) return undefined;
      await sql.unsafe(`CREATE DATABASE ${q(name)} TEMPLATE ${q(template)}`);
      return postgresModule.scratchUrl(server, name);
    });
  },
  async dropSnapshot(server, entry) {
    if (entry.kept.template === templateName(entry))
      await withServer(server, { name: "cache" }, (sql) => dropTemplate(sql, templateName(entry)));
  },
  async cleanSnapshots(url) {
    const names = await listScratchDatabases(url, CACHE_PREFIX, { idleOnly: true });
    await withServer(url, { name: "clean" }, async (sql) => {
      for (const n of names) await dropTemplate(sql, n);
    });
    return names.length
      ? `dropped ${plural(names.length, "prefix-cache template")}: ${names.join(", ")}`
      : "no prefix-cache template";
  },
  async restore(server, file, name) {
    const text = readFileSync(file).subarray(0, 200).toString("utf8");
    await withServer(server, { name: "restore" }, async (sql) => {
      if (text.startsWith("template:")) {
        const copy = text.slice("template:".length).trim();
        await sql.unsafe(`CREATE DATABASE ${q(name)} TEMPLATE ${q(copy)}`);
        await sql.unsafe(`DROP DATABASE IF EXISTS ${q(copy)}`);
      } else await sql.unsafe(`CREATE DATABASE ${q(name)}`);
    });
    const url = postgresModule.scratchUrl(server, name);
    if (!text.startsWith("template:")) {
      const r = runClient(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", withoutPassword(url.raw), file],
        pgEnv(url),
      );
      if (!r.ok) throw new StairwayError("E_SQL", `pg_restore into ${name} failed: ${r.why}`);
    }
    return url;
  },
};

/** Prefix-cache templates: stairway_cache_<16 hex of the entry's key>; `clean` finds them by the prefix. */
const CACHE_PREFIX = "stairway_cache_";
const DUMP_FILE = "prefix.pgdump";

function templateName(entry: SnapshotEntry): string {
  return `${CACHE_PREFIX}${entry.key.slice(0, 16)}`;
}

/** A template takes no connection (one would stop every copy), and only its owner or a superuser may drop it. */
async function markTemplate(sql: PgClient, name: string): Promise<void> {
  await sql.unsafe(`ALTER DATABASE ${q(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
}

async function dropTemplate(sql: PgClient, name: string): Promise<void> {
  const [row] = await sql.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_database WHERE datname = $1`, [
    name,
  ]);
  if (!row?.n) return;
  await sql.unsafe(`ALTER DATABASE ${q(name)} WITH IS_TEMPLATE false`);
  await sql.unsafe(`DROP DATABASE IF EXISTS ${q(name)}`);
}

/** The template from the entry's pg_dump file, restored under another name and renamed once whole; false without a dump. */
async function restoreTemplate(
  sql: PgClient,
  server: TargetUrl,
  entry: SnapshotEntry,
  template: string,
): Promise<boolean> {
  const file = entry.kept.dump ? join(entry.dir, entry.kept.dump) : undefined;
  if (!file || !existsSync(file)) return false;
  const partial = `${template}_${process.pid}`.slice(0, 63);
  await sql.unsafe(`DROP DATABASE IF EXISTS ${q(partial)}`);
  await sql.unsafe(`CREATE DATABASE ${q(partial)}`);
  const r = runClient(
    [
      "pg_restore",
      "--no-owner",
      "--no-privileges",
      "--exit-on-error",
      "--single-transaction",
      "--dbname",
      withoutPassword(withDatabase(server.raw, partial)),
      file,
    ],
    pgEnv(server),
  );
  if (!r.ok) {
    await sql.unsafe(`DROP DATABASE IF EXISTS ${q(partial)} WITH (FORCE)`);
    throw new StairwayError("E_SQL", `pg_restore of the prefix cache's ${file} failed: ${r.why}`);
  }
  await sql.unsafe(`ALTER DATABASE ${q(partial)} RENAME TO ${q(template)}`);
  await markTemplate(sql, template);
  return true;
}

/** Names of scratch databases with this prefix on the server (for `clean`); idleOnly: none in use. */
export async function listScratchDatabases(
  url: TargetUrl,
  prefix: string,
  opts: { idleOnly?: boolean } = {},
): Promise<string[]> {
  return withServer(url, { name: "scratch" }, async (sql) => {
    const idle = opts.idleOnly ? "AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)" : "";
    const rows = await sql.unsafe<{ datname: string }[]>(
      `SELECT datname FROM pg_database d WHERE datname LIKE $1 ${idle} ORDER BY 1`,
      [prefix.replace(/_/g, "\\_") + "%"],
    );
    return rows.map((r) => r.datname);
  });
}
