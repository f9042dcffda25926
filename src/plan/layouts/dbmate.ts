// dbmate: one file per migration, `<version>_<name>.sql`, holding both
// directions: the up from `-- migrate:up` to `-- migrate:down`, the down after
// it; `-- migrate:up transaction:false` runs that section outside a transaction.
// https://github.com/amacneil/dbmate#creating-migrations

import { splitStatements } from "../statements.ts";
import {
  emptyScan,
  filesIn,
  isSchemaDump,
  linesOf,
  pathIn,
  subdirectoryFiles,
  type Layout,
  type Listing,
  type LayoutScan,
  type Sections,
} from "./layout.ts";

// dbmate takes the leading digits as the version; the rest, after a `_` or `-`, is a name.
const FILE = /^(?<version>\d+)[_-]?(?<name>.*)\.sql$/;
const MARKER = /^--\s*migrate:(up|down)(?:\s+(.*))?$/;

export const dbmate: Layout = {
  id: "dbmate",
  shape: "<version>_<name>.sql with -- migrate:up and -- migrate:down sections",
  examples: ["20151129054053_create_users.sql", "20151129054054_add_email.sql"],
  pairByVersion: true,
  scan,
  sections,
  marker: { pattern: /^--\s*migrate:up\b/m, text: "-- migrate:up" },
  downHint: () => "add a -- migrate:down section that undoes it",
};

function scan(tree: Listing): LayoutScan {
  const out = emptyScan();
  for (const file of filesIn(tree)) {
    if (!file.endsWith(".sql") || isSchemaDump(file)) continue;
    const path = pathIn(tree, file);
    const m = FILE.exec(file);
    if (m) out.entries.push({ version: m.groups!.version!, name: m.groups!.name!, direction: "sections", path });
    else out.misnamed.push({ path, message: `${path} is not named <version>_<name>.sql` });
  }
  subdirectoryFiles(tree, "dbmate", out);
  return out;
}

function sections(text: string): Sections {
  const problems: Sections["problems"] = [];
  let up: { start: number; line: number; options: string } | undefined;
  let down: { start: number; line: number; options: string } | undefined;
  for (const l of linesOf(text)) {
    const m = MARKER.exec(l.text);
    if (!m) continue;
    const at = { start: l.start, line: l.line, options: m[2] ?? "" };
    // dbmate reads the first of each.
    if (m[1] === "up") up ??= at;
    else down ??= at;
  }
  if (!up)
    return {
      problems: [{ line: 1, message: 'no "-- migrate:up" line: dbmate reads the up from there to "-- migrate:down"' }],
    };
  if (down && down.start < up.start)
    return { problems: [{ line: down.line, message: '"-- migrate:down" comes before "-- migrate:up"' }] };
  const before = splitStatements(text.slice(0, up.start))[0];
  if (before)
    problems.push({
      line: before.line,
      message: 'a statement before "-- migrate:up" (dbmate refuses it): move it into the up section',
    });
  return {
    up: { start: 0, end: down?.start ?? text.length, noTransaction: noTransaction(up.options) },
    ...(down ? { down: { start: down.start, end: text.length, noTransaction: noTransaction(down.options) } } : {}),
    problems,
  };
}

function noTransaction(options: string): boolean {
  return options.split(/\s+/).some((o) => o.toLowerCase() === "transaction:false");
}
