// stairway validate: what can be known without running the stairway — the
// tree (names, duplicates, gaps, missing or empty downs), SQL that does not
// parse (PostgreSQL through its real parser; SQLite and MariaDB/MySQL by
// running each file in order on a scratch database),
// files edited after they were applied, and the committed schema dumps.

import { createTwoFilesPatch } from "diff";
import { SqlExecError, type SqlDriver } from "../stores/contract.ts";
import { parsePostgres } from "../lint/pg-parser.ts";
import {
  appliesTo,
  fileFor,
  problemResults,
  statementsFor,
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

const PG: SqlDialect = "postgres";

/** PostgreSQL files through libpg_query: the first syntax error of each, at file:line:col. */
export async function parsePostgresFiles(migrations: Migration[], target: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let files = 0;
  for (const m of migrations.filter((x) => appliesTo(x, PG))) {
    for (const direction of ["up", "down"] as const) {
      const f = fileFor(m, direction, PG);
      if (!f) continue;
      files++;
      const parsed = await parsePostgres(f.text);
      if (!parsed.ok)
        results.push({
          check: "files.parse",
          target,
          migration: m.id,
          status: "fail",
          message: `${f.path}:${parsed.error.line}:${parsed.error.col}: ${parsed.error.message}`,
          details: { file: f.path, line: parsed.error.line, col: parsed.error.col },
        });
    }
  }
  if (!results.length)
    results.push({
      check: "files.parse",
      target,
      status: "pass",
      message: `${plural(files, "file")} parse${files === 1 ? "s" : ""} as PostgreSQL`,
    });
  return results;
}

/** A syntax error, as SQLite and MariaDB/MySQL word it (the rest parses, but does not apply). */
const SYNTAX = /syntax error|incomplete input|unrecognized token|unterminated|near "|error in your SQL syntax/i;

/**
 * The files of a dialect without a parser here, run in order in a scratch
 * database (SQLite prepares a statement only against the schema it names, so
 * each up runs; each down runs inside a savepoint that is rolled back, or,
 * where DDL commits by itself, for real and followed by its up again).
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
    const upError = await runFile(driver, up);
    if (upError) {
      results.push(fileResult(m, up, upError, target));
      continue; // the schema the next files expect is not there; their errors would be ours
    }
    if (!down) continue;
    if (!driver.capabilities.transactionalDdl) {
      // DDL commits by itself (MySQL): the down runs for real, then the up again, for the next files.
      const downError = await runFile(driver, down);
      if (downError) results.push(fileResult(m, down, downError, target));
      await runFile(driver, up);
      continue;
    }
    await driver.execute("SAVEPOINT stairway_validate");
    const downError = await runFile(driver, down);
    await driver.execute("ROLLBACK TO stairway_validate");
    await driver.execute("RELEASE stairway_validate");
    if (downError) results.push(fileResult(m, down, downError, target));
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

async function runFile(driver: SqlDriver, f: MigrationFile): Promise<FileError | undefined> {
  for (const s of statementsFor(f, driver.dialect)) {
    // Transaction control in a no-transaction file would end our savepoint.
    if (/^(BEGIN|COMMIT|END|ROLLBACK)\b/i.test(s.text)) continue;
    try {
      await driver.execute(s.text);
    } catch (e) {
      const err = e instanceof SqlExecError ? e : new SqlExecError(String(e));
      const at = err.position ? lineCol(f.text, s.offset + err.position - 1) : { line: s.line, col: s.col };
      return { message: err.message, ...at, syntax: SYNTAX.test(err.message) };
    }
  }
  return undefined;
}

function fileResult(m: Migration, f: MigrationFile, e: FileError, target: string): CheckResult {
  return {
    check: "files.parse",
    target,
    migration: m.id,
    // A file that parses but does not apply in order is reported, not failed: the stairway judges it.
    status: e.syntax ? "fail" : "warn",
    message: `${f.path}:${e.line}:${e.col}: ${e.message}${e.syntax ? "" : " (it parses, but does not apply in order on an empty database)"}`,
    details: { file: f.path, line: e.line, col: e.col },
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

/** The committed dump against a scratch database migrated to head. */
export async function dumpDrift(
  driver: SqlDriver,
  dialect: SqlDialect,
  committed: { path: string; text: string } | undefined,
  target: string,
): Promise<CheckResult> {
  const hint = `stairway schema dump --target ${target} --at head > ${committed?.path ?? `sql/schema.${dialect}.sql`}`;
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
