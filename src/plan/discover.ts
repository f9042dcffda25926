// Reads migration trees into a Plan: every problem of a tree is collected and
// reported together, never one at a time.

import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { dialectNamed, isSqlDialect, storeOf } from "../stores/dialects.ts";
import { mergeDirectives, parseDirectives } from "./directives.ts";
import {
  allFiles,
  blankOutside,
  dirsIn,
  filesIn,
  listTree,
  pathIn,
  type Layout,
  type LayoutEntry,
  type LayoutId,
  type Section,
} from "./layouts/layout.ts";
import { readTree } from "./layouts/read-tree.ts";
import { stairway } from "./layouts/stairway.ts";
import { isEmptySql, splitStatements, type Statement } from "./statements.ts";
import {
  holdsOwnTransactions,
  MAY_HOLD_TX_CONTROL,
  strayTxMessage,
  txShape,
  withoutWrapper,
} from "./transaction-control.ts";
import { decodeUtf8, invalidUtf8Message } from "./utf8.ts";
import {
  compareVersions,
  fileFor,
  placeOf,
  whereIn,
  type Direction,
  type Migration,
  type MigrationFile,
  type Plan,
  type PlanLayout,
  type SqlDialect,
  type Store,
  type TreeProblem,
  versionKey,
} from "./migration.ts";

export interface TreeOptions {
  /** Directory of SQL migrations; absent or missing means none. */
  sqlDir?: string;
  /** Directory of Redis transforms (`NNN_name.ts`). */
  redisDir?: string;
  /** The config's `layout.pattern`: a regex over paths relative to sqlDir. */
  pattern?: RegExp;
  /** The preset named by `--layout` or the config's `layout.preset`; detected from the tree when absent. */
  preset?: { id: LayoutId; given: "--layout" | "layout.preset" };
}

type Entry = LayoutEntry;

const REDIS_FILE = /^(?<version>\d+)_(?<name>[^.\s]+)\.ts$/;

export function loadPlan(opts: TreeOptions): Plan {
  const problems: TreeProblem[] = [];
  const entries: Entry[] = [];
  const notes: string[] = [];
  let reader: Layout = stairway;
  let layout: PlanLayout | undefined;
  if (opts.sqlDir && isDirectoryPath(opts.sqlDir)) {
    if (opts.pattern) {
      scanWithPattern(opts.sqlDir, opts.pattern, entries, problems);
      layout = { pattern: opts.pattern.source, detected: false };
    } else {
      const read = readTree(opts.sqlDir, opts.preset, problems);
      reader = read.layout;
      layout = read.info;
      entries.push(...read.entries);
      notes.push(...read.notes);
    }
  }
  const redis: { version: string; name: string; path: string }[] = [];
  if (opts.redisDir && isDirectoryPath(opts.redisDir)) {
    const tree = listTree(opts.redisDir);
    for (const b of tree.broken)
      problems.push({ check: "files.naming", path: b.path, blocking: true, message: b.message });
    for (const d of dirsIn(tree).filter((d) => d.endsWith(".ts")))
      problems.push({
        check: "files.naming",
        path: pathIn(tree, d),
        blocking: true,
        message: `${pathIn(tree, d)} is a directory, not a file`,
      });
    for (const f of filesIn(tree)) {
      if (f.startsWith(".") || f.endsWith(".d.ts") || !f.endsWith(".ts")) continue;
      const m = REDIS_FILE.exec(f);
      const path = pathIn(tree, f);
      if (m) redis.push({ version: m.groups!.version!, name: m.groups!.name!, path });
      else
        problems.push({
          check: "files.naming",
          path,
          blocking: true,
          message: `${path} is not named <version>_<name>.ts (e.g. 007_update_session_key_format.ts)`,
        });
    }
  }
  const { migrations, upOnly, ownTransactions } = assemble(entries, redis, problems, reader);
  if (ownTransactions)
    notes.push(
      `${ownTransactions.toLocaleString("en-US")} ${ownTransactions === 1 ? "file holds its" : "files hold their"} own BEGIN … COMMIT: run as written, outside stairway's transaction, as ${reader.id} sends ${ownTransactions === 1 ? "it" : "them"}`,
    );
  return { migrations, problems, notes, upOnly, ...(layout ? { layout } : {}) };
}

