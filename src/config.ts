// Loads tests/migrations/config.yaml: expands ${VAR:-default}, checks every key
// and type against one spec, and reports every problem together with its line.
// Below this edge the config is trusted.

import { existsSync, readFileSync, statSync } from "node:fs";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { configError } from "./errors.ts";
import type { TypeEquivalence } from "./schema/equivalences.ts";
import { LAYOUT_IDS, type LayoutId } from "./plan/layouts/ids.ts";
import { dialectNamed, isSqlDialect, SQL_DIALECTS, type SqlDialect } from "./stores/dialects.ts";
import { listed } from "./plural.ts";

export interface TargetConfig {
  url: string;
  /** ms; `perf.threshold` fails a step that takes longer. */
  max_migration_time?: number;
  /** ms; the longest a lock may be held (`perf.lock`). */
  max_lock_duration?: number;
  /** ms; the longest stall a concurrent probe may see (`perf.lock`). */
  max_downtime?: number;
  /** Migration tree of this target, when it differs from `migrations.sql`. */
  migrations?: string;
  /** ms; PostgreSQL lock_timeout set for every migration (a waiting DDL gives up instead of queueing everyone). */
  lock_timeout?: number;
  /** ms; PostgreSQL statement_timeout set for every migration. */
  statement_timeout?: number;
}

export interface Scenario {
  name: string;
  description?: string;
  fixtures?: string[];
  /** Generated rows per table (perf loads them as each table appears). */
  rows?: number;
  performance_test?: boolean;
  /** ms; overrides the target's max_migration_time in this scenario. */
  max_migration_time?: number;
}

/** A difference between targets that is known and accepted (cross-db), with why. */
export interface ExpectedDifference {
  /** The object, as diffs name it: "table tool_invocation_logs", "index idx_x", "type mood". */
  object: string;
  /** Only these parts of it ("partition key", "primary key", "column x"); all when absent. */
  parts?: string[];
  /** Only for these targets; all when absent. */
  targets?: string[];
  reason: string;
}

export interface CrossDbConfig {
  /** The target the others are compared with (default: the first PostgreSQL target, else the first). */
  reference?: string;
  expected: ExpectedDifference[];
  /** More type equivalences, tried before the built-in ones (src/schema/equivalences.ts). */
  types: TypeEquivalence[];
}

export interface Config {
  /** The file it came from, or undefined for the built-in defaults. */
  path?: string;
  migrations: { sql: string; redis: string };
  /** How the SQL tree is named: a runner's preset, or a regex of its own; detected when absent. */
  layout?: { preset?: LayoutId; pattern?: string };
  /**
   * SQL files run, in order, on every scratch database of a dialect before its
   * first migration: what the tree's own runner creates before migrating (its
   * bookkeeping table, a schema, roles). Paths from the working directory.
   */
  setup: Partial<Record<SqlDialect, string[]>>;
  databases: Record<string, TargetConfig>;
  scenarios: Scenario[];
  fixtures: string;
  test: { rows: number; seed: number };
  cross_db: CrossDbConfig;
}

export const DEFAULT_CONFIG_PATH = "tests/migrations/config.yaml";

export function defaultConfig(): Config {
  return {
    migrations: { sql: "sql", redis: "redis-migrations" },
    setup: {},
    databases: {},
    scenarios: [],
    fixtures: "tests/migrations/fixtures",
    test: { rows: 20, seed: 1 },
    cross_db: { expected: [], types: [] },
  };
}

type Spec =
  | { kind: "string" | "number" | "boolean" | "regex" | "file" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "list"; item: Spec }
  | { kind: "object"; keys: Record<string, Spec>; required?: string[]; exactlyOne?: string[] }
  | { kind: "map"; value: Spec; key?: MapKey };

/** What a map's keys may be: each key is read through `read`, which says undefined for one it does not know. */
interface MapKey {
  read: (key: string) => string | undefined;
  /** For the message: "a SQL dialect (postgres or sqlite)". */
  what: string;
}

/** A SQL dialect by any of its names (postgresql, pg, sqlite3…), as the registry knows them. */
const SQL_DIALECT_KEY: MapKey = {
  read: (key) => {
    const d = dialectNamed(key);
    return d && isSqlDialect(d) ? d : undefined;
  },
  what: `a SQL dialect (${listed(SQL_DIALECTS, "or")})`,
};

