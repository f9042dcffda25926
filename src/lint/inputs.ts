// Which files to lint, as which dialect (README "Safety lint"): `--dialect`,
// else the file's name (up.postgres.sql), else each dialect the configured
// targets use, else postgres. In a tree, a dialect lints the file the runner
// would apply for it (the override when there is one, nothing when the
// migration skips that dialect).

import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { StairwayError } from "../errors.ts";
import {
  appliesTo,
  fileFor,
  type Direction,
  type Migration,
  type MigrationFile,
  type Plan,
  type SqlDialect,
} from "../plan/migration.ts";
import { dialectNamed, isSqlDialect } from "../stores/dialects.ts";
import { decodeUtf8, invalidUtf8Message } from "../plan/utf8.ts";
import type { LintInput } from "./lint.ts";

/** The SQL dialect a name means (postgres, pg, postgresql, sqlite, sqlite3, …). */
export function parseDialect(s: string): SqlDialect | undefined {
  const d = dialectNamed(s);
  return d && isSqlDialect(d) ? d : undefined;
}

/** Every SQL file of a tree, once per dialect in `dialects` that runs it. */
export function treeInputs(plan: Plan, dialects: SqlDialect[]): LintInput[] {
  const out: LintInput[] = [];
  for (const m of plan.migrations) {
    if (m.store !== "sql") continue;
    for (const d of dialects) {
      if (!appliesTo(m, d)) continue;
      for (const direction of ["up", "down"] as Direction[]) {
        const file = fileFor(m, direction, d);
        if (file) out.push(inputOf(m, file, d));
      }
    }
  }
  return dedupe(out);
}

function inputOf(m: Migration, file: MigrationFile, dialect: SqlDialect): LintInput {
  const up = file.direction === "down" ? fileFor(m, "up", dialect) : undefined;
  return {
    path: file.path,
    ...(file.pieces ? { pieces: file.pieces } : {}),
    text: file.text,
    dialect,
    direction: file.direction,
    migration: m.id,
    noTransaction: file.directives.noTransaction,
    ...(up ? { upText: up.text, upNoTransaction: up.directives.noTransaction } : {}),
  };
}

/**
 * A file named on the command line: when it belongs to the tree, linted for the
 * dialects that run it there; otherwise by its name, else the defaults.
 */
export function fileInputs(
  path: string,
  plan: Plan,
  flagDialect: SqlDialect | undefined,
  defaults: SqlDialect[],
): LintInput[] {
  // One file may be two (the up and down sections of a dbmate or goose file).
  const found = filesOf(plan).get(resolve(path));
  if (found)
    return found.flatMap(({ m, file }) => {
      const runs = flagDialect
        ? [flagDialect]
        : file.dialect
          ? [file.dialect]
          : defaults.filter((d) => appliesTo(m, d) && fileFor(m, file.direction, d) === file);
      const dialects = runs.length ? runs : [file.dialect ?? defaults[0]!];
      return dialects.map((d) => ({ ...inputOf(m, file, d), path }));
    });
  const text = readFileSync(path, "utf8");
  const name = basename(path);
  const direction: Direction = /(^|[._])down([._]|$)/i.test(name) ? "down" : "up";
  const named = name
    .replace(/\.sql$/i, "")
    .split(".")
    .slice(1)
    .map(parseDialect)
    .find((d) => d !== undefined);
  const dialects = flagDialect ? [flagDialect] : named ? [named] : defaults;
  const upPath = direction === "down" ? join(dirname(path), name.replace(/down/i, "up")) : undefined;
  const upText = upPath && existsSync(upPath) ? readFileSync(upPath, "utf8") : undefined;
  const migration = migrationId(path);
  return dialects.map((dialect) => ({
    path,
    text,
    dialect,
    direction,
    ...(migration ? { migration } : {}),
    ...(upText !== undefined ? { upText } : {}),
  }));
}

/** The path names a file of the tree. */
export function isTreeFile(plan: Plan, path: string): boolean {
  return filesOf(plan).has(resolve(path));
}

const indexes = new WeakMap<Plan, Map<string, { m: Migration; file: MigrationFile }[]>>();

/** The plan's files by absolute path (built once: a command line may name hundreds). */
function filesOf(plan: Plan): Map<string, { m: Migration; file: MigrationFile }[]> {
  let index = indexes.get(plan);
  if (index) return index;
  index = new Map();
  for (const m of plan.migrations)
    for (const direction of ["up", "down"] as Direction[])
      for (const file of Object.values(m.files[direction])) {
        if (!file) continue;
        const key = resolve(file.path);
        index.set(key, [...(index.get(key) ?? []), { m, file }]);
      }
  indexes.set(plan, index);
  return index;
}

function migrationId(path: string): string | undefined {
  const dir = basename(dirname(resolve(path)));
  if (/^\d+_[^.\s]+$/.test(dir)) return dir;
  return /^(\d+_[^.]+)\./.exec(basename(path))?.[1];
}

export function dedupe(inputs: LintInput[]): LintInput[] {
  const seen = new Set<string>();
  return inputs.filter((i) => {
    const key = `${resolve(i.path)}\u0000${i.dialect}\u0000${i.direction}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Refuses files that are not UTF-8, every one named with its first bad byte
 * (a tree problem, as `up` and `validate` report it). Only a text holding
 * U+FFFD can be one: its bytes are read again to tell.
 */
export function refuseInvalidUtf8(inputs: LintInput[]): void {
  const suspects = new Set(inputs.filter((i) => i.text.includes("\uFFFD")).map((i) => i.path));
  const problems: string[] = [];
  for (const path of suspects) {
    const bad = decodeUtf8(readFileSync(path)).invalid;
    if (bad) problems.push(invalidUtf8Message(path, bad));
  }
  if (problems.length) throw new StairwayError("E_TREE", problems[0]!, { more: problems.slice(1) });
}
