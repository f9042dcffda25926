// popx (Ory's migrations, after gobuffalo/pop):
// `<version>_<name>[.<dialect>][.autocommit].{up,down}.sql` in one directory.
// A dialect file wins over the generic one for its dialect, in each direction
// on its own; `.autocommit` runs the file outside a transaction; empty files
// are common (nothing to do on that dialect). Files for dialects stairway does
// not run (CockroachDB) and `.fizz` files are left out, said once.
// https://github.com/ory/x/tree/master/popx

import type { Direction } from "../migration.ts";
import {
  dialectOf,
  emptyScan,
  filesIn,
  isSchemaDump,
  pathIn,
  subdirectoryFiles,
  type Layout,
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
  return out;
}
