// popx (Ory's migrations, after gobuffalo/pop):
// `<version>_<name>[.<dialect>][.autocommit].{up,down}.sql` in one directory.
// A dialect file wins over the generic one for its dialect, in each direction
// on its own; `.autocommit` runs the file outside a transaction; empty files
// are common (nothing to do on that dialect). Files for dialects stairway does
// not run (CockroachDB) and `.fizz` files are left out, said once.
//
// popx splits one migration into numbered pieces, `<14-digit timestamp><6-digit
// piece>_<name>`: the ups run in piece order, and the downs (generated with the
// ups, numbered from 0) undo the whole group when run in reverse, so piece k's
// down does not undo piece k's up. The pieces of one timestamp and name are one
// migration here: its up the ups joined in order, its down the downs joined in
// reverse, per dialect (each piece's dialect file, else its generic one); an
// `.autocommit` piece runs that direction outside a transaction. Groups of one
// name that follow each other are one change spread over several timestamps,
// and are one migration too.
// https://github.com/ory/x/tree/master/popx

import { compareVersions, type Direction, type SqlDialect } from "../migration.ts";
import {
  dialectOf,
  emptyScan,
  filesIn,
  isSchemaDump,
  pathIn,
  subdirectoryFiles,
  type Layout,
  type LayoutEntry,
  type Listing,
  type LayoutScan,
} from "./layout.ts";

const FILE =
  /^(?<version>\d+)_(?<name>[^.]+)(?:\.(?!autocommit\.)(?<dialect>[a-z0-9]+))?(?<autocommit>\.autocommit)?\.(?<direction>up|down)\.(?<ext>sql|fizz)$/;
/** Dialects popx trees hold files for; those no store here runs are left out, said once. */
const POPX_DIALECTS = ["sqlite3", "postgres", "mysql", "mariadb", "cockroach", "cockroachdb", "crdb"];

export const popx: Layout = {
  id: "popx",
  shape:
    "<version>_<name>[.<dialect>][.autocommit].up.sql and .down.sql (dialects sqlite3, postgres, mysql, cockroach)",
  examples: [
    "20150100000001000000_networks.up.sql",
    "20150100000001000000_networks.down.sql",
    "20150100000001000000_networks.sqlite3.up.sql",
    "20150100000001000000_networks.mysql.up.sql",
    "20150100000001000000_networks.cockroach.up.sql",
    "20210410175418000000_indexes.postgres.autocommit.up.sql",
  ],
  pairByVersion: true,
  scan,
  emptyIsNothingToDo: true,
  downHint: (upPath) => `add ${upPath.replace(/\.up\.sql$/, ".down.sql")} that undoes it`,
};

function scan(tree: Listing): LayoutScan {
  const out = emptyScan();
  for (const file of filesIn(tree)) {
    if (!(file.endsWith(".sql") || file.endsWith(".fizz")) || isSchemaDump(file)) continue;
    const path = pathIn(tree, file);
    const m = FILE.exec(file);
    if (!m) {
      out.misnamed.push({ path, message: `${path} is not named <version>_<name>[.<dialect>].up.sql or .down.sql` });
      continue;
    }
    const g = m.groups!;
    if (g.ext === "fizz") {
      out.ignored.push({ path, reason: "fizz migrations (.fizz) are not run: stairway runs SQL", own: true });
      continue;
    }
    const dialect = dialectOf(g.dialect);
    if (g.dialect && !dialect) {
      if (POPX_DIALECTS.includes(g.dialect))
        out.ignored.push({
          path,
          reason: "files are left out: stairway does not run their dialects",
          detail: g.dialect,
          own: true,
        });
      else
        out.misnamed.push({
          path,
          message: `${path} names an unknown dialect "${g.dialect}" (known: sqlite3, postgres, mysql, cockroach)`,
        });
      continue;
    }
    out.entries.push({
      version: g.version!,
      name: g.name!,
      direction: g.direction as Direction,
      ...(dialect ? { dialect } : {}),
      path,
      ...(g.autocommit ? { noTransaction: true } : {}),
    });
  }
  subdirectoryFiles(tree, "popx", out);
  out.entries = grouped(out.entries);
  return out;
}

/** A popx piece's group: its 14-digit timestamp and name (`20191100000001000003_identities`). */
function groupOf(e: LayoutEntry): string {
  return e.version.length === 20 ? `${e.version.slice(0, 14)} ${e.name}` : `${e.version} ${e.name}`;
}

/**
 * The pieces of one group as one entry per direction and dialect slot: the
 * ups in piece order, the downs in reverse; a slot with one piece is that file.
 */
function grouped(entries: LayoutEntry[]): LayoutEntry[] {
  const byGroup = new Map<string, LayoutEntry[]>();
  for (const e of entries) byGroup.set(groupOf(e), [...(byGroup.get(groupOf(e)) ?? []), e]);
  // Groups of one name, one after the other, are one change spread over several timestamps (kratos's
  // add_verification_methods): popx's downs undo them together, in reverse.
  const groups: LayoutEntry[][] = [];
  const first = (list: LayoutEntry[]) => list.map((e) => e.version).sort(compareVersions)[0]!;
  for (const list of [...byGroup.values()].sort((a, b) => compareVersions(first(a), first(b)))) {
    const last = groups.at(-1);
    if (last && last[0]!.name === list[0]!.name) last.push(...list);
    else groups.push(list);
  }
  const out: LayoutEntry[] = [];
  for (const list of groups) {
    const versions = [...new Set(list.map((e) => e.version))].sort(compareVersions);
    if (versions.length === 1) {
      out.push(...list);
      continue;
    }
    for (const direction of ["up", "down"] as const) {
      const files = list.filter((e) => e.direction === direction);
      const order = direction === "up" ? versions : [...versions].reverse();
      const slots = new Set(files.map((e) => e.dialect));
      for (const dialect of slots) {
        // A dialect's piece is its own file, else the generic one; the generic slot takes generic files only.
        const pick = (v: string) =>
          files.find((e) => e.version === v && e.dialect === dialect) ??
          (dialect ? files.find((e) => e.version === v && !e.dialect) : undefined);
        const pieces = order.map(pick).filter((e): e is LayoutEntry => !!e);
        out.push(
          pieces.length === 1 ? { ...pieces[0]!, version: versions[0]! } : joined(pieces, versions[0]!, dialect),
        );
      }
    }
  }
  return out;
}

function joined(pieces: LayoutEntry[], version: string, dialect: SqlDialect | undefined): LayoutEntry {
  const first = pieces[0]!;
  return {
    version,
    name: first.name,
    direction: first.direction,
    ...(dialect ? { dialect } : {}),
    path: first.path,
    pieces: pieces.map((e) => e.path),
    ...(pieces.some((e) => e.noTransaction) ? { noTransaction: true } : {}),
  };
}
