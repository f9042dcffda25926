import type { CheckResult } from "../results.ts";
import { isSqlDialect, storeOf, type Dialect, type SqlDialect } from "../stores/dialects.ts";
import type { Directives } from "./directives.ts";
import type { LayoutId } from "./layouts/ids.ts";
import { splitStatements, type Statement } from "./statements.ts";

export type { Dialect, SqlDialect };
/** What a migration is: SQL files, or a transform program over keys (src/stores/index.ts `kind`). */
export type Store = "sql" | "keys";
export type Direction = "up" | "down";

export interface MigrationFile {
  /** Path as given on disk (relative to the working directory when the tree was). */
  path: string;
  direction: Direction;
  /** Set for a dialect override such as up.postgres.sql. */
  dialect?: SqlDialect;
  text: string;
  /**
   * What the runner sends: `text`, except that a whole-file BEGIN … COMMIT
   * wrapper of a file run in a transaction is blanked out (offsets, lines and
   * columns unchanged; src/plan/transaction-control.ts).
   */
  sql: string;
  /** The statements of `sql`, with their lines in the file. */
  readonly statements: Statement[];
  /** sha256 of the file's bytes, hex. */
  checksum: string;
  directives: Directives;
  /** A file joined from several (popx's pieces of one migration): each one's path and the line of `text` it starts at. */
  pieces?: { path: string; line: number }[];
}

export interface Migration {
  /** The version as written, e.g. "003". */
  version: string;
  /** The version used for comparisons: leading zeros dropped when all digits. */
  key: string;
  name: string;
  /** `${version}_${name}`, the id used in reports. */
  id: string;
  store: Store;
  /** SQL files, by direction; `default` applies to every dialect without an override. */
  files: Record<Direction, Partial<Record<SqlDialect | "default", MigrationFile>>>;
  /** The TypeScript transform of a Redis migration. */
  module?: MigrationFile;
  /**
   * A SQL migration that has no down by design: the whole tree is up-only
   * (Prisma, Flyway without undo), or its name says so (sqlx's
   * `<v>_<name>.sql`). The checks that need a down say so once.
   */
  irreversible?: boolean;
}

export interface TreeProblem {
  check:
    | "files.naming"
    | "files.duplicate-version"
    | "files.missing-down"
    | "files.empty-down"
    | "files.empty-up"
    | "files.parse";
  path: string;
  line?: number;
  message: string;
  /** Problems that stop the runner; an empty down only fails tests. */
  blocking: boolean;
  /** A warning, not a failure (an empty up). */
  warn?: boolean;
}

/** How the SQL tree was read: a preset (given or detected) or the config's own pattern. */
export interface PlanLayout {
  preset?: LayoutId;
  pattern?: string;
  detected: boolean;
  /** Other presets that read the tree's files the same way (detection named the first). */
  alike?: LayoutId[];
  /** The dialect the runner's own files say the tree is for (Prisma's migration_lock.toml), and the file. */
  dialect?: { dialect: SqlDialect; from: string };
}

export interface Plan {
  migrations: Migration[];
  problems: TreeProblem[];
  /** Said once, not failed: files the layout leaves out on purpose ("1,650 files are left out: …"). */
  notes: string[];
  /** The tree has no down at all: it is tested up only. */
  upOnly: boolean;
  layout?: PlanLayout;
}

/** The tree's problems (misnamed files, missing downs, bad directives…) as failed checks of `target`. */
export function problemResults(plan: Plan, target: string): CheckResult[] {
  return plan.problems.map((p) => ({
    check: p.check,
    target,
    migration: plan.migrations.find((m) =>
      [m.module, ...Object.values(m.files.up), ...Object.values(m.files.down)].some((f) => f?.path === p.path),
    )?.id,
    status: p.warn ? "warn" : "fail",
    message: p.message,
  }));
}

