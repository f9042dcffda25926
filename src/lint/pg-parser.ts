// The real PostgreSQL parser: libpg_query compiled to WASM (npm libpg-query),
// loaded only by the commands that need it. We drive the package's Emscripten
// module ourselves, as its wasm/index.cjs does (libpg-query 18.1.5), for two
// reasons: the .wasm is compiled from the path Bun gives us (embedded in the
// compiled binary, next to the chunk in the Node.js build) with nothing to
// redirect; and SQL goes in and JSON comes out through the native
// TextEncoder/TextDecoder instead of the glue's byte-by-byte loops.
// https://github.com/constructive-io/libpg-query-node

import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import type { Node, ParseResult } from "@pgsql/types";
import createModule from "libpg-query/wasm/libpg-query.js";
import wasmPath from "libpg-query/wasm/libpg-query.wasm" with { type: "file" };
import { lineIndex } from "./text.ts";

// Absolute from source and in the binary (/$bunfs/…); in the Node.js build a
// path relative to the chunk that imports it.
const wasmFile = isAbsolute(wasmPath) ? wasmPath : fileURLToPath(new URL(wasmPath, import.meta.url));

/** The exports of libpg-query's Emscripten module that parsing needs. */
interface PgQuery {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  /** → PgQueryParseResult* { char *parse_tree; char *stderr_buffer; PgQueryError *error } */
  _wasm_parse_query_raw(sql: number): number;
  _wasm_free_parse_result(result: number): void;
  /** → the PL/pgSQL functions as JSON, or an error message */
  _wasm_parse_plpgsql(sql: number): number;
  _wasm_free_string(ptr: number): void;
}

let loading: Promise<PgQuery> | undefined;

/**
 * Loads the parser once. Commands call it early, without waiting: compiling
 * the WASM (~70 ms) then goes on in the background while they read files.
 */
export function loadPgParser(): Promise<PgQuery> {
  return (loading ??= (async () => {
    const wasm = await WebAssembly.compile(readFileSync(wasmFile));
    return (await createModule({
      // Instead of reading and compiling the file the glue was built next to.
      instantiateWasm(imports: Bun.WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
        done(new WebAssembly.Instance(wasm, imports));
        return {};
      },
    })) as PgQuery;
  })());
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Runs `fn` on `text` as a NUL-terminated UTF-8 string in the module's memory. */
function withCString<T>(pg: PgQuery, text: string, fn: (ptr: number) => T): T {
  const size = Buffer.byteLength(text, "utf8") + 1;
  const ptr = pg._malloc(size);
  try {
    encoder.encodeInto(text, pg.HEAPU8.subarray(ptr, ptr + size - 1));
    pg.HEAPU8[ptr + size - 1] = 0;
    return fn(ptr);
  } finally {
    pg._free(ptr);
  }
}

function readCString(pg: PgQuery, ptr: number): string {
  if (!ptr) return "";
  const heap = pg.HEAPU8;
  return decoder.decode(heap.subarray(ptr, heap.indexOf(0, ptr)));
}

type RawParse = { tree: ParseResult } | { error: string; cursor: number };

function parseRaw(pg: PgQuery, sql: string): RawParse {
  return withCString(pg, sql, (query) => {
    const result = pg._wasm_parse_query_raw(query);
    if (!result) throw new Error("Failed to parse query: memory allocation failed");
    try {
      const tree = pg.HEAPU32[result >> 2]!;
      const error = pg.HEAPU32[(result + 8) >> 2]!;
      if (error) {
        // PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos }: cursorpos counts from 1.
        const cursorpos = pg.HEAPU32[(error + 16) >> 2]!;
        return {
          error: readCString(pg, pg.HEAPU32[error >> 2]!) || "Unknown error",
          cursor: cursorpos > 0 ? cursorpos - 1 : 0,
        };
      }
      if (!tree) throw new Error("No parse tree generated");
      return { tree: JSON.parse(readCString(pg, tree)) as ParseResult };
    } finally {
      pg._wasm_free_parse_result(result);
    }
  });
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
  /** UTF-16 offset in the parsed text. */
  index: number;
}

export type PgParse =
  | { ok: true; statements: PgStatement[]; bytesToIndex: (byte: number) => number }
  | { ok: false; error: PgSyntaxError };

/** The loaded parser: a lint of thousands of files waits for it once, then parses synchronously. */
export type PgParser = PgQuery;

export async function parsePostgres(sql: string): Promise<PgParse> {
  return parseWith(await loadPgParser(), sql);
}

export function parseWith(pg: PgParser, sql: string): PgParse {
  const toIndex = byteIndexer(sql);
  const lines = lineIndex(sql);
  if (sql.trim() === "") return { ok: true, statements: [], bytesToIndex: toIndex };
  const raw = parseRaw(pg, sql);
  if ("error" in raw) {
    // The cursor counts Unicode code points from 0.
    const index = [...sql].slice(0, raw.cursor).join("").length;
    return { ok: false, error: { message: raw.error, ...lines.lineCol(index), index } };
  }
  const res = raw.tree;
  const total = Buffer.byteLength(sql, "utf8");
  const statements = (res.stmts ?? []).map((s): PgStatement => {
    const b0 = s.stmt_location ?? 0; // zero values are left out of the JSON
    const start = toIndex(b0);
    const end = toIndex(s.stmt_len ? b0 + s.stmt_len : total);
    const node = s.stmt as Node;
    return {
      node,
      kind: Object.keys(node)[0]!,
      start,
      end,
      ...lines.lineCol(start),
      text: sql.slice(start, end).trim(),
    };
  });
  return { ok: true, statements, bytesToIndex: toIndex };
}

/** The PL/pgSQL functions (DO blocks, CREATE FUNCTION … LANGUAGE plpgsql) of a text, parsed. */
export function parsePlpgsqlWith(pg: PgParser, sql: string): unknown[] {
  const text = withCString(pg, sql, (query) => {
    const out = pg._wasm_parse_plpgsql(query);
    try {
      return readCString(pg, out);
    } finally {
      if (out) pg._wasm_free_string(out);
    }
  });
  // Success is a JSON object; anything else is the error message.
  if (!text.startsWith("{")) throw new Error(text);
  const res = JSON.parse(text) as { plpgsql_funcs?: unknown[] };
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
