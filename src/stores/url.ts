// Database URLs (README "Targets") and their redaction: a password never
// leaves this module in clear. Which scheme is which store: stores/index.ts.

import { isAbsolute, resolve } from "node:path";
import { orList, STORES, type Dialect } from "./dialects.ts";
import { StairwayError } from "../errors.ts";

export interface TargetUrl {
  dialect: Dialect;
  /** The URL as given (may hold a password: never print it). */
  raw: string;
  /** The URL with its password replaced by ***. */
  redacted: string;
  /** SQLite: the file path (absolute), or ":memory:". */
  path?: string;
  /** Query parameters (e.g. sqlite:x.db?foreign_keys=off). */
  params: Record<string, string>;
}

export function parseTargetUrl(raw: string, where = "--db"): TargetUrl {
  const trimmed = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  const store = STORES.find((s) => scheme && (s.schemes as readonly string[]).includes(scheme));
  if (store) return store.url === "file" ? parseFileUrl(trimmed, store.dialect, where) : parseNetworkUrl(trimmed, store.dialect, where);
  throw new StairwayError(
    "E_URL",
    `${where}: "${redactUrl(trimmed)}" is not a database URL stairway knows (use ${orList(STORES.map((s) => s.example))})`,
  );
}

/** A file database URL: scheme:path, scheme:///abs/path, scheme::memory:, with ?params. */
export function parseFileUrl(raw: string, dialect: Dialect, where: string): TargetUrl {
  let rest = raw.replace(/^[a-z][a-z0-9+.-]*:/i, "");
  const q = rest.indexOf("?");
  const params: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) params[k] = v;
    rest = rest.slice(0, q);
  }
  let path: string;
  if (rest === ":memory:" || rest === "//:memory:") path = ":memory:";
  else if (rest.startsWith("///")) path = rest.slice(2); // sqlite:///abs/path.db
  else if (rest.startsWith("//")) path = resolve(rest.slice(2)); // sqlite://rel/path.db
  else path = isAbsolute(rest) ? rest : resolve(rest);
  if (!rest) throw new StairwayError("E_URL", `${where}: "${raw}" names no file (use sqlite:path/to.db or sqlite::memory:)`);
  return { dialect, raw, redacted: raw, path, params };
}

/** A server URL: scheme://user:password@host:port/db?params (and redis+cluster://h:p,h:p). */
export function parseNetworkUrl(raw: string, dialect: Dialect, where: string): TargetUrl {
  // redis+cluster://h:p,h:p is not a WHATWG URL; check it by hand.
  if (/^redis\+cluster:/i.test(raw)) {
    const hosts = raw.replace(/^redis\+cluster:\/\//i, "").replace(/\/.*$/, "");
    if (!hosts) throw new StairwayError("E_URL", `${where}: "${redactUrl(raw)}" names no host`);
    return { dialect, raw, redacted: redactUrl(raw), params: {} };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StairwayError("E_URL", `${where}: "${redactUrl(raw)}" is not a valid URL`);
  }
  if (!url.hostname && dialect === "redis")
    throw new StairwayError("E_URL", `${where}: "${redactUrl(raw)}" names no host`);
  const params: Record<string, string> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  // postgres.js would send it to the server as a setting, which refuses the connection.
  if (dialect === "postgres" && params.sslrootcert !== undefined && params.sslrootcert !== "system")
    throw new StairwayError(
      "E_URL",
      `${where}: "${redactUrl(raw)}": sslrootcert=<file> is not supported; drop it and point NODE_EXTRA_CA_CERTS at the CA file (NODE_EXTRA_CA_CERTS=${params.sslrootcert} stairway …)`,
    );
  return { dialect, raw, redacted: redactUrl(raw), params };
}

const PASSWORD_PARAM = /[?&]password=/i;

/** Replaces the password of any URL-looking text with ***. */
export function redactUrl(text: string): string {
  // The password runs to the last "@" of the URL, as URL parsers read it,
  // so one holding an unencoded "@" or "/" is hidden whole. Most text (a
  // megabyte of lint report) holds neither form: two scans find that out.
  if (!text.includes("://") && !PASSWORD_PARAM.test(text)) return text;
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s"]*):([^\s"]*)@/gi, (_m, user: string, pass: string) => (pass ? `${user}:***@` : `${user}@`))
    .replace(/([?&]password=)[^&\s"]*/gi, "$1***");
}

/** Redacts URLs, and every password that `secrets` lists wherever it appears in `text`. */
export function redactSecrets(text: string, secrets: string[]): string {
  let out = redactUrl(text);
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join("***");
  return out;
}

export function passwordOf(raw: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:(\S+)@/i.exec(raw) ?? /[?&]password=([^&\s]+)/i.exec(raw);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return m[1];
  }
}

/**
 * The password of a URL that must be hidden wherever it appears in output —
 * unless it is also a word the output holds anyway (the user, host or
 * database, a dialect or target name: `postgres:postgres@…/postgres` is common),
 * where hiding it would garble names and not protect anything.
 */
export function secretOf(raw: string, targetName: string): string | undefined {
  const p = passwordOf(raw);
  if (!p || p.length < 4) return undefined;
  const plain = new Set([targetName, "postgres", "postgresql", "sqlite", "redis", "stairway"]);
  try {
    const u = new URL(raw);
    for (const w of [decodeURIComponent(u.username), u.hostname, decodeURIComponent(u.pathname.replace(/^\//, ""))]) plain.add(w);
  } catch {
    // Not a WHATWG URL (redis+cluster://h:p,h:p): the password alone is hidden.
  }
  return plain.has(p) ? undefined : p;
}

/** The same server with another database: postgres://u@h/other. */
export function withDatabase(raw: string, database: string): string {
  const url = new URL(raw);
  url.pathname = "/" + encodeURIComponent(database);
  return url.toString();
}

export function databaseOf(raw: string): string {
  const url = new URL(raw);
  return decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username) || "postgres";
}
