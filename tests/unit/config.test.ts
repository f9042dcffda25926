import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig, expand, loadConfig, parseConfig } from "../../src/config.ts";
import { StairwayError } from "../../src/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "stairway-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The StairwayError thrown by `fn` (the test fails if nothing is thrown). */
function errorOf(fn: () => unknown): StairwayError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StairwayError);
    return e as StairwayError;
  }
  throw new Error("expected a StairwayError, nothing was thrown");
}

const lines = (...l: string[]) => l.join("\n") + "\n";

describe("parseConfig", () => {
  test("reads the showcase config, with ${VAR:-default} expanded", () => {
    const text = lines(
      "migrations: { sql: sql, redis: redis-migrations }",
      "databases:",
      '  sqlite:   { url: "sqlite:test_migrations.db", max_migration_time: 1000 }',
      '  postgres: { url: "${STAIRWAY_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}", max_migration_time: 5000 }',
      "scenarios:",
      "  - { name: empty_database }",
      "  - { name: with_sample_data, fixtures: [sample_tools.json, sample_servers.json] }",
      "  - { name: large_dataset, rows: 10000, performance_test: true }",
    );
    const c = parseConfig(text, "config.yaml", {});
    expect(c.path).toBe("config.yaml");
    expect(c.migrations).toEqual({ sql: "sql", redis: "redis-migrations" });
    expect(c.databases).toEqual({
      sqlite: { url: "sqlite:test_migrations.db", max_migration_time: 1000 },
      postgres: { url: "postgres://postgres@127.0.0.1:5432/postgres", max_migration_time: 5000 },
    });
    expect(c.scenarios).toEqual([
      { name: "empty_database" },
      { name: "with_sample_data", fixtures: ["sample_tools.json", "sample_servers.json"] },
      { name: "large_dataset", rows: 10000, performance_test: true },
    ]);
    expect(c.fixtures).toBe(defaultConfig().fixtures);
    expect(c.test).toEqual(defaultConfig().test);
  });

  test("an environment variable wins over the default", () => {
    const c = parseConfig('databases:\n  pg: { url: "${PG:-postgres://localhost/x}" }\n', "c.yaml", {
      PG: "postgres://db/y",
    });
    expect(c.databases.pg!.url).toBe("postgres://db/y");
  });

  test("missing sections take the defaults; given ones merge over them", () => {
    const c = parseConfig(
      "migrations: { sql: db/migrations }\ntest: { rows: 5 }\nlayout: { pattern: '^V(?<version>\\d+)' }\n",
      "c.yaml",
      {},
    );
    expect(c.migrations).toEqual({ sql: "db/migrations", redis: "redis-migrations" });
    expect(c.test).toEqual({ rows: 5, seed: defaultConfig().test.seed });
    expect(c.layout).toEqual({ pattern: "^V(?<version>\\d+)" });
    expect(c.databases).toEqual({});
  });

  test("an empty file is the defaults", () => {
    expect(parseConfig("# nothing yet\n", "c.yaml", {})).toEqual({
      ...defaultConfig(),
      path: "c.yaml",
      layout: undefined,
    });
  });

  test("per-target limits and migrations directory", () => {
    const c = parseConfig(
      lines(
        "databases:",
        "  pg:",
        "    url: postgres://h/db",
        "    max_lock_duration: 200",
        "    max_downtime: 50",
        "    migrations: sql/postgres",
      ),
      "c.yaml",
      {},
    );
    expect(c.databases.pg).toEqual({
      url: "postgres://h/db",
      max_lock_duration: 200,
      max_downtime: 50,
      migrations: "sql/postgres",
    });
  });
});

