// Connecting to MariaDB or MySQL: one mysql2 connection (never a pool, so the
// run lock, the session's timeouts and every statement share one server
// thread), retried under --wait, its failures said in words; what the URL's
// parameters mean (TLS, sql_mode, a socket).
// https://sidorares.github.io/node-mysql2/docs

import mysql, { type Connection, type ConnectionOptions } from "mysql2/promise";
import { StairwayError } from "../../errors.ts";
import { afterWaiting, connectWaiting } from "../after-waiting.ts";
import type { OpenOptions } from "../contract.ts";
import { tlsReason } from "../tls.ts";
import type { TargetUrl } from "../url.ts";

/** Where a mysql:// or mariadb:// URL points, and how to talk to it. */
export interface MysqlAddress {
  host: string;
  port: number;
  user: string;
  password?: string;
  /** The database the URL names ("" when it names none). */
  database: string;
  /** A Unix socket instead of host:port (?socket=/run/mysqld/mysqld.sock). */
  socket?: string;
  /** TLS: off, encrypted without checking the certificate, or checked (VERIFY_CA: not the host name). */
  tls: "off" | "encrypt" | "verify-ca" | "verify-full";
  /** SET SESSION sql_mode = … after connecting (?sql_mode=…); undefined keeps the server's. */
  sqlMode?: string;
}

// The client programs' ssl-mode values, libpq's sslmode spelling of them, and dbmate's tls=.
const TLS_MODES: Record<string, MysqlAddress["tls"]> = {
  disabled: "off",
  disable: "off",
  preferred: "off",
  prefer: "off",
  allow: "off",
  required: "encrypt",
  require: "encrypt",
  verify_ca: "verify-ca",
  "verify-ca": "verify-ca",
  verify_identity: "verify-full",
  "verify-full": "verify-full",
};
const TLS_FLAG: Record<string, MysqlAddress["tls"]> = {
  false: "off",
  true: "verify-full",
  "skip-verify": "encrypt",
  preferred: "off",
};
const PARAMS = ["ssl-mode", "sslmode", "tls", "sql_mode", "socket"];

export function addressOf(url: TargetUrl, name: string): MysqlAddress {
  const bad = (why: string) => new StairwayError("E_URL", `target ${name}: "${url.redacted}" ${why}`);
  const u = new URL(url.raw);
  const unknown = Object.keys(url.params).filter((k) => !PARAMS.includes(k));
  if (unknown.length)
    throw bad(`has a parameter stairway does not know (${unknown.join(", ")}): use ${PARAMS.join(", ")}`);
  let tls: MysqlAddress["tls"] = "off";
  const mode = url.params["ssl-mode"] ?? url.params.sslmode;
  if (mode !== undefined) {
    const t = TLS_MODES[mode.toLowerCase()];
    if (!t) throw bad(`has ssl-mode=${mode}: use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY`);
    tls = t;
  }
  if (url.params.tls !== undefined) {
    const t = TLS_FLAG[url.params.tls.toLowerCase()];
    if (!t) throw bad(`has tls=${url.params.tls}: use true, skip-verify or false`);
    tls = t;
  }
  if (!u.hostname && !url.params.socket) throw bad("names no host");
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: url.password,
    database: decodeURIComponent(u.pathname.replace(/^\//, "")),
    socket: url.params.socket,
    tls,
    sqlMode: url.params.sql_mode,
  };
}

/** A connection, and how many times the server dropped one (the run lock and settings go with it). */
export interface MysqlConnection {
  conn: Connection;
  lost: { count: number };
  /** MariaDB rather than MySQL: max_statement_time bounds any statement there (MySQL's max_execution_time only SELECTs). */
  mariadb: boolean;
  /** The server's thread id for this connection (KILL, IS_USED_LOCK). */
  threadId: number;
}

/** Errors that mean the connection is gone, not the statement. */
export function connectionGone(e: unknown): boolean {
  const err = e as { code?: string; fatal?: boolean; errno?: number };
  if (err.fatal) return true;
  return ["PROTOCOL_CONNECTION_LOST", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ER_SERVER_SHUTDOWN"].includes(
    err.code ?? "",
  );
}

function connectError(e: unknown, url: TargetUrl, address: MysqlAddress, name: string, waitedMs: number) {
  const err = e as { code?: string; message?: string; errno?: number };
  const code = err.code ?? "";
  const database = address.database;
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused: is MariaDB/MySQL running there? (--wait waits for a server that is starting)",
    ENOENT: "no server socket there: is MariaDB/MySQL running, and is that its socket?",
    ENOTFOUND: "host not found: check the host name in the URL",
    EAI_AGAIN: "host name lookup failed: check the host name in the URL",
    ETIMEDOUT: "no answer within 10 s: check the host, port and firewall",
    ER_ACCESS_DENIED_ERROR: "access denied: check the user and password in the URL",
    ER_HOST_NOT_PRIVILEGED: "the server does not let this user connect from this host: check its grants",
    ER_BAD_DB_ERROR: `database "${database}" does not exist: create it (CREATE DATABASE) or name another in the URL`,
    ER_DBACCESS_DENIED_ERROR: `the user may not use database "${database}": grant it access, or name another in the URL`,
    ER_CON_COUNT_ERROR: "too many connections on the server",
    ER_SERVER_SHUTDOWN: "the server is shutting down: try again, or pass --wait",
    HANDSHAKE_NO_SSL_SUPPORT:
      "the server does not offer TLS: turn TLS on in its configuration (ssl_cert, ssl_key), or leave ssl-mode out of the URL if plain connections are fine there",
  };
  const message = String(err.message ?? e).replace(/\s+/g, " ");
  // mysql2 puts its own code on a failed TLS handshake and keeps OpenSSL's words in the message.
  const openssl = /self[- ]signed certificate/i.test(message)
    ? "SELF_SIGNED_CERT_IN_CHAIN"
    : /unable to (get local issuer|verify the first) certificate/i.test(message)
      ? "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
      : /certificate has expired/i.test(message)
        ? "CERT_HAS_EXPIRED"
        : /Hostname\/IP does not match|altnames/i.test(message)
          ? "ERR_TLS_CERT_ALTNAME_INVALID"
          : "";
  const reason = reasons[code] ?? tlsReason(`${code} ${openssl} ${message}`) ?? message;
  return new StairwayError(
    "E_UNREACHABLE",
    `cannot connect to target ${name} (${url.redacted}): ${afterWaiting(reason, waitedMs)}`,
    { cause: e },
  );
}

