import type { Directives } from "./directives.ts";
import type { CheckResult } from "../results.ts";

export type Store = "sql" | "redis";
export type SqlDialect = "sqlite" | "postgres";
export type Dialect = SqlDialect | "redis";
export type Direction = "up" | "down";

export interface MigrationFile {
  /** Path as given on disk (relative to the working directory when the tree was). */
  path: string;
  direction: Direction;
  /** Set for a dialect override such as up.postgres.sql. */
  dialect?: SqlDialect;
  text: string;
  /** sha256 of the file's bytes, hex. */
  checksum: string;
  directives: Directives;
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
}

export interface TreeProblem {
  check: "files.naming" | "files.duplicate-version" | "files.missing-down" | "files.empty-down" | "files.empty-up" | "files.parse";
  path: string;
  line?: number;
  message: string;
  /** Problems that stop the runner; an empty down only fails tests. */
  blocking: boolean;
  /** A warning, not a failure (an empty up). */
  warn?: boolean;
}

export interface Plan {
  migrations: Migration[];
  problems: TreeProblem[];
}

/** The tree's problems (misnamed files, missing downs, bad directives…) as failed checks of `target`. */
export function problemResults(plan: Plan, target: string): CheckResult[] {
  return plan.problems.map((p) => ({
    check: p.check,
    target,
    migration: plan.migrations.find((m) => [m.module, ...Object.values(m.files.up), ...Object.values(m.files.down)].some((f) => f?.path === p.path))?.id,
    status: p.warn ? "warn" : "fail",
    message: p.message,
  }));
}

/** The file that applies to `dialect`: the override when there is one. */
export function fileFor(m: Migration, direction: Direction, dialect: SqlDialect): MigrationFile | undefined {
  return m.files[direction][dialect] ?? m.files[direction].default;
}

/** Whether the migration runs on a target of this dialect at all. */
export function appliesTo(m: Migration, dialect: Dialect): boolean {
  if (dialect === "redis") return m.store === "redis";
  if (m.store !== "sql") return false;
  const up = fileFor(m, "up", dialect);
  const down = fileFor(m, "down", dialect);
  if (!up) return false;
  return !(up.directives.skip.includes(dialect) || down?.directives.skip.includes(dialect));
}

export function versionKey(version: string): string {
  return /^\d+$/.test(version) ? version.replace(/^0+(?=\d)/, "") : version;
}

/**
 * Versions that are all digits compare as numbers; others compare by chunks,
 * digits as numbers (so V1.10 comes after V1.2, as Flyway users expect).
 */
export function compareVersions(a: string, b: string): number {
  const ka = versionKey(a);
  const kb = versionKey(b);
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
