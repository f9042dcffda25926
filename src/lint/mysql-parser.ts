// A classifier for MariaDB/MySQL migration statements, like SQLite's: it
// recognises what the lint rules ask about — which table a statement creates,
// drops, renames, alters (each ALTER TABLE action, and its ALGORITHM= and
// LOCK= clauses), copies or empties, and transaction control — and calls
// everything else "other"; it does not validate syntax (validate runs the
// files on a scratch database for that). node-sql-parser 5.4 (MariaDB build)
// was tried: it refuses CREATE TRIGGER … BEGIN … END and ADD CONSTRAINT …
// FOREIGN KEY … ON DELETE SET NULL, ALGORITHM=INPLACE, and reads /*! … */ as a
// comment; a linter must not call valid MySQL a syntax error.
// https://mariadb.com/kb/en/alter-table/  https://dev.mysql.com/doc/refman/8.0/en/alter-table.html

import { Cursor, rowSource, topLevelWords, type RowSource } from "./cursor.ts";
import { tokenize, type Token } from "./tokens.ts";

export type MysqlAlterAction =
  | { type: "add-column"; column: string; autoIncrement: boolean }
  | { type: "drop-column"; column: string }
  | { type: "rename-column"; from: string; to: string }
  /** MODIFY / CHANGE: the column given a whole new definition (CHANGE also a new name). */
  | { type: "redefine-column"; from: string; to: string; definition: string }
  | { type: "add-index"; index: string; unique: boolean; kind: "btree" | "fulltext" | "spatial" }
  | { type: "drop-index"; index: string }
  | { type: "add-foreign-key"; name: string }
  | { type: "add-primary-key" }
  | { type: "drop-primary-key" }
  | { type: "add-check" }
  | { type: "rename-table"; to: string }
  /** Rebuilds the whole table whatever the server: CONVERT TO CHARACTER SET, ENGINE=, ROW_FORMAT=, FORCE. */
  | { type: "rebuild"; what: string }
  | { type: "partition"; what: string }
  | { type: "other"; what: string };

export type MysqlStatement =
  | { kind: "create-table"; table: string; temp: boolean; asSelect?: RowSource }
  | {
      kind: "create-index";
      index: string;
      table: string;
      unique: boolean;
      type: "btree" | "fulltext" | "spatial";
      algorithm?: string;
      lock?: string;
    }
  | { kind: "drop-index"; index: string; table: string; algorithm?: string; lock?: string }
  | { kind: "drop"; object: string; names: string[] }
  | { kind: "alter-table"; table: string; actions: MysqlAlterAction[]; algorithm?: string; lock?: string }
  | { kind: "rename-table"; pairs: { from: string; to: string }[] }
  | { kind: "insert"; table: string; select?: RowSource }
  | { kind: "update"; table: string; where: boolean }
  | { kind: "delete"; table: string; where: boolean }
  | { kind: "truncate"; table: string }
  | { kind: "transaction"; action: "begin" | "commit" | "rollback" | "savepoint" | "release" | "rollback-to" }
  | { kind: "create-object"; object: string; name: string }
  | { kind: "lock-tables" }
  | { kind: "other"; verb: string };

/** Statements after which the server has committed any open transaction (DDL and the like). */
export const COMMITS_IMPLICITLY = new Set([
  "create-table",
  "create-index",
  "drop-index",
  "drop",
  "alter-table",
  "rename-table",
  "truncate",
  "create-object",
  "lock-tables",
]);

const name = (c: Cursor) => c.name();

/** ALGORITHM= and LOCK= anywhere at the top level of the statement. */
function clauses(tokens: Token[]): { algorithm?: string; lock?: string } {
  const out: { algorithm?: string; lock?: string } = {};
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type === "punct" && t.value === "(") depth++;
    else if (t.type === "punct" && t.value === ")") depth--;
    if (depth !== 0 || t.type !== "word" || (t.value !== "algorithm" && t.value !== "lock")) continue;
    let v = tokens[k + 1];
    if (v?.type === "punct" && v.value === "=") v = tokens[k + 2];
    if (v && (v.type === "word" || v.type === "ident")) out[t.value as "algorithm" | "lock"] = v.value.toLowerCase();
  }
  return out;
}

