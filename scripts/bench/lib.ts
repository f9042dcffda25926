// Shared helpers of the benchmark scripts: the generated migration tree, the
// tools it is handed to, process timing, and the scratch databases and temp
// files a run creates (and removes on every path, Ctrl-C included).

import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
/** STAIRWAY_BIN measures another build (e.g. one made from a given commit) with the same scripts. */
export const STAIRWAY = process.env.STAIRWAY_BIN ?? join(ROOT, "dist/stairway");
export const PEERS = join(import.meta.dir, ".peers");
export const PG_SERVER = "postgres://postgres@127.0.0.1:5432";
/** MariaDB (or MySQL): root without a password on 127.0.0.1, as scripts/services.sh sets it up. */
export const MYSQL_SERVER = "mysql://root@127.0.0.1:3306";

// ---------------------------------------------------------------- migrations

export interface GenMigration {
  /** Zero-padded, e.g. "007". */
  version: string;
  name: string;
  up: string;
  down: string;
}

export interface GenTree {
  migrations: GenMigration[];
  /** Tables in the schema once every up ran (bookkeeping tables not counted). */
  tables: number;
}

// Nouns so the tree reads like an application's history rather than t1, t2, …
const NOUNS = [
  "customer",
  "invoice",
  "product",
  "shipment",
  "ticket",
  "project",
  "device",
  "payment",
  "warehouse",
  "review",
];

/**
 * A tree of `count` migrations in a repeating four-step shape that real
 * projects have: create a table (with a lookup table, a foreign key to the
 * previous feature and an index), add columns, add indexes, insert reference
 * rows. Every down is the exact inverse, on SQLite and PostgreSQL alike, so
 * `stairway test` passes on it.
 */
export function generateTree(count: number): GenTree {
  const migrations: GenMigration[] = [];
  const width = Math.max(3, String(count).length);
  let tables = 0;
  for (let i = 0; i < count; i++) {
    const feature = Math.floor(i / 4) + 1;
    const t = `${NOUNS[(feature - 1) % NOUNS.length]}_${feature}`;
    const parent = feature > 1 ? `${NOUNS[(feature - 2) % NOUNS.length]}_${feature - 1}` : undefined;
    const step = STEPS[i % 4]!(t, parent);
    if (i % 4 === 0) tables += 2;
    migrations.push({ version: String(i + 1).padStart(width, "0"), ...step });
  }
  return { migrations, tables };
}

type Step = (t: string, parent?: string) => Omit<GenMigration, "version">;

const STEPS: Step[] = [
  (t, parent) => ({
    name: `create_${t}`,
    up: `CREATE TABLE ${t}_status (
  code varchar(20) PRIMARY KEY,
  label varchar(60) NOT NULL
);

CREATE TABLE ${t} (
  id integer PRIMARY KEY,
  name varchar(120) NOT NULL,
  status varchar(20) NOT NULL DEFAULT 'active',
  amount numeric(12,2),
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP${parent ? `,\n  ${parent}_id integer REFERENCES ${parent} (id)` : ""}
);

CREATE INDEX ix_${t}_status ON ${t} (status);
`,
    down: `DROP TABLE ${t};\nDROP TABLE ${t}_status;\n`,
  }),
  (t) => ({
    name: `add_notes_to_${t}`,
    up: `ALTER TABLE ${t} ADD COLUMN notes text;\nALTER TABLE ${t} ADD COLUMN updated_at timestamp;\n`,
    down: `ALTER TABLE ${t} DROP COLUMN updated_at;\nALTER TABLE ${t} DROP COLUMN notes;\n`,
  }),
  (t) => ({
    name: `index_${t}_lookups`,
    up: `CREATE INDEX ix_${t}_name ON ${t} (name);\nCREATE INDEX ix_${t}_created_at ON ${t} (created_at, status);\n`,
    down: `DROP INDEX ix_${t}_created_at;\nDROP INDEX ix_${t}_name;\n`,
  }),
  (t) => ({
    name: `seed_${t}_statuses`,
    up: [
      ["active", "Active"],
      ["archived", "Archived"],
      ["on_hold", "On hold"],
    ]
      .map(([code, label]) => `INSERT INTO ${t}_status (code, label) VALUES ('${code}', '${label}');\n`)
      .join(""),
    down: `DELETE FROM ${t}_status WHERE code IN ('active', 'archived', 'on_hold');\n`,
  }),
];

