// PostgreSQL front end of the linter: the real parser's statements, plus the
// SQL inside DO blocks and inside functions the file calls (squawk cannot see
// those), each with its effects and its place in the file.

import type { Node, SelectStmt } from "@pgsql/types";
import { splitStatements } from "../plan/statements.ts";
import type { Effect, LintStatement, SyntaxProblem } from "./model.ts";
import { as, constText, dotted, each, funcName, objectName, relName, walk } from "./pg-ast.ts";
import { parsePlpgsqlWith, parseWith, type PgParser, type PgStatement } from "./pg-parser.ts";
import { lineIndex, type LineIndex } from "./text.ts";

/** A statement before the file's facts (index, transaction, timeouts) are known. */
export type Draft = Omit<LintStatement, "index" | "tx" | "lockTimeout" | "statementTimeout">;

export function pgStatements(pg: PgParser, text: string): { statements: Draft[]; syntaxErrors: SyntaxProblem[] } {
  const syntaxErrors: SyntaxProblem[] = [];
  const top = parseWithFallback(pg, text, syntaxErrors);
  let index: LineIndex | undefined;
  const at = () => (index ??= lineIndex(text)); // for DO blocks and function bodies only
  const functions = new Map<string, Draft[]>();
  const out: Draft[] = [];

  const expandCalls = (s: Draft, seen: Set<string>) => {
    for (const name of calledFunctions(s.kind, s.pg)) {
      const body = functions.get(name);
      if (!body || seen.has(name)) continue;
      const inner = new Set(seen).add(name);
      for (const b of body) {
        const copy: Draft = { ...b, via: { kind: "function", name, parent: (s.via?.parent ?? s) as LintStatement } };
        out.push(copy);
        expandCalls(copy, inner);
      }
    }
  };

  for (const p of top) {
    const s: Draft = {
      line: p.line,
      col: p.col,
      text: p.text,
      kind: p.kind,
      pg: p.node,
      effects: effectsOf(p.kind, p.node),
    };
    out.push(s);
    const doStmt = as(p.node, "DoStmt");
    if (doStmt) {
      const lang = defString(doStmt.args, "language") ?? "plpgsql";
      if (lang === "plpgsql") {
        for (const inner of plpgsqlBody(pg, text, at(), p, defString(doStmt.args, "as") ?? "", syntaxErrors)) {
          const d: Draft = { ...inner, via: { kind: "do", parent: s as LintStatement } };
          out.push(d);
          expandCalls(d, new Set());
        }
      }
      continue;
    }
    const fn = as(p.node, "CreateFunctionStmt");
    if (fn) {
      const name = (dotted(fn.funcname).pop() ?? "").toLowerCase();
      const lang = (defString(fn.options, "language") ?? "sql").toLowerCase();
      const body = defBody(fn.options);
      if (body !== undefined && lang === "plpgsql")
        functions.set(name, plpgsqlBody(pg, text, at(), p, body, syntaxErrors));
      else if (body !== undefined && lang === "sql") functions.set(name, sqlBody(pg, text, p, body));
      continue;
    }
    expandCalls(s, new Set());
  }
  return { statements: out, syntaxErrors };
}

/**
 * Every syntax error of a file (validate): the whole file in one parse, and
 * after its first error, each following statement parsed on its own (with
 * its semicolon, so an error at its end reads as the whole file's would).
 */
export function pgSyntaxErrors(pg: PgParser, text: string): SyntaxProblem[] {
  const whole = parseWith(pg, text);
  if (whole.ok) return [];
  const { index, ...first } = whole.error;
  const errors: SyntaxProblem[] = [first];
  for (const piece of splitStatements(text)) {
    if (piece.offset <= index) continue; // the whole parse got past it, or failed in it
    const end = piece.offset + piece.text.length;
    const r = parseWith(pg, text.slice(piece.offset, text[end] === ";" ? end + 1 : end));
    if (r.ok) continue;
    const line = piece.line + r.error.line - 1;
    const col = r.error.line === 1 ? piece.col + r.error.col - 1 : r.error.col;
    errors.push({ line, col, message: r.error.message });
  }
  return errors;
}

