// One command's world: flags, config, plans, targets, open connections and the
// scratch databases it created (dropped at the end, on failure and on Ctrl-C).

import { createHash } from "node:crypto";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { defaultConfig, loadConfig, type Config } from "./config.ts";
import { StairwayError, usageError } from "./errors.ts";
import { newRunId, scratchName } from "./scratch-names.ts";
import { redact } from "./secrets.ts";
import {
  BOOKKEEPING_TABLE,
  isSqlSession,
  SqlExecError,
  type MigrationTimeouts,
  type Migrator,
  type OpenOptions,
  type ScratchOptions,
  type SqlDriver,
  type SqlSession,
} from "./stores/contract.ts";
import { isSqlDialect, type Dialect } from "./stores/dialects.ts";
import { loadStore } from "./stores/index.ts";
import type { TargetUrl } from "./stores/url.ts";
import { loadPlan, type TreeOptions } from "./plan/discover.ts";
import type { PrefixCache } from "./prefix-cache.ts";
import { scratchAtPrefix, type PrefixInfo, type Scratch } from "./prefix-scratch.ts";
import type { LayoutId } from "./plan/layouts/layout.ts";
import type { Migration, Plan, PlanLayout } from "./plan/migration.ts";
import { lineCol, splitStatements } from "./plan/statements.ts";
import { progressLine } from "./progress.ts";
import { writeReportFile } from "./report/manifest.ts";
import { DEFAULT_REPORT_DIR } from "./results.ts";
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
  /** A layout preset id (checked by the CLI); detected from the tree when absent. */
  layout?: LayoutId;
}

