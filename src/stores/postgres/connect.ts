// Connecting to PostgreSQL: one postgres.js client of one connection (max: 1,
// so the session advisory lock, BEGIN/COMMIT and every statement share one
// backend), retried under --wait, its failures said in words.
// https://github.com/porsager/postgres

import postgres from "postgres";
import type { Writable } from "node:stream";
import { StairwayError } from "../../errors.ts";
import { afterWaiting, connectWaiting } from "../after-waiting.ts";
import type { OpenOptions } from "../contract.ts";
import { tlsReason } from "../tls.ts";
import { databaseOf, withoutPassword, type TargetUrl } from "../url.ts";

// Parameters go to the server as the text we give, as psql would send them.
// postgres.js would otherwise re-encode a string by the column's type: JSON
// strings stringified again, "true" sent as 'f' for booleans, timestamps
// through Date (losing microseconds and the offset).
const RAW_TYPES = {
  rawBool: { to: 16, from: [16], serialize: (x: unknown) => String(x), parse: (x: string) => x === "t" },
  rawJson: {
    to: 114,
    from: [114, 3802],
    serialize: (x: unknown) => (typeof x === "string" ? x : JSON.stringify(x)),
    parse: (x: string) => JSON.parse(x),
  },
  rawTime: {
    to: 1184,
    from: [1082, 1114, 1184],
    serialize: (x: unknown) => (x instanceof Date ? x.toISOString() : String(x)),
    parse: (x: string) => new Date(x),
  },
  rawBytea: {
    to: 17,
    from: [17],
    serialize: (x: unknown) => (typeof x === "string" ? x : "\\x" + Buffer.from(x as Uint8Array).toString("hex")),
    parse: (x: string) => Buffer.from(x.slice(2), "hex"),
  },
};

function connectError(e: unknown, url: TargetUrl, name: string, waitedMs: number): StairwayError {
  const err = e as { code?: string; message?: string; errno?: string };
  const where = `target ${name} (${url.redacted})`;
  const code = err.code ?? err.errno;
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused: is PostgreSQL running there? (--wait waits for a server that is starting)",
    ENOTFOUND: "host not found: check the host name in the URL",
    EAI_AGAIN: "host name lookup failed: check the host name in the URL",
    CONNECT_TIMEOUT: "no answer within 10 s: check the host, port and firewall",
    ETIMEDOUT: "no answer: check the host, port and firewall",
    "28P01": "password authentication failed: check the user and password in the URL",
    "28000": "the server refused this user: check the user and pg_hba.conf",
    "3D000": `database "${databaseOf(url.raw)}" does not exist: create it (createdb) or name another in the URL`,
    "57P03": "the server is starting up: try again, or pass --wait",
    "53300": "too many connections on the server",
  };
  const message = String(err.message ?? e).replace(/\s+/g, " ");
  // A server with ssl = off answers the TLS request with "no"; postgres.js tries anyway.
  const noTls = /before secure TLS connection was established/.test(message)
    ? "the server did not take up TLS: turn ssl on in its postgresql.conf, or leave sslmode out of the URL if plain connections are fine there"
    : undefined;
  const reason = (code && reasons[code]) ?? tlsReason(`${code ?? ""} ${message}`) ?? noTls ?? message;
  return new StairwayError("E_UNREACHABLE", `cannot connect to ${where}: ${afterWaiting(reason, waitedMs)}`, {
    cause: e,
  });
}

const RETRYABLE = new Set(["ECONNREFUSED", "57P03", "CONNECT_TIMEOUT", "ETIMEDOUT", "EAI_AGAIN"]);

/** Errors that mean the session is gone: the socket's, postgres.js's, and the server's (terminated, shutting down). */
export const CONNECTION_GONE = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01",
  "57P02",
  "57P03",
]);

/** SQLSTATE of "unrecognized configuration parameter". */
const UNKNOWN_SETTING = "42704";

/** One statement (or script): awaited, its rows with `count` (rows it changed); or streamed either way. */
export interface PgQuery<T extends unknown[]> extends Promise<T & { count: number }> {
  cursor(rows: number): AsyncIterable<T[number][]>;
  /** The input of a COPY … FROM STDIN. */
  writable(): Promise<Writable>;
}

/**
 * What the driver and the introspection need of a client: postgres.js's Sql,
 * or the in-process adapter over embedded PostgreSQL (stores/pglite/client.ts).
 */
export interface PgClient {
  /** `prepare`: a named prepared statement, planned once (a client that cannot may ignore it). */
  unsafe<T extends unknown[] = Record<string, unknown>[]>(
    text: string,
    params?: (string | null)[],
    opts?: { prepare?: boolean },
  ): PgQuery<T>;
  end(opts?: { timeout?: number }): Promise<void>;
}

/** A client, and how many connections it has lost (postgres.js opens a new one on the next query, silently). */
export interface PgConnection {
  sql: PgClient;
  lost: { count: number };
}

export async function connectPostgres(url: TargetUrl, opts: OpenOptions): Promise<PgConnection> {
  return connectWaiting(
    opts,
    async () => {
      const lost = { count: 0 };
      // The password goes apart: postgres.js would send a password= parameter to
      // the server as a setting, and fail on a % it cannot decode.
      const sql = postgres(withoutPassword(url.raw), {
        pass: url.password,
        max: 1,
        onnotice: () => {},
        onclose: () => void lost.count++,
        connect_timeout: 10,
        idle_timeout: 0,
        // Never recycled (postgres.js's default: after 30–60 min): a new
        // connection in the middle of a run would drop the session's advisory
        // lock, and the rest of a migration would run outside its transaction.
        max_lifetime: null,
        connection: { application_name: "stairway", ...(opts.unsynced ? { synchronous_commit: "off" } : {}) },
        types: RAW_TYPES,
        // No catalogue query at connect (a third of its time): values come as the
        // server's text, arrays included; introspection asks for JSON.
        fetch_types: false,
      });
      try {
        // The first query connects. PostgreSQL 14+: a backend whose client died
        // (SIGKILL) stops within a second instead of finishing a long statement,
        // so its database is free to drop; older servers do not know the setting.
        await sql.unsafe("SET client_connection_check_interval = 1000").catch((e: { code?: string }) => {
          if (e.code !== UNKNOWN_SETTING) throw e;
        });
        return { sql, lost };
      } catch (e) {
        await sql.end({ timeout: 0 }).catch(() => {});
        throw e;
      }
    },
    (e) => RETRYABLE.has((e as { code?: string }).code ?? ""),
    (e, waitedMs) => connectError(e, url, opts.name, waitedMs),
  );
}