function scanWithPattern(root: string, pattern: RegExp, entries: Entry[], problems: TreeProblem[]): void {
  const tree = listTree(root);
  for (const b of tree.broken)
    problems.push({ check: "files.naming", path: b.path, blocking: true, message: b.message });
  for (const rel of allFiles(tree)) {
    const path = pathIn(tree, rel);
    const m = pattern.exec(rel);
    if (!m?.groups?.version) {
      if (path.endsWith(".sql") && !/(^|\/)schema\.[\w-]+\.sql$/.test(rel))
        problems.push({
          check: "files.naming",
          path,
          blocking: true,
          message: `${path} does not match layout.pattern ${pattern.source}`,
        });
      continue;
    }
    const direction = (m.groups.direction ?? "").toLowerCase();
    if (direction !== "up" && direction !== "down") {
      problems.push({
        check: "files.naming",
        path,
        blocking: true,
        message: `${path}: layout.pattern gave direction "${m.groups.direction ?? ""}", expected up or down`,
      });
      continue;
    }
    const dialect = m.groups.dialect ? dialectOf(m.groups.dialect.toLowerCase()) : undefined;
    if (m.groups.dialect && !dialect) {
      problems.push({
        check: "files.naming",
        path,
        blocking: true,
        message: `${path}: layout.pattern gave dialect "${m.groups.dialect}", expected sqlite or postgres`,
      });
      continue;
    }
    entries.push({ version: m.groups.version, name: m.groups.name ?? "", direction, dialect, path });
  }
}

function dialectOf(s: string | undefined): SqlDialect | undefined {
  const d = s ? dialectNamed(s) : undefined;
  return d && isSqlDialect(d) ? d : undefined;
}

/**
 * A file as read: its text (strict UTF-8: a bad byte is a problem naming it)
 * and directives. A SQL file is made `runnable` once its layout said whether
 * it runs in a transaction.
 */

