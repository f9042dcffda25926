// A small classifier for SQLite migration statements: SQLite's DDL surface is
// tiny, and the one full SQLite parser on npm (sql-parser-cst) is
// GPL-2.0-or-later, which would bind the whole binary. It recognises what the lint rules ask about
// (which table a statement creates, drops, renames, alters, copies or empties)
// and calls everything else "other"; it does not validate syntax.
// https://www.sqlite.org/lang.html

import { Cursor, rowSource, topLevelWords, type RowSource } from "./cursor.ts";
import { tokenize, type Token } from "./tokens.ts";

export interface SqliteColumn {
  name: string;
  notNull: boolean;
  primaryKey: boolean;
  unique: boolean;
  /** Absent when the column has no DEFAULT clause. */
  default?: { text: string; constant: boolean; isNull: boolean };
  references?: string;
  generated?: "stored" | "virtual";
}

export type AlterAction =
  | { type: "rename-table"; to: string }
  | { type: "rename-column"; from: string; to: string }
  | { type: "add-column"; column: SqliteColumn }
  | { type: "drop-column"; column: string }
  | { type: "unsupported"; what: string };

export type SqliteStatement =
  | { kind: "create-table"; table: string; temp: boolean; asSelect?: RowSource }
  | { kind: "create-index"; index: string; table: string; unique: boolean }
  | { kind: "drop"; object: string; name: string }
  | { kind: "alter-table"; table: string; action: AlterAction }
  | { kind: "insert"; table: string; select?: RowSource }
  | { kind: "update"; table: string; where: boolean }
  | { kind: "delete"; table: string; where: boolean }
  | { kind: "pragma"; name: string; value?: string }
  | { kind: "transaction"; action: "begin" | "commit" | "rollback" | "savepoint" | "release" | "rollback-to" }
  | { kind: "vacuum" }
  | { kind: "other"; verb: string };

export function classifySqlite(sql: string): SqliteStatement {
  const tokens = tokenize(sql);
  const c = new Cursor(tokens, sql);
  const verb = c.peek()?.value ?? "";
  if (c.accept("with")) return { kind: "other", verb: "with" };
  if (c.accept("create")) {
    const unique = c.accept("unique");
    const temp = c.accept("temp") || c.accept("temporary");
    if (c.accept("table")) {
      c.accept("if", "not", "exists");
      const table = c.name();
      if (c.accept("as")) return { kind: "create-table", table, temp, asSelect: rowSource(tokens, c.i) };
      return { kind: "create-table", table, temp };
    }
    if (c.accept("index")) {
      c.accept("if", "not", "exists");
      const index = c.name();
      c.accept("on");
      return { kind: "create-index", index, table: c.name(), unique };
    }
    return { kind: "other", verb: "create" };
  }
  if (c.accept("drop")) {
    const object = c.peek()?.value ?? "";
    c.i++;
    c.accept("if", "exists");
    return { kind: "drop", object, name: c.name() };
  }
  if (c.accept("alter", "table")) {
    const table = c.name();
    return { kind: "alter-table", table, action: alterAction(c) };
  }
  if (c.accept("insert") || c.accept("replace")) {
    if (c.accept("or")) c.i++;
    c.accept("into");
    const table = c.name();
    if (c.accept("as")) c.name();
    if (c.peek()?.value === "(") c.group();
    const words = topLevelWords(tokens, c.i);
    return words[0] === "select" || words[0] === "with"
      ? { kind: "insert", table, select: rowSource(tokens, c.i) }
      : { kind: "insert", table };
  }
  if (c.accept("update")) {
    if (c.accept("or")) c.i++;
    const table = c.name();
    return { kind: "update", table, where: topLevelWords(tokens, c.i).includes("where") };
  }
  if (c.accept("delete", "from")) {
    const table = c.name();
    return { kind: "delete", table, where: topLevelWords(tokens, c.i).includes("where") };
  }
  if (c.accept("pragma")) {
    let name = c.name();
    name = name.includes(".") ? name.slice(name.indexOf(".") + 1) : name;
    let value: string | undefined;
    if (c.peek()?.value === "=") {
      c.i++;
      value = c.peek()?.value;
    } else if (c.peek()?.value === "(") value = c.group()[0]?.value;
    return { kind: "pragma", name, value: value?.toLowerCase() };
  }
  if (c.accept("begin")) return { kind: "transaction", action: "begin" };
  if (c.accept("commit") || c.accept("end")) return { kind: "transaction", action: "commit" };
  if (c.accept("rollback"))
    return { kind: "transaction", action: topLevelWords(tokens, c.i).includes("to") ? "rollback-to" : "rollback" };
  if (c.accept("savepoint")) return { kind: "transaction", action: "savepoint" };
  if (c.accept("release")) return { kind: "transaction", action: "release" };
  if (c.accept("vacuum")) return { kind: "vacuum" };
  return { kind: "other", verb };
}