/** stairway's layout: <dir>/NNN_name/up.sql + down.sql. */
export function writeStairwayTree(dir: string, tree: GenTree): string {
  for (const m of tree.migrations) {
    const d = join(dir, `${m.version}_${m.name}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "up.sql"), m.up);
    writeFileSync(join(d, "down.sql"), m.down);
  }
  return dir;
}

/** dbmate's layout: <dir>/NNN_name.sql with `-- migrate:up` / `-- migrate:down` blocks. */
export function writeDbmateTree(dir: string, tree: GenTree): string {
  mkdirSync(dir, { recursive: true });
  for (const m of tree.migrations)
    writeFileSync(join(dir, `${m.version}_${m.name}.sql`), `-- migrate:up\n${m.up}\n-- migrate:down\n${m.down}`);
  return dir;
}

/**
 * The same tree in the shape of an Ory (popx) tree, as real ones are:
 * `<timestamp>_<name>.up.sql` / `.down.sql` generic files; the index steps
 * with a PostgreSQL file of their own that builds the indexes CONCURRENTLY,
 * which cannot run in a transaction (`.postgres.autocommit.up.sql`); and a
 * MySQL file per create step, which stairway leaves out (one note).
 */
export function writePopxTree(dir: string, tree: GenTree): string {
  mkdirSync(dir, { recursive: true });
  for (const [i, m] of tree.migrations.entries()) {
    const base = join(dir, `${popxVersion(i)}_${m.name}`);
    writeFileSync(`${base}.up.sql`, m.up);
    writeFileSync(`${base}.down.sql`, m.down);
    const pg = postgresOverride(m);
    if (pg) {
      writeFileSync(`${base}.postgres.autocommit.up.sql`, pg.up);
      writeFileSync(`${base}.postgres.autocommit.down.sql`, pg.down);
    }
    if (m.name.startsWith("create_")) {
      writeFileSync(
        `${base}.mysql.up.sql`,
        m.up.replace(/timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP/g, "datetime NOT NULL"),
      );
      writeFileSync(`${base}.mysql.down.sql`, m.down);
    }
  }
  return dir;
}

/** popx versions are timestamps: one a second from 2021-01-01, as 14 digits. */
function popxVersion(i: number): string {
  return new Date(Date.UTC(2021, 0, 1) + i * 1000).toISOString().replace(/\D/g, "").slice(0, 14);
}

/** The index steps' PostgreSQL files: CONCURRENTLY, outside a transaction. */
function postgresOverride(m: GenMigration): { up: string; down: string } | undefined {
  if (!m.name.startsWith("index_")) return undefined;
  return {
    up: m.up.replace(/CREATE INDEX /g, "CREATE INDEX CONCURRENTLY "),
    down: m.down.replace(/DROP INDEX /g, "DROP INDEX CONCURRENTLY "),
  };
}

/**
 * The floor for a popx tree: every up the dialect runs, in order, with the
 * fewest commits the files allow — one transaction around each run of
 * transactional files (PostgreSQL: the CONCURRENTLY files between them run
 * on their own; SQLite: one transaction for all).
 */
export function writePopxUps(file: string, tree: GenTree, dialect: "postgres" | "sqlite"): string {
  const parts: string[] = ["BEGIN;"];
  for (const m of tree.migrations) {
    const pg = dialect === "postgres" ? postgresOverride(m) : undefined;
    if (pg) parts.push("COMMIT;", pg.up, "BEGIN;");
    else parts.push(m.up);
  }
  parts.push("COMMIT;");
  writeFileSync(file, parts.join("\n"));
  return file;
}

/** Every up in one file, for `psql -1 -f` / `sqlite3`: the floor no runner can beat. */
export function writeAllUps(file: string, tree: GenTree): string {
  writeFileSync(file, tree.migrations.map((m) => `-- ${m.version}_${m.name}\n${m.up}`).join("\n"));
  return file;
}

// ---------------------------------------------------------------- processes

export interface Ran {
  ms: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to the end and returns its wall time; a non-zero exit is an error that shows stderr. */
export function run(cmd: string[], opts: SpawnSyncOptions = {}): Ran {
  const t0 = performance.now();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8", maxBuffer: 256 << 20, ...opts });
  const ms = performance.now() - t0;
  const stdout = String(r.stdout ?? "");
  const stderr = String(r.stderr ?? "");
  if (r.error) throw new Error(`${cmd[0]}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status}:\n${(stderr || stdout).slice(0, 4000)}`);
  return { ms, stdout, stderr };
}

export function which(name: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Rotates the order tools run in, so none always goes first (cold caches) or last. */
export function rotate<T>(xs: T[], by: number): T[] {
  const k = by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

// ---------------------------------------------------------------- the binary under test

/**
 * The binary under test, copied into `work` so that a `make build` running
 * beside the benchmark cannot swap it halfway; with where it came from, so a
 * figure can be traced to a commit. Warns when src/ is newer than the build.
 */
export function pinStairway(work: string): { path: string; about: string } {
  if (!existsSync(STAIRWAY)) throw new Error(`${STAIRWAY} is missing: run "make build" first`);
  const built = statSync(STAIRWAY).mtimeMs;
  if (!process.env.STAIRWAY_BIN && newestMtime(join(ROOT, "src")) > built)
    process.stderr.write(
      `bench: warning: src/ changed after ${STAIRWAY} was built; run "make build" to measure the current code\n`,
    );
  const path = join(work, "stairway");
  copyFileSync(STAIRWAY, path);
  chmodSync(path, 0o755);
  const head = spawnSync("git", ["-C", ROOT, "log", "-1", "--format=%h %s"], { encoding: "utf8" }).stdout.trim();
  const dirty = spawnSync("git", ["-C", ROOT, "status", "--porcelain", "--", "src"], { encoding: "utf8" }).stdout.trim()
    ? ", src/ has uncommitted changes"
    : "";
  return { path, about: `${STAIRWAY} built ${new Date(built).toISOString()}; HEAD ${head.slice(0, 70)}${dirty}` };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

// ---------------------------------------------------------------- peers

/**
 * The dbmate Go binary from the npm package's platform package
 * (@dbmate/<os>-<arch>), installed into scripts/bench/.peers on first use.
 * Called directly: its Node launcher would add Node's start-up to every figure.
 */
export function dbmateBinary(): string {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const arch = process.arch === "x64" ? "x64" : process.arch;
  const bin = join(PEERS, "node_modules", "@dbmate", `${platform}-${arch}`, "bin", "dbmate");
  if (!existsSync(bin)) {
    process.stderr.write("bench: installing dbmate into scripts/bench/.peers (npm)…\n");
    run(["npm", "install", "--prefix", PEERS, "--no-audit", "--no-fund", "dbmate"], { stdio: "ignore" });
  }
  if (!existsSync(bin)) throw new Error(`dbmate binary not found at ${bin} after npm install`);
  return bin;
}

// ---------------------------------------------------------------- PostgreSQL

/** psql against the server's maintenance database; -X ignores a ~/.psqlrc that would change output. */
export function psql(sql: string, db = "postgres"): string {
  return run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", `${PG_SERVER}/${db}`, "-c", sql]).stdout.trim();
}

/** Applies a file as it is (its own BEGIN/COMMIT); returns the wall time. */
export function psqlScript(file: string, db: string): Ran {
  return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", `${PG_SERVER}/${db}`, "-f", file], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** Applies a file in one transaction (-1); returns the wall time. */
export function psqlFile(file: string, db: string): Ran {
  return run(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", `${PG_SERVER}/${db}`, "-f", file], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

const BENCH_DB = /^bench_[a-z0-9_]+$/;
const createdDbs = new Set<string>();

/** Creates an empty bench_* database; only those are ever dropped. */
export function createDb(name: string): string {
  if (!BENCH_DB.test(name)) throw new Error(`refusing database name ${name}: benchmarks only use bench_*`);
  psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  psql(`CREATE DATABASE ${name}`);
  createdDbs.add(name);
  return name;
}

export function dropDb(name: string): void {
  if (!BENCH_DB.test(name)) throw new Error(`refusing to drop ${name}: not a bench_* database`);
  psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  createdDbs.delete(name);
}

/** Tables in the public schema: proof that a tool really applied the tree. */
export function countTables(db: string): number {
  return Number(psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", db));
}

/** Databases whose names start with `prefix` (to see that stairway test dropped its scratch database). */
export function databasesLike(prefix: string): string[] {
  const out = psql(`SELECT datname FROM pg_database WHERE datname LIKE '${prefix.replace(/_/g, "\\_")}%' ORDER BY 1`);
  return out ? out.split("\n") : [];
}

// ---------------------------------------------------------------- MariaDB / MySQL

/** The client program: mariadb, else mysql (the same options). */
function mysqlClient(): string {
  const cmd = which("mariadb") ? "mariadb" : which("mysql") ? "mysql" : undefined;
  if (!cmd) throw new Error("neither mariadb nor mysql (the client) is installed");
  return cmd;
}

const MYSQL_ARGS = ["--protocol=TCP", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "--batch", "--skip-column-names"];

/** SQL through the mariadb client, on `db` or on no database. */
export function mysqlCli(sql: string, db?: string): string {
  return run([mysqlClient(), ...MYSQL_ARGS, ...(db ? [db] : []), "-e", sql]).stdout.trim();
}

/** Whether a MariaDB/MySQL server answers there. */
export function mysqlAnswers(): boolean {
  try {
    mysqlCli("SELECT 1");
    return true;
  } catch {
    return false;
  }
}

/** Applies a file with the client, as an operator would (`mariadb db < all.sql`); returns the wall time. */
export function mysqlFile(file: string, db: string): Ran {
  const fd = openSync(file, "r");
  try {
    return run([mysqlClient(), ...MYSQL_ARGS, db], { stdio: [fd, "ignore", "pipe"] });
  } finally {
    closeSync(fd);
  }
}

const createdMysqlDbs = new Set<string>();

/** Creates an empty bench_* database on MariaDB; only those are ever dropped. */
export function createMysqlDb(name: string): string {
  if (!BENCH_DB.test(name)) throw new Error(`refusing database name ${name}: benchmarks only use bench_*`);
  mysqlCli(`DROP DATABASE IF EXISTS ${name}; CREATE DATABASE ${name}`);
  createdMysqlDbs.add(name);
  return name;
}

export function dropMysqlDb(name: string): void {
  if (!BENCH_DB.test(name)) throw new Error(`refusing to drop ${name}: not a bench_* database`);
  mysqlCli(`DROP DATABASE IF EXISTS ${name}`);
  createdMysqlDbs.delete(name);
}

export function countMysqlTables(db: string): number {
  return Number(
    mysqlCli(
      `SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${db}' AND TABLE_TYPE = 'BASE TABLE'`,
    ),
  );
}

