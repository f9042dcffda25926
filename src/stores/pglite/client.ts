// The PostgreSQL driver's client (PgClient, stores/postgres/connect.ts) over an
// in-process PGlite, so that driver, introspection and all run unchanged on
// embedded PostgreSQL: unsafe(text) is PGlite's exec (the simple protocol:
// several statements in one go), unsafe(text, params) its query (the extended
// protocol; prepared once it comes again), values come back shaped as
// postgres.js gives them with
// stairway's settings, and a COPY … FROM STDIN never reaches PGlite (its
// backend would wait for input forever, with the event loop stopped).
// https://pglite.dev/docs/api

import { parse, protocol, type PGlite, type Results } from "@electric-sql/pglite";
import { Writable } from "node:stream";
import type { PgClient, PgQuery } from "../postgres/connect.ts";

type Row = Record<string, unknown>;

const asText = (x: string) => x;
const asNumber = (x: string) => Number(x);
const asDate = (x: string) => new Date(x);
const asJson = (x: string) => JSON.parse(x);

// What postgres.js returns with connect.ts's RAW_TYPES and fetch_types off:
// numbers for int2, int4, oid, float4 and float8; booleans; parsed JSON; Date
// for date and timestamps; Buffer for bytea; the server's text for all else
// (int8, numeric, arrays…).
const PARSED: Record<number, (x: string) => unknown> = {
  21: asNumber,
  23: asNumber,
  26: asNumber,
  700: asNumber,
  701: asNumber,
  16: (x) => x === "t",
  114: asJson,
  3802: asJson,
  1082: asDate,
  1114: asDate,
  1184: asDate,
  17: (x) => Buffer.from(x.slice(2), "hex"),
};

/** COPY … FROM STDIN, anywhere in a statement or script (its FROM comes before the statement ends). */
const COPY_FROM_STDIN = /\bCOPY\b[^;]*?\bFROM\s+STDIN\b/i;

function refuseCopyFromStdin(text: string): void {
  if (COPY_FROM_STDIN.test(text))
    throw Object.assign(
      new Error(
        "COPY … FROM STDIN cannot run on pglite: embedded PostgreSQL has no client to send it rows (write the rows as INSERTs, or test this file on a PostgreSQL server)",
      ),
      { code: "0A000" },
    );
}