const RETRYABLE = new Set(["ECONNREFUSED", "ENOENT", "ETIMEDOUT", "EAI_AGAIN", "ER_SERVER_SHUTDOWN"]);

/**
 * Connects to the URL's server; `database: null` connects to no database
 * (scratch databases are made and dropped from there). `scratch`: a
 * connection only this run uses, whose TIMESTAMP values are read in UTC.
 */
export async function connectMysql(
  url: TargetUrl,
  opts: OpenOptions,
  how: { database?: string | null } = {},
): Promise<MysqlConnection> {
  const address = addressOf(url, opts.name);
  const database = how.database === null ? undefined : (how.database ?? address.database);
  if (how.database === undefined && !address.database)
    throw new StairwayError(
      "E_URL",
      `target ${opts.name}: "${url.redacted}" names no database: add it to the URL (mysql://user@host:3306/db)`,
    );
  const options: ConnectionOptions = {
    ...(address.socket ? { socketPath: address.socket } : { host: address.host, port: address.port }),
    user: address.user || undefined,
    password: address.password,
    database,
    // Values as the server writes them: dates, JSON and big numbers as text, never through Date, JSON.parse or a float.
    dateStrings: true,
    jsonStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    // Rows changed, not rows matched: an INSERT … ON DUPLICATE KEY UPDATE that changes nothing counts 0.
    flags: ["-FOUND_ROWS"],
    connectTimeout: 10_000,
    ...(address.tls === "off"
      ? {}
      : {
          ssl: { rejectUnauthorized: address.tls !== "encrypt", verifyIdentity: address.tls === "verify-full" },
        }),
  };
  return connectWaiting(
    opts,
    async () => {
      const lost = { count: 0 };
      let conn: Connection | undefined;
      try {
        conn = await mysql.createConnection(options);
        // A connection the server drops (KILL, restart, timeout) reports it here, not as a rejected query.
        conn.on("error", () => {});
        conn.once("end", () => void lost.count++);
        const [rows] = await conn.query("SELECT CONNECTION_ID() AS id, VERSION() AS version");
        const row = (rows as { id: number | string; version: string }[])[0]!;
        if (opts.scratch) await conn.query("SET time_zone = '+00:00'");
        if (address.sqlMode !== undefined) await conn.query("SET SESSION sql_mode = ?", [address.sqlMode]);
        return { conn, lost, mariadb: /mariadb/i.test(row.version), threadId: Number(row.id) };
      } catch (e) {
        await conn?.end().catch(() => {});
        throw e;
      }
    },
    (e) => RETRYABLE.has((e as { code?: string }).code ?? ""),
    (e, waitedMs) => {
      if (e instanceof StairwayError) return e;
      // A bad sql_mode is the URL's fault, not the server's.
      if ((e as { code?: string }).code === "ER_WRONG_VALUE_FOR_VAR")
        return new StairwayError(
          "E_URL",
          `target ${opts.name}: "${url.redacted}" has a sql_mode the server refuses: ${(e as Error).message}`,
        );
      return connectError(e, url, address, opts.name, waitedMs);
    },
  );
}

/** `name` quoted as a MySQL identifier. */
export function quoteIdent(name: string): string {
  return "`" + name.replace(/`/g, "``") + "`";
}
