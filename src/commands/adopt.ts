// Adopting a database another runner migrated, as `baseline --from`, `up`
// and `status` share it: --from and --table, the history read, the refusal to
// run that history again, and what an adoption says.

import pc from "picocolors";
import { detectAdoptions, foreignRunner, readAdoption, type Adoption } from "../bookkeeping/foreign.ts";
import type { ForeignRunner } from "../bookkeeping/runners.ts";
import { StairwayError, usageError } from "../errors.ts";
import type { Plan } from "../plan/migration.ts";
import { listed, plural } from "../plural.ts";
import type { GlobalFlags, Session } from "../session.ts";
import { BOOKKEEPING_TABLE, isSqlSession, type Migrator, type SqlDriver } from "../stores/contract.ts";
import type { Target } from "../targets.ts";

type Flags = GlobalFlags & Record<string, unknown>;

/** What --from and --table name: the runner whose table to read, and that table when it is not the runner's default. */
export interface From {
  runner: ForeignRunner;
  table?: string;
}

/** --from and --table, checked before anything is opened. */
export function fromFlags(flags: Flags): From | undefined {
  const table = flags.table === undefined ? undefined : String(flags.table);
  if (flags.from === undefined) {
    if (table !== undefined) throw usageError(`--table ${table}: name the runner that wrote it with --from`);
    return undefined;
  }
  return { runner: foreignRunner(String(flags.from)), ...(table !== undefined ? { table } : {}) };
}

/** What `from` recorded on the target; a usage error when the database has no such table. */
export async function adoptionFrom(
  session: Session,
  t: Target,
  driver: Migrator,
  plan: Plan,
  from: From,
): Promise<Adoption> {
  const where = { target: t.name, url: t.url.redacted, table: from.table };
  const adoption = await readAdoption(driver as SqlDriver, from.runner, plan.migrations, where);
  if (!adoption)
    throw usageError(
      `target ${t.name}: ${session.redact(t.url.redacted)} has no table ${from.table ?? from.runner.table}, so ${from.runner.id} has recorded nothing there${from.table ? "" : " (--table names another table)"}`,
    );
  return adoption;
}

/**
 * Where stairway has recorded nothing, the history another runner kept there
 * instead: the one --from names, else the first found. Undefined for a store
 * of keys, or when stairway keeps the history (or nobody does).
 */
export async function foreignHistory(
  session: Session,
  t: Target,
  driver: Migrator,
  plan: Plan,
  from: From | undefined,
): Promise<{ adoption: Adoption; others: Adoption[] } | undefined> {
  if (!isSqlSession(driver) || (await driver.applied()).length) return undefined;
  if (from) return { adoption: await adoptionFrom(session, t, driver, plan, from), others: [] };
  const [adoption, ...others] = await detectAdoptions(driver as SqlDriver, plan.migrations, {
    target: t.name,
    url: t.url.redacted,
  });
  return adoption && { adoption, others };
}

/** `up` without --from on a database another runner migrated: it would run that history again. */
export function refuseForeignHistory(t: Target, found: { adoption: Adoption; others: Adoption[] }): never {
  const all = [found.adoption, ...found.others];
  const tables = listed(all.map((a) => `${a.table} (${a.runner})`));
  const newest = found.adoption.rows.at(-1)!;
  const fix =
    all.length === 1
      ? `adopt that history with "stairway baseline --from ${found.adoption.runner}" (or "stairway up --from ${found.adoption.runner}")`
      : `adopt the history you trust with "stairway baseline --from RUNNER" (or "stairway up --from RUNNER")`;
  throw new StairwayError(
    "E_REFUSED",
    `target ${t.name}: ${tables} ${all.length === 1 ? "says" : "say"} ${found.adoption.runner} applied ${plural(found.adoption.rows.length, "migration")} of this tree here (the newest ${newest.version}_${newest.name}), and stairway has recorded none: ${fix}, so they are not run again`,
  );
}

/** "✓ sqlite: 12 migrations goose recorded in goose_db_version marked applied", and what was not. */
export function adoptedLines(t: Target, a: Adoption): string {
  const lines = [
    `${pc.green("✓")} ${t.name}: ${plural(a.rows.length, "migration")} ${a.runner} recorded in ${a.table} marked applied in ${BOOKKEEPING_TABLE}`,
  ];
  const dirty = a.rows.filter((r) => r.dirty).map((r) => r.version);
  if (dirty.length)
    lines.push(
      pc.dim(
        `  ${dirty.join(", ")}: dirty in ${a.runner}'s record (it did not finish), so dirty here: check it, then "stairway force ${dirty[0]}"`,
      ),
    );
  if (a.unknown.length)
    lines.push(
      pc.dim(
        `  ${plural(a.unknown.length, "version")} ${a.runner} recorded ${a.unknown.length === 1 ? "is" : "are"} not in this tree and ${a.unknown.length === 1 ? "was" : "were"} left out: ${firstFive(a.unknown)}`,
      ),
    );
  return lines.join("\n");
}

function firstFive(versions: string[]): string {
  return versions.length > 5
    ? `${versions.slice(0, 5).join(", ")} and ${versions.length - 5} more`
    : versions.join(", ");
}
