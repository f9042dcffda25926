// stairway safety [FILES…] (alias lint): dangerous operations in migration
// files, per dialect, with rule ids, file:line:col and a fix hint. Files named
// on the command line, else the tree. Needs no database.

import { readdirSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { usageError, type ExitCode } from "../errors.ts";
import type { Plan, SqlDialect } from "../plan/migration.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { renderSarif } from "../lint/format-sarif.ts";
import { renderText } from "../lint/format-text.ts";
import { dedupe, fileInputs, isTreeFile, parseDialect, refuseInvalidUtf8, treeInputs } from "../lint/inputs.ts";
import type { PresetTimeouts } from "../lint/facts.ts";
import { lint, usesPgParser, type LintInput } from "../lint/lint.ts";
import { loadPgParser } from "../lint/pg-parser.ts";
import { toResults } from "../lint/results.ts";
import { RULES } from "../lint/rules/index.ts";
import { dialectList, isSqlDialect, SQL_DIALECTS, storeById } from "../stores/dialects.ts";
import { finish, withSession } from "./common.ts";

type Flags = GlobalFlags & { format?: string; dialect?: string };
/** The dialect files are linted as when neither --dialect, the file's name nor a configured target says. */
const DEFAULT_DIALECT: SqlDialect = "postgres";
const FORMATS = ["text", "json", "sarif"];

export default async function safetyCommand(flags: Flags, args: string[]): Promise<ExitCode> {
  // --dialect postgres needs the parser for sure: its WASM starts compiling
  // before the config is read (else once the config names a PostgreSQL target).
  const named = flags.dialect === undefined ? undefined : parseDialect(String(flags.dialect));
  if (named && usesPgParser(named)) loadPgParser().catch(() => {});
  // Linting runs most code once or a few thousand times, too few for the JIT
  // to pay back its compile time (bench-lint, 2,006 statements: median
  // 588–616 ms at the normal policy, 542–545 ms at ×100, same machine and
  // hour). A Bun knob; the Node.js build has none.
  // https://bun.com/docs/bundler/executables#jit-policy
  const bun = (globalThis as { Bun?: typeof Bun }).Bun;
  bun?.unsafe.setJITPolicy(100);
  try {
    return await safety(flags, args);
  } finally {
    bun?.unsafe.setJITPolicy(1);
  }
}

async function safety(flags: Flags, args: string[]): Promise<ExitCode> {
  const format = String(flags.format ?? (flags.json ? "json" : "text")).toLowerCase();
  if (!FORMATS.includes(format)) throw usageError(`--format ${flags.format}: expected text, json or sarif`);
  const dialect = flags.dialect === undefined ? undefined : parseDialect(String(flags.dialect));
  if (flags.dialect !== undefined && !dialect)
    throw usageError(`--dialect ${flags.dialect}: expected ${dialectList("sql")}`);

  // --format json is --json: finish() prints the report's JSON; render() draws text or SARIF.
  return withSession({ ...flags, json: flags.json || format === "json" }, async (session) => {
    const targets = sqlTargets(session);
    const configured = [...new Set(targets.map((t) => t.dialect as SqlDialect))];
    const defaults = dialect ? [dialect] : configured.length ? configured : [DEFAULT_DIALECT];
    // Started now (if not already), the PostgreSQL parser's WASM (~65 ms) compiles on another core while the files are read (its errors surface when it is used).
    if (defaults.some(usesPgParser)) loadPgParser().catch(() => {});
    // Each argument is looked at once, to prove it exists and tell a directory;
    // a file of the tree was read with it (hundreds of files named is common).
    const dirs = new Set<string>();
    for (const a of args) {
      if (a.endsWith(".sql") && isTreeFile(session.plan(undefined, { mayBeAbsent: true }), a)) continue;
      const stat = statOf(a);
      if (!stat)
        throw usageError(`${a} does not exist (pass migration files or directories, or nothing to lint the tree)`);
      if (stat.isDirectory()) dirs.add(a);
    }
    const preset = presetTimeouts(targets);
    const inputs = dedupe(
      args.length
        ? args.flatMap((a) => argInputs(session, a, dirs.has(a), dialect, defaults))
        : treeOf(session, targets, dialect, defaults),
    ).map((i) => (preset[i.dialect] ? { ...i, preset: preset[i.dialect] } : i));
    refuseInvalidUtf8(inputs);
    const results = toResults(await lint(inputs));
    const linted = [...new Set(inputs.map((i) => i.dialect))].sort(
      (a, b) => SQL_DIALECTS.indexOf(a) - SQL_DIALECTS.indexOf(b),
    );
    return finish(session, {
      command: "safety",
      targets: targets.filter((t) => linted.includes(t.dialect as SqlDialect)),
      results,
      noLayoutLine: format === "sarif",
      render: (report) => {
        if (format === "sarif") return renderSarif(report, RULES);
        return renderText(report, { files: new Set(inputs.map((i) => i.path)).size, dialects: linted });
      },
    });
  });
}

/**
 * Per dialect, the timeouts every configured target of that dialect has the
 * runner set (lint counts them as in force). A store that never enforces them
 * (PGlite) says nothing about the servers the files will run on: its targets
 * are left out.
 */
function presetTimeouts(targets: Target[]): Partial<Record<SqlDialect, PresetTimeouts>> {
  const out: Partial<Record<SqlDialect, PresetTimeouts>> = {};
  for (const d of SQL_DIALECTS) {
    const of = targets.filter((t) => t.dialect === d && !storeById(t.url.store).ignoresTimeouts);
    if (!of.length) continue;
    out[d] = {
      lock_timeout: of.every((t) => t.limits.lock_timeout !== undefined && t.limits.lock_timeout > 0),
      statement_timeout: of.every((t) => t.limits.statement_timeout !== undefined && t.limits.statement_timeout > 0),
    };
  }
  return out;
}

/** The configured SQL targets (no connection is made); none when nothing names a target. */
function sqlTargets(session: Session): Target[] {
  const named = session.flags.db?.length || Object.keys(session.config.databases).length || session.env.DATABASE_URL;
  if (!named) return [];
  return session.targets(false).filter((t) => isSqlDialect(t.dialect));
}

/** The tree of each target (its own `migrations:` dir, else --sql / the config), linted for the dialects that use it. */
function treeOf(
  session: Session,
  targets: Target[],
  dialect: SqlDialect | undefined,
  defaults: SqlDialect[],
): LintInput[] {
  if (dialect || targets.length === 0) return treeInputs(session.plan(), defaults);
  const byTree = new Map<Plan, SqlDialect[]>();
  for (const t of targets) {
    const plan = session.plan(t);
    const list = byTree.get(plan) ?? [];
    if (!list.includes(t.dialect as SqlDialect)) list.push(t.dialect as SqlDialect);
    byTree.set(plan, list);
  }
  return [...byTree].flatMap(([plan, dialects]) => treeInputs(plan, dialects));
}

/** A file; a directory that is a migration tree; or any other directory (one migration's, say): its .sql files. */
function argInputs(
  session: Session,
  arg: string,
  isDir: boolean,
  dialect: SqlDialect | undefined,
  defaults: SqlDialect[],
): LintInput[] {
  if (!isDir) return fileInputs(arg, session.plan(undefined, { mayBeAbsent: true }), dialect, defaults);
  const plan = session.planOf(arg);
  if (plan.migrations.some((m) => m.store === "sql")) return treeInputs(plan, defaults);
  return sqlFilesIn(arg).flatMap((f) =>
    fileInputs(f, session.plan(undefined, { mayBeAbsent: true }), dialect, defaults),
  );
}

/** Like existsSync, an unreadable path is one that does not exist. */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function sqlFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith("."))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) =>
      e.isDirectory() ? sqlFilesIn(join(dir, e.name)) : e.name.endsWith(".sql") ? [join(dir, e.name)] : [],
    );
}