export function classifyMysql(sql: string): MysqlStatement {
  const tokens = tokenize(sql, true);
  const c = new Cursor(tokens, sql);
  const verb = c.peek()?.value ?? "";
  if (c.accept("create")) {
    c.accept("or", "replace");
    const temp = c.accept("temporary");
    const unique = c.accept("unique");
    const type = c.accept("fulltext") ? "fulltext" : c.accept("spatial") ? "spatial" : "btree";
    if (c.accept("table")) {
      c.accept("if", "not", "exists");
      const table = name(c);
      const words = topLevelWords(tokens, c.i);
      const as = words.indexOf("select");
      if (as >= 0) return { kind: "create-table", table, temp, asSelect: rowSource(tokens, c.i) };
      return { kind: "create-table", table, temp };
    }
    c.accept("online") || c.accept("offline");
    if (c.accept("index")) {
      c.accept("if", "not", "exists");
      const index = name(c);
      if (c.accept("using")) c.i++;
      c.accept("on");
      return { kind: "create-index", index, table: name(c), unique, type, ...clauses(tokens) };
    }
    // CREATE [DEFINER = …] [ALGORITHM = …] [SQL SECURITY …] VIEW | TRIGGER | PROCEDURE | FUNCTION | EVENT
    for (let k = c.i; k < Math.min(tokens.length, c.i + 12); k++) {
      const w = tokens[k]!;
      if (w.type === "word" && ["view", "trigger", "procedure", "function", "event"].includes(w.value)) {
        c.i = k + 1;
        c.accept("if", "not", "exists");
        return { kind: "create-object", object: w.value, name: name(c) };
      }
    }
    return { kind: "other", verb: "create" };
  }
  if (c.accept("drop")) {
    c.accept("temporary");
    const object = c.peek()?.value ?? "";
    c.i++;
    if (object === "index") {
      c.accept("if", "exists");
      const index = name(c);
      c.accept("on");
      return { kind: "drop-index", index, table: name(c), ...clauses(tokens) };
    }
    c.accept("if", "exists");
    const names = [name(c)];
    while (c.peek()?.value === "," && c.peek()?.type === "punct") {
      c.i++;
      names.push(name(c));
    }
    return { kind: "drop", object, names };
  }
  if (c.accept("alter")) {
    c.accept("online") || c.accept("ignore");
    if (!c.accept("table")) return { kind: "other", verb: "alter" };
    c.accept("if", "exists");
    const table = name(c);
    return { kind: "alter-table", table, actions: alterActions(c), ...clauses(tokens) };
  }
  if (c.accept("rename", "table")) {
    const pairs: { from: string; to: string }[] = [];
    for (;;) {
      const from = name(c);
      if (!c.accept("to")) break;
      pairs.push({ from, to: name(c) });
      if (!(c.peek()?.value === "," && c.peek()?.type === "punct")) break;
      c.i++;
    }
    return { kind: "rename-table", pairs };
  }
  if (c.accept("insert") || c.accept("replace")) {
    c.accept("low_priority") || c.accept("delayed") || c.accept("high_priority");
    c.accept("ignore");
    c.accept("into");
    const table = name(c);
    if (c.peek()?.value === "(") c.group();
    const words = topLevelWords(tokens, c.i);
    return words[0] === "select" || words[0] === "with" || words[0] === "table"
      ? { kind: "insert", table, select: rowSource(tokens, c.i) }
      : { kind: "insert", table };
  }
  if (c.accept("update")) {
    c.accept("low_priority");
    c.accept("ignore");
    const table = name(c);
    return { kind: "update", table, where: topLevelWords(tokens, c.i).includes("where") };
  }
  if (c.accept("delete")) {
    c.accept("low_priority");
    c.accept("quick");
    c.accept("ignore");
    c.accept("from");
    const table = name(c);
    return { kind: "delete", table, where: topLevelWords(tokens, c.i).includes("where") };
  }
  if (c.accept("truncate")) {
    c.accept("table");
    return { kind: "truncate", table: name(c) };
  }
  if (c.accept("start", "transaction") || (c.accept("begin") && !c.peek()) || c.accept("begin", "work"))
    return { kind: "transaction", action: "begin" };
  if (c.accept("commit")) return { kind: "transaction", action: "commit" };
  if (c.accept("rollback"))
    return { kind: "transaction", action: topLevelWords(tokens, c.i).includes("to") ? "rollback-to" : "rollback" };
  if (c.accept("savepoint")) return { kind: "transaction", action: "savepoint" };
  if (c.accept("release")) return { kind: "transaction", action: "release" };
  if (c.accept("lock", "tables") || c.accept("lock", "table")) return { kind: "lock-tables" };
  return { kind: "other", verb };
}

