// diesel: a directory per migration, `<timestamp>_<name>/` (the timestamp
// `2018-04-22-093322`, sometimes with more dashed digits, or 14 digits as in
// `00000000000000_diesel_initial_setup` and older trees), holding up.sql and down.sql;
// `run_in_transaction = false` in its metadata.toml runs it outside a transaction.
// https://diesel.rs/guides/getting-started

import { readFileSync } from "node:fs";
import {
  dirsIn,
  emptyScan,
  filesIn,
  isSchemaDump,
  pathIn,
  type Layout,
  type Listing,
  type LayoutScan,
} from "./layout.ts";

// The version is the name up to its first "_" (vaultwarden has a 2024-03-13_170000_x): a date, or 14 digits.
const DIR_NAME = /^(?<version>\d{4}-\d{2}-\d{2}(?:-\d+)*|\d{14})_(?<name>.+)$/;
const FILE = /^(?<direction>up|down)\.sql$/;

export const diesel: Layout = {
  id: "diesel",
  shape: "<YYYY-MM-DD-HHMMSS>_<name>/up.sql and down.sql",
  examples: [
    "00000000000000_diesel_initial_setup/up.sql",
    "00000000000000_diesel_initial_setup/down.sql",
    "2018-04-22-093322_create_posts/up.sql",
    "2018-04-22-093322_create_posts/down.sql",
  ],
  pairByVersion: true,
  scan,
  downHint: (upPath) => `add ${upPath.replace(/up\.sql$/, "down.sql")} that undoes it`,
};

function scan(tree: Listing): LayoutScan {
  const out = emptyScan();
  for (const dir of dirsIn(tree)) {
    const path = pathIn(tree, dir);
    const dm = DIR_NAME.exec(dir);
    if (!dm) {
      if (filesIn(tree, dir).some((f) => f.endsWith(".sql")))
        out.misnamed.push({ path, message: `${path} is not named <YYYY-MM-DD-HHMMSS>_<name>` });
      continue;
    }
    const files = filesIn(tree, dir);
    const noTransaction =
      files.includes("metadata.toml") &&
      /^\s*run_in_transaction\s*=\s*false\s*$/m.test(readFileSync(pathIn(tree, `${dir}/metadata.toml`), "utf8"));
    for (const file of files) {
      if (!file.endsWith(".sql")) continue;
      const fpath = pathIn(tree, `${dir}/${file}`);
      const fm = FILE.exec(file);
      if (!fm) out.misnamed.push({ path: fpath, message: `${fpath} is not up.sql or down.sql` });
      else
        out.entries.push({
          version: dm.groups!.version!,
          name: dm.groups!.name!,
          direction: fm.groups!.direction as "up" | "down",
          path: fpath,
          ...(noTransaction ? { noTransaction } : {}),
        });
    }
  }
  // diesel reads directories only (crates.io keeps a data file beside them).
  for (const file of filesIn(tree))
    if (file.endsWith(".sql") && !isSchemaDump(file))
      out.ignored.push({
        path: pathIn(tree, file),
        reason: ".sql files outside migration directories are not read: diesel reads <timestamp>_<name>/ directories",
      });
  return out;
}
