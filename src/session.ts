// One command's world: flags, config, plans, targets, open connections and the
// scratch databases it created (dropped at the end, on failure and on Ctrl-C).

import { accessSync, closeSync, constants, mkdirSync, openSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defaultConfig, loadConfig, type Config } from "./config.ts";
import { StairwayError, usageError } from "./errors.ts";
import { BOOKKEEPING_TABLE, type MigrationTimeouts, type SqlDriver, type StoreDriver } from "./drivers/driver.ts";
import { dialectModule } from "./drivers/index.ts";
import type { RedisDriver } from "./drivers/redis.ts";
import type { TargetUrl } from "./drivers/url.ts";
import { loadPlan } from "./plan/discover.ts";
import { redact } from "./secrets.ts";
import type { Plan, SqlDialect } from "./plan/migration.ts";
import { DEFAULT_REPORT_DIR, type Report } from "./results.ts";
import { resolveTargets, type Target } from "./targets.ts";

export interface GlobalFlags {
  config?: string;
  sql?: string;
  redis?: string;
  db?: string[];
  target?: string[];
  json?: boolean;
  reportDir?: string;
  debug?: boolean;
  /** Seconds to wait for a server that is still starting. */
  wait?: number;
  keep?: boolean;
  flush?: boolean;
}

export const SCRATCH_PREFIX = "stairway_";

export interface Scratch {
  driver: SqlDriver;
  url: TargetUrl;
  /** Its name: stairway_<run>_<target>[_<label>]. */
  name: string;
  /** Drops it now (else at the end of the command). */
  drop: () => Promise<void>;
}

export class Session {
  readonly config: Config;
  private readonly plans = new Map<string, Plan>();
  private readonly cleanups: (() => Promise<void>)[] = [];
  /** Names this run's scratch databases: 6 characters of time, then the pid (5, base 36), so `clean` can tell a live run's. */
  readonly runId = Date.now().toString(36).slice(-6) + process.pid.toString(36).padStart(5, "0").slice(-5);

  constructor(
    readonly flags: GlobalFlags,
    readonly env: Record<string, string | undefined>,
  ) {
    this.config = loadConfig(flags.config, env);
  }