// ---------------------------------------------------------------- temp files and cleanup

const tempDirs: string[] = [];

export function tempDir(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `stairway-bench-${label}-`));
  tempDirs.push(d);
  return d;
}

const cleanups: (() => void)[] = [];

/** Registers more to undo at the end (synchronous: it also runs on Ctrl-C). */
export function onCleanup(fn: () => void): void {
  cleanups.push(fn);
}

/** Drops every bench database and removes every temp dir this process made. Safe to call twice. */
export function cleanup(): void {
  while (cleanups.length) cleanups.pop()!();
  for (const db of [...createdDbs]) {
    try {
      dropDb(db);
    } catch (e) {
      process.stderr.write(`bench: could not drop ${db}: ${(e as Error).message}\n`);
    }
  }
  for (const db of [...createdMysqlDbs]) {
    try {
      dropMysqlDb(db);
    } catch (e) {
      process.stderr.write(`bench: could not drop ${db} on MariaDB: ${(e as Error).message}\n`);
    }
  }
  while (tempDirs.length) rmSync(tempDirs.pop()!, { recursive: true, force: true });
}

/** Runs the benchmark and cleans up after it, on success, failure and Ctrl-C. */
export async function main(fn: () => Promise<void> | void): Promise<void> {
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await fn();
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    cleanup();
  }
}

/** The optional in-process profile; when it fails (src/ mid-edit, node_modules mid-install) the figures still print. */
export async function optionalProfile(fn: () => Promise<string>): Promise<string> {
  try {
    return await fn();
  } catch (e) {
    return `\nprofile skipped: ${(e as Error).message}`;
  }
}

// ---------------------------------------------------------------- output

/** CPUs and load: a busy machine (tests running beside the benchmark) explains a wide min–max. */
export function machine(): string {
  return `${cpus().length} CPUs, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")} (1, 5, 15 min) at the end`;
}

export const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
export const fmtRatio = (r: number) => `${r.toFixed(2)}×`;
export const round2 = (x: number) => Math.round(x * 100) / 100;

/** A plain aligned table: first column left, the others right (they are numbers). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A ratio meets a goal "≤ goal" to the two decimals printed, so a figure shown as 1.50× never reads as a miss of 1.5×. */
export function meets(ratio: number, goal: number): boolean {
  return round2(ratio) <= goal;
}

export function verdict(ratio: number, goal: number): string {
  return meets(ratio, goal) ? `met (≤ ${goal}×)` : `MISSED (goal ≤ ${goal}×)`;
}
