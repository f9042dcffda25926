// What a layout preset is: how one migration runner names its files (and, for
// single-file formats, where the up ends and the down begins). Each preset is
// one file of this folder; index.ts lists them and detects which one a tree uses.

import { readdirSync, realpathSync, statSync, type Dirent } from "node:fs";
import { join, sep } from "node:path";
import { dialectNamed, isSqlDialect, STORES } from "../../stores/dialects.ts";
import type { Direction, SqlDialect } from "../migration.ts";
import { splitStatements } from "../statements.ts";

import type { LayoutId } from "./ids.ts";

export { LAYOUT_IDS, type LayoutId } from "./ids.ts";

/** A file a layout reads as a migration's up, its down, or both (one file with two sections). */
export interface LayoutEntry {
  version: string;
  name: string;
  direction: Direction | "sections";
  dialect?: SqlDialect;
  /** Path as given on disk: the tree's root joined with the relative path. */
  path: string;
  /** Files joined, in the order they run, into this one (popx's numbered pieces of one migration); `path` is the first. */
  pieces?: string[];
  /** The name or a file beside it says to run outside a transaction (popx `.autocommit`, diesel metadata.toml). */
  noTransaction?: boolean;
  /** An up the layout names as having no down (sqlx `<v>_<name>.sql`, a Prisma migration). */
  irreversible?: boolean;
}

export interface LayoutScan {
  entries: LayoutEntry[];
  /** Files and directories that look like migrations but are not named as this layout names them. */
  misnamed: { path: string; message: string }[];
  /**
   * Files knowingly not run, each with why; said once per reason (its details
   * listed), not per file. `own`: a file of this runner's format (a Flyway
   * repeatable, a popx MySQL file), which counts for it in detection.
   */
  ignored: { path: string; reason: string; detail?: string; own?: boolean }[];
}

/** Where a single-file migration's up and down are: offsets in its text. */
export interface Section {
  start: number;
  end: number;
  noTransaction: boolean;
}

export interface Sections {
  up?: Section;
  down?: Section;
  /** No down section, and for this runner that means nothing to undo (goose): the migration has no down by design. */
  irreversible?: boolean;
  /** The text to run, when the layout had to mark a statement's end (goose StatementEnd); same length. */
  text?: string;
  problems: { line: number; message: string }[];
}

export interface Layout {
  id: LayoutId;
  /** How its files are named, for messages: "{version}_{title}.up.sql and .down.sql". */
  shape: string;
  /** File names it reads, for the README and tests. */
  examples: string[];
  /**
   * Pairs an up and a down by version alone (golang-migrate, Flyway…): their
   * names may differ. The stairway layout pairs by version and name.
   */
  pairByVersion: boolean;
  scan(tree: Listing): LayoutScan;
  /** Single-file formats: where the up and down sections are. */
  sections?(text: string): Sections;
  /** What a file starts with to run outside a transaction (sqlx's `-- no-transaction`). */
  noTransactionMarker?: string;
  /**
   * A runner that does not wrap a file in a transaction (golang-migrate,
   * Flyway, Prisma): the file to run outside one, as that runner would.
   */
  noTransaction?(text: string): boolean;
  /**
   * The runner sends each file as it is, in no transaction of its own
   * (golang-migrate, Prisma): a file with its own BEGIN … COMMIT blocks is valid
   * there, and runs outside stairway's transaction (said once, not refused).
   */
  unwrapped?: boolean;
  /** Empty files are how this runner says "nothing to do" (popx): an empty down is no finding. */
  emptyIsNothingToDo?: boolean;
  /** A line every file of this layout has (dbmate, goose): detection reads a few files for it. */
  marker?: { pattern: RegExp; text: string };
  /** What to add when an up has no down. */
  downHint(upPath: string): string;
  /** The dialect the runner's own files say the tree is written for (Prisma's migration_lock.toml), and which file says it. */
  dialect?(tree: Listing): { dialect: SqlDialect; from: string } | undefined;
}

/** A tree read once (names only, dotfiles left out) for every layout to look at. */
export interface Listing {
  root: string;
  /** The root as join() writes it, with a separator after: paths are this plus a relative path. */
  prefix: string;
  /** Directory relative to the root ("" for the root) → its files and subdirectories, sorted. */
  dirs: Map<string, { files: string[]; dirs: string[] }>;
  /** Entries that cannot be listed: a symbolic link loop, one back to a directory already listed, one that cannot be read. */
  broken: { path: string; message: string }[];
}

export function listTree(root: string): Listing {
  const dirs: Listing["dirs"] = new Map();
  const broken: Listing["broken"] = [];
  const seen = new Set([realpathSync(root)]);
  const walk = (rel: string, depth: number) => {
    const here = { files: [] as string[], dirs: [] as string[] };
    dirs.set(rel, here);
    const path = rel ? join(root, rel) : root;
    for (const entry of readdirSync(path, { withFileTypes: true }).sort(byName)) {
      if (entry.name.startsWith(".")) continue;
      const full = join(path, entry.name);
      const kind = kindOf(entry, full);
      if (typeof kind === "object") broken.push({ path: full, message: `${full} ${kind.why}` });
      else if (kind === "file") here.files.push(entry.name);
      else if (seen.has(realpathSync(full)))
        broken.push({
          path: full,
          message: `${full} is a symbolic link to a directory the tree already holds (a loop): remove it`,
        });
      else {
        seen.add(realpathSync(full));
        here.dirs.push(entry.name);
      }
    }
    // Deep enough for any runner's tree (Flyway reads subdirectories).
    if (depth < 8) for (const d of here.dirs) walk(rel ? `${rel}/${d}` : d, depth + 1);
  };
  walk("", 0);
  return { root, prefix: join(root, "/"), dirs, broken };
}