/** The whole file in one parse; when it does not parse, statement by statement, so one error hides nothing else. */
function parseWithFallback(pg: PgParser, text: string, errors: SyntaxProblem[]): PgStatement[] {
  const whole = parseWith(pg, text);
  if (whole.ok) return whole.statements;
  const out: PgStatement[] = [];
  for (const piece of splitStatements(text)) {
    const r = parseWith(pg, piece.text);
    if (!r.ok) {
      const line = piece.line + r.error.line - 1;
      const col = r.error.line === 1 ? piece.col + r.error.col - 1 : r.error.col;
      errors.push({ line, col, message: r.error.message });
      continue;
    }
    for (const s of r.statements)
      out.push({
        ...s,
        start: piece.offset + s.start,
        end: piece.offset + s.end,
        line: piece.line + s.line - 1,
        col: s.line === 1 ? piece.col + s.col - 1 : s.col,
      });
  }
  // The splitter saw it differently: report the parser's view.
  if (errors.length === 0) errors.push({ message: whole.error.message, line: whole.error.line, col: whole.error.col });
  return out;
}

function defString(options: Node[] | undefined, name: string): string | undefined {
  for (const d of each(options, "DefElem")) if (d.defname === name) return as(d.arg, "String")?.sval;
  return undefined;
}

function defBody(options: Node[] | undefined): string | undefined {
  for (const d of each(options, "DefElem")) {
    if (d.defname !== "as") continue;
    const list = as(d.arg, "List");
    return list ? as(list.items?.[0], "String")?.sval : as(d.arg, "String")?.sval;
  }
  return undefined;
}

interface PlExpr {
  PLpgSQL_expr?: { query?: string };
}

/** The SQL statements of a PL/pgSQL body, at their lines in the file. */
function plpgsqlBody(
  pg: PgParser,
  text: string,
  at: LineIndex,
  owner: PgStatement,
  body: string,
  errors: SyntaxProblem[],
): Draft[] {
  let funcs: unknown[];
  try {
    funcs = parsePlpgsqlWith(pg, owner.text);
  } catch (e) {
    errors.push({ line: owner.line, col: owner.col, message: `PL/pgSQL: ${(e as Error).message}` });
    return [];
  }
  // lineno counts from the line the body starts on (the line of its opening quote).
  const bodyStart = owner.start + Math.max(0, text.slice(owner.start, owner.end).indexOf(body));
  const bodyLine = at.lineCol(bodyStart).line;
  const found: { lineno: number; query?: string; dynamic?: boolean }[] = [];
  walk(funcs[0], (kind, v) => {
    const lineno = Number(v.lineno ?? 1);
    if (kind === "PLpgSQL_stmt_execsql") found.push({ lineno, query: (v.sqlstmt as PlExpr)?.PLpgSQL_expr?.query });
    else if (kind === "PLpgSQL_stmt_perform") found.push({ lineno, query: (v.expr as PlExpr)?.PLpgSQL_expr?.query });
    else if (kind === "PLpgSQL_stmt_dynexecute" || kind === "PLpgSQL_stmt_dynfors")
      found.push({ lineno, dynamic: true });
  });
  found.sort((a, b) => a.lineno - b.lineno);
  const out: Draft[] = [];
  for (const f of found) {
    const line = bodyLine + f.lineno - 1;
    const lineStart = at.offsetOf(line);
    if (f.dynamic) {
      const k = text.slice(lineStart, at.offsetOf(line + 1)).search(/\bexecute\b/i);
      out.push({ line, col: k < 0 ? 1 : k + 1, text: at.lineText(line).trim(), kind: "DynamicSql", effects: [] });
      continue;
    }
    if (!f.query) continue;
    const r = parseWith(pg, f.query);
    if (!r.ok) continue; // PL/pgSQL-only forms (SELECT … INTO var) the SQL grammar refuses
    for (const s of r.statements) {
      const word = f.query.trim().split(/\s+/)[0] ?? "";
      const k = text
        .slice(lineStart, at.offsetOf(line + 1))
        .toLowerCase()
        .indexOf(word.toLowerCase());
      out.push({
        line,
        col: k < 0 ? 1 : k + 1,
        text: s.text,
        kind: s.kind,
        pg: s.node,
        effects: effectsOf(s.kind, s.node),
      });
    }
  }
  return out;
}

