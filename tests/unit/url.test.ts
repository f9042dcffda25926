import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { StairwayError } from "../../src/errors.ts";
import { parseTargetUrl } from "../../src/stores/index.ts";
import {
  databaseOf,
  passwordOf,
  redactSecrets,
  redactUrl,
  secretOf,
  withDatabase,
} from "../../src/stores/url.ts";

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

describe("parseTargetUrl: sqlite", () => {
  test("sqlite:rel.db is a path relative to the working directory", () => {
    const u = parseTargetUrl("sqlite:test_migrations.db");
    expect(u).toMatchObject({ dialect: "sqlite", raw: "sqlite:test_migrations.db", path: resolve("test_migrations.db"), params: {} });
    expect(parseTargetUrl("sqlite:data/app.db").path).toBe(resolve("data/app.db"));
  });

  test("sqlite:///abs.db is an absolute path", () => {
    expect(parseTargetUrl("sqlite:///var/tmp/abs.db").path).toBe("/var/tmp/abs.db");
    expect(parseTargetUrl("sqlite:/var/tmp/abs.db").path).toBe("/var/tmp/abs.db");
  });

  test("sqlite::memory:", () => {
    expect(parseTargetUrl("sqlite::memory:")).toMatchObject({ dialect: "sqlite", path: ":memory:" });
  });

  test("query parameters are kept apart from the path", () => {
    const u = parseTargetUrl("sqlite:x.db?foreign_keys=off&journal_mode=wal");
    expect(u.path).toBe(resolve("x.db"));
    expect(u.params).toEqual({ foreign_keys: "off", journal_mode: "wal" });
  });

  test("sqlite: with no file is an error", () => {
    expect(errorOf(() => parseTargetUrl("sqlite:")).exitCode).toBe(2);
  });
});

describe("parseTargetUrl: servers", () => {
  test("postgres:// and postgresql:// are postgres, with the password redacted", () => {
    const u = parseTargetUrl("postgres://app:s3cret@db.internal:5432/tools?sslmode=require");
    expect(u).toMatchObject({
      dialect: "postgres",
      raw: "postgres://app:s3cret@db.internal:5432/tools?sslmode=require",
      redacted: "postgres://app:***@db.internal:5432/tools?sslmode=require",
      params: { sslmode: "require" },
    });
    expect(parseTargetUrl("postgresql://app@localhost/tools")).toMatchObject({
      dialect: "postgres",
      redacted: "postgresql://app@localhost/tools",
    });
  });

  test("redis:// is redis", () => {
    expect(parseTargetUrl("redis://127.0.0.1:6379/15")).toMatchObject({ dialect: "redis", redacted: "redis://127.0.0.1:6379/15" });
    expect(parseTargetUrl("redis://:hunter22@cache:6379/0").redacted).toBe("redis://:***@cache:6379/0");
  });

  test("redis+cluster://h:p,h:p is redis", () => {
    const u = parseTargetUrl("redis+cluster://10.0.0.1:7000,10.0.0.2:7001");
    expect(u).toMatchObject({ dialect: "redis", redacted: "redis+cluster://10.0.0.1:7000,10.0.0.2:7001" });
    expect(parseTargetUrl("redis+cluster://:pw1234@h1:7000,h2:7001").redacted).toBe("redis+cluster://:***@h1:7000,h2:7001");
    expect(errorOf(() => parseTargetUrl("redis+cluster://")).exitCode).toBe(2);
  });

  test("an unknown scheme is a usage error that does not show the password", () => {
    const e = errorOf(() => parseTargetUrl("mysql://root:topsecret@db/app", "DATABASE_URL"));
    expect(e.exitCode).toBe(2);
    expect(e.code).toBe("E_URL");
    expect(e.message).toStartWith("DATABASE_URL:");
    expect(e.message).toContain("mysql://root:***@db/app");
    expect(e.message).not.toContain("topsecret");
  });

  test("an unparsable server URL is a usage error that does not show the password", () => {
    const e = errorOf(() => parseTargetUrl("postgres://app:topsecret@db:notaport/x"));
    expect(e.exitCode).toBe(2);
    expect(e.message).not.toContain("topsecret");
  });

  test("postgres sslrootcert=<file> is a usage error that says to use NODE_EXTRA_CA_CERTS; sslrootcert=system is kept", () => {
    const e = errorOf(() => parseTargetUrl("postgres://app:topsecret@db/x?sslmode=verify-full&sslrootcert=/etc/ca.pem"));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      '--db: "postgres://app:***@db/x?sslmode=verify-full&sslrootcert=/etc/ca.pem": sslrootcert=<file> is not supported; drop it and point NODE_EXTRA_CA_CERTS at the CA file (NODE_EXTRA_CA_CERTS=/etc/ca.pem stairway …)',
    );
    expect(parseTargetUrl("postgres://db/x?sslrootcert=system").params).toEqual({ sslrootcert: "system" });
  });
});