const str: Spec = { kind: "string" };
const num: Spec = { kind: "number" };
const bool: Spec = { kind: "boolean" };

const SPEC: Spec = {
  kind: "object",
  keys: {
    migrations: { kind: "object", keys: { sql: str, redis: str } },
    layout: {
      kind: "object",
      keys: { preset: { kind: "enum", values: LAYOUT_IDS }, pattern: { kind: "regex" } },
      exactlyOne: ["preset", "pattern"],
    },
    setup: { kind: "map", key: SQL_DIALECT_KEY, value: { kind: "list", item: { kind: "file" } } },
    databases: {
      kind: "map",
      value: {
        kind: "object",
        keys: {
          url: str,
          max_migration_time: num,
          max_lock_duration: num,
          max_downtime: num,
          migrations: str,
          lock_timeout: num,
          statement_timeout: num,
        },
        required: ["url"],
      },
    },
    scenarios: {
      kind: "list",
      item: {
        kind: "object",
        keys: {
          name: str,
          description: str,
          fixtures: { kind: "list", item: str },
          rows: num,
          performance_test: bool,
          max_migration_time: num,
        },
        required: ["name"],
      },
    },
    fixtures: str,
    test: { kind: "object", keys: { rows: num, seed: num } },
    cross_db: {
      kind: "object",
      keys: {
        reference: str,
        expected: {
          kind: "list",
          item: {
            kind: "object",
            keys: {
              object: str,
              parts: { kind: "list", item: str },
              targets: { kind: "list", item: str },
              reason: str,
            },
            required: ["object", "reason"],
          },
        },
        types: {
          kind: "list",
          item: {
            kind: "object",
            keys: { postgres: { kind: "regex" }, sqlite: { kind: "regex" }, sqlite_check: str, note: str },
            required: ["postgres", "sqlite", "note"],
          },
        },
      },
    },
  },
};

export function loadConfig(path: string | undefined, env: Record<string, string | undefined>): Config {
  const explicit = path !== undefined;
  const file = path ?? DEFAULT_CONFIG_PATH;
  if (!existsSync(file)) {
    if (explicit) throw configError(`config file ${file} does not exist`);
    return defaultConfig();
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw configError(
      `config file ${file} cannot be read: ${code === "EISDIR" ? "it is a directory" : (code ?? (e as Error).message)}`,
    );
  }
  return parseConfig(text, file, env);
}

