// stairway validate: the tree, the SQL, applied files and committed dumps.
//
// The files are read in the dialect they are written for: the configured
// targets' (--db, the config, DATABASE_URL), narrowed by --dialect; with no
// target, --dialect, else what the tree says of itself (src/plan/tree-dialects.ts),
// else SQLite. A dialect with a parser here (PostgreSQL) needs no database;
// another is run on a scratch database (SQLite: in memory).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checksumDrift, dumpDrift, parseByRunning, parseWithParser, treeChecks } from "../checks/validate.ts";
import { usesPgParser } from "../lint/lint.ts";
import { parseDialect } from "../lint/inputs.ts";
import { dialectList, isSqlDialect, storeOf } from "../stores/dialects.ts";
import { usageError, type ExitCode } from "../errors.ts";
import type { SqlDialect } from "../plan/migration.ts";
import { treeDialects } from "../plan/tree-dialects.ts";
import type { SqlDriver } from "../stores/contract.ts";
import { renderValidate } from "../report/validate-console.ts";
import { listed } from "../plural.ts";
import type { CheckResult } from "../results.ts";
import * as runner from "../runner.ts";
import type { GlobalFlags, Session } from "../session.ts";
import type { Target } from "../targets.ts";
import { finish, progress, withSession } from "./common.ts";

type Flags = GlobalFlags & { dialect?: string };

/** A target the files are read for; `parseOnly` when no database of that dialect was named. */
interface Reading {
  target: Target;
  parseOnly: boolean;
}

export default async function validateCommand(flags: Flags): Promise<ExitCode> {
  const dialect = flags.dialect === undefined ? undefined : parseDialect(String(flags.dialect));
  if (flags.dialect !== undefined && !dialect)
    throw usageError(`--dialect ${flags.dialect}: expected ${dialectList("sql")}`);
  return withSession(flags, async (session) => {
    const { readings, note } = readingsOf(session, dialect);
    for (const { target } of readings) session.plan(target); // every tree found before the first scratch database is made
    const say = progress(session);
    const results: CheckResult[] = [];
    const done = new Set<string>();
    for (const { target: t, parseOnly } of readings) {
      const plan = session.plan(t);
      const tree = treeOf(session, t);
      if (!done.has(tree)) results.push(...treeChecks(plan, t.name));
      const key = `${tree}\u0000${t.dialect}`;
      if (!done.has(key)) {
        say(`${t.name}: parsing ${tree}`);
        const sqlDialect = t.dialect as SqlDialect;
        // A dialect with a real parser is parsed; any other is run, in order, on a scratch database.
        if (usesPgParser(sqlDialect)) results.push(...(await parseWithParser(plan.migrations, sqlDialect, t.name)));
        else if (parseOnly)
          results.push({
            check: "files.parse",
            target: t.name,
            status: "skip",
            message: `no ${storeOf(t.dialect).label} database to run the files on: name one with --db`,
          });
        else
          results.push(
            ...(await parseByRunning((await session.scratch(t, "parse", "validate")).driver, plan.migrations, t.name)),
          );
        const blocked = plan.problems.some((p) => p.blocking);
        const dumpPath = join(tree, `schema.${t.dialect}.sql`);
        const committed = existsSync(dumpPath) ? { path: dumpPath, text: readFileSync(dumpPath, "utf8") } : undefined;
        if (blocked)
          results.push({
            check: "schema.dump-drift",
            target: t.name,
            status: "skip",
            message: "the tree has problems: fix them first",
          });
        else if (parseOnly && committed)
          results.push({
            check: "schema.dump-drift",
            target: t.name,
            status: "skip",
            message: `no ${storeOf(t.dialect).label} database to migrate to head and compare with ${dumpPath}: name one with --db`,
          });
        else
          results.push(
            await dumpAtHead(session, t, committed, {
              path: dumpPath,
              from: parseOnly ? `--db ${storeOf(t.dialect).example}` : `--target ${t.name}`,
            }),
          );
      }
      done.add(tree);
      done.add(key);
      // Applied files are checked on the databases named on the command line only.
      if (session.flags.db?.length && !parseOnly && !plan.problems.some((p) => p.blocking))
        results.push(
          ...(await checksumDrift(
            await session.openBookkept<SqlDriver>(t, { readOnly: true }),
            plan.migrations,
            t.name,
          )),
        );
    }
    say("");
    return finish(session, {
      command: "validate",
      targets: readings.map((r) => r.target),
      results,
      render: (r) => renderValidate(r.results, note),
    });
  });
}

/**
 * What the files are read as, and on what: the targets named (of --dialect
 * only, when given); else --dialect, else the tree's own dialects, else the
 * default target (SQLite in memory). `note` says why, when no target did.
 */
function readingsOf(session: Session, dialect: SqlDialect | undefined): { readings: Reading[]; note?: string } {
  const named = session.flags.db?.length || Object.keys(session.config.databases).length || session.env.DATABASE_URL;
  if (named) {
    const targets = session.targets(false).filter((t) => isSqlDialect(t.dialect));
    if (!dialect) return { readings: targets.map((target) => ({ target, parseOnly: false })) };
    const of = targets.filter((t) => t.dialect === dialect);
    if (of.length) return { readings: of.map((target) => ({ target, parseOnly: false })) };
    return {
      readings: [{ target: parseOnlyTarget(dialect), parseOnly: true }],
      note: `read as ${storeOf(dialect).label} (--dialect); no target of that dialect is named, so nothing is run`,
    };
  }
  const fallback = session.targets(true)[0]!; // nothing named: the default target, SQLite in memory
  const tree = treeOf(session, undefined);
  const said = dialect ? { dialects: [dialect], why: "--dialect" } : treeDialects(session.plan(), tree);
  const dialects = said?.dialects ?? [fallback.dialect as SqlDialect];
  const readings = dialects.map((d) =>
    d === fallback.dialect ? { target: fallback, parseOnly: false } : { target: parseOnlyTarget(d), parseOnly: true },
  );
  const labels = listed(dialects.map((d) => storeOf(d).label));
  const note = said
    ? `read as ${labels}: ${said.why}`
    : `read as ${labels}: nothing in ${tree} says which dialect it is written for (--dialect names it)`;
  return { readings, note };
}

/** A target of a dialect with no database behind it: its files are parsed, nothing is run. */
function parseOnlyTarget(dialect: SqlDialect): Target {
  const store = storeOf(dialect);
  return {
    name: store.id,
    dialect,
    url: { store: store.id as Target["url"]["store"], dialect, raw: "", redacted: "(no database)", params: {} },
    limits: {},
  };
}

function treeOf(session: Session, t: Target | undefined): string {
  return session.flags.sql ?? t?.migrations ?? session.config.migrations.sql;
}

async function dumpAtHead(
  session: Session,
  t: Target,
  committed: { path: string; text: string } | undefined,
  dump: { path: string; from: string },
): Promise<CheckResult> {
  if (!committed) return dumpDrift(undefined as never, t.dialect as SqlDialect, undefined, t.name, dump);
  const { driver } = await session.scratch(t, "dump");
  const up = await runner.up({
    driver,
    target: t.name,
    migrations: session.plan(t).migrations,
    lockTimeoutMs: runner.LOCK_TIMEOUT_MS,
  });
  const failed = up.find((r) => r.status === "fail");
  if (failed)
    return {
      check: "schema.dump-drift",
      target: t.name,
      status: "fail",
      message: `cannot migrate a scratch database to head: ${failed.message}`,
    };
  return dumpDrift(driver, t.dialect as SqlDialect, committed, t.name, dump);
}
