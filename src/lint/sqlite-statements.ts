// SQLite front end of the linter: the file split as the runner splits it,
// each statement classified, with its effects.

import { splitStatements } from "../plan/statements.ts";
import type { Effect } from "./model.ts";
import type { Draft } from "./pg-statements.ts";
import { classifySqlite, type SqliteStatement } from "./sqlite-parser.ts";

export function sqliteStatements(text: string): Draft[] {
  return splitStatements(text).map((s) => {
    const c = classifySqlite(s.text);
    return { line: s.line, col: s.col, text: s.text, kind: c.kind, sqlite: c, effects: sqliteEffects(c) };
  });
}

export function sqliteEffects(s: SqliteStatement): Effect[] {
  switch (s.kind) {
    case "create-table": {
      const out: Effect[] = [{ type: "create-table", table: s.table, ...(s.temp ? { temp: true } : {}) }];
      for (const from of s.asSelect?.from ?? [])
        out.push({ type: "copy-rows", from, into: s.table, complete: !s.asSelect!.filtered });
      return out;
    }
    case "create-index":
      return [{ type: "create-index", index: s.index, table: s.table }];
    case "drop":
      if (s.object === "table") return [{ type: "drop-table", table: s.name }];
      if (s.object === "index") return [{ type: "drop-index", index: s.name }];
      return [];
    case "alter-table": {
      const a = s.action;
      if (a.type === "rename-table") return [{ type: "rename-table", from: s.table, to: a.to }];
      if (a.type === "rename-column") return [{ type: "rename-column", table: s.table, from: a.from, to: a.to }];
      if (a.type === "add-column") return [{ type: "add-column", table: s.table, column: a.column.name }];
      if (a.type === "drop-column") return [{ type: "drop-column", table: s.table, column: a.column }];
      return [];
    }
    case "insert":
      return (s.select?.from ?? []).map((from) => ({
        type: "copy-rows",
        from,
        into: s.table,
        complete: !s.select!.filtered,
      }));
    case "update":
      return [{ type: "update-rows", table: s.table, where: s.where }];
    case "delete":
      return [{ type: "delete-rows", table: s.table, where: s.where }];
    case "transaction":
      if (s.action === "begin" || s.action === "commit" || s.action === "rollback")
        return [{ type: "tx", action: s.action }];
      return [];
    default:
      return [];
  }
}