export class Session {
  readonly config: Config;
  private readonly plans = new Map<string, { tree: string; plan: Plan }>();
  private readonly cleanups: (() => Promise<void>)[] = [];
  private readonly setupTexts = new Map<string, string>();
  /** Names this run's scratch databases, so `clean` can tell a live run's (scratch-names.ts). */
  readonly runId = newRunId();

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
    const { sqlDir, redisDir } = this.treeDirs(target);
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
    return this.planOf(sqlDir, redisDir);
  }

  /** Where a target's trees are: its own `migrations:` dir, else --sql, else the config's; the Redis tree. */
  treeDirs(target?: Target): { sqlDir: string; redisDir: string } {
    return {
      sqlDir: this.flags.sql ?? target?.migrations ?? this.config.migrations.sql,
      redisDir: this.flags.redis ?? this.config.migrations.redis,
    };
  }

  /** The plan of a SQL tree (and Redis transforms), read once per command. */
  planOf(sqlDir: string, redisDir?: string): Plan {
    const key = `${sqlDir}\u0000${redisDir ?? ""}`;
    let plan = this.plans.get(key)?.plan;
    if (!plan) {
      plan = loadPlan({ sqlDir, redisDir, ...this.layoutOptions() });
      this.plans.set(key, { tree: sqlDir, plan });
    }
    return plan;
  }

  /** How trees are read: `--layout`, else the config's `layout` (a preset or a pattern), else detected. */
  private layoutOptions(): Pick<TreeOptions, "preset" | "pattern"> {
    if (this.flags.layout) return { preset: { id: this.flags.layout, given: "--layout" } };
    const layout = this.config.layout;
    if (layout?.preset) return { preset: { id: layout.preset, given: "layout.preset" } };
    if (layout?.pattern) return { pattern: new RegExp(layout.pattern) };
    return {};
  }

  /** How each SQL tree read so far was read, with what it left out: for the output. */
  layouts(): { tree: string; layout: PlanLayout; notes: string[] }[] {
    const seen = new Set<string>();
    const out: { tree: string; layout: PlanLayout; notes: string[] }[] = [];
    for (const { tree, plan } of this.plans.values()) {
      // A directory that holds no migration (safety probing one migration's directory) says nothing.
      if (!plan.layout || seen.has(tree) || (!plan.migrations.some((m) => m.store === "sql") && !plan.notes.length))
        continue;
      seen.add(tree);
      out.push({ tree, layout: plan.layout, notes: plan.notes });
    }
    return out;
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
    return resolveTargets({
      config: this.config,
      db: this.flags.db,
      target: this.flags.target,
      env: this.env,
      allowDefault,
    });
  }

  /** --wait: how long to retry connecting, with a progress line on a terminal while it waits. */
  private waiting(target: Target): Pick<OpenOptions, "waitMs" | "onWait"> {
    const say = progressLine(!!this.flags.json);
    return {
      waitMs: (this.flags.wait ?? 0) * 1000,
      onWait: (ms) => say(ms === null ? "" : `waiting for ${target.name} (${Math.round(ms / 1000)} s)…`),
    };
  }

  /**
   * Opens the target's own database (runner commands). Transforms are loaded
   * and checked first: one that cannot load stops the command here, naming
   * its file, instead of leaving a version dirty halfway through.
   */
  async open<D extends Migrator = Migrator>(target: Target, opts: { readOnly?: boolean } = {}): Promise<D> {
    const mod = await loadStore(target.url.store);
    if (!opts.readOnly) await mod.check?.(this.plan(target).migrations);
    const driver = await mod.open(target.url, this.openOptions(target, opts));
    this.cleanups.push(() => driver.close().catch(() => {}));
    return driver as D;
  }

  /** Opens the target's own database to read or write its bookkeeping (runner commands, validate --db). */
  async openBookkept<D extends Migrator = Migrator>(target: Target, opts: { readOnly?: boolean } = {}): Promise<D> {
    const driver = await this.open<D>(target, opts);
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

  /**
   * A scratch database beside the target (test commands never touch data
   * they did not create), opened; dropped by cleanup() unless --keep. A store
   * that cannot make one works in place (a Redis logical database) and
   * refuses one that holds data, unless --flush. Its commits do not wait for
   * the disk unless `durable` (perf: its timings must be production's).
   * `make` makes it instead of an empty one (from a prefix-cache entry).
   */
  async scratch<D extends Migrator = SqlDriver>(
    target: Target,
    label = "",
    command = "test",
    how: { durable?: boolean; make?: (name: string, opts: ScratchOptions) => Promise<TargetUrl> } = {},
  ): Promise<Scratch<D>> {
    const mod = await loadStore(target.url.store);
    const name = scratchName(this.runId, target.name, label);
    const opts = this.openOptions(target);
    let url: TargetUrl | undefined;
    let driver: Migrator | undefined;
    // Registered before the database exists, so Ctrl-C while it is created drops it too.
    // Dropped before closing: PostgreSQL's DROP … WITH (FORCE) also ends a
    // statement still running there (Ctrl-C in the middle of a migration).
    // Worked in place (Redis), it is closed first: nothing in flight lands after it is emptied.
    const drop = async () => {
      const i = this.cleanups.indexOf(drop);
      if (i >= 0) this.cleanups.splice(i, 1);
      driver?.abort?.(new Error(`target ${target.name}: the run was interrupted`));
      if (mod.inPlace) await driver?.close().catch(() => {});
      if (!this.flags.keep)
        await mod.dropScratch(target.url, url ?? mod.scratchUrl(target.url, name), this.runId).catch(() => {});
      if (!mod.inPlace) await driver?.close().catch(() => {});
    };
    this.cleanups.push(drop);
    const scratchOpts: ScratchOptions = { ...opts, command, flush: this.flags.flush, runId: this.runId };
    url = await (how.make ? how.make(name, scratchOpts) : mod.createScratch(target.url, name, scratchOpts));
    const openIt = () => mod.open(url!, { ...opts, scratch: true, unsynced: !how.durable });
    driver = await openIt();
    // A copy of a prefix-cache entry holds what setup made (its files are in the entry's key).
    if (!how.make && isSqlSession(driver) && this.config.setup[driver.dialect]?.length) {
      // Made first, where stairway's table always goes: a setup that sets search_path must not move it.
      await driver.ensureBookkeeping();
      await this.runSetup(driver, target);
    }
    const scratch: Scratch<D> = {
      driver: driver as D,
      url,
      name,
      drop,
      module: mod,
      server: target.url,
      openOptions: opts,
      reopen: async () => {
        await driver?.close().catch(() => {});
        driver = undefined;
        driver = await openIt();
        scratch.driver = driver as D;
        return scratch.driver;
      },
    };
    return scratch;
  }

  /** Where the prefix caches of this command live (--cache-dir); none: every prefix is applied. */
  cache?: PrefixCache;

  /**
   * A new scratch database with `migrations` applied, ups only and nothing
   * checked: the prefix a selection leaves out (--since, --since-git,
   * --shard), or where a stairway goes on after a step left its target in a
   * state nobody knows. The first `cached` of them come from the prefix cache
   * when it has them, and are kept there when it did not.
   */
  async atVersion(
    target: Target,
    migrations: Migration[],
    label: string,
    command: string,
    how: { cached?: number; durable?: boolean; progress?: (line: string) => void } = {},
  ): Promise<Scratch<Migrator> & { prefix: PrefixInfo }> {
    // Targets run together (several on one server can share an entry): one at a time per entry.
    const mod = await loadStore(target.url.store);
    const lock = `${target.url.store}\u0000${this.cache?.dir}`;
    const before = this.entryLocks.get(lock) ?? Promise.resolve();
    const mine = before.then(() =>
      scratchAtPrefix(
        {
          scratch: (t, l, c, h) => this.scratch<Migrator>(t, l, c, h),
          cache: this.cache,
          setup: this.setupChecksums(target.url.dialect),
        },
        target,
        migrations,
        label,
        command,
        how,
        mod,
      ),
    );
    this.entryLocks.set(
      lock,
      mine.catch(() => {}),
    );
    return mine;
  }

  private readonly entryLocks = new Map<string, Promise<unknown>>();

  /**
   * The setup files of a dialect with the checksum of each, for the prefix
   * cache's key: an entry holds what setup made, so an edited setup file
   * rebuilds every entry.
   */
  private setupChecksums(dialect: Dialect): string[] {
    const files = isSqlDialect(dialect) ? (this.config.setup[dialect] ?? []) : [];
    return files.map((path) => `${path} ${createHash("sha256").update(this.setupText(path)).digest("hex")}`);
  }

  /**
   * The config's `setup` files of the target's dialect, statement by
   * statement, on a scratch database before its first migration: the state
   * the tree's own runner makes before it migrates. A statement that fails
   * stops the command, naming its file:line:col.
   */
  private async runSetup(driver: SqlSession, target: Target): Promise<void> {
    for (const path of this.config.setup[driver.dialect] ?? []) {
      const text = this.setupText(path);
      for (const s of splitStatements(text)) {
        try {
          await driver.execute(s.text);
        } catch (e) {
          if (!(e instanceof SqlExecError) || e.connectionLost) throw e;
          const at = e.position ? lineCol(text, s.offset + e.position - 1) : { line: s.line, col: s.col };
          throw new StairwayError(
            "E_CONFIG",
            `setup file ${path}:${at.line}:${at.col} failed on target ${target.name}: ${e.message} (setup.${driver.dialect} in ${this.config.path})`,
          );
        }
      }
    }
  }

  /** A setup file's text, read once per command (every scratch database runs it). */
  private setupText(path: string): string {
    let text = this.setupTexts.get(path);
    if (text === undefined) {
      text = readFileSync(path, "utf8");
      this.setupTexts.set(path, text);
    }
    return text;
  }

  private openOptions(target: Target, opts: { readOnly?: boolean } = {}): OpenOptions {
    return { name: target.name, timeouts: timeoutsOf(target), readOnly: opts.readOnly, ...this.waiting(target) };
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

  /** Writes <report-dir>/<command>.json (which `report` reads; `json` is already redacted), and the JUnit XML when given; both listed for `clean`. */
  writeReport(command: string, json: string, junit?: string): void {
    const dir = this.reportDir();
    writeReportFile(dir, `${command}.json`, [json, "\n"]);
    if (junit) writeReportFile(dir, `${command}.junit.xml`, this.redact(junit));
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
