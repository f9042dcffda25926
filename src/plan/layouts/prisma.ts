// Prisma Migrate: a directory per migration holding migration.sql, an up with
// no down (a down.sql beside it, as Prisma's guide to down migrations writes
// one, is read as its down). Prisma names them `<14-digit timestamp>_<name>/`
// but runs any directory holding a migration.sql, in the order of their names
// (`01_init/`): the version is the name's leading number, else the whole name.
// migration_lock.toml is Prisma's own; its provider says the tree's dialect.
// https://www.prisma.io/docs/orm/prisma-migrate/understanding-prisma-migrate/migration-histories

import { readFileSync } from "node:fs";
import {
  dialectOf,
  dirsIn,
  emptyScan,
  refusedInTransaction,
  filesIn,
  isSchemaDump,
  pathIn,
  type Layout,
  type Listing,
  type LayoutScan,
} from "./layout.ts";
import type { SqlDialect } from "../migration.ts";

/** A leading number is the version (`20230101120000_init`, `01_init`); a name without one is its own version. */
const DIR_NAME = /^(?<version>\d+)(?:_(?<name>.*))?$/;
const UP = "migration.sql";

export const prisma: Layout = {
  id: "prisma",
  shape: "<timestamp>_<name>/migration.sql (any directory name, in the order of the names)",
  examples: ["20230101120000_init/migration.sql", "20230214093000_add_email/migration.sql", "migration_lock.toml"],
  pairByVersion: true,
  scan,
  // Prisma sends migration.sql as one batch, in no transaction of its own.
  noTransaction: refusedInTransaction,
  unwrapped: true,
  downHint: (upPath) => `add ${upPath.replace(/migration\.sql$/, "down.sql")} that undoes it`,
  dialect,
};

const LOCK_FILE = "migration_lock.toml";

/** `provider = "postgresql"` in migration_lock.toml. */
function dialect(tree: Listing): { dialect: SqlDialect; from: string } | undefined {
  if (!filesIn(tree).includes(LOCK_FILE)) return undefined;
  const path = pathIn(tree, LOCK_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const d = dialectOf(/^\s*provider\s*=\s*"([^"]+)"/m.exec(text)?.[1]);
  return d ? { dialect: d, from: path } : undefined;
}

function scan(tree: Listing): LayoutScan {
  const out = emptyScan();
  for (const dir of dirsIn(tree)) {
    const path = pathIn(tree, dir);
    const files = filesIn(tree, dir);
    if (!files.includes(UP)) {
      if (files.some((f) => f.endsWith(".sql"))) out.misnamed.push({ path, message: `${path} holds no ${UP}` });
      continue;
    }
    const dm = DIR_NAME.exec(dir);
    const version = dm ? dm.groups!.version! : dir;
    const name = dm ? (dm.groups!.name ?? "") : "";
    const hasDown = files.includes("down.sql");
    for (const file of files) {
      if (!file.endsWith(".sql")) continue;
      const fpath = pathIn(tree, `${dir}/${file}`);
      if (file === UP)
        out.entries.push({ version, name, direction: "up", path: fpath, ...(hasDown ? {} : { irreversible: true }) });
      else if (file === "down.sql") out.entries.push({ version, name, direction: "down", path: fpath });
      else out.misnamed.push({ path: fpath, message: `${fpath} is not ${UP}` });
    }
  }
  for (const file of filesIn(tree)) {
    if (!file.endsWith(".sql") || isSchemaDump(file)) continue;
    const path = pathIn(tree, file);
    out.misnamed.push({ path, message: `${path} is not in a migration's directory (<timestamp>_<name>/${UP})` });
  }
  return out;
}