  /**
   * The plan of the tree a target uses (its own `migrations:` dir, else --sql,
   * else the config). A directory that was named must exist; the default ones
   * (sql, redis-migrations) may be absent while the other exists (see
   * checkTrees). `mayBeAbsent`: a missing directory is an empty tree (`new`
   * creates it; `safety FILES…` reads the files named).
   */
  plan(target?: Target, opts: { mayBeAbsent?: boolean } = {}): Plan {
    const sqlDir = this.flags.sql ?? target?.migrations ?? this.config.migrations.sql;
    const redisDir = this.flags.redis ?? this.config.migrations.redis;
    if (!opts.mayBeAbsent) {
      // Who named each directory, for the error; a config that names the default names nothing new.
      const inConfig = (key: string) => `${key} in ${this.config.path}`;
      let sqlNamed: string | undefined;
      if (this.flags.sql !== undefined) sqlNamed = "--sql";
      else if (target?.migrations !== undefined) sqlNamed = inConfig(`databases.${target.name}.migrations`);
      else if (sqlDir !== defaultConfig().migrations.sql) sqlNamed = inConfig("migrations.sql");
      let redisNamed: string | undefined;
      if (this.flags.redis !== undefined) redisNamed = "--redis";
      else if (redisDir !== defaultConfig().migrations.redis) redisNamed = inConfig("migrations.redis");
      checkTrees({ dir: sqlDir, named: sqlNamed }, { dir: redisDir, named: redisNamed });
    }
    const key = `${sqlDir}\u0000${redisDir}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const pattern = this.config.layout ? new RegExp(this.config.layout.pattern) : undefined;
      plan = loadPlan({ sqlDir, redisDir, pattern });
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** The plan, refusing a tree the runner cannot trust (all problems in one error). */
  runnablePlan(target?: Target): Plan {
    const plan = this.plan(target);
    const blocking = plan.problems.filter((p) => p.blocking);
    if (blocking.length)
      throw new StairwayError("E_TREE", blocking[0]!.message, { more: blocking.slice(1).map((p) => p.message) });
    return plan;
  }

  targets(allowDefault: boolean): Target[] {
    // Parsing their URLs remembers their passwords (src/secrets.ts), which redact() hides.
    return resolveTargets({ config: this.config, db: this.flags.db, target: this.flags.target, env: this.env, allowDefault });
  }

  /** Opens the target's own database (runner commands). */
  async open(target: Target, opts: { readOnly?: boolean } = {}): Promise<SqlDriver> {
    const driver = await (await dialectModule(target.dialect as SqlDialect)).open(target.url, {
      name: target.name,
      timeouts: timeoutsOf(target),
      readOnly: opts.readOnly,
      waitMs: (this.flags.wait ?? 0) * 1000,
    });
    this.cleanups.push(() => driver.close().catch(() => {}));
    return driver;
  }

  /** Opens the target's own database to read or write its bookkeeping (runner commands, validate --db). */
  async openBookkept(target: Target, opts: { readOnly?: boolean } = {}): Promise<SqlDriver> {
    const driver = await this.open(target, opts);
    // A stairway_migrations of another tool (or of a stairway of long ago) must not be read as ours, nor written.
    await driver.applied().catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      if (!/column/i.test(message)) throw e;
      throw new StairwayError(
        "E_REFUSED",
        `target ${target.name}: the table ${BOOKKEEPING_TABLE} in ${target.url.redacted} is not stairway's (${message}); point stairway at another database, or rename that table`,
      );
    });
    return driver;
  }

  /** Opens the target's own database for the runner: SQL or Redis. */
  async openStore(target: Target, opts: { readOnly?: boolean } = {}): Promise<StoreDriver> {
    if (target.dialect !== "redis") return this.openBookkept(target, opts);
    const { openRedis } = await import("./drivers/redis.ts");
    const { loadTransform } = await import("./redis/load.ts");
    // Every transform is loaded and checked before anything runs: one that
    // cannot load stops the command here, naming its file, instead of
    // leaving a version dirty halfway through.
    if (!opts.readOnly) for (const m of this.plan(target).migrations) if (m.module) await loadTransform(m.module.path);
    const driver = await openRedis(target.url, { name: target.name, waitMs: (this.flags.wait ?? 0) * 1000 });
    this.cleanups.push(() => driver.close().catch(() => {}));
    return driver;
  }

  /**
   * The logical database a Redis test command works in: the configured one
   * itself, which must hold no key (DESIGN.md: test commands never touch data
   * they did not create) unless --flush allows emptying it first. Emptied again
   * at the end, on failure and on Ctrl-C, unless --keep.
   */
  async redisScratch(target: Target, command: string): Promise<RedisDriver> {
    const { openRedis, SCRATCH_MARKER } = await import("./drivers/redis.ts");
    const driver = await openRedis(target.url, { name: target.name, waitMs: (this.flags.wait ?? 0) * 1000 });
    let ours = false;
    this.cleanups.push(async () => {
      driver.abort(new Error(`target ${target.name}: the run was interrupted`));
      if (ours && !this.flags.keep) await driver.flush().catch(() => {});
      await driver.close().catch(() => {});
    });
    const n = await driver.keyCount();
    if (n > 0 && !this.flags.flush)
      throw new StairwayError(
        "E_REFUSED",
        `target ${target.name}: ${driver.where} holds ${n} key${n === 1 ? "" : "s"}; stairway ${command} only runs on an empty database — ` +
          "point it at an empty one or pass --flush to empty it first",
      );
    if (n > 0) await driver.flush();
    ours = true;
    // If this run dies (SIGKILL), `stairway clean` knows the keys here are a test's.
    await driver.client.set(SCRATCH_MARKER, this.runId);
    return driver;
  }

  /**
   * Creates a scratch database beside the target (DESIGN.md: test commands
   * never touch data they did not create) and opens it. Dropped by cleanup()
   * unless --keep.
   */
  async scratch(target: Target, label = ""): Promise<Scratch> {
    const mod = await dialectModule(target.dialect as SqlDialect);
    const name = `${SCRATCH_PREFIX}${this.runId}_${target.name}${label ? "_" + label : ""}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
    const opts = { name: target.name, waitMs: (this.flags.wait ?? 0) * 1000 };
    let url: TargetUrl | undefined;
    let driver: SqlDriver | undefined;
    // Registered before the database exists, so Ctrl-C while it is created drops it too.
    // Dropped before closing: PostgreSQL's DROP … WITH (FORCE) also ends a
    // statement still running there (Ctrl-C in the middle of a migration).
    const drop = async () => {
      const i = this.cleanups.indexOf(drop);
      if (i >= 0) this.cleanups.splice(i, 1);
      if (!this.flags.keep) await mod.dropScratch(target.url, url ?? mod.scratchUrl(target.url, name)).catch(() => {});
      await driver?.close().catch(() => {});
    };
    this.cleanups.push(drop);
    url = await mod.createScratch(target.url, name, opts);
    driver = await mod.open(url, { name: target.name, timeouts: timeoutsOf(target) });
    return { driver, url, name, drop };
  }

  /** Closes connections and drops scratch databases, newest first. Safe to call twice. */
  async cleanup(): Promise<void> {
    while (this.cleanups.length) await this.cleanups.pop()!();
  }

  /** The text with the password of every target URL parsed in this run hidden. */
  redact(text: string): string {
    return redact(text);
  }

  reportDir(): string {
    return this.flags.reportDir ?? DEFAULT_REPORT_DIR;
  }

  /** Writes <report-dir>/<command>.json (which `report` reads; `json` is already redacted), and the JUnit XML when given. */
  writeReport(command: string, json: string, junit?: string): void {
    const dir = this.reportDir();
    mkdirSync(dir, { recursive: true });
    // Two writes, not json + "\n": a lint report can be megabytes, and the concatenation would copy it.
    const fd = openSync(join(dir, `${command}.json`), "w");
    try {
      writeFileSync(fd, json);
      writeFileSync(fd, "\n");
    } finally {
      closeSync(fd);
    }
    if (junit) writeFileSync(join(dir, `${command}.junit.xml`), this.redact(junit));
  }
}

interface TreeDir {
  dir: string;
  /** Who named it (--sql, a key of the config); undefined for the default directory. */
  named?: string;
}

/**
 * A migration directory that was named must exist and be a directory: a typo
 * must not pass as an empty tree. The default directories may be absent (most
 * projects have no redis-migrations), but not both. An existing empty
 * directory is an empty tree on purpose.
 */
function checkTrees(sql: TreeDir, redis: TreeDir): void {
  const missing: TreeDir[] = [];
  for (const t of [sql, redis]) {
    const problem = directoryProblem(t.dir);
    if (!problem) continue;
    if (problem === "does not exist" && !t.named) missing.push(t);
    else throw new StairwayError("E_TREE", `migration directory ${t.dir}${t.named ? ` (${t.named})` : ""} ${problem}`);
  }
  if (missing.length === 2)
    throw new StairwayError(
      "E_TREE",
      `no migrations here: neither ${sql.dir} nor ${redis.dir} exists in ${process.cwd()} (name the tree with --sql DIR or migrations.sql in the config; an empty directory is an empty tree)`,
    );
}

/** Why `path` cannot be read as a directory, in words; undefined when it can. */
function directoryProblem(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return undefined;
    return "is a file, not a directory";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "does not exist";
    if (code === "ENOTDIR") return "does not exist (a part of its path is a file)";
    if (code === "ELOOP") return "is a symbolic link loop";
    return `cannot be read (${code ?? (e as Error).message})`;
  }
}

/**
 * Refuses a report dir that cannot be written, before a command touches
 * anything (an `up` must not migrate and then fail to write its report).
 * Creates nothing: the first part of the path that exists must be a
 * writable directory.
 */
export function checkReportDir(dir: string, given: boolean): void {
  const what = `report dir ${dir}${given ? "" : " (the default; --report-dir names another)"}`;
  for (let p = resolve(dir); ; p = dirname(p)) {
    const problem = directoryProblem(p);
    if (problem?.startsWith("does not exist") && dirname(p) !== p) continue;
    if (problem) throw usageError(`${what}: ${p === resolve(dir) ? "it" : p} ${problem}`);
    try {
      accessSync(p, constants.W_OK);
    } catch {
      throw usageError(`${what}: ${p === resolve(dir) ? "it" : p} is not writable`);
    }
    return;
  }
}

/** The timeouts the runner sets around each migration of this target (config lock_timeout, statement_timeout). */
export function timeoutsOf(target: Target): MigrationTimeouts {
  return { lockMs: target.limits.lock_timeout, statementMs: target.limits.statement_timeout };
}
