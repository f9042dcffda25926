// golang-migrate: `{version}_{title}.up.sql` and `{version}_{title}.down.sql`
// in one directory; an up and a down pair by version.
// https://github.com/golang-migrate/migrate/blob/master/MIGRATIONS.md

import type { Direction } from "../migration.ts";
import {
  emptyScan,
  refusedInTransaction,
  filesIn,
  isSchemaDump,
  pathIn,
  subdirectoryFiles,
  type Layout,
  type Listing,
  type LayoutScan,
} from "./layout.ts";

const FILE = /^(?<version>\d+)_(?<name>.*)\.(?<direction>up|down)\.sql$/;

export const golangMigrate: Layout = {
  id: "golang-migrate",
  shape: "{version}_{title}.up.sql and {version}_{title}.down.sql",
  examples: [
    "000001_create_users.up.sql",
    "000001_create_users.down.sql",
    "000002_add_email.up.sql",
    "000002_add_email.down.sql",
  ],
  pairByVersion: true,
  scan,
  // golang-migrate sends a file as it is, in no transaction of its own.
  noTransaction: refusedInTransaction,
  unwrapped: true,
  downHint: (upPath) => `add ${upPath.replace(/\.up\.sql$/, ".down.sql")} that undoes it`,
};

function scan(tree: Listing): LayoutScan {
  const out = emptyScan();
  for (const file of filesIn(tree)) {
    if (!file.endsWith(".sql") || isSchemaDump(file)) continue;
    const path = pathIn(tree, file);
    const m = FILE.exec(file);
    if (!m) {
      out.misnamed.push({ path, message: `${path} is not named {version}_{title}.up.sql or .down.sql` });
      continue;
    }
    out.entries.push({
      version: m.groups!.version!,
      name: m.groups!.name!,
      direction: m.groups!.direction as Direction,
      path,
    });
  }
  subdirectoryFiles(tree, "golang-migrate", out);
  return out;
}
