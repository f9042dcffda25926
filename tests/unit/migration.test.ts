import { describe, expect, test } from "bun:test";
import type { Directives } from "../../src/plan/directives.ts";
import {
  appliesTo,
  compareVersions,
  fileFor,
  type Direction,
  type Migration,
  type MigrationFile,
  type SqlDialect,
  versionKey,
} from "../../src/plan/migration.ts";

function file(path: string, direction: Direction, opts: { dialect?: SqlDialect; skip?: string[] } = {}): MigrationFile {
  const directives: Directives = { noTransaction: false, skip: opts.skip ?? [], lossy: [], allow: [] };
  return {
    path,
    direction,
    dialect: opts.dialect,
    text: "SELECT 1;",
    sql: "SELECT 1;",
    statements: [],
    checksum: "0".repeat(64),
    directives,
  };
}

function sqlMigration(files: Migration["files"]): Migration {
  return { version: "001", key: "1", name: "x", id: "001_x", store: "sql", files };
}

describe("versionKey", () => {
  test("drops leading zeros of all-digit versions, keeping one digit", () => {
    expect(versionKey("003")).toBe("3");
    expect(versionKey("3")).toBe("3");
    expect(versionKey("000")).toBe("0");
    expect(versionKey("20240115093000")).toBe("20240115093000");
  });

  test("leaves other versions as written", () => {
    expect(versionKey("V003")).toBe("V003");
    expect(versionKey("1.2a")).toBe("1.2a");
  });

  test("a diesel timestamp is its digits, as diesel records it", () => {
    expect(versionKey("2018-04-22-093322")).toBe("20180422093322");
    expect(versionKey("2024-01-15")).toBe("20240115");
  });

  test("a dotted version drops leading zeros part by part (Flyway's 1.02 is 1.2)", () => {
    expect(versionKey("1.02")).toBe("1.2");
    expect(versionKey("1.2")).toBe(versionKey("1.02"));
    expect(versionKey("01.10.003")).toBe("1.10.3");
  });
});

describe("compareVersions", () => {
  test("diesel timestamps compare by their digits as text, whatever their length (diesel's order)", () => {
    const sorted = [
      "2026-03-08-202630-0000",
      "2019-03-22-170700",
      "00000000000000",
      "2027-01-01-000000",
      "20160815133237",
      "2019-03-22-170700-0001",
    ].sort(compareVersions);
    expect(sorted).toEqual([
      "00000000000000",
      "20160815133237",
      "2019-03-22-170700",
      "2019-03-22-170700-0001",
      "2026-03-08-202630-0000",
      "2027-01-01-000000",
    ]);
  });

  test("popx's 20-digit timestamps compare as numbers", () => {
    expect(compareVersions("20150100000001000000", "20210410175418000000")).toBe(-1);
    expect(compareVersions("20210410175418000001", "20210410175418000000")).toBe(1);
  });

  test("Flyway versions: dotted and underscored are the same version, 1.10 after 1.2", () => {
    expect(["1.10", "1.2", "2", "1.2.1", "1"].sort(compareVersions)).toEqual(["1", "1.2", "1.2.1", "1.10", "2"]);
    expect(compareVersions("1.2", "1.02")).toBe(0);
  });

  test("all-digit versions compare as numbers", () => {
    expect(compareVersions("2", "10")).toBe(-1);
    expect(compareVersions("10", "2")).toBe(1);
    expect(compareVersions("003", "3")).toBe(0);
    expect(compareVersions("009", "010")).toBe(-1);
  });

  test("numbers beyond 2^53 still compare exactly", () => {
    expect(compareVersions("90071992547409921", "90071992547409920")).toBe(1);
  });

  test("other versions compare chunk by chunk, digits as numbers (V1.2 < V1.10)", () => {
    expect(compareVersions("V1.2", "V1.10")).toBe(-1);
    expect(compareVersions("V1.10", "V1.2")).toBe(1);
    expect(compareVersions("V2", "V10")).toBe(-1);
    expect(compareVersions("V1.02", "V1.2")).toBe(0);
    expect(compareVersions("V1.2", "V1.2.1")).toBeLessThan(0);
    expect(compareVersions("2024-01-15", "2024-02-01")).toBe(-1);
  });

  test("sorting with it gives the order a person expects", () => {
    expect(["10", "2", "001"].sort(compareVersions)).toEqual(["001", "2", "10"]);
    expect(["V1.10", "V1.2", "V1.1", "V2"].sort(compareVersions)).toEqual(["V1.1", "V1.2", "V1.10", "V2"]);
  });
});

describe("fileFor", () => {
  const up = file("up.sql", "up");
  const upPg = file("up.postgres.sql", "up", { dialect: "postgres" });
  const down = file("down.sql", "down");
  const m = sqlMigration({ up: { default: up, postgres: upPg }, down: { default: down } });

  test("the dialect override wins where there is one", () => {
    expect(fileFor(m, "up", "postgres")).toBe(upPg);
  });

  test("the default file serves the other dialects", () => {
    expect(fileFor(m, "up", "sqlite")).toBe(up);
    expect(fileFor(m, "down", "postgres")).toBe(down);
  });

  test("nothing when neither exists", () => {
    const onlyPg = sqlMigration({ up: { postgres: upPg }, down: {} });
    expect(fileFor(onlyPg, "up", "sqlite")).toBeUndefined();
    expect(fileFor(onlyPg, "down", "postgres")).toBeUndefined();
  });
});

describe("appliesTo", () => {
  test("a SQL migration applies to both SQL dialects and not to redis", () => {
    const m = sqlMigration({ up: { default: file("up.sql", "up") }, down: { default: file("down.sql", "down") } });
    expect(appliesTo(m, "sqlite")).toBe(true);
    expect(appliesTo(m, "postgres")).toBe(true);
    expect(appliesTo(m, "redis")).toBe(false);
  });

  test("a Redis migration applies to redis only", () => {
    const m: Migration = {
      version: "007",
      key: "7",
      name: "r",
      id: "007_r",
      store: "keys",
      files: { up: {}, down: {} },
    };
    expect(appliesTo(m, "redis")).toBe(true);
    expect(appliesTo(m, "sqlite")).toBe(false);
  });

  test("not where there is no up file for that dialect", () => {
    const m = sqlMigration({
      up: { postgres: file("up.postgres.sql", "up", { dialect: "postgres" }) },
      down: { postgres: file("down.postgres.sql", "down", { dialect: "postgres" }) },
    });
    expect(appliesTo(m, "postgres")).toBe(true);
    expect(appliesTo(m, "sqlite")).toBe(false);
  });

  test("not where the up or the down file skips that dialect", () => {
    const skipInUp = sqlMigration({
      up: { default: file("up.sql", "up", { skip: ["sqlite"] }) },
      down: { default: file("down.sql", "down") },
    });
    const skipInDown = sqlMigration({
      up: { default: file("up.sql", "up") },
      down: { default: file("down.sql", "down", { skip: ["postgres"] }) },
    });
    expect(appliesTo(skipInUp, "sqlite")).toBe(false);
    expect(appliesTo(skipInUp, "postgres")).toBe(true);
    expect(appliesTo(skipInDown, "postgres")).toBe(false);
    expect(appliesTo(skipInDown, "sqlite")).toBe(true);
  });
});