// https://www.sqlite.org/lang_altertable.html: RENAME TO, RENAME [COLUMN], ADD [COLUMN], DROP [COLUMN]; nothing else.
function alterAction(c: Cursor): AlterAction {
  // Quoted as written: a name keeps its case (words are lower-cased in tokens).
  const rest = () =>
    c.t
      .slice(c.i, c.i + 4)
      .map((t) => c.sql.slice(t.start, t.end))
      .join(" ");
  if (c.accept("rename", "to")) return { type: "rename-table", to: c.name() };
  if (c.accept("rename")) {
    c.accept("column");
    const from = c.name();
    if (!c.accept("to")) return { type: "unsupported", what: "RENAME " + rest() };
    return { type: "rename-column", from, to: c.name() };
  }
  if (c.peek()?.value === "add") {
    const what = rest();
    c.accept("add");
    const next = c.peek()?.value;
    if (next === "constraint" || next === "primary" || next === "unique" || next === "foreign" || next === "check")
      return { type: "unsupported", what: `ADD ${next.toUpperCase()}` };
    c.accept("column");
    const column = columnDef(c);
    if (hasMoreActions(c)) return { type: "unsupported", what: "several actions in one ALTER TABLE" };
    return column ? { type: "add-column", column } : { type: "unsupported", what };
  }
  if (c.peek()?.value === "drop") {
    const what = rest();
    c.accept("drop");
    if (c.peek()?.value === "constraint") return { type: "unsupported", what: "DROP CONSTRAINT" };
    c.accept("column");
    const column = c.name();
    if (hasMoreActions(c)) return { type: "unsupported", what: "several actions in one ALTER TABLE" };
    return column ? { type: "drop-column", column } : { type: "unsupported", what };
  }
  return { type: "unsupported", what: rest() };
}

function hasMoreActions(c: Cursor): boolean {
  return c.t.slice(c.i).some((t, k, all) => t.type === "punct" && t.value === "," && depthAt(all, k) === 0);
}

function depthAt(tokens: Token[], k: number): number {
  let d = 0;
  for (let j = 0; j < k; j++) {
    const t = tokens[j]!;
    if (t.type === "punct" && t.value === "(") d++;
    else if (t.type === "punct" && t.value === ")") d--;
  }
  return d;
}

const CONSTRAINT_WORDS = new Set([
  "constraint",
  "primary",
  "not",
  "null",
  "unique",
  "check",
  "default",
  "collate",
  "references",
  "generated",
  "as",
]);

function columnDef(c: Cursor): SqliteColumn | undefined {
  const name = c.name();
  if (!name) return undefined;
  const col: SqliteColumn = { name, notNull: false, primaryKey: false, unique: false };
  // The type: words and a ( … ) of sizes, up to the first constraint word.
  while (!c.done()) {
    const t = c.peek()!;
    if (t.type === "word" && CONSTRAINT_WORDS.has(t.value)) break;
    if (t.type === "punct" && t.value === "(") c.group();
    else if (t.type === "punct" && t.value === ",") break;
    else c.i++;
  }
  while (!c.done()) {
    const t = c.peek()!;
    if (t.type === "punct" && t.value === ",") break;
    if (c.accept("constraint")) c.name();
    else if (c.accept("primary", "key")) col.primaryKey = true;
    else if (c.accept("not", "null")) col.notNull = true;
    else if (c.accept("unique")) col.unique = true;
    else if (c.accept("check")) c.group();
    else if (c.accept("references")) {
      col.references = c.name();
      if (c.peek()?.value === "(") c.group();
    } else if (c.accept("default")) col.default = defaultValue(c);
    else if (c.accept("generated", "always", "as") || c.accept("as")) {
      c.group();
      col.generated = c.accept("stored") ? "stored" : "virtual";
      c.accept("virtual");
    } else if (t.type === "punct" && t.value === "(") c.group();
    else c.i++;
  }
  return col;
}

function defaultValue(c: Cursor): SqliteColumn["default"] {
  const t = c.peek();
  if (!t) return { text: "", constant: false, isNull: false };
  if (t.type === "punct" && t.value === "(") {
    const inner = c.group();
    // SQLite accepts a parenthesised literal but not an expression: "Cannot add a column with non-constant default".
    const literal = inner.length === 1 && (inner[0]!.type === "string" || inner[0]!.type === "number");
    return {
      text: `(${inner.map((x) => x.value).join(" ")})`,
      constant: literal,
      isNull: inner.length === 1 && inner[0]!.value === "null",
    };
  }
  if (t.type === "punct" && (t.value === "-" || t.value === "+")) {
    c.i += 2;
    return { text: t.value + (c.t[c.i - 1]?.value ?? ""), constant: true, isNull: false };
  }
  c.i++;
  if (t.type === "word") {
    if (t.value === "null") return { text: "NULL", constant: true, isNull: true };
    const constant = !["current_time", "current_date", "current_timestamp"].includes(t.value);
    return { text: t.value.toUpperCase(), constant, isNull: false };
  }
  return { text: t.type === "string" ? `'${t.value}'` : t.value, constant: true, isNull: false };
}
