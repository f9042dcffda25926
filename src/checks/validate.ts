// stairway validate: what can be known without running the stairway — the
// tree (names, duplicates, gaps, missing or empty downs), SQL that does not
// parse, every error of each file (PostgreSQL through its real parser; SQLite
// and MariaDB/MySQL by running each statement in order on a scratch database),
// files edited after they were applied, and the committed schema dumps.

import { createTwoFilesPatch } from "diff";
import { SqlExecError, type SqlDriver } from "../stores/contract.ts";
import { loadPgParser } from "../lint/pg-parser.ts";
import { pgSyntaxErrors } from "../lint/pg-statements.ts";
import {
  appliesTo,
  fileFor,
  placeOf,
  problemResults,
  statementsFor,
  whereIn,
  type Migration,
  type MigrationFile,
  type Plan,
  type SqlDialect,
} from "../plan/migration.ts";
import { lineCol } from "../plan/statements.ts";
import { renderSchema } from "../schema/render.ts";
import type { CheckResult } from "../results.ts";
import { status } from "../runner.ts";
import { storeOf } from "../stores/dialects.ts";
import { plural } from "../plural.ts";

export function treeChecks(plan: Plan, target: string): CheckResult[] {
  const results = problemResults(plan, target);
  // Gaps only mean something in small sequential numbers (not timestamps).
  const numbers = [...new Set(plan.migrations.map((m) => m.key))]
    .filter((k) => /^\d+$/.test(k))
    .map(Number)
    .sort((a, b) => a - b);
  if (
    numbers.length &&
    numbers.length === new Set(plan.migrations.map((m) => m.key)).size &&
    numbers.at(-1)! < 100_000
  ) {
    const missing: number[] = [];
    for (let v = numbers[0]!; v < numbers.at(-1)!; v++) if (!numbers.includes(v)) missing.push(v);
    if (missing.length)
      results.push({
        check: "files.naming",
        target,
        status: "warn",
        message: `versions ${missing.join(", ")} are missing from the sequence ${numbers[0]}…${numbers.at(-1)} (a deleted or renumbered migration?)`,
      });
  }
  if (!results.some((r) => r.status === "fail"))
    results.unshift({
      check: "files.naming",
      target,
      status: "pass",
      message: `${plural(plan.migrations.length, "migration")}, well named, each up with its down`,
    });
  return results;
}

/**
 * Files of a dialect with a parser here (PostgreSQL's, through libpg_query):
 * every syntax error of each file, at file:line:col (after the first, each
 * statement is parsed on its own).
 */
export async function parseWithParser(
  migrations: Migration[],
  dialect: SqlDialect,
  target: string,
): Promise<CheckResult[]> {
  const pg = await loadPgParser();
  const results: CheckResult[] = [];
  let files = 0;
  for (const m of migrations.filter((x) => appliesTo(x, dialect))) {
    for (const direction of ["up", "down"] as const) {
      const f = fileFor(m, direction, dialect);
      if (!f) continue;
      files++;
      for (const e of pgSyntaxErrors(pg, f.text)) results.push(fileResult(m, f, { ...e, syntax: true }, target));
    }
  }
  if (!results.length)
    results.push({
      check: "files.parse",
      target,
      status: "pass",
      message: `${plural(files, "file")} parse${files === 1 ? "s" : ""} as ${storeOf(dialect).label}`,
    });
  return results;
}

/** A syntax error, as SQLite and MariaDB/MySQL word it (the rest parses, but does not apply). */
const SYNTAX = /syntax error|incomplete input|unrecognized token|unterminated|near "|error in your SQL syntax/i;

/**
 * The files of a dialect without a parser here, run in order in a scratch
 * database, statement by statement (SQLite prepares a statement only against
 * the schema it names, so each up runs; each down runs inside a savepoint
 * that is rolled back, or, where DDL commits by itself, for real and followed
 * by its up again). Every statement of a file is tried, so every error of
 * a file is reported; a statement that fails changes nothing, and the ones
 * after it run against the state the tree had built so far. The down of an
 * up that failed is still read for syntax errors, but its other errors would
 * be the up's, and are not reported.
 */
export async function parseByRunning(
  driver: SqlDriver,
  migrations: Migration[],
  target: string,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let files = 0;
  for (const m of migrations.filter((x) => appliesTo(x, driver.dialect))) {
    const down = fileFor(m, "down", driver.dialect);
    const up = fileFor(m, "up", driver.dialect)!;
    files += down ? 2 : 1;
    const upErrors = await runFile(driver, up);
    for (const e of upErrors) results.push(fileResult(m, up, e, target));
    if (!down) continue;
    if (!driver.capabilities.transactionalDdl) {
      // DDL commits by itself (MySQL): the down runs for real, then the up again, for the next files.
      const downErrors = await runFile(driver, down);
      for (const e of downErrors) if (e.syntax || !upErrors.length) results.push(fileResult(m, down, e, target));
      await runFile(driver, up);
      continue;
    }
    await driver.execute("SAVEPOINT stairway_validate");
    const downErrors = await runFile(driver, down);
    await driver.execute("ROLLBACK TO stairway_validate");
    await driver.execute("RELEASE stairway_validate");
    for (const e of downErrors) if (e.syntax || !upErrors.length) results.push(fileResult(m, down, e, target));
  }
  if (!results.length)
    results.push({
      check: "files.parse",
      target,
      status: "pass",
      message: `${plural(files, "file")} parse${files === 1 ? "s" : ""} and appl${files === 1 ? "ies" : "y"} in order on ${storeOf(driver.dialect).label}`,
    });
  return results;
}

