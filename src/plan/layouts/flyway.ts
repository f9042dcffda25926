// Flyway: `V<version>__<description>.sql`, its undo `U<version>__<description>.sql`
// (pairs by version), in the directory and its subdirectories. Versions are
// dotted or underscored: `V1_2__x` is version 1.2, and 1.10 comes after 1.2.
// A `<file>.sql.conf` with `executeInTransaction=false` runs it outside a
// transaction. Repeatable `R__<description>.sql` migrations and callbacks
// (`beforeMigrate.sql`…) are not run: stairway tests the versioned steps, and
// says so once.
// https://documentation.red-gate.com/fd/migrations-184127470.html

import { readFileSync } from "node:fs";
import {
  allFiles,
  emptyScan,
  refusedInTransaction,
  isSchemaDump,
  pathIn,
  type Layout,
  type Listing,
  type LayoutScan,
} from "./layout.ts";

const VERSIONED = /^(?<kind>[VU])(?<version>\d+(?:[._]\d+)*)__(?<name>.+)\.sql$/;
const REPEATABLE = /^R__.+\.sql$/;
const CALLBACK = /^(before|after)[A-Za-z]*(__.*)?\.sql$/;

export const flyway: Layout = {
  id: "flyway",
  shape: "V<version>__<description>.sql, undo U<version>__<description>.sql",
  examples: [
    "V1__create_users.sql",
    "V1.1__add_email.sql",
    "V1_2__add_index.sql",
    "U1.1__add_email.sql",
    "R__views.sql",
  ],
  pairByVersion: true,
  scan,
  // Flyway runs a script outside a transaction when it finds a statement that cannot run in one.
  noTransaction: refusedInTransaction,
  downHint: (upPath) => `add ${upPath.replace(/(^|\/)V([^/]*)$/, "$1U$2")} (a Flyway undo migration) that undoes it`,
};

function scan(tree: Listing): LayoutScan {
  const out = emptyScan();
  const files = allFiles(tree);
  const all = new Set(files);
  for (const rel of files) {
    const file = rel.slice(rel.lastIndexOf("/") + 1);
    if (!file.endsWith(".sql") || isSchemaDump(rel)) continue;
    const path = pathIn(tree, rel);
    const m = VERSIONED.exec(file);
    if (m) {
      const conf = `${rel}.conf`;
      out.entries.push({
        version: m.groups!.version!.replace(/_/g, "."),
        name: m.groups!.name!,
        direction: m.groups!.kind === "V" ? "up" : "down",
        path,
        ...(all.has(conf) && /^\s*executeInTransaction\s*=\s*false\s*$/m.test(readFileSync(pathIn(tree, conf), "utf8"))
          ? { noTransaction: true }
          : {}),
      });
    } else if (REPEATABLE.test(file))
      out.ignored.push({
        path,
        reason: "repeatable migrations (R__*.sql) are not run: stairway tests the versioned ones",
        own: true,
      });
    else if (CALLBACK.test(file))
      out.ignored.push({ path, reason: "Flyway callbacks (beforeMigrate.sql…) are not run", own: true });
    else
      out.misnamed.push({ path, message: `${path} is not named V<version>__<description>.sql, U<version>__… or R__…` });
  }
  return out;
}
