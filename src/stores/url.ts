// Database URLs (README "Targets": sqlite:, postgres://, redis://, …; which
// scheme is which store: stores/dialects.ts) and their passwords. Each password is found by parsing its URL (never by a pattern
// over text), remembered as a secret of the run (src/secrets.ts), and shown
// nowhere: `redacted` is the URL with *** in its place.

import { isAbsolute, resolve } from "node:path";
import { StairwayError } from "../errors.ts";
import { rememberSecret } from "../secrets.ts";
import { STORES, storeById, type Dialect, type StoreId } from "./dialects.ts";
import { listed } from "../plural.ts";

export interface TargetUrl {
  /** The store its scheme names (which module opens it). */
  store: StoreId;
  /** The dialect of the migration files that run there. */
  dialect: Dialect;
  /** The URL as given (may hold a password: never print it). */
  raw: string;
  /** The URL with its password replaced by ***. */
  redacted: string;
  /** The password, decoded: from the user info, or (as libpq reads it) a `password=` parameter. Never print it. */
  password?: string;
  /** SQLite: the file path (absolute), or ":memory:". */
  path?: string;
  /** Query parameters (e.g. sqlite:x.db?foreign_keys=off), the password left out. */
  params: Record<string, string>;
}

export function parseTargetUrl(raw: string, where = "--db"): TargetUrl {
  const trimmed = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  const store = STORES.find((s) => scheme && (s.schemes as readonly string[]).includes(scheme));
  if (store) {
    const url =
      store.url === "file"
        ? parseFileUrl(trimmed, store.dialect, where, !!storeById(store.id).bareIsMemory)
        : parseNetworkUrl(trimmed, store.dialect, where);
    return { ...url, store: store.id };
  }
  throw new StairwayError(
    "E_URL",
    `${where}: "${redactUrl(trimmed)}" is not a database URL stairway knows (use ${listed(
      STORES.map((s) => s.example),
      "or",
    )})`,
  );
}

/** A file database URL: scheme:path, scheme:///abs/path, scheme::memory:, with ?params; `bareIsMemory`: scheme: alone too. */
export function parseFileUrl(
  raw: string,
  dialect: Dialect,
  where: string,
  bareIsMemory = false,
): Omit<TargetUrl, "store"> {
  let rest = raw.replace(/^[a-z][a-z0-9+.-]*:/i, "");
  const q = rest.indexOf("?");
  const params: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) params[k] = v;
    rest = rest.slice(0, q);
  }
  let path: string;
  if (rest === ":memory:" || rest === "//:memory:" || (bareIsMemory && !rest)) path = ":memory:";
  else if (rest.startsWith("///"))
    path = rest.slice(2); // sqlite:///abs/path.db
  else if (rest.startsWith("//"))
    path = resolve(rest.slice(2)); // sqlite://rel/path.db
  else path = isAbsolute(rest) ? rest : resolve(rest);
  if (!rest && !bareIsMemory)
    throw new StairwayError("E_URL", `${where}: "${raw}" names no file (use sqlite:path/to.db or sqlite::memory:)`);
  return { dialect, raw, redacted: raw, path, params };
}

const ENCODE_HINT = "percent-encode / ? # @ and % in the user and password (%2F %3F %23 %40 %25)";