/** Where a line of a file is on disk: in a file joined from pieces, the piece's path and line. */
export function placeOf(file: Pick<MigrationFile, "path" | "pieces">, line: number): { path: string; line: number } {
  const piece = file.pieces?.findLast((p) => p.line <= line);
  return piece ? { path: piece.path, line: line - piece.line + 1 } : { path: file.path, line };
}

/** `path:line:col` of a position in a file, as a message names it. */
export function whereIn(file: Pick<MigrationFile, "path" | "pieces">, at: { line: number; col: number }): string {
  const { path, line } = placeOf(file, at.line);
  return `${path}:${line}:${at.col}`;
}

/** The file that applies to `dialect`: the override when there is one. */
export function fileFor(m: Migration, direction: Direction, dialect: SqlDialect): MigrationFile | undefined {
  return m.files[direction][dialect] ?? m.files[direction].default;
}

const split = new WeakMap<MigrationFile, Statement[]>();

/**
 * The statements of a file as a target of `dialect` runs them: split by its
 * own lexical rules where the registry gives some (MySQL's # comments,
 * backslash escapes, DELIMITER), and the whole text as written where DDL
 * commits by itself (a BEGIN … COMMIT wrapper is run, not taken off); else
 * the file's statements.
 */
export function statementsFor(file: MigrationFile, dialect: SqlDialect): Statement[] {
  const store = storeOf(dialect);
  if (!store.syntax && !store.ddlCommits) return file.statements;
  let s = split.get(file);
  if (!s) split.set(file, (s = splitStatements(store.ddlCommits ? file.text : file.sql, Infinity, store.syntax)));
  return s;
}

/** The checksum recorded for a migration applied on a target of this dialect: of its up file, or of its transform. */
export function upChecksumOf(m: Migration, dialect: Dialect): string | undefined {
  return isSqlDialect(dialect) ? fileFor(m, "up", dialect)?.checksum : m.module?.checksum;
}

/** Whether the migration runs on a target of this dialect at all. */
export function appliesTo(m: Migration, dialect: Dialect): boolean {
  if (storeOf(dialect).kind !== m.store) return false;
  if (m.store === "keys") return true;
  const up = fileFor(m, "up", dialect as SqlDialect);
  const down = fileFor(m, "down", dialect as SqlDialect);
  if (!up) return false;
  return !(up.directives.skip.includes(dialect) || down?.directives.skip.includes(dialect));
}

const DASHED = /^\d+(?:-\d+)+$/;

/**
 * The version used to compare and to match a recorded one: leading zeros
 * dropped (003 is 3, Flyway's 1.02 is 1.2); a diesel timestamp
 * (2018-04-22-093322) is its digits, as diesel records it.
 */
export function versionKey(version: string): string {
  if (/^\d+$/.test(version)) return version.replace(/^0+(?=\d)/, "");
  if (DASHED.test(version)) return version.replace(/-/g, "");
  if (/^\d+(?:\.\d+)+$/.test(version))
    return version
      .split(".")
      .map((p) => p.replace(/^0+(?=\d)/, ""))
      .join(".");
  return version;
}

/**
 * Versions that are all digits compare as numbers; diesel's timestamps
 * (2018-04-22-093322, 2026-03-08-202630-0000) by their digits as text, as
 * diesel sorts them (their lengths differ); others compare by chunks, digits
 * as numbers (so V1.10 comes after V1.2, as Flyway users expect).
 */
export function compareVersions(a: string, b: string): number {
  const ka = versionKey(a);
  const kb = versionKey(b);
  if ((DASHED.test(a) || DASHED.test(b)) && /^\d+$/.test(ka) && /^\d+$/.test(kb)) return ka < kb ? -1 : ka > kb ? 1 : 0;
  if (/^\d+$/.test(ka) && /^\d+$/.test(kb)) {
    const d = BigInt(ka) - BigInt(kb);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  const ca = ka.match(/\d+|\D+/g) ?? [];
  const cb = kb.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i]!;
    const y = cb[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}