/** The comma-separated actions of an ALTER TABLE (table options such as ALGORITHM= are not actions). */
function alterActions(c: Cursor): MysqlAlterAction[] {
  const out: MysqlAlterAction[] = [];
  const parts: Token[][] = [[]];
  let depth = 0;
  for (; !c.done(); c.i++) {
    const t = c.peek()!;
    if (t.type === "punct" && t.value === "(") depth++;
    else if (t.type === "punct" && t.value === ")") depth--;
    if (depth === 0 && t.type === "punct" && t.value === ",") parts.push([]);
    else parts.at(-1)!.push(t);
  }
  for (const p of parts) {
    if (!p.length) continue;
    const a = alterAction(new Cursor(p, c.sql));
    if (a) out.push(a);
  }
  return out;
}

function alterAction(c: Cursor): MysqlAlterAction | undefined {
  const text = () => c.sql.slice(c.t[0]!.start, c.t.at(-1)!.end).replace(/\s+/g, " ").slice(0, 80);
  const first = c.peek()?.value;
  if (first === "algorithm" || first === "lock") return undefined;
  if (c.accept("add")) {
    if (c.accept("constraint")) {
      if (c.peek()?.type !== "word" || !["primary", "unique", "foreign", "check"].includes(c.peek()!.value)) name(c);
    }
    if (c.accept("primary", "key")) return { type: "add-primary-key" };
    if (c.accept("foreign", "key")) {
      c.accept("if", "not", "exists");
      const fk = c.peek()?.value !== "(" ? name(c) : "";
      return { type: "add-foreign-key", name: fk };
    }
    if (c.accept("check")) return { type: "add-check" };
    if (c.accept("partition")) return { type: "partition", what: text() };
    const unique = c.accept("unique");
    const kind = c.accept("fulltext") ? "fulltext" : c.accept("spatial") ? "spatial" : "btree";
    if (c.accept("index") || c.accept("key") || unique || kind !== "btree") {
      c.accept("index") || c.accept("key");
      c.accept("if", "not", "exists");
      const index = c.peek()?.value !== "(" ? name(c) : "";
      return { type: "add-index", index, unique, kind };
    }
    c.accept("column");
    c.accept("if", "not", "exists");
    if (c.peek()?.value === "(") return { type: "other", what: text() };
    const column = name(c);
    return { type: "add-column", column, autoIncrement: c.t.some((t) => t.value === "auto_increment") };
  }
  if (c.accept("drop")) {
    if (c.accept("primary", "key")) return { type: "drop-primary-key" };
    if (c.accept("foreign", "key") || c.accept("constraint") || c.accept("check"))
      return { type: "other", what: text() };
    if (c.accept("index") || c.accept("key")) {
      c.accept("if", "exists");
      return { type: "drop-index", index: name(c) };
    }
    if (c.accept("partition")) return { type: "partition", what: text() };
    c.accept("column");
    c.accept("if", "exists");
    return { type: "drop-column", column: name(c) };
  }
  if (c.accept("rename")) {
    if (c.accept("column")) {
      const from = name(c);
      c.accept("to");
      return { type: "rename-column", from, to: name(c) };
    }
    if (c.accept("index") || c.accept("key")) return { type: "other", what: text() };
    c.accept("to") || c.accept("as");
    return { type: "rename-table", to: name(c) };
  }
  if (c.accept("change")) {
    c.accept("column");
    c.accept("if", "exists");
    const from = name(c);
    const to = name(c);
    return { type: "redefine-column", from, to, definition: c.sql.slice(c.peek()?.start ?? 0, c.t.at(-1)!.end) };
  }
  if (c.accept("modify")) {
    c.accept("column");
    c.accept("if", "exists");
    const column = name(c);
    return {
      type: "redefine-column",
      from: column,
      to: column,
      definition: c.sql.slice(c.peek()?.start ?? 0, c.t.at(-1)!.end),
    };
  }
  if (c.accept("convert", "to") || c.accept("force") || first === "engine" || first === "row_format")
    return { type: "rebuild", what: text() };
  if (["partition", "coalesce", "reorganize", "exchange", "truncate", "remove"].includes(first ?? ""))
    return { type: "partition", what: text() };
  return { type: "other", what: text() };
}