export function filesIn(tree: Listing, rel = ""): string[] {
  return tree.dirs.get(rel)?.files ?? [];
}

export function dirsIn(tree: Listing, rel = ""): string[] {
  return tree.dirs.get(rel)?.dirs ?? [];
}

/** Every file, as a path relative to the root. */
export function allFiles(tree: Listing): string[] {
  const out: string[] = [];
  for (const [rel, d] of tree.dirs) for (const f of d.files) out.push(rel ? `${rel}/${f}` : f);
  return out.sort();
}

/** The path of a file of the tree, as join(root, rel) would write it (a string concatenation: thousands per tree). */
export function pathIn(tree: Listing, rel: string): string {
  return tree.prefix + (sep === "/" ? rel : rel.replaceAll("/", sep));
}

/** stairway's own committed schema dumps (`schema.postgres.sql`) sit in the tree's root: never migrations. */
export function isSchemaDump(rel: string): boolean {
  return /^schema\.[\w-]+\.sql$/.test(rel);
}

/**
 * The .sql files below the root of a layout that reads one directory
 * (golang-migrate, sqlx, dbmate, goose, popx): not run, said once.
 */
export function subdirectoryFiles(tree: Listing, layout: string, scan: LayoutScan): void {
  for (const [rel, d] of tree.dirs) {
    if (!rel) continue;
    for (const f of d.files)
      if (f.endsWith(".sql"))
        scan.ignored.push({
          path: pathIn(tree, `${rel}/${f}`),
          reason: `.sql files in subdirectories are not read: ${layout} reads one directory`,
        });
  }
}

/**
 * The text with everything outside [start, end) blanked: each character but a
 * newline becomes a space, so offsets, lines and columns still point into the
 * real file.
 */
export function blankOutside(text: string, start: number, end: number): string {
  return blank(text.slice(0, start)) + text.slice(start, end) + blank(text.slice(end));
}

function blank(s: string): string {
  return s.replace(/[^\n]/g, " ");
}

/** The lines of a text with the offset each starts at (a final "\r" left out of the line). */
export function linesOf(text: string): { line: number; start: number; text: string }[] {
  const out: { line: number; start: number; text: string }[] = [];
  let start = 0;
  let line = 1;
  while (start <= text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    out.push({ line, start, text: text.slice(start, end).replace(/\r$/, "") });
    if (nl < 0) break;
    start = nl + 1;
    line++;
  }
  return out;
}

const REFUSED_IN_TRANSACTION =
  /^(?:CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY|REINDEX\b[^;]*\bCONCURRENTLY|VACUUM\b|(?:CREATE|DROP)\s+DATABASE\b|ALTER\s+SYSTEM\b)/i;

/**
 * A file that holds a statement PostgreSQL refuses inside a transaction block
 * (CREATE INDEX CONCURRENTLY, VACUUM…): a runner that sends files unwrapped
 * runs it as it is, so stairway runs it outside a transaction too.
 * https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
 */
export function refusedInTransaction(text: string): boolean {
  if (!/concurrently|vacuum|database|system/i.test(text)) return false; // most files: no need to split them
  return splitStatements(text).some((s) => REFUSED_IN_TRANSACTION.test(s.text));
}

/** The SQL dialect a file-name word means (postgres, postgresql, pg, sqlite, sqlite3, …: the registry's names). */
export function dialectOf(word: string | undefined): SqlDialect | undefined {
  const d = word ? dialectNamed(word) : undefined;
  return d && isSqlDialect(d) ? d : undefined;
}

/** Every name of a SQL dialect, for file-name patterns: "postgres|postgresql|pg|sqlite|sqlite3". */
export const SQL_DIALECT_NAMES = STORES.filter((s) => s.kind === "sql")
  .flatMap((s) => [s.dialect, ...s.aliases])
  .join("|");

export function emptyScan(): LayoutScan {
  return { entries: [], misnamed: [], ignored: [] };
}

/**
 * The entry's type comes with the listing (no stat per entry). A symlink is
 * followed (a dangling one is a file no layout reads), and so is an entry
 * whose type the file system does not report (some network file systems):
 * it is stat'ed. A symlink loop, or an entry that cannot be read, is broken.
 */
function kindOf(entry: Dirent, path: string): "file" | "dir" | { why: string } {
  if (entry.isDirectory()) return "dir";
  if (entry.isFile()) return "file";
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ? "dir" : "file";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      why: code === "ELOOP" ? "is a symbolic link loop: remove it" : `cannot be read (${code ?? (e as Error).message})`,
    };
  }
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