/** A server URL: scheme://user:password@host:port/db?params (and redis+cluster://h:p,h:p). */
export function parseNetworkUrl(raw: string, dialect: Dialect, where: string): Omit<TargetUrl, "store"> {
  const bad = (why: string) => new StairwayError("E_URL", `${where}: "${redactUrl(raw)}" ${why}`);
  // The authority (user info and hosts) runs from "://" to the first / ? or #;
  // its user info ends at its last "@", as URL parsers read it. An "@" further
  // on means a / ? or # in the password cut the authority short: the host
  // would be part of the password, and the password part of the path.
  const start = raw.indexOf("://") + 3;
  const authEnd = /[/?#]/.exec(raw.slice(start))?.index;
  const end = authEnd === undefined ? raw.length : start + authEnd;
  const at = raw.lastIndexOf("@", end - 1);
  const rest = raw.slice(end);
  const userAt = at >= start ? at : -1;
  if (rest.replace(/\?[^#]*/, "").includes("@") || (userAt < 0 && rest.includes("@")))
    throw bad(`has an "@" after the host: ${ENCODE_HINT}`);
  const colon = userAt < 0 ? -1 : raw.indexOf(":", start);
  const written = colon >= 0 && colon < userAt ? raw.slice(colon + 1, userAt) : undefined;

  // redis+cluster://h:p,h:p is not a WHATWG URL; its hosts are checked when it is opened.
  const cluster = /^redis\+cluster:/i.test(raw);
  let url: URL | undefined;
  if (!cluster) {
    try {
      url = new URL(raw);
    } catch {
      throw bad("is not a valid URL");
    }
  } else if (!raw.slice(userAt < 0 ? start : userAt + 1, end)) throw bad("names no host");
  if (url && !url.hostname && dialect === "redis") throw bad("names no host");
  const decode = (s: string, what: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw bad(`has a "%" in its ${what} that starts no percent-encoding: write % as %25`);
    }
  };
  const username = decode(
    url ? url.username : colon >= 0 ? raw.slice(start, colon) : raw.slice(start, Math.max(userAt, start)),
    "user name",
  );
  let password: string | undefined;
  if (written !== undefined) {
    password = decode(url ? url.password : written, "password");
    remember(password, [written, url?.password ?? written], username, url);
  }
  // libpq also takes the password from a password= parameter, percent-decoded ("+" stays "+").
  for (const q of url?.search.slice(1).split("&") ?? []) {
    if (!q.startsWith("password=")) continue;
    if (dialect === "redis")
      throw bad("has a password= parameter: Redis takes the password in the user info (redis://:password@host:6379/0)");
    password = decode(q.slice("password=".length), "password= parameter");
    remember(password, [q.slice("password=".length)], username, url);
  }
  const params: Record<string, string> = {};
  if (url) for (const [k, v] of url.searchParams) if (k !== "password") params[k] = v;
  // postgres.js would send it to the server as a setting, which refuses the connection.
  if (dialect === "postgres" && params.sslrootcert !== undefined && params.sslrootcert !== "system")
    throw new StairwayError(
      "E_URL",
      `${where}: "${redactUrl(raw)}": sslrootcert=<file> is not supported; drop it and point NODE_EXTRA_CA_CERTS at the CA file (NODE_EXTRA_CA_CERTS=${params.sslrootcert} stairway …)`,
    );
  return { dialect, raw, redacted: redactUrl(raw, userAt), password: password || undefined, params };
}

/**
 * Remembers a password as a secret of the run — unless it is also a word the
 * output holds anyway (the user, host or database, a dialect name:
 * `postgres:postgres@…/postgres` is common), where hiding it would garble
 * names and protect nothing. The URL itself always shows *** in its place.
 */
function remember(password: string, written: string[], username: string, url: URL | undefined): void {
  const plain = new Set<string>(["stairway", username, ...STORES.flatMap((s) => [s.id, s.dialect, ...s.aliases])]);
  if (url) {
    plain.add(url.hostname);
    try {
      plain.add(decodeURIComponent(url.pathname.replace(/^\//, "")));
    } catch {
      // A database name that does not decode is no word of the output.
    }
  }
  if (!plain.has(password)) rememberSecret(password, ...written);
}

/**
 * The URL as shown: *** for the password in its user info (which ends at the
 * "@" given, by default the last one: a URL that is refused may hold a / ? or #
 * in its password, and all of it is hidden) and for a password= parameter.
 */
export function redactUrl(raw: string, at = raw.lastIndexOf("@")): string {
  const start = raw.indexOf("://") + 3;
  let out = raw;
  const colon = raw.indexOf(":", start);
  if (start >= 3 && at > start && colon >= 0 && colon < at)
    out = colon + 1 === at ? raw.slice(0, colon) + raw.slice(at) : raw.slice(0, colon + 1) + "***" + raw.slice(at);
  const q = out.indexOf("?", start);
  if (q < 0) return out;
  return out.slice(0, q) + out.slice(q).replace(/([?&]password=)[^&#]*/g, "$1***");
}

/** The URL without its password, for a client given the password apart (postgres.js's pass, PGPASSWORD). */
export function withoutPassword(raw: string): string {
  const url = new URL(raw);
  url.password = "";
  if (url.searchParams.has("password")) url.searchParams.delete("password");
  return url.toString();
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
