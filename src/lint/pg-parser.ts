// The real PostgreSQL parser (libpg_query compiled to WASM, npm libpg-query),
// loaded only by the commands that need it. Its .wasm is embedded in the
// compiled binary: the package's loader reads it from the absolute
// node_modules path of the build machine, so that one read is redirected to the
// embedded copy. https://github.com/constructive-io/libpg-query-node

import fs from "node:fs";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import type { Node, ParseResult } from "@pgsql/types";
import wasmPath from "libpg-query/wasm/libpg-query.wasm" with { type: "file" };
import { lineIndex } from "./text.ts";

type PgQuery = typeof import("libpg-query");
let loading: Promise<PgQuery> | undefined;

// Absolute from source and in the binary (/$bunfs/…); in the Node.js build a
// path relative to the chunk that imports it.
const wasmFile = isAbsolute(wasmPath) ? wasmPath : fileURLToPath(new URL(wasmPath, import.meta.url));

export function loadPgParser(): Promise<PgQuery> {
  return (loading ??= (async () => {
    const readFileSync = fs.readFileSync;
    (fs as { readFileSync: unknown }).readFileSync = (path: unknown, ...rest: unknown[]) =>
      (readFileSync as (...a: unknown[]) => unknown)(typeof path === "string" && /libpg-query[^/]*\.wasm$/.test(path) ? wasmFile : path, ...rest);
    try {
      // Only ever imported here, dynamically: a static import would start loading before the redirect.
      const mod = await import("libpg-query");
      await mod.loadModule();
      return mod;
    } finally {
      (fs as { readFileSync: unknown }).readFileSync = readFileSync;
    }
  })());
}

export interface PgStatement {
  /** The statement's node, e.g. { IndexStmt: {...} }. */
  node: Node;
  /** Its kind, e.g. "IndexStmt". */
  kind: string;
  /** UTF-16 offsets into the parsed text (the parser counts UTF-8 bytes). */
  start: number;
  end: number;
  line: number;
  col: number;
  text: string;
}

export interface PgSyntaxError {
  message: string;
  line: number;
  col: number;
}

export type PgParse = { ok: true; statements: PgStatement[]; bytesToIndex: (byte: number) => number } | { ok: false; error: PgSyntaxError };

export async function parsePostgres(sql: string): Promise<PgParse> {
  const { parseSync } = await loadPgParser();
  const toIndex = byteIndexer(sql);
  const lines = lineIndex(sql);
  if (sql.trim() === "") return { ok: true, statements: [], bytesToIndex: toIndex };
  let res: ParseResult;
  try {
    res = parseSync(sql);
  } catch (e) {
    // cursorPosition counts Unicode code points from 0.
    const cp = (e as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition ?? 0;
    const index = [...sql].slice(0, cp).join("").length;
    return { ok: false, error: { message: (e as Error).message, ...lines.lineCol(index) } };
  }
  const total = Buffer.byteLength(sql, "utf8");
  const statements = (res.stmts ?? []).map((s): PgStatement => {
    const b0 = s.stmt_location ?? 0; // zero values are left out of the JSON
    const start = toIndex(b0);
    const end = toIndex(s.stmt_len ? b0 + s.stmt_len : total);
    const node = s.stmt as Node;
    return { node, kind: Object.keys(node)[0]!, start, end, ...lines.lineCol(start), text: sql.slice(start, end).trim() };
  });
  return { ok: true, statements, bytesToIndex: toIndex };
}

/** The PL/pgSQL functions (DO blocks, CREATE FUNCTION … LANGUAGE plpgsql) of a text, parsed. */
export async function parsePlpgsql(sql: string): Promise<unknown[]> {
  const { parsePlPgSQLSync } = await loadPgParser();
  const res = parsePlPgSQLSync(sql) as { plpgsql_funcs?: unknown[] };
  return res.plpgsql_funcs ?? [];
}

/**
 * Maps UTF-8 byte offsets of `text` to UTF-16 indexes: one pass over the text,
 * so a file of thousands of statements is not decoded once per statement.
 */
function byteIndexer(text: string): (byte: number) => number {
  const total = Buffer.byteLength(text, "utf8");
  if (total === text.length) return (byte) => Math.min(byte, text.length); // ASCII: bytes are indexes
  const index = new Int32Array(total + 1);
  let b = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    const width = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) index[b + k] = i;
    b += width;
    if (c >= 0x10000) i++; // a surrogate pair: two UTF-16 units, one code point
  }
  index[total] = text.length;
  return (byte) => index[Math.max(0, Math.min(byte, total))]!;
}
