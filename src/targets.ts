// Which databases a command acts on: --db, else the config, else DATABASE_URL,
// else (for test commands) one throwaway SQLite database.

import type { Config, TargetConfig } from "./config.ts";
import { configError, StairwayError, usageError } from "./errors.ts";
import { storeById } from "./stores/dialects.ts";
import { parseTargetUrl } from "./stores/url.ts";
import type { TargetUrl } from "./stores/url.ts";
import type { Dialect } from "./plan/migration.ts";
import { listed } from "./plural.ts";

export interface Target {
  name: string;
  dialect: Dialect;
  url: TargetUrl;
  limits: Omit<TargetConfig, "url" | "migrations">;
  /** Per-target migration tree from the config, when it has its own. */
  migrations?: string;
}

export interface TargetOptions {
  config: Config;
  db?: string[];
  target?: string[];
  env: Record<string, string | undefined>;
  /** Test commands fall back to a throwaway SQLite database; the runner does not. */
  allowDefault: boolean;
}

export function resolveTargets(opts: TargetOptions): Target[] {
  let targets: Target[];
  if (opts.db?.length) {
    const used = new Map<string, number>();
    targets = opts.db.map((raw) => {
      const url = parseTargetUrl(raw, "--db");
      // Named after its store: sqlite, postgres, postgres2…
      const n = (used.get(url.store) ?? 0) + 1;
      used.set(url.store, n);
      return { name: n === 1 ? url.store : `${url.store}${n}`, dialect: url.dialect, url, limits: {} };
    });
  } else if (Object.keys(opts.config.databases).length) {
    targets = Object.entries(opts.config.databases).map(([name, t]) => {
      const url = parseTargetUrl(t.url, `${opts.config.path}: databases.${name}.url`);
      const { url: _u, migrations, ...limits } = t;
      refuseIgnoredTimeouts(opts.config.path, name, url, limits);
      return { name, dialect: url.dialect, url, limits, migrations };
    });
  } else if (opts.env.DATABASE_URL) {
    const url = parseTargetUrl(opts.env.DATABASE_URL, "DATABASE_URL");
    targets = [{ name: url.store, dialect: url.dialect, url, limits: {} }];
  } else if (opts.allowDefault) {
    targets = [{ name: "sqlite", dialect: "sqlite", url: parseTargetUrl("sqlite::memory:"), limits: {} }];
  } else {
    throw new StairwayError(
      "E_USAGE",
      "no database to act on: pass --db URL, set DATABASE_URL, or list databases in tests/migrations/config.yaml",
    );
  }
  if (opts.target?.length) {
    const known = targets.map((t) => t.name);
    const unknown = opts.target.filter((n) => !known.includes(n));
    if (unknown.length) throw usageError(`--target ${unknown.join(", ")}: no such target (known: ${known.join(", ")})`);
    targets = targets.filter((t) => opts.target!.includes(t.name));
  }
  return targets;
}

/** Timeouts a store would accept and never enforce (PGlite) are refused: a migration would pass there that times out on a server. */
function refuseIgnoredTimeouts(path: string | undefined, name: string, url: TargetUrl, limits: Target["limits"]): void {
  const store = storeById(url.store);
  if (!store.ignoresTimeouts) return;
  const set = (["lock_timeout", "statement_timeout"] as const).filter((k) => limits[k] !== undefined);
  if (set.length)
    throw configError(
      `${path}: databases.${name}.${set[0]}: ${store.label} never enforces lock_timeout or statement_timeout (it runs one statement at a time, with no timer to stop it), so a migration would pass here that times out on a server: remove ${listed(set)} from this target`,
    );
}
