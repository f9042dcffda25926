// goose: one file per migration, `<version>_<name>.sql`, holding both
// directions after `-- +goose Up` and `-- +goose Down`; `-- +goose
// StatementBegin` / `StatementEnd` around a statement that holds semicolons;
// `-- +goose NO TRANSACTION` runs the file outside a transaction. A file with
// no Down section has nothing to run on down: it has no down by design.
// https://pressly.github.io/goose/documentation/annotations/

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

const FILE = /^(?<version>\d+)_(?<name>.+)\.sql$/;
const GO_FILE = /^\d+_.+\.go$/;
const ANNOTATION =
  /^--\s*\+goose\s+(up|down|statementbegin|statementend|no\s+transaction|envsub(?:st)?\s+(?:on|off))\b/i;

export const goose: Layout = {
  id: "goose",
  shape: "<version>_<name>.sql with -- +goose Up and -- +goose Down sections",
  examples: ["00001_create_users.sql", "20170506082420_add_email.sql"],
  pairByVersion: true,
  scan,
  sections,
  marker: { pattern: /^--\s*\+goose\s+up\b/im, text: "-- +goose Up" },
  downHint: () => "add a -- +goose Down section that undoes it",
};

function scan(tree: Listing): LayoutScan {
  const out = emptyScan();
  for (const file of filesIn(tree)) {
    const path = pathIn(tree, file);
    if (GO_FILE.test(file)) out.ignored.push({ path, reason: "Go migrations (.go files) are not run", own: true });
    if (!file.endsWith(".sql") || isSchemaDump(file)) continue;
    const m = FILE.exec(file);
    if (m) out.entries.push({ version: m.groups!.version!, name: m.groups!.name!, direction: "sections", path });
    else out.misnamed.push({ path, message: `${path} is not named <version>_<name>.sql` });
  }
  subdirectoryFiles(tree, "goose", out);
  return out;
}

function sections(text: string): Sections {
  const problems: Sections["problems"] = [];
  let up: number | undefined;
  let down: number | undefined;
  let noTransaction = false;
  let open: { line: number; end: number } | undefined; // the StatementBegin line not yet closed
  let out = text; // the text to run: a StatementEnd may need a semicolon
  for (const l of linesOf(text)) {
    const m = ANNOTATION.exec(l.text);
    if (!m) continue;
    const word = m[1]!.toLowerCase().replace(/\s+/, " ");
    if (word === "up") {
      if (up !== undefined) problems.push({ line: l.line, message: 'a second "-- +goose Up" line' });
      else up = l.start;
    } else if (word === "down") {
      if (up === undefined) problems.push({ line: l.line, message: '"-- +goose Down" comes before "-- +goose Up"' });
      else if (down !== undefined) problems.push({ line: l.line, message: 'a second "-- +goose Down" line' });
      else down = l.start;
    } else if (word === "no transaction") noTransaction = true;
    else if (word === "statementbegin") {
      if (open)
        problems.push({
          line: l.line,
          message: `"-- +goose StatementBegin" inside the one opened on line ${open.line}`,
        });
      open = { line: l.line, end: l.start + l.text.length };
    } else if (word === "statementend") {
      if (!open) {
        problems.push({ line: l.line, message: '"-- +goose StatementEnd" with no StatementBegin before it' });
        continue;
      }
      // goose ends the statement here even without a semicolon; the SQL we run needs one.
      if (!endsWithSemicolon(text.slice(open.end, l.start)))
        out = out.slice(0, l.start) + endOfStatement(l.text) + out.slice(l.start + l.text.length);
      open = undefined;
    }
  }
  if (open) problems.push({ line: open.line, message: '"-- +goose StatementBegin" has no StatementEnd' });
  if (up === undefined)
    return {
      problems: [{ line: 1, message: 'no "-- +goose Up" line: goose reads the up from there to "-- +goose Down"' }],
    };
  const before = splitStatements(text.slice(0, up))[0];
  if (before)
    problems.push({
      line: before.line,
      message: 'a statement before "-- +goose Up" (goose refuses it): move it into the up section',
    });
  return {
    up: { start: 0, end: down ?? text.length, noTransaction },
    // goose runs nothing on down for a file without a Down section: it has no down, as sqlx's up-only files.
    ...(down !== undefined ? { down: { start: down, end: text.length, noTransaction } } : { irreversible: true }),
    ...(out !== text ? { text: out } : {}),
    problems,
  };
}

/** goose's rule: the last word before a `--` comment on the last line with SQL ends with `;`. */
function endsWithSemicolon(block: string): boolean {
  const lines = block
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("--"));
  const last = lines.at(-1);
  if (last === undefined) return true;
  const words = last.split(/\s+/);
  const cut = words.findIndex((w) => w.startsWith("--"));
  return (cut < 0 ? words : words.slice(0, cut)).at(-1)?.endsWith(";") ?? true;
}

/** `-- +goose StatementEnd` becomes `;-- +goose StatementEnd` less one space: the same length, so positions hold. */
function endOfStatement(line: string): string {
  return /^--\s/.test(line) ? ";--" + line.slice(3) : ";".padEnd(line.length, " ");
}