describe("parseConfig: errors name the file and line (exit code 2)", () => {
  test("an unset variable without a default", () => {
    const e = errorOf(() => parseConfig(lines("databases:", "  pg:", "    url: ${STAIRWAY_TEST_UNSET}"), "c.yaml", {}));
    expect(e.exitCode).toBe(2);
    expect(e.code).toBe("E_CONFIG");
    expect(e.message).toContain("c.yaml:3");
    expect(e.message).toContain("${STAIRWAY_TEST_UNSET}");
    expect(e.more).toEqual([]);
  });

  test("an unknown top-level key", () => {
    const e = errorOf(() => parseConfig(lines("migrations: { sql: sql }", "datbases: {}"), "c.yaml", {}));
    expect(e.exitCode).toBe(2);
    expect(e.message).toStartWith("c.yaml:2:");
    expect(e.message).toContain('unknown key "datbases"');
  });

  test("an unknown nested key names where it is", () => {
    const e = errorOf(() =>
      parseConfig(lines("databases:", "  pg:", "    url: postgres://h/db", "    max_time: 5"), "c.yaml", {}),
    );
    expect(e.message).toStartWith("c.yaml:4:");
    expect(e.message).toContain('unknown key "max_time" in databases.pg');
  });

  test("a wrong type names the key", () => {
    const e = errorOf(() =>
      parseConfig(
        lines("databases:", "  pg:", "    url: postgres://h/db", "    max_migration_time: fast"),
        "c.yaml",
        {},
      ),
    );
    expect(e.message).toStartWith("c.yaml:4:");
    expect(e.message).toContain("databases.pg.max_migration_time must be a number");
  });

  test("a mapping where a list belongs, and a string where a boolean belongs", () => {
    expect(errorOf(() => parseConfig("scenarios: { name: x }\n", "c.yaml", {})).message).toContain(
      "scenarios must be a list",
    );
    const e = errorOf(() => parseConfig(lines("scenarios:", "  - name: x", "    performance_test: yes"), "c.yaml", {}));
    expect(e.message).toStartWith("c.yaml:3:");
    expect(e.message).toContain("scenarios[0].performance_test must be a boolean");
  });

  test("a target without a url", () => {
    const e = errorOf(() => parseConfig(lines("databases:", "  pg: { max_migration_time: 5 }"), "c.yaml", {}));
    expect(e.message).toContain('databases.pg needs "url"');
  });

  test("broken YAML, and a key written twice", () => {
    expect(errorOf(() => parseConfig("databases: [\n", "c.yaml", {})).exitCode).toBe(2);
    const e = errorOf(() => parseConfig(lines("fixtures: a", "fixtures: b"), "c.yaml", {}));
    expect(e.message).toStartWith("c.yaml:2:");
  });

  test("several problems are reported together: the first in .message, the rest in .more", () => {
    const text = lines(
      "migratons: {}", // 1
      "databases:", // 2
      "  pg:", // 3
      "    url: ${STAIRWAY_TEST_UNSET}", // 4
      "    max_migration_time: soon", // 5
      "test: { rows: many }", // 6
    );
    const e = errorOf(() => parseConfig(text, "c.yaml", {}));
    expect(e.exitCode).toBe(2);
    const all = [e.message, ...e.more];
    expect(all).toHaveLength(4);
    expect(all[0]).toStartWith("c.yaml:1:");
    expect(all[0]).toContain('"migratons"');
    expect(all.map((m) => m.split(":")[1])).toEqual(["1", "4", "5", "6"]);
  });

  test("an invalid layout.pattern regex", () => {
    const e = errorOf(() => parseConfig("layout:\n  pattern: '^(?<version>\\d+'\n", "c.yaml", {}));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("layout.pattern is not a valid regular expression");
  });

  test("an invalid layout.pattern names its line", () => {
    const e = errorOf(() => parseConfig(lines("fixtures: f", "layout:", "  pattern: '[a-'"), "c.yaml", {}));
    expect(e.message).toStartWith("c.yaml:3:");
  });

  test("an invalid layout.pattern is reported together with the other problems", () => {
    const e = errorOf(() => parseConfig(lines("layout: { pattern: '(' }", "fixturez: x"), "c.yaml", {}));
    const all = [e.message, ...e.more].join("\n");
    expect(all).toContain('unknown key "fixturez"');
    expect(all).toContain("layout.pattern");
  });
});