export function pgliteClient(pg: PGlite): PgClient {
  // Parameters go as the text the driver gives (as postgres.js sends them):
  // PGlite's own serializers would take only a Uint8Array for bytea and
  // refuse a string for a boolean that the server should judge.
  const text = (x: unknown) => String(x);
  const serializers = Object.fromEntries(Object.keys(pg.serializers).map((oid) => [oid, text]));
  const parsers = { ...Object.fromEntries(Object.keys(pg.parsers).map((oid) => [oid, asText])), ...PARSED };

  // A statement with parameters that comes again (the catalog query of every
  // snapshot, the generator's inserts) is prepared the second time: planned
  // once, not at every run. PGlite plans in WebAssembly; the catalog query
  // took ~45 ms of CPU through query() and ~10 ms prepared (measured on the
  // showcase), and a stairway step takes several snapshots.
  /** Text → its prepared statement's name; undefined once seen, not yet prepared. */
  const prepared = new Map<string, string | undefined>();
  let count = 0;
  const MAX_PREPARED = 64;
  const frame = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const { serialize } = protocol;
  const runPrepared = async (name: string, params: (string | null)[]): Promise<Results<Row>> => {
    const { messages } = await pg.runExclusive(() =>
      pg.execProtocol(
        frame(
          serialize.bind({ statement: name, values: params }),
          serialize.describe({ type: "P" }),
          serialize.execute({}),
          serialize.sync(),
        ),
      ),
    );
    return parse.parseResults(messages, parsers)[0] as Results<Row>;
  };
  const withParams = async (sql: string, params: (string | null)[]): Promise<Results<Row>> => {
    const name = prepared.get(sql);
    if (name)
      return runPrepared(name, params).catch((e: { code?: string }) => {
        // DEALLOCATE ALL or DISCARD ALL in a migration dropped it: run it plainly from now on.
        if (e.code !== "26000") throw e;
        prepared.delete(sql);
        return pg.query<Row>(sql, params, { parsers, serializers });
      });
    if (prepared.has(sql) && count < MAX_PREPARED) {
      const next = `stairway_${count++}`;
      await pg.runExclusive(() => pg.execProtocol(frame(serialize.parse({ name: next, text: sql }), serialize.sync())));
      prepared.set(sql, next);
      return runPrepared(next, params);
    }
    prepared.set(sql, undefined);
    return pg.query<Row>(sql, params, { parsers, serializers });
  };

  const run = async (sql: string, params?: (string | null)[]): Promise<Row[] & { count: number }> => {
    refuseCopyFromStdin(sql);
    const last =
      params === undefined
        ? ((await pg.exec(sql, { parsers })).at(-1) as Results<Row> | undefined)
        : await withParams(sql, params);
    return Object.assign([...(last?.rows ?? [])], { count: last?.affectedRows ?? 0 });
  };

  /** COPY … FROM STDIN as COPY … FROM '/dev/blob', one per chunk of whole lines, all in one transaction (a savepoint inside one). */
  const copyIn = async (sql: string): Promise<Writable> => {
    const copy = sql.replace(/\bFROM\s+STDIN\b/i, "FROM '/dev/blob'");
    const nested = pg.isInTransaction();
    await pg.exec(nested ? "SAVEPOINT stairway_copy" : "BEGIN");
    const undo = () =>
      pg.exec(nested ? "ROLLBACK TO SAVEPOINT stairway_copy; RELEASE SAVEPOINT stairway_copy" : "ROLLBACK");
    let rest: Buffer = Buffer.alloc(0);
    const load = async (bytes: Buffer) => {
      if (bytes.length) await pg.query(copy, [], { blob: new Blob([new Uint8Array(bytes)]) });
    };
    return new Writable({
      write(chunk: Buffer, _encoding, done) {
        // Whole lines only: a row split across two COPYs would be two bad rows.
        const all = rest.length ? Buffer.concat([rest, chunk]) : chunk;
        const end = all.lastIndexOf(10) + 1;
        rest = all.subarray(end);
        load(all.subarray(0, end)).then(
          () => done(),
          (e: unknown) =>
            undo().then(
              () => done(e as Error),
              () => done(e as Error),
            ),
        );
      },
      final(done) {
        load(rest)
          .then(() => pg.exec(nested ? "RELEASE SAVEPOINT stairway_copy" : "COMMIT"))
          .then(
            () => done(),
            (e: unknown) =>
              undo().then(
                () => done(e as Error),
                () => done(e as Error),
              ),
          );
      },
    });
  };

  return {
    unsafe<T extends unknown[] = Row[]>(sql: string, params?: (string | null)[]): PgQuery<T> {
      // Run when awaited, as postgres.js does: a query taken as a cursor or as COPY input runs that way instead.
      let started: Promise<T & { count: number }> | undefined;
      const start = () => (started ??= run(sql, params) as unknown as Promise<T & { count: number }>);
      return {
        then: (ok, ko) => start().then(ok, ko),
        catch: (ko) => start().catch(ko),
        finally: (f) => start().finally(f),
        [Symbol.toStringTag]: "PgliteQuery",
        // PGlite answers a query in one piece: handed out `rows` at a time.
        async *cursor(rows: number) {
          const all = await run(sql, params);
          for (let i = 0; i < all.length; i += rows) yield all.slice(i, i + rows) as T[number][];
        },
        writable: () => copyIn(sql),
      };
    },
    async end() {
      if (!pg.closed) await pg.close();
    },
  };
}