interface FileError {
  message: string;
  line: number;
  col: number;
  syntax: boolean;
}

async function runFile(driver: SqlDriver, f: MigrationFile): Promise<FileError[]> {
  const errors: FileError[] = [];
  for (const s of statementsFor(f, driver.dialect)) {
    // Transaction control in a no-transaction file would end our savepoint.
    if (/^(BEGIN|COMMIT|END|ROLLBACK)\b/i.test(s.text)) continue;
    // With its semicolon, so that an error at its end reads "near ";"" at a column, not "incomplete input".
    const end = s.offset + s.text.length;
    try {
      await driver.execute(driver.capabilities.transactionalDdl && f.sql[end] === ";" ? `${s.text};` : s.text);
    } catch (e) {
      const err = e instanceof SqlExecError ? e : new SqlExecError(String(e));
      const at = err.position ? lineCol(f.text, s.offset + err.position - 1) : { line: s.line, col: s.col };
      errors.push({ message: err.message, ...at, syntax: SYNTAX.test(err.message) });
    }
  }
  return errors;
}

function fileResult(m: Migration, f: MigrationFile, e: FileError, target: string): CheckResult {
  return {
    check: "files.parse",
    target,
    migration: m.id,
    // A file that parses but does not apply in order is reported, not failed: the stairway judges it.
    status: e.syntax ? "fail" : "warn",
    message: `${whereIn(f, e)}: ${e.message}${e.syntax ? "" : " (it parses, but does not apply in order on an empty database)"}`,
    details: { file: placeOf(f, e.line).path, line: placeOf(f, e.line).line, col: e.col },
  };
}

/** Applied versions whose file changed since (needs the database: --db). */
export async function checksumDrift(
  driver: SqlDriver,
  migrations: Migration[],
  target: string,
): Promise<CheckResult[]> {
  const states = await status({ driver, target, migrations, lockTimeoutMs: 0 });
  const out: CheckResult[] = states
    .filter((s) => s.state === "drifted" || s.state === "missing-file")
    .map((s) => ({
      check: "files.checksum-drift",
      target,
      migration: `${s.version}_${s.name}`,
      status: s.state === "drifted" ? "fail" : "warn",
      message:
        s.state === "drifted"
          ? `${s.version}_${s.name} was applied on ${target} at ${s.appliedAt}, and its file has changed since: restore it, or add a new migration for the change`
          : `${s.version}_${s.name} is applied on ${target} but its files are gone from the tree`,
    }));
  if (!out.length)
    out.push({
      check: "files.checksum-drift",
      target,
      status: "pass",
      message: `${plural(states.filter((s) => s.state === "applied").length, "applied file")} unchanged`,
    });
  return out;
}

/**
 * The committed dump (at `path`) against a scratch database migrated to head.
 * `dumpFrom`: how `schema dump` names the database, for the hint
 * (`--target sqlite`; `--db URL` when no target was named).
 */
export async function dumpDrift(
  driver: SqlDriver,
  dialect: SqlDialect,
  committed: { path: string; text: string } | undefined,
  target: string,
  dump: { path: string; from: string },
): Promise<CheckResult> {
  const hint = `stairway schema dump ${dump.from} --at head > ${dump.path}`;
  if (!committed)
    return {
      check: "schema.dump-drift",
      target,
      status: "skip",
      message: `no committed schema dump for ${dialect}: write one with "${hint}"`,
    };
  const head = renderSchema(await driver.introspect());
  if (head.trimEnd() === committed.text.trimEnd())
    return {
      check: "schema.dump-drift",
      target,
      status: "pass",
      message: `${committed.path} matches the schema at head`,
    };
  const diff = createTwoFilesPatch(
    committed.path,
    `${dialect} at head`,
    committed.text.trimEnd() + "\n",
    head.trimEnd() + "\n",
    "",
    "",
    { context: 3 },
  )
    .split("\n")
    .filter((l) => !l.startsWith("===") && !l.startsWith("Index:"))
    .join("\n")
    .trimEnd();
  return {
    check: "schema.dump-drift",
    target,
    status: "fail",
    message: `${committed.path} is not the schema the migrations give at head: update it with "${hint}" (and review the diff)`,
    details: { diff },
  };
}