describe("setup", () => {
  const sql = join(dir, "setup.sql");
  writeFileSync(sql, "CREATE TABLE t (id int);\n");

  test("files per dialect, by any of its names, kept in order", () => {
    const c = parseConfig(lines("setup:", `  postgresql: [${sql}, ${sql}]`, `  sqlite3: [${sql}]`), "c.yaml", {});
    expect(c.setup).toEqual({ postgres: [sql, sql], sqlite: [sql] });
    expect(parseConfig("fixtures: f\n", "c.yaml", {}).setup).toEqual({});
  });

  test("each problem with its line: an unknown dialect, a dialect named twice, a missing file, a directory", () => {
    const e = errorOf(() =>
      parseConfig(
        lines("setup:", `  oracle: [${sql}]`, `  pg: [${sql}]`, "  postgres: [nope.sql]", `  sqlite: [${dir}]`),
        "c.yaml",
        {},
      ),
    );
    expect([e.message, ...e.more]).toEqual([
      'c.yaml:2: setup.oracle: "oracle" is not a SQL dialect (postgres, sqlite or mysql)',
      "c.yaml:4: setup.postgres: postgres is given twice",
      `c.yaml:5: setup.sqlite[0]: ${dir} is not a file`,
    ]);
    const missing = errorOf(() => parseConfig("setup:\n  sqlite: [nope.sql]\n", "c.yaml", {}));
    expect(missing.message).toBe(
      `c.yaml:2: setup.sqlite[0]: nope.sql does not exist (paths are read from the working directory, ${process.cwd()})`,
    );
  });
});

describe("loadConfig", () => {
  test("an explicit file that does not exist is an error naming it", () => {
    const missing = join(dir, "nope.yaml");
    const e = errorOf(() => loadConfig(missing, {}));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(missing);
  });

  test("an explicit file is read and named in the result", () => {
    const path = join(dir, "stairway.yaml");
    writeFileSync(path, 'databases:\n  lite: { url: "sqlite:${DB:-x.db}" }\n');
    const c = loadConfig(path, { DB: "y.db" });
    expect(c.path).toBe(path);
    expect(c.databases.lite!.url).toBe("sqlite:y.db");
  });

  test("errors from a file name that file", () => {
    const path = join(dir, "bad.yaml");
    writeFileSync(path, "bogus: 1\n");
    expect(errorOf(() => loadConfig(path, {})).message).toStartWith(`${path}:1:`);
  });

  test("with no file and none given, the built-in defaults", () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const c = loadConfig(undefined, {});
      expect(c).toEqual(defaultConfig());
      expect(c.path).toBeUndefined();
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("expand", () => {
  const run = (value: string, env: Record<string, string | undefined>) => {
    const problems: string[] = [];
    return { value: expand(value, env, (m) => problems.push(m)), problems };
  };

  test("${VAR} and ${VAR:-default}, several in one value", () => {
    expect(run("${A}-${B:-b}-${C:-}", { A: "a" })).toEqual({ value: "a-b-", problems: [] });
    expect(run("postgres://${U:-me}@${H:-localhost}:5432/db", { H: "db.internal" })).toEqual({
      value: "postgres://me@db.internal:5432/db",
      problems: [],
    });
  });

  test("an empty variable takes the default, as in a shell", () => {
    expect(run("${A:-fallback}", { A: "" }).value).toBe("fallback");
  });

  test("text without ${…} is left alone", () => {
    expect(run("$HOME and $ {X} and plain", {})).toEqual({ value: "$HOME and $ {X} and plain", problems: [] });
  });

  test("an unset variable without a default is a problem naming it", () => {
    const { problems } = run("${NOPE}/${ALSO_NOPE}", {});
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("${NOPE}");
    expect(problems[1]).toContain("${ALSO_NOPE}");
  });
});