/** The statements of a LANGUAGE sql function body. */
function sqlBody(pg: PgParser, text: string, owner: PgStatement, body: string): Draft[] {
  const r = parseWith(pg, body);
  if (!r.ok) return [];
  const offset = owner.start + Math.max(0, text.slice(owner.start, owner.end).indexOf(body));
  const at = lineIndex(text);
  return r.statements.map((s) => {
    const pos = at.lineCol(offset + s.start);
    return { ...pos, text: s.text, kind: s.kind, pg: s.node, effects: effectsOf(s.kind, s.node) };
  });
}

/** Functions a statement calls (SELECT f(), CALL p(), PERFORM f()). */
function calledFunctions(kind: string, node: Node | undefined): string[] {
  if (!node || (kind !== "SelectStmt" && kind !== "CallStmt")) return [];
  const names: string[] = [];
  const call = as(node, "CallStmt");
  if (call?.funccall) names.push(funcName(call.funccall));
  walk(node, (kind, v) => {
    if (kind === "FuncCall") names.push(funcName(v as never));
  });
  return [...new Set(names)];
}

const TIMEOUTS = new Set(["lock_timeout", "statement_timeout"]);

/**
 * What a statement does to the schema and data, in the dialect-neutral form
 * rules share. By its kind first: one key looked up per statement, not one per
 * kind of statement that has effects.
 */
