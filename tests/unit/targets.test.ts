import { describe, expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { defaultConfig, type Config } from "../../src/config.ts";
import { StairwayError } from "../../src/errors.ts";
import { resolveTargets, type TargetOptions } from "../../src/targets.ts";

function errorOf(fn: () => unknown): StairwayError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StairwayError);
    return e as StairwayError;
  }
  throw new Error("expected a StairwayError, nothing was thrown");
}

const configured: Config = {
  ...defaultConfig(),
  path: "tests/migrations/config.yaml",
  databases: {
    sqlite: { url: "sqlite:test_migrations.db", max_migration_time: 1000 },
    postgres: {
      url: "postgres://postgres:pgpass@127.0.0.1:5432/postgres",
      max_migration_time: 5000,
      max_lock_duration: 100,
    },
    legacy: { url: "postgres://postgres@127.0.0.1:5432/legacy", migrations: "sql-legacy" },
  },
};

const resolve = (o: Partial<TargetOptions>) =>
  resolveTargets({ config: defaultConfig(), env: {}, allowDefault: false, ...o });
const summary = (o: Partial<TargetOptions>) => resolve(o).map((t) => [t.name, t.dialect]);

describe("resolveTargets: where targets come from", () => {
  test("each --db is named after its dialect, numbered from the second", () => {
    expect(
      summary({
        db: ["sqlite:a.db", "postgres://u@h1/db", "postgresql://u@h2/db", "redis://h:6379/1", "postgres://u@h3/db"],
      }),
    ).toEqual([
      ["sqlite", "sqlite"],
      ["postgres", "postgres"],
      ["postgres2", "postgres"],
      ["redis", "redis"],
      ["postgres3", "postgres"],
    ]);
  });

  test("a target is named after its store, not its dialect: embedded PostgreSQL is pglite", () => {
    expect(summary({ db: ["pglite:", "postgres://u@h/db", "pglite:./data"] })).toEqual([
      ["pglite", "postgres"],
      ["postgres", "postgres"],
      ["pglite2", "postgres"],
    ]);
  });

  test("--db replaces the configured targets and DATABASE_URL", () => {
    const t = resolve({
      config: configured,
      db: ["postgres://u:pw123@h/db"],
      env: { DATABASE_URL: "sqlite:other.db" },
    });
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ name: "postgres", dialect: "postgres", limits: {} });
    expect(t[0]!.url.redacted).toBe("postgres://u:***@h/db");
  });

  test("configured targets keep their names, limits and migration tree", () => {
    const t = resolve({ config: configured, env: { DATABASE_URL: "sqlite:ignored.db" } });
    expect(t.map((x) => [x.name, x.dialect])).toEqual([
      ["sqlite", "sqlite"],
      ["postgres", "postgres"],
      ["legacy", "postgres"],
    ]);
    expect(t[0]!.limits).toEqual({ max_migration_time: 1000 });
    expect(t[1]!.limits).toEqual({ max_migration_time: 5000, max_lock_duration: 100 });
    expect(t[1]!.url.redacted).toBe("postgres://postgres:***@127.0.0.1:5432/postgres");
    expect(t[2]!.migrations).toBe("sql-legacy");
    expect(t[2]!.limits).toEqual({});
  });

  test("a bad configured URL names the config file and key", () => {
    const config: Config = { ...configured, databases: { main: { url: "oracle://root:hidden99@h/app" } } };
    const e = errorOf(() => resolve({ config }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("tests/migrations/config.yaml: databases.main.url");
    expect(e.message).not.toContain("hidden99");
  });

  test("DATABASE_URL is used when nothing else names a target", () => {
    const t = resolve({ env: { DATABASE_URL: "postgres://app:pw123@db/app" } });
    expect(t.map((x) => [x.name, x.dialect])).toEqual([["postgres", "postgres"]]);
    expect(t[0]!.url.raw).toBe("postgres://app:pw123@db/app");
  });

  test("a bad DATABASE_URL is an error that says so", () => {
    expect(errorOf(() => resolve({ env: { DATABASE_URL: "nonsense" } })).message).toStartWith("DATABASE_URL:");
  });

  test("test commands fall back to one temporary SQLite database", () => {
    const t = resolve({ allowDefault: true });
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ name: "sqlite", dialect: "sqlite" });
    const path = t[0]!.url.path!;
    expect(path === ":memory:" || path.startsWith(tmpdir())).toBe(true);
  });

  test("the runner has no fallback: no target is a usage error that says what to do", () => {
    const e = errorOf(() => resolve({ allowDefault: false, env: { DATABASE_URL: "" } }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("--db");
    expect(e.message).toContain("DATABASE_URL");
  });
});

describe("resolveTargets: --target", () => {
  test("keeps only the named targets, in configured order", () => {
    expect(summary({ config: configured, target: ["legacy", "sqlite"] })).toEqual([
      ["sqlite", "sqlite"],
      ["legacy", "postgres"],
    ]);
  });

  test("works on --db names too", () => {
    expect(summary({ db: ["postgres://u@h1/a", "postgres://u@h2/b"], target: ["postgres2"] })).toEqual([
      ["postgres2", "postgres"],
    ]);
  });

  test("an unknown target is a usage error listing the known ones", () => {
    const e = errorOf(() => resolve({ config: configured, target: ["sqlite", "mysql", "pg"] }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("mysql, pg");
    expect(e.message).toContain("sqlite, postgres, legacy");
  });
});