export function parseConfig(text: string, file: string, env: Record<string, string | undefined>): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: string[] = [];
  const at = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  for (const e of doc.errors) problems.push(`${file}:${lines.linePos(e.pos[0]).line}: ${e.message.split("\n")[0]}`);
  if (problems.length) throw fail(file, problems);

  const check = (node: Node | null | undefined, spec: Spec, where: string): unknown => {
    const here = `${file}:${at(node)}`;
    switch (spec.kind) {
      case "regex": {
        const value = check(node, str, where);
        if (typeof value !== "string") return undefined;
        try {
          new RegExp(value);
        } catch (e) {
          problems.push(`${here}: ${where} is not a valid regular expression: ${(e as Error).message}`);
        }
        return value;
      }
      case "file": {
        const value = check(node, str, where);
        if (typeof value !== "string") return undefined;
        const problem = fileProblem(value);
        if (problem) problems.push(`${here}: ${where}: ${value} ${problem}`);
        return value;
      }
      case "enum": {
        const value = check(node, str, where);
        if (typeof value === "string" && !spec.values.includes(value))
          problems.push(`${here}: ${where} "${value}" is not one of ${listed(spec.values, "or")}`);
        return value;
      }
      case "string":
      case "number":
      case "boolean": {
        if (!isScalar(node) || node.value === null || typeof node.value === "object") {
          problems.push(`${here}: ${where} must be a ${spec.kind}`);
          return undefined;
        }
        let value = node.value;
        if (spec.kind === "string" && typeof value === "number") value = String(value);
        if (typeof value !== spec.kind) {
          problems.push(`${here}: ${where} must be a ${spec.kind}, got ${JSON.stringify(value)}`);
          return undefined;
        }
        if (typeof value === "string") return expand(value, env, (msg) => problems.push(`${here}: ${where}: ${msg}`));
        return value;
      }
      case "list": {
        if (!isSeq(node)) {
          problems.push(`${here}: ${where} must be a list`);
          return undefined;
        }
        return node.items.map((item, i) => check(item as Node, spec.item, `${where}[${i}]`));
      }
      case "map":
      case "object": {
        if (!isMap(node)) {
          problems.push(`${here}: ${where || "the file"} must be a mapping of keys`);
          return undefined;
        }
        const out: Record<string, unknown> = {};
        for (const pair of node.items) {
          const keyNode = pair.key as Node;
          const key = isScalar(keyNode) ? String(keyNode.value) : "?";
          const path = where ? `${where}.${key}` : key;
          if (spec.kind === "map") {
            const name = spec.key ? spec.key.read(key) : key;
            if (name === undefined) {
              problems.push(`${file}:${at(keyNode)}: ${path}: "${key}" is not ${spec.key!.what}`);
              continue;
            }
            if (name in out) {
              problems.push(`${file}:${at(keyNode)}: ${path}: ${name} is given twice`);
              continue;
            }
            out[name] = check(pair.value as Node, spec.value, path);
            continue;
          }
          const sub = spec.keys[key];
          if (!sub) {
            problems.push(
              `${file}:${at(keyNode)}: unknown key "${key}"${where ? ` in ${where}` : ""} (known: ${Object.keys(spec.keys).join(", ")})`,
            );
            continue;
          }
          out[key] = check(pair.value as Node, sub, path);
        }
        if (spec.kind === "object") {
          for (const r of spec.required ?? [])
            if (!(r in out)) problems.push(`${here}: ${where || "the file"} needs "${r}"`);
          const one = spec.exactlyOne;
          if (one && one.filter((k) => k in out).length !== 1)
            problems.push(
              `${here}: ${where} needs either "${one.join('" or "')}", not ${one.some((k) => k in out) ? "both" : "neither"}`,
            );
        }
        return out;
      }
    }
  };

  const raw = doc.contents ? (check(doc.contents as Node, SPEC, "") as Partial<Config>) : {};
  if (problems.length) throw fail(file, problems);

  const base = defaultConfig();
  const config: Config = {
    path: file,
    migrations: { ...base.migrations, ...(raw.migrations ?? {}) },
    layout: raw.layout,
    setup: raw.setup ?? {},
    databases: raw.databases ?? {},
    scenarios: raw.scenarios ?? [],
    fixtures: raw.fixtures ?? base.fixtures,
    test: { ...base.test, ...(raw.test ?? {}) },
    cross_db: crossDb(raw.cross_db as RawCrossDb | undefined),
  };
  return config;
}

type RawCrossDb = Partial<Omit<CrossDbConfig, "types">> & {
  types?: { postgres: string; sqlite: string; sqlite_check?: string; note: string }[];
};

function crossDb(raw: RawCrossDb | undefined): CrossDbConfig {
  return {
    reference: raw?.reference,
    expected: raw?.expected ?? [],
    types: (raw?.types ?? []).map(({ postgres, sqlite, sqlite_check, note }) => ({
      types: { postgres, sqlite },
      ...(sqlite_check ? { checks: { sqlite: sqlite_check } } : {}),
      note,
    })),
  };
}

/** Why a path named in the config cannot be read as a file, in words; undefined when it can. */
function fileProblem(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? undefined : "is not a file";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR"
      ? `does not exist (paths are read from the working directory, ${process.cwd()})`
      : `cannot be read (${code ?? (e as Error).message})`;
  }
}

function fail(file: string, problems: string[]) {
  const [first, ...rest] = problems;
  return configError(first ?? `${file} is not valid`, rest);
}

/** `${VAR}` and `${VAR:-default}`, as in a shell. */
export function expand(value: string, env: Record<string, string | undefined>, problem: (m: string) => void): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_all, name: string, fallback?: string) => {
    const v = env[name];
    if (v !== undefined && v !== "") return v;
    if (fallback !== undefined) return fallback;
    problem(`\${${name}} is not set and has no default (write \${${name}:-value})`);
    return "";
  });
}
