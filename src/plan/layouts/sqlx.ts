// sqlx: `<version>_<description>.up.sql` / `.down.sql`, or one irreversible
// `<version>_<description>.sql` (an up with no down); a file whose first line
// is `-- no-transaction` runs outside a transaction.
// https://docs.rs/sqlx/latest/sqlx/migrate/struct.Migrator.html

import type { Direction } from "../migration.ts";
import {
  emptyScan,
  filesIn,
  isSchemaDump,
  pathIn,
  subdirectoryFiles,
  type Layout,
  type Listing,
  type LayoutScan,
} from "./layout.ts";

const REVERSIBLE = /^(?<version>\d+)_(?<name>.+)\.(?<direction>up|down)\.sql$/;
const SIMPLE = /^(?<version>\d+)_(?<name>.+)\.sql$/;

export const sqlx: Layout = {
  id: "sqlx",
  shape: "<version>_<description>.up.sql and .down.sql, or <version>_<description>.sql (no down)",
  examples: ["20220101000000_create_users.up.sql", "20220101000000_create_users.down.sql", "20220102000000_seed.sql"],
  pairByVersion: true,
  scan,
  noTransactionMarker: "-- no-transaction",
  downHint: (upPath) => `add ${upPath.replace(/\.up\.sql$/, ".down.sql")} that undoes it`,
};

function scan(tree: Listing): LayoutScan {
  const out = emptyScan();
  for (const file of filesIn(tree)) {
    if (!file.endsWith(".sql") || isSchemaDump(file)) continue;
    const path = pathIn(tree, file);
    const r = REVERSIBLE.exec(file);
    if (r) {
      out.entries.push({
        version: r.groups!.version!,
        name: r.groups!.name!,
        direction: r.groups!.direction as Direction,
        path,
      });
      continue;
    }
    const s = SIMPLE.exec(file);
    if (s) {
      out.entries.push({
        version: s.groups!.version!,
        name: s.groups!.name!,
        direction: "up",
        path,
        irreversible: true,
      });
      continue;
    }
    out.misnamed.push({ path, message: `${path} is not named <version>_<description>.sql, .up.sql or .down.sql` });
  }
  subdirectoryFiles(tree, "sqlx", out);
  return out;
}
