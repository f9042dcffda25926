// Shared by the tests: real databases only. PostgreSQL and MariaDB tests
// create their own databases (stairway_test_*) and drop them; SQLite tests use
// temp files.

import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import mysql from "mysql2/promise";
import postgres from "postgres";

export const ROOT = resolve(import.meta.dir, "..");
export const PG_URL = process.env.STAIRWAY_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.STAIRWAY_REDIS_URL ?? "redis://127.0.0.1:6379/15";
/** A MariaDB (or MySQL) server; its database part is replaced by each test's own. */
export const MYSQL_URL = process.env.STAIRWAY_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/stairway";

export function tempDir(prefix = "stairway-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Compiles the binary into `outfile` with the Makefile's own rule (its COMPILE
 * line, flags included), leaving dist/ and node_modules alone: a test must not
 * replace a binary another test is running, nor start `npm ci`.
 */
export function buildBinary(outfile: string): void {
  const r = spawnSync("make", [`STAIRWAY=${outfile}`, outfile], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building the binary failed: ${r.stderr || r.stdout}`);
}

/**
 * Runs a compiled binary in `cwd` as on a machine without this repository: no
 * DATABASE_URL or NODE_PATH, and the repository's node_modules hidden behind an
 * empty directory in a mount namespace (`unshare -m` as root, else a user
 * namespace: `unshare -Urm`). A machine that allows neither fails the test: a
 * binary that still reads node_modules must not pass because nothing hid it.
 */
export function runBinaryIn(
  bin: string,
  cwd: string,
  args: string[],
): { code: number; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  delete env.DATABASE_URL;
  delete env.NODE_PATH;
  const empty = join(dirname(bin), "empty");
  mkdirSync(empty, { recursive: true });
  const modules = join(ROOT, "node_modules");
  // Hidden, and seen to be: the binary then runs in that namespace.
  const hide = `mount --bind '${empty}' '${modules}' && [ -z "$(ls -A '${modules}')" ]`;
  const unshare = [["-m"], ["-Urm"]].find((flags) => spawnSync("unshare", [...flags, "sh", "-c", hide]).status === 0);
  if (!unshare)
    throw new Error(
      `cannot hide ${modules} from the binary: this machine allows no mount namespace (unshare -m needs root, unshare -Urm user namespaces)`,
    );
  const r = spawnSync("unshare", [...unshare, "sh", "-c", `${hide} && exec "$0" "$@"`, bin, ...args], {
    cwd,
    env,
    encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Writes files given as { "relative/path": "content" } under dir. */
export function writeTree(dir: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return dir;
}

/** A fresh PostgreSQL database for one test; drop() removes it. */
export async function pgDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `stairway_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const a = postgres(PG_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** Runs SQL on a MariaDB/MySQL URL (its database, or none with `server`) and returns the rows. */
export async function mysqlQuery<T = Record<string, unknown>>(
  url: string,
  sql: string,
  opts: { server?: boolean } = {},
): Promise<T[]> {
  const u = new URL(url);
  const c = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password) || undefined,
    database: opts.server ? undefined : decodeURIComponent(u.pathname.slice(1)),
    multipleStatements: true,
  });
  try {
    const [rows] = await c.query(sql);
    return rows as T[];
  } finally {
    await c.end();
  }
}

/** A fresh MariaDB/MySQL database for one test; drop() removes it. */
export async function mysqlDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `stairway_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
  await mysqlQuery(MYSQL_URL, `CREATE DATABASE ${name}`, { server: true });
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await mysqlQuery(MYSQL_URL, `DROP DATABASE IF EXISTS ${name}`, { server: true });
    },
  };
}

/** The MariaDB/MySQL scratch databases a stairway process made that still exist (as scratchDatabasesOf). */
export async function mysqlScratchDatabasesOf(pid: number): Promise<string[]> {
  const tail = pid.toString(36).padStart(5, "0").slice(-5);
  const rows = await mysqlQuery<{ name: string }>(
    MYSQL_URL,
    `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME RLIKE '^stairway_[0-9a-z]{6}${tail}_'`,
    { server: true },
  );
  return rows.map((r) => r.name);
}

/** Runs a SQL query on a PostgreSQL URL and returns the rows. */
export async function pgQuery<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const c = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await c.unsafe(sql)) as unknown as T[];
  } finally {
    await c.end();
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any;
  /** The process's id: its scratch databases carry it (scratchDatabasesOf). */
  pid: number;
}

/**
 * The PostgreSQL scratch databases a stairway process made that still exist:
 * their names end the run id with its pid (Session.runId), so runs of other
 * processes on the same server (other test files, other checkouts) do not count.
 */
export async function scratchDatabasesOf(pid: number): Promise<string[]> {
  const tail = pid.toString(36).padStart(5, "0").slice(-5);
  const rows = await pgQuery<{ datname: string }>(
    PG_URL,
    `SELECT datname FROM pg_database WHERE datname ~ '^stairway_[0-9a-z]{6}${tail}_'`,
  );
  return rows.map((r) => r.datname);
}

/** Runs the CLI from source, as a user would, in `cwd`; `pid` is in the names of the scratch databases it made (scratchDatabasesOf). */
export async function runCli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: "1", ...opts.env })) if (v !== undefined) env[k] = v;
  if (!opts.env || !("DATABASE_URL" in opts.env)) delete env.DATABASE_URL;
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), ...args], {
    cwd: opts.cwd ?? ROOT,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr, json: () => JSON.parse(stdout), pid: proc.pid };
}

/** `stairway test --db <db> --json` on `files` written to a new temp directory, pushed on `dirs` for cleanup. */
export async function testTree(files: Record<string, string>, dirs: string[], db = PG_URL): Promise<CliRun> {
  const dir = writeTree(tempDir(), files);
  dirs.push(dir);
  return runCli(["test", "--db", db, "--json"], { cwd: dir });
}

export function cleanup(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
