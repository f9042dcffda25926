// stairway's own layout: a directory per migration (`001_create_tools/up.sql`,
// `down.sql`, dialect overrides `up.postgres.sql`), or flat files
// (`001_create_tools.up.sql`, `001_create_tools.postgres.down.sql`).

import type { Direction, SqlDialect } from "../migration.ts";
import {
  dialectOf,
  dirsIn,
  emptyScan,
  filesIn,
  isSchemaDump,
  pathIn,
  SQL_DIALECT_NAMES,
  type Layout,
  type Listing,
  type LayoutScan,
} from "./layout.ts";

const DIR_NAME = /^(?<version>\d+)_(?<name>[^.\s]+)$/;
const DIR_FILE = new RegExp(`^(?<direction>up|down)(?:\\.(?<dialect>${SQL_DIALECT_NAMES}))?\\.sql$`);
const FLAT_FILE = new RegExp(
  `^(?<version>\\d+)_(?<name>.+?)(?:\\.(?<dialect>${SQL_DIALECT_NAMES}))?\\.(?<direction>up|down)\\.sql$`,
);
const EXAMPLE = "e.g. sql/001_create_tools/up.sql or sql/001_create_tools.up.sql";

export const stairway: Layout = {
  id: "stairway",
  shape: "NNN_name/up.sql and down.sql (dialect overrides up.postgres.sql), or NNN_name.up.sql and .down.sql",
  examples: [
    "001_create_tools/up.sql",
    "001_create_tools/down.sql",
    "001_create_tools/up.postgres.sql",
    "002_add_owner.up.sql",
    "002_add_owner.down.sql",
  ],
  pairByVersion: false,
  scan,
  downHint: (upPath) =>
    `add ${upPath.replace(new RegExp(`up(\\.(${SQL_DIALECT_NAMES}))?\\.sql$`), "down$1.sql")} that undoes it`,
};

function scan(tree: Listing): LayoutScan {
  const out = emptyScan();
  for (const dir of dirsIn(tree)) {
    const path = pathIn(tree, dir);
    const dm = DIR_NAME.exec(dir);
    if (!dm) {
      out.misnamed.push({ path, message: `${path} is not named <version>_<name> (${EXAMPLE})` });
      continue;
    }
    for (const sub of dirsIn(tree, dir).filter((d) => d.endsWith(".sql")))
      out.misnamed.push({
        path: pathIn(tree, `${dir}/${sub}`),
        message: `${pathIn(tree, `${dir}/${sub}`)} is a directory, not a file`,
      });
    for (const file of filesIn(tree, dir)) {
      if (!file.endsWith(".sql")) continue;
      const fpath = pathIn(tree, `${dir}/${file}`);
      const fm = DIR_FILE.exec(file);
      if (!fm) {
        out.misnamed.push({
          path: fpath,
          message: `${fpath} is not up.sql, down.sql or a dialect override like up.postgres.sql`,
        });
        continue;
      }
      out.entries.push(entry(dm.groups!, fm.groups!, fpath));
    }
  }
  for (const file of filesIn(tree)) {
    if (!file.endsWith(".sql") || isSchemaDump(file)) continue;
    const path = pathIn(tree, file);
    const fm = FLAT_FILE.exec(file);
    if (!fm) {
      out.misnamed.push({ path, message: `${path} is not named <version>_<name>.up.sql or .down.sql (${EXAMPLE})` });
      continue;
    }
    out.entries.push(entry(fm.groups!, fm.groups!, path));
  }
  return out;
}

function entry(names: Record<string, string | undefined>, file: Record<string, string | undefined>, path: string) {
  return {
    version: names.version!,
    name: names.name!,
    direction: file.direction as Direction,
    dialect: dialectOf(file.dialect) as SqlDialect | undefined,
    path,
  };
}
