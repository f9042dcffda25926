// MariaDB/MySQL front end of the linter: the file split as the runner splits
// it on a MySQL target (# comments, DELIMITER blocks), each statement
// classified, with its effects.

import { splitStatements } from "../plan/statements.ts";
import type { Effect } from "./model.ts";
import { classifyMysql, type MysqlStatement } from "./mysql-parser.ts";
import type { Draft } from "./pg-statements.ts";

export function mysqlStatements(text: string): Draft[] {
  return splitStatements(text, Infinity, "mysql-lexical").map((s) => {
    const c = classifyMysql(s.text);
    return { line: s.line, col: s.col, text: s.text, kind: c.kind, mysql: c, effects: mysqlEffects(c) };
  });
}

function mysqlEffects(s: MysqlStatement): Effect[] {
  switch (s.kind) {
    case "create-table": {
      const out: Effect[] = [{ type: "create-table", table: s.table, ...(s.temp ? { temp: true } : {}) }];
      for (const from of s.asSelect?.from ?? [])
        out.push({ type: "copy-rows", from, into: s.table, complete: !s.asSelect!.filtered });
      return out;
    }
    case "create-index":
      return [{ type: "create-index", index: s.index, table: s.table }];
    case "drop-index":
      return [{ type: "drop-index", index: s.index }];
    case "drop":
      return s.object === "table" ? s.names.map((table) => ({ type: "drop-table", table })) : [];
    case "rename-table":
      return s.pairs.map((p) => ({ type: "rename-table", from: p.from, to: p.to }));
    case "alter-table":
      return s.actions.flatMap((a): Effect[] => {
        if (a.type === "add-column") return [{ type: "add-column", table: s.table, column: a.column }];
        if (a.type === "drop-column") return [{ type: "drop-column", table: s.table, column: a.column }];
        if (a.type === "rename-column") return [{ type: "rename-column", table: s.table, from: a.from, to: a.to }];
        if (a.type === "redefine-column" && a.from !== a.to)
          return [{ type: "rename-column", table: s.table, from: a.from, to: a.to }];
        if (a.type === "rename-table") return [{ type: "rename-table", from: s.table, to: a.to }];
        if (a.type === "add-index") return [{ type: "create-index", index: a.index, table: s.table }];
        if (a.type === "drop-index") return [{ type: "drop-index", index: a.index }];
        return [];
      });
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
    case "truncate":
      return [{ type: "truncate", table: s.table, cascade: false }];
    case "transaction":
      if (s.action === "begin" || s.action === "commit" || s.action === "rollback")
        return [{ type: "tx", action: s.action }];
      return [];
    default:
      return [];
  }
}