describe("passwords never show", () => {
  // Each URL has user u, host h, database db; only the password differs.
  const passwords = [
    "p%40ss%2Fw0rd", // percent-encoded @ and /
    "pa:ss",
    "p!$&'()*+,;=x",
    "p@ss", // an unencoded @: URL parsers take the last @ as the end of the password
  ];
  for (const pw of passwords) {
    test(`redacted to postgres://u:***@h/db with password ${pw}`, () => {
      const u = parseTargetUrl(`postgres://u:${pw}@h/db`);
      expect(u.redacted).toBe("postgres://u:***@h/db");
      expect(redactUrl(`error at postgres://u:${pw}@h/db`)).toBe("error at postgres://u:***@h/db");
    });
  }

  test("a password with an unencoded / never reaches an error message", () => {
    const e = errorOf(() => parseTargetUrl("postgres://u:pa/ssword@h/db"));
    expect(e.message).not.toContain("pa/ssword");
    expect(e.message).not.toContain("ssword");
  });

  test("redactUrl redacts every URL inside a longer text", () => {
    const text = 'connect to postgres://a:one111@h1/db failed, then "redis://:two222@h2:6379/1" too';
    expect(redactUrl(text)).toBe('connect to postgres://a:***@h1/db failed, then "redis://:***@h2:6379/1" too');
  });

  test("redactUrl leaves URLs without a password alone", () => {
    expect(redactUrl("postgres://u@h/db and sqlite:x.db and postgres://u:@h/db")).toBe(
      "postgres://u@h/db and sqlite:x.db and postgres://u@h/db",
    );
  });

  test("passwordOf decodes the password; undefined when there is none", () => {
    expect(passwordOf("postgres://u:p%40ss%2Fw0rd@h/db")).toBe("p@ss/w0rd");
    expect(passwordOf("redis://:hunter22@cache:6379")).toBe("hunter22");
    expect(passwordOf("postgres://u@h/db")).toBeUndefined();
    expect(passwordOf("sqlite:x.db")).toBeUndefined();
  });

  test("redactSecrets hides a listed password wherever it appears, decoded or not", () => {
    const url = "postgres://u:p%40ss%2Fw0rd@h/db";
    const pw = passwordOf(url)!;
    const text = `password authentication failed for "u" (password p@ss/w0rd) at ${url}`;
    const out = redactSecrets(text, [pw]);
    expect(out).not.toContain(pw);
    expect(out).not.toContain("p%40ss");
    expect(out).toContain("postgres://u:***@h/db");
  });

  test("redactSecrets ignores secrets too short to be worth hiding", () => {
    expect(redactSecrets("a b c", ["a", ""])).toBe("a b c");
  });
});

describe("withDatabase and databaseOf", () => {
  test("withDatabase swaps only the database", () => {
    expect(withDatabase("postgres://u:p@h:5432/tools?sslmode=disable", "stairway_1_pg")).toBe(
      "postgres://u:p@h:5432/stairway_1_pg?sslmode=disable",
    );
    expect(withDatabase("postgres://u@h", "other")).toBe("postgres://u@h/other");
  });

  test("databaseOf: the path, else the user name, else postgres (libpq's rule)", () => {
    expect(databaseOf("postgres://u:p@h:5432/tools")).toBe("tools");
    expect(databaseOf("postgres://u@h/my%20db")).toBe("my db");
    expect(databaseOf("postgres://alice@h")).toBe("alice");
    expect(databaseOf("postgres://h:5432/")).toBe("postgres");
  });
});

describe("secretOf: the passwords output must hide", () => {
  test("a real password is hidden wherever it appears", () => {
    expect(secretOf("postgres://app:hunter22@db.example/app", "postgres")).toBe("hunter22");
  });
  test("a password that is also the user, host, database, dialect or target name would garble output: not hidden by itself", () => {
    expect(secretOf("postgres://postgres:postgres@localhost:5432/postgres", "postgres")).toBeUndefined();
    expect(secretOf("postgres://app:app@localhost/app", "main")).toBeUndefined();
    expect(secretOf("redis://:redis@localhost:6379/0", "cache")).toBeUndefined();
  });
  test("URLs still lose their password in text, and ?password= too", () => {
    expect(redactUrl("see postgres://postgres:postgres@localhost/postgres")).toBe("see postgres://postgres:***@localhost/postgres");
    expect(redactUrl("postgres://u@h/db?sslmode=disable&password=s3cr3t&x=1")).toBe("postgres://u@h/db?sslmode=disable&password=***&x=1");
    expect(passwordOf("postgres://u@h/db?password=s3cr3t")).toBe("s3cr3t");
  });
});
