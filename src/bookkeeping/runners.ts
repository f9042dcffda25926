// Other runners' bookkeeping tables, as each runner writes them, and what they
// say was applied: read (never written) so that a database another runner
// migrated can be adopted without running its history again. Each entry's
// shape was read from the runner's own source (links beside it).

import { compareVersions } from "../plan/migration.ts";

import type { ForeignRunnerId } from "./ids.ts";

export { FOREIGN_RUNNERS, type ForeignRunnerId } from "./ids.ts";

/** A version a runner recorded. */
export interface ForeignRow {
  version: string;
  /** As the runner recorded it, when it did (Flyway's description, Prisma's migration name). */
  name?: string;
  /** As the database returned it. */
  appliedAt?: string;
  /** Started and not finished (golang-migrate's dirty flag, a row with success = false). */
  dirty: boolean;
}

export interface ForeignHistory {
  /** Versions it recorded, one row each. */
  rows: ForeignRow[];
  /**
   * Every version up to this one counts as applied, whether or not it has a
   * row (golang-migrate keeps only the newest; a Flyway baseline); a row says
   * more (a dirty version).
   */
  through?: string;
}

export interface ForeignRunner {
  id: ForeignRunnerId;
  /** Its table's default name (each of these runners lets a project rename it: --table). */
  table: string;
  /** The columns read, in order. */
  columns: string[];
  read(rows: (string | null)[][]): ForeignHistory;
}

/** A boolean as either database returns it as text: PostgreSQL's true/false, SQLite's 1/0. */
const yes = (v: string | null | undefined) => v != null && /^(t|true|1)$/i.test(v.trim());

export const RUNNERS: Record<ForeignRunnerId, ForeignRunner> = {
  // One row at most: the newest version, dirty while a migration runs (a failed one leaves it so).
  // https://github.com/golang-migrate/migrate/blob/master/database/postgres/postgres.go (SetVersion)
  "golang-migrate": {
    id: "golang-migrate",
    table: "schema_migrations",
    columns: ["version", "dirty"],
    read: (rows) => {
      const version = rows[0]?.[0];
      if (version == null || Number(version) < 0) return { rows: [] };
      const row = rows[0]!;
      return yes(row[1]) ? { rows: [{ version, dirty: true }], through: version } : { rows: [], through: version };
    },
  },
  // A row per applied version.
  // https://github.com/amacneil/dbmate/blob/main/pkg/driver/postgres/postgres.go (CreateMigrationsTable)
  dbmate: {
    id: "dbmate",
    table: "schema_migrations",
    columns: ["version"],
    read: (rows) => ({ rows: rows.filter((r) => r[0] !== null).map((r) => ({ version: r[0]!, dirty: false })) }),
  },
  // A log: a row per up (and, in older versions, per down with is_applied false; newer ones delete
  // the row); the newest row of a version says whether it is applied. Version 0 is the table's own.
  // https://github.com/pressly/goose/blob/master/internal/dialects/postgres.go
  goose: {
    id: "goose",
    table: "goose_db_version",
    columns: ["id", "version_id", "is_applied", "tstamp"],
    read: (rows) => {
      const latest = new Map<string, (string | null)[]>();
      for (const r of [...rows].sort((a, b) => Number(a[0]) - Number(b[0])))
        if (r[1] != null && r[1] !== "0") latest.set(r[1], r);
      return {
        rows: [...latest.values()]
          .filter((r) => yes(r[2]))
          .map((r) => ({ version: r[1]!, appliedAt: r[3] ?? undefined, dirty: false })),
      };
    },
  },
  // A log in installed_rank order: versioned rows (repeatables have no version), a BASELINE row
  // counting every version up to it, UNDO rows taking one back, success = false for a failure.
  // https://documentation.red-gate.com/fd/flyway-schema-history-table-273973417.html
  flyway: {
    id: "flyway",
    table: "flyway_schema_history",
    columns: ["installed_rank", "version", "description", "type", "installed_on", "success"],
    read: (rows) => {
      const byVersion = new Map<string, ForeignRow>();
      let through: string | undefined;
      for (const [, version, description, type, on, success] of [...rows].sort((a, b) => Number(a[0]) - Number(b[0]))) {
        if (version == null) continue;
        const kind = (type ?? "").toUpperCase();
        if (kind === "SCHEMA") continue;
        if (kind.includes("BASELINE")) {
          if (!through || compareVersions(version, through) > 0) through = version;
        } else if (kind.startsWith("UNDO") || kind === "DELETE") {
          if (yes(success) || kind === "DELETE") byVersion.delete(version);
        } else
          byVersion.set(version, {
            version,
            name: description ?? undefined,
            appliedAt: on ?? undefined,
            dirty: !yes(success),
          });
      }
      return { rows: [...byVersion.values()], ...(through ? { through } : {}) };
    },
  },
  // A row per version; success = false for one that failed halfway (sqlx's "dirty").
  // https://github.com/launchbadge/sqlx/blob/main/sqlx-postgres/src/migrate.rs
  sqlx: {
    id: "sqlx",
    table: "_sqlx_migrations",
    columns: ["version", "description", "installed_on", "success"],
    read: (rows) => ({
      rows: rows
        .filter((r) => r[0] !== null)
        .map((r) => ({ version: r[0]!, name: r[1] ?? undefined, appliedAt: r[2] ?? undefined, dirty: !yes(r[3]) })),
    }),
  },
  // A row per applied version (the directory's timestamp, its dashes removed).
  // https://github.com/diesel-rs/diesel/blob/master/diesel/src/migration/setup_migration_table.sql
  diesel: {
    id: "diesel",
    table: "__diesel_schema_migrations",
    columns: ["version", "run_on"],
    read: (rows) => ({
      rows: rows
        .filter((r) => r[0] !== null)
        .map((r) => ({ version: r[0]!, appliedAt: r[1] ?? undefined, dirty: false })),
    }),
  },
  // A row per attempt, named by the migration's directory: finished, failed (neither finished
  // nor rolled back), or rolled back (`prisma migrate resolve --rolled-back`: it does not count).
  // https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/migration-histories
  prisma: {
    id: "prisma",
    table: "_prisma_migrations",
    columns: ["migration_name", "started_at", "finished_at", "rolled_back_at"],
    read: (rows) => {
      const byName = new Map<string, ForeignRow>();
      for (const [name, , finished, rolledBack] of [...rows].sort((a, b) => ((a[1] ?? "") < (b[1] ?? "") ? -1 : 1))) {
        if (name == null || rolledBack != null) continue;
        if (byName.get(name)?.dirty === false) continue; // applied once is applied
        const cut = name.indexOf("_");
        byName.set(name, {
          version: cut > 0 ? name.slice(0, cut) : name,
          name: cut > 0 ? name.slice(cut + 1) : name,
          appliedAt: finished ?? undefined,
          dirty: finished == null,
        });
      }
      return { rows: [...byName.values()] };
    },
  },
  // A row per applied version (gobuffalo pop and Ory's popx).
  // https://github.com/ory/x/blob/master/popx/migrator.go (createTransactionalMigrationTable)
  popx: {
    id: "popx",
    table: "schema_migration",
    columns: ["version"],
    read: (rows) => ({ rows: rows.filter((r) => r[0] !== null).map((r) => ({ version: r[0]!, dirty: false })) }),
  },
};
