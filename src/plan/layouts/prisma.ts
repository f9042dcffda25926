// Prisma Migrate: a directory per migration, `<14-digit timestamp>_<name>/`,
// holding migration.sql, an up with no down (a down.sql beside it, as Prisma's
// guide to down migrations writes one, is read as its down). migration_lock.toml
// is Prisma's own; its provider says the tree's dialect.
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

const DIR_NAME = /^(?<version>\d{14})_(?<name>.+)$/;

export const prisma: Layout = {
  id: "prisma",
  shape: "<14-digit timestamp>_<name>/migration.sql",
  examples: ["20230101120000_init/migration.sql", "20230214093000_add_email/migration.sql", "migration_lock.toml"],
  pairByVersion: true,
  scan,
  // Prisma sends migration.sql as one batch, in no transaction of its own.
  noTransaction: refusedInTransaction,
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
    const dm = DIR_NAME.exec(dir);
    const files = filesIn(tree, dir);
    if (!dm) {
      if (files.some((f) => f.endsWith(".sql")))
        out.misnamed.push({ path, message: `${path} is not named <14-digit timestamp>_<name>` });
      continue;
    }
    const hasDown = files.includes("down.sql");
    for (const file of files) {
      if (!file.endsWith(".sql")) continue;
      const fpath = pathIn(tree, `${dir}/${file}`);
      const { version, name } = dm.groups as { version: string; name: string };
      if (file === "migration.sql")
        out.entries.push({ version, name, direction: "up", path: fpath, ...(hasDown ? {} : { irreversible: true }) });
      else if (file === "down.sql") out.entries.push({ version, name, direction: "down", path: fpath });
      else out.misnamed.push({ path: fpath, message: `${fpath} is not migration.sql` });
    }
  }
  for (const file of filesIn(tree)) {
    if (!file.endsWith(".sql") || isSchemaDump(file)) continue;
    const path = pathIn(tree, file);
    out.misnamed.push({ path, message: `${path} is not in a <timestamp>_<name>/ directory` });
  }
  return out;
}