export function effectsOf(kind: string, node: Node | undefined): Effect[] {
  const out: Effect[] = [];
  if (!node) return out;
  switch (kind) {
    case "CreateStmt": {
      const create = as(node, "CreateStmt")!;
      out.push({
        type: "create-table",
        table: relName(create.relation),
        ...(create.relation?.relpersistence === "t" ? { temp: true } : {}),
      });
      break;
    }
    case "CreateTableAsStmt": {
      const ctas = as(node, "CreateTableAsStmt")!;
      if (ctas.into?.rel && ctas.objtype !== "OBJECT_MATVIEW") {
        const into = relName(ctas.into.rel);
        out.push({
          type: "create-table",
          table: into,
          ...(ctas.into.rel.relpersistence === "t" ? { temp: true } : {}),
        });
        copies(as(ctas.query, "SelectStmt"), into, out);
      }
      break;
    }
    case "SelectStmt": {
      const select = as(node, "SelectStmt")!;
      if (select.intoClause?.rel) {
        const into = relName(select.intoClause.rel);
        out.push({
          type: "create-table",
          table: into,
          ...(select.intoClause.rel.relpersistence === "t" ? { temp: true } : {}),
        });
        copies(select, into, out);
      }
      break;
    }
    case "InsertStmt": {
      const insert = as(node, "InsertStmt")!;
      if (insert.relation) copies(as(insert.selectStmt, "SelectStmt"), relName(insert.relation), out);
      break;
    }
    case "DropStmt": {
      const drop = as(node, "DropStmt")!;
      const type = drop.removeType;
      for (const o of drop.objects ?? []) {
        const name = objectName(o);
        if (type === "OBJECT_TABLE") out.push({ type: "drop-table", table: name });
        else if (type === "OBJECT_INDEX") out.push({ type: "drop-index", index: name });
        else if (type === "OBJECT_SCHEMA") out.push({ type: "drop-schema", schema: name });
      }
      break;
    }
    case "RenameStmt": {
      const rename = as(node, "RenameStmt")!;
      if (!rename.newname) break;
      const from = relName(rename.relation);
      const schema = from.includes(".") ? from.slice(0, from.lastIndexOf(".") + 1) : "";
      if (rename.renameType === "OBJECT_TABLE") out.push({ type: "rename-table", from, to: schema + rename.newname });
      else if (rename.renameType === "OBJECT_COLUMN" && rename.subname)
        out.push({ type: "rename-column", table: from, from: rename.subname, to: rename.newname });
      else if (rename.renameType === "OBJECT_SCHEMA" && rename.subname)
        out.push({ type: "rename-schema", from: rename.subname, to: rename.newname });
      break;
    }
    case "AlterTableStmt": {
      const alter = as(node, "AlterTableStmt")!;
      if (alter.objtype !== "OBJECT_TABLE") break;
      const table = relName(alter.relation);
      for (const cmd of each(alter.cmds, "AlterTableCmd")) {
        if (cmd.subtype === "AT_AddColumn") {
          const col = as(cmd.def, "ColumnDef");
          if (col?.colname) out.push({ type: "add-column", table, column: col.colname });
        } else if (cmd.subtype === "AT_DropColumn" && cmd.name)
          out.push({ type: "drop-column", table, column: cmd.name });
        else if (cmd.subtype === "AT_SetNotNull" && cmd.name)
          out.push({ type: "set-not-null", table, column: cmd.name });
      }
      break;
    }
    case "IndexStmt": {
      const index = as(node, "IndexStmt")!;
      if (index.relation)
        out.push({ type: "create-index", index: index.idxname ?? "", table: relName(index.relation) });
      break;
    }
    case "CreateSchemaStmt": {
      const schema = as(node, "CreateSchemaStmt")!;
      if (schema.schemaname) out.push({ type: "create-schema", schema: schema.schemaname });
      break;
    }
    case "DeleteStmt": {
      const del = as(node, "DeleteStmt")!;
      if (del.relation) out.push({ type: "delete-rows", table: relName(del.relation), where: !!del.whereClause });
      break;
    }
    case "UpdateStmt": {
      const upd = as(node, "UpdateStmt")!;
      if (upd.relation) out.push({ type: "update-rows", table: relName(upd.relation), where: !!upd.whereClause });
      break;
    }
    case "TruncateStmt": {
      const trunc = as(node, "TruncateStmt")!;
      for (const r of each(trunc.relations, "RangeVar"))
        out.push({ type: "truncate", table: relName(r), cascade: trunc.behavior === "DROP_CASCADE" });
      break;
    }
    case "TransactionStmt": {
      const tx = as(node, "TransactionStmt")!;
      if (tx.kind === "TRANS_STMT_BEGIN" || tx.kind === "TRANS_STMT_START") out.push({ type: "tx", action: "begin" });
      else if (tx.kind === "TRANS_STMT_COMMIT" || tx.kind === "TRANS_STMT_PREPARE")
        out.push({ type: "tx", action: "commit" });
      else if (tx.kind === "TRANS_STMT_ROLLBACK") out.push({ type: "tx", action: "rollback" });
      break;
    }
    case "VariableSetStmt": {
      const set = as(node, "VariableSetStmt")!;
      const local = !!set.is_local;
      if (set.kind === "VAR_RESET_ALL")
        for (const name of TIMEOUTS) out.push({ type: "set", name: name as "lock_timeout", on: false, local });
      else if (set.name && TIMEOUTS.has(set.name)) {
        const value = set.kind === "VAR_SET_VALUE" ? constText(as(set.args?.[0], "A_Const") ?? {}) : undefined;
        // 0, '0', '0s', '0ms' disable the timeout, as DEFAULT and RESET do.
        const on = value !== undefined && !/^\s*0+(\.0*)?\s*[a-z]*\s*$/i.test(value);
        out.push({ type: "set", name: set.name as "lock_timeout", on, local });
      }
      break;
    }
  }
  return out;
}

/** INSERT … SELECT / CREATE TABLE AS: every table read, and whether all its rows come along. */
function copies(select: SelectStmt | undefined, into: string, out: Effect[]): void {
  if (!select) return;
  const complete = isPlain(select);
  for (const r of each(select.fromClause, "RangeVar"))
    out.push({ type: "copy-rows", from: relName(r), into, complete });
}

function isPlain(s: SelectStmt): boolean {
  return !s.whereClause && !s.limitCount && !s.havingClause && (s.op ?? "SETOP_NONE") === "SETOP_NONE";
}