/** A directory to read; anything else (absent, a file, a loop) is no tree: the session says why when it matters. */
function isDirectoryPath(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readMigrationFile(
  path: string,
  direction: Direction,
  dialect: SqlDialect | undefined,
  problems: TreeProblem[],
): MigrationFile {
  const bytes = readFileSync(path);
  const { text, invalid } = decodeUtf8(bytes);
  if (invalid)
    problems.push({
      check: "files.parse",
      path,
      line: invalid.line,
      blocking: true,
      message: invalidUtf8Message(path, invalid),
    });
  const { directives, problems: dp } = parseDirectives(text);
  for (const p of dp)
    problems.push({
      check: "files.parse",
      path,
      line: p.line,
      blocking: true,
      message: `${path}:${p.line}: ${p.message}`,
    });
  // Hashed when asked for: the runner and validate need it, the linter (hundreds of files) does not.
  let checksum: string | undefined;
  const sum = () => (checksum ??= createHash("sha256").update(bytes).digest("hex"));
  return runnable({ path, direction, dialect, text, directives }, sum, undefined);
}

/**
 * Files joined into one, in the order they run (popx's pieces of one
 * migration), each on lines of its own: a piece whose last statement has no
 * semicolon gets one on a line after it. `pieces` says where each starts.
 */
function readPieces(
  paths: string[],
  direction: Direction,
  dialect: SqlDialect | undefined,
  problems: TreeProblem[],
): MigrationFile {
  let text = "";
  let line = 1;
  const pieces: { path: string; line: number }[] = [];
  for (const path of paths) {
    const piece = readMigrationFile(path, direction, dialect, problems).text;
    const last = splitStatements(piece).at(-1);
    const open = last !== undefined && !/^\s*;/.test(piece.slice(last.offset + last.text.length));
    const part = `${piece}${piece.endsWith("\n") ? "" : "\n"}${open ? ";\n" : ""}`;
    pieces.push({ path, line });
    text += part;
    line += part.split("\n").length - 1;
  }
  const { directives } = parseDirectives(text);
  let checksum: string | undefined;
  const sum = () => (checksum ??= createHash("sha256").update(text).digest("hex"));
  return runnable({ path: paths[0]!, direction, dialect, text, directives, pieces }, sum, undefined);
}

/**
 * A file with what the runner sends (`sql`, `statements`): its text, except
 * that a whole-file BEGIN … COMMIT wrapper of a file run in a transaction is
 * blanked out; any other transaction control there is a problem naming its
 * line (transaction-control.ts). Checked once the layout said whether the
 * file runs in a transaction; `problems` undefined: a transform, not SQL.
 */
function runnable(
  f: Pick<MigrationFile, "path" | "direction" | "dialect" | "text" | "directives" | "pieces">,
  checksum: () => string,
  problems: TreeProblem[] | undefined,
): MigrationFile {
  let runs = f.text;
  let statements: Statement[] | undefined;
  // A dialect's own file is split by that dialect's lexical rules (a MySQL file's DELIMITER blocks),
  // and where DDL commits by itself it runs as written: its transaction control is its own.
  const store = f.dialect && storeOf(f.dialect);
  const syntax = store ? store.syntax : undefined;
  const asWritten = f.directives.noTransaction || (store && store.ddlCommits);
  // Most files hold none of the words: they are not split here (a seed file can be 50 MB).
  if (problems && !asWritten && MAY_HOLD_TX_CONTROL.test(f.text)) {
    statements = splitStatements(f.text, Infinity, syntax);
    const { wrapper, stray } = txShape(statements);
    if (stray)
      problems.push({
        check: "files.parse",
        ...placeOf(f, stray.line),
        blocking: true,
        message: strayTxMessage(whereIn(f, stray), stray),
      });
    else if (wrapper) {
      runs = withoutWrapper(f.text, wrapper);
      statements = statements.slice(1, -1);
    }
  }
  return {
    ...f,
    sql: runs,
    // Split when first asked for: the runner needs them, the plan of a tree mostly does not.
    get statements() {
      return (statements ??= splitStatements(runs, Infinity, syntax));
    },
    get checksum() {
      return checksum();
    },
  };
}

/** A section of a single-file migration (dbmate, goose): the whole file with the other section blanked. */
function sectionFile(
  whole: MigrationFile,
  text: string,
  direction: Direction,
  section: Section,
  problems: TreeProblem[],
): MigrationFile {
  const blanked = blankOutside(text, section.start, section.end);
  // Directive problems were reported once, for the whole file.
  const { directives } = parseDirectives(blanked);
  if (section.noTransaction) directives.noTransaction = true;
  // Of this section as written: editing a file's down does not make its applied up drift.
  let checksum: string | undefined;
  const sum = () =>
    (checksum ??= createHash("sha256").update(whole.text.slice(section.start, section.end)).digest("hex"));
  return runnable({ path: whole.path, direction, dialect: whole.dialect, text: blanked, directives }, sum, problems);
}

/**
 * The files of an entry: one, or an up and a down from the sections of one
 * file; `irreversible` when the file says it has no down (goose without a Down section).
 */
function filesOf(
  e: Entry,
  layout: Layout,
  problems: TreeProblem[],
): { files: MigrationFile[]; irreversible?: boolean; ownTransactions?: boolean } {
  const read = e.pieces
    ? readPieces(e.pieces, e.direction === "down" ? "down" : "up", e.dialect, problems)
    : readMigrationFile(e.path, e.direction === "down" ? "down" : "up", e.dialect, problems);
  if (e.direction !== "sections") {
    const marker = layout.noTransactionMarker;
    if (e.noTransaction || (marker && read.text.startsWith(marker)) || layout.noTransaction?.(read.text))
      read.directives.noTransaction = true;
    // Its own BEGIN … COMMIT blocks, valid where the runner sends files unwrapped: run as written.
    const own = !read.directives.noTransaction && layout.unwrapped === true && holdsOwnTransactions(read.text);
    if (own) read.directives.noTransaction = true;
    return { files: [runnable(read, () => read.checksum, problems)], ownTransactions: own };
  }
  const sections = layout.sections!(read.text);
  for (const p of sections.problems)
    problems.push({
      check: "files.parse",
      path: e.path,
      line: p.line,
      blocking: true,
      message: `${e.path}:${p.line}: ${p.message}`,
    });
  const text = sections.text ?? read.text;
  const out: MigrationFile[] = [];
  if (sections.up) out.push(sectionFile(read, text, "up", sections.up, problems));
  if (sections.down) out.push(sectionFile(read, text, "down", sections.down, problems));
  return { files: out, irreversible: sections.irreversible };
}

function assemble(
  entries: Entry[],
  redis: { version: string; name: string; path: string }[],
  problems: TreeProblem[],
  layout: Layout,
): { migrations: Migration[]; upOnly: boolean; ownTransactions: number } {
  const byKey = new Map<string, Migration[]>();
  let ownTransactions = 0; // files run as written for their own BEGIN … COMMIT blocks
  const declared = new Set<Migration>(); // said to have no down (sqlx <v>_<name>.sql, Prisma, goose without Down)
  const get = (version: string, name: string, store: Store): Migration => {
    const key = versionKey(version);
    const list = byKey.get(key) ?? [];
    byKey.set(key, list);
    // Most runners pair an up and a down by version alone; stairway's own layout by version and name.
    let m = list.find(
      (x) =>
        x.store === store && ((store === "sql" && layout.pairByVersion) || (x.version === version && x.name === name)),
    );
    if (!m) {
      m = { version, key, name, id: name ? `${version}_${name}` : version, store, files: { up: {}, down: {} } };
      list.push(m);
    }
    return m;
  };
  // Ups first: a migration takes its name from its up (a Flyway undo may describe itself otherwise).
  const ordered = [...entries.filter((e) => e.direction !== "down"), ...entries.filter((e) => e.direction === "down")];
  for (const e of ordered) {
    const m = get(e.version, e.name, "sql");
    if (e.irreversible) declared.add(m);
    const slot = e.dialect ?? "default";
    const existing = (e.direction === "sections" ? (["up", "down"] as const) : [e.direction])
      .map((d) => m.files[d][slot])
      .find(Boolean);
    if (existing) {
      problems.push({
        check: "files.duplicate-version",
        path: e.path,
        blocking: true,
        message: `${e.path} and ${existing.path} are both the ${slot === "default" ? "" : slot + " "}${e.direction === "sections" ? existing.direction : e.direction} of version ${e.version}`,
      });
      continue;
    }
    const { files, irreversible, ownTransactions: own } = filesOf(e, layout, problems);
    if (irreversible) declared.add(m);
    if (own) ownTransactions++;
    for (const f of files) m.files[f.direction][slot] = f;
  }
  for (const r of redis) {
    const m = get(r.version, r.name, "keys");
    m.module = readMigrationFile(r.path, "up", undefined, problems);
  }

  const migrations: Migration[] = [];
  for (const list of byKey.values()) {
    // One problem per clash, naming every file in it (3_x and 003_y are one clash, not two).
    if (list.length > 1)
      problems.push({
        check: "files.duplicate-version",
        path: firstPath(list[0]!),
        blocking: true,
        message: `version ${list[0]!.version} is used more than once: ${list.map((m) => firstPath(m)).join(", ")}`,
      });
    // A single file whose sections could not be read (its problem is reported) is no migration.
    migrations.push(
      ...list.filter((m) => m.store !== "sql" || Object.keys(m.files.up).length || Object.keys(m.files.down).length),
    );
  }
  const sql = migrations.filter((m) => m.store === "sql");
  const noDown = (m: Migration) => !Object.values(m.files.down).some(Boolean);
  // A tree with no down at all (Flyway without undo, Prisma) is tested up only, not failed file by file;
  // so is a migration named as having none (sqlx's <v>_<name>.sql). A down missing elsewhere is a problem.
  const upOnly = sql.length > 0 && sql.every(noDown);
  for (const m of sql) m.irreversible = noDown(m) && (upOnly || declared.has(m));
  for (const m of migrations) checkPairs(m, problems, layout, upOnly || declared.has(m));
  migrations.sort((a, b) => compareVersions(a.version, b.version) || a.id.localeCompare(b.id));
  return { migrations, upOnly, ownTransactions };
}

function firstPath(m: Migration): string {
  if (m.module) return m.module.path;
  const f =
    m.files.up.default ?? m.files.down.default ?? Object.values(m.files.up)[0] ?? Object.values(m.files.down)[0];
  return f?.path ?? m.id;
}

const SQL_DIALECTS: SqlDialect[] = ["sqlite", "postgres"];

/**
 * Pairs are complete per dialect: a dialect's up is its override or the
 * generic up, its down likewise, so a generic down completes dialect ups and a
 * dialect down completes the generic up for that dialect.
 */
function checkPairs(m: Migration, problems: TreeProblem[], layout: Layout, noDownWanted: boolean): void {
  if (m.store !== "sql") return;
  const missing = new Set<MigrationFile>();
  for (const d of SQL_DIALECTS) {
    const up = fileFor(m, "up", d);
    if (up && !fileFor(m, "down", d) && !noDownWanted) missing.add(up);
  }
  // Not blocking: dbmate and golang-migrate run a tree with some downs missing, and so does `up`; the tests report it.
  for (const up of missing)
    problems.push({
      check: "files.missing-down",
      path: up.path,
      blocking: false,
      message: `${up.path} has no down: ${layout.downHint(up.path)}`,
    });
  for (const [slot, down] of Object.entries(m.files.down)) {
    const serves = slot === "default" ? SQL_DIALECTS : [slot as SqlDialect];
    if (down && !serves.some((d) => fileFor(m, "up", d)))
      problems.push({
        check: "files.naming",
        path: down.path,
        blocking: true,
        message: `${down.path} has no matching up file`,
      });
  }
  const empty = new Set<MigrationFile>();
  for (const d of SQL_DIALECTS) {
    const up = fileFor(m, "up", d);
    const down = fileFor(m, "down", d);
    if (
      down &&
      up &&
      !layout.emptyIsNothingToDo &&
      !empty.has(down) &&
      isEmptySql(down.text) &&
      !isEmptySql(up.text) &&
      down.directives.lossy.length === 0
    ) {
      empty.add(down);
      problems.push({
        check: "files.empty-down",
        path: down.path,
        blocking: false,
        message:
          down.path === up.path
            ? `the down section of ${down.path} is empty: it does not undo its up`
            : `${down.path} is empty: it does not undo ${up.path}`,
      });
    }
  }
  // A skip written in either file applies to the whole migration.
  const all = [...Object.values(m.files.up), ...Object.values(m.files.down)].filter((f): f is MigrationFile => !!f);
  const skip = mergeDirectives(all.map((f) => f.directives)).skip;
  for (const f of all) f.directives.skip = skip;
  // An up with nothing to run would record the version and change nothing; a file that only says where it is
  // skipped is fine, and so is an empty file of a layout where it means "nothing to do here" (popx).
  for (const up of Object.values(m.files.up))
    if (up && !skip.length && !layout.emptyIsNothingToDo && isEmptySql(up.text))
      problems.push({
        check: "files.empty-up",
        path: up.path,
        blocking: false,
        warn: true,
        message: `${up.path} is empty: applying it records version ${m.version} and changes nothing`,
      });
}
