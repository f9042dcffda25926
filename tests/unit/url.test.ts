import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { StairwayError } from "../../src/errors.ts";
import { databaseOf, parseTargetUrl, redactUrl, withDatabase, withoutPassword } from "../../src/stores/url.ts";
import { redact } from "../../src/secrets.ts";
import { esc } from "../../src/report/html-escape.ts";

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

describe("parseTargetUrl: pglite", () => {
  test("pglite: alone (or pglite::memory:) is a database in memory; pglite:dir a directory", () => {
    for (const raw of ["pglite:", "pglite::memory:"])
      expect(parseTargetUrl(raw)).toMatchObject({ store: "pglite", dialect: "postgres", path: ":memory:" });
    expect(parseTargetUrl("pglite:./data/pg")).toMatchObject({ store: "pglite", path: resolve("data/pg") });
    expect(parseTargetUrl("pglite:///var/tmp/pg").path).toBe("/var/tmp/pg");
  });

  test("sqlite: alone still names no file", () => {
    expect(errorOf(() => parseTargetUrl("sqlite:")).message).toBe(
      '--db: "sqlite:" names no file (use sqlite:path/to.db or sqlite::memory:)',
    );
  });
});

describe("parseTargetUrl: sqlite", () => {
  test("sqlite:rel.db is a path relative to the working directory", () => {
    const u = parseTargetUrl("sqlite:test_migrations.db");
    expect(u).toMatchObject({
      dialect: "sqlite",
      raw: "sqlite:test_migrations.db",
      path: resolve("test_migrations.db"),
      params: {},
    });
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
    expect(parseTargetUrl("redis://127.0.0.1:6379/15")).toMatchObject({
      dialect: "redis",
      redacted: "redis://127.0.0.1:6379/15",
    });
    expect(parseTargetUrl("redis://:hunter22@cache:6379/0").redacted).toBe("redis://:***@cache:6379/0");
  });

  test("redis+cluster://h:p,h:p is redis", () => {
    const u = parseTargetUrl("redis+cluster://10.0.0.1:7000,10.0.0.2:7001");
    expect(u).toMatchObject({ dialect: "redis", redacted: "redis+cluster://10.0.0.1:7000,10.0.0.2:7001" });
    expect(parseTargetUrl("redis+cluster://:pw1234@h1:7000,h2:7001").redacted).toBe(
      "redis+cluster://:***@h1:7000,h2:7001",
    );
    expect(errorOf(() => parseTargetUrl("redis+cluster://")).exitCode).toBe(2);
  });

  test("an unknown scheme is a usage error that does not show the password", () => {
    const e = errorOf(() => parseTargetUrl("oracle://root:topsecret@db/app", "DATABASE_URL"));
    expect(e.exitCode).toBe(2);
    expect(e.code).toBe("E_URL");
    expect(e.message).toStartWith("DATABASE_URL:");
    expect(e.message).toContain("oracle://root:***@db/app");
    expect(e.message).not.toContain("topsecret");
  });

  test("an unparsable server URL is a usage error that does not show the password", () => {
    const e = errorOf(() => parseTargetUrl("postgres://app:topsecret@db:notaport/x"));
    expect(e.exitCode).toBe(2);
    expect(e.message).not.toContain("topsecret");
  });

  test("postgres sslrootcert=<file> is a usage error that says to use NODE_EXTRA_CA_CERTS; sslrootcert=system is kept", () => {
    const e = errorOf(() =>
      parseTargetUrl("postgres://app:topsecret@db/x?sslmode=verify-full&sslrootcert=/etc/ca.pem"),
    );
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      '--db: "postgres://app:***@db/x?sslmode=verify-full&sslrootcert=/etc/ca.pem": sslrootcert=<file> is not supported; drop it and point NODE_EXTRA_CA_CERTS at the CA file (NODE_EXTRA_CA_CERTS=/etc/ca.pem stairway …)',
    );
    expect(parseTargetUrl("postgres://db/x?sslrootcert=system").params).toEqual({ sslrootcert: "system" });
  });
});

/** Each URL-special character inside a password, and how it may be written in a URL. */
const SPECIAL: { char: string; encoded: string; raw: boolean }[] = [
  { char: '"', encoded: "%22", raw: true },
  { char: "'", encoded: "%27", raw: true },
  { char: "@", encoded: "%40", raw: true }, // the user info ends at the last "@"
  { char: ":", encoded: "%3A", raw: true }, // the password starts at the first ":"
  { char: "/", encoded: "%2F", raw: false },
  { char: "?", encoded: "%3F", raw: false },
  { char: "#", encoded: "%23", raw: false },
  { char: "%", encoded: "%25", raw: false },
  { char: "&", encoded: "%26", raw: true },
  { char: "=", encoded: "%3D", raw: true },
  { char: "+", encoded: "%2B", raw: true },
  { char: " ", encoded: "%20", raw: true },
];

describe("passwords never show", () => {
  // Each URL has user u, host h, database db; only the password differs.
  for (const { char, encoded, raw } of SPECIAL) {
    const password = `pa${char}ss${char}w0rd`;
    const forms = raw ? [encoded, char] : [encoded];
    for (const form of forms) {
      const written = `pa${form}ss${form}w0rd`;
      test(`password ${JSON.stringify(password)} written ${JSON.stringify(written)}: decoded, shown as ***, hidden in any text`, () => {
        const u = parseTargetUrl(`postgres://u:${written}@h/db`);
        expect(u.password).toBe(password);
        expect(u.redacted).toBe("postgres://u:***@h/db");
        // In a server's error message, as written, in JSON, XML and HTML.
        const text = [password, written, JSON.stringify(password), esc(password), `postgres://u:${written}@h/db`].join(
          " | ",
        );
        const out = redact(text);
        expect(out).not.toContain("ss");
        expect(out).toContain("postgres://u:***@h/db");
        expect(withoutPassword(u.raw)).toBe("postgres://u@h/db");
      });
    }
    if (!raw)
      test(`a raw ${JSON.stringify(char)} in a password is refused (exit 2), with nothing of the password shown`, () => {
        const e = errorOf(() => parseTargetUrl(`postgres://u:pa${char}s3cr3t@h/db`));
        expect(e.code).toBe("E_URL");
        expect(e.message).not.toContain("s3cr3t");
        expect(e.message).toContain('"postgres://u:***@h/db"');
        expect(e.message).toMatch(char === "%" ? /write % as %25/ : /percent-encode/);
      });
  }

  test("libpq's ?password= is the password (decoded, + kept), hidden, and kept from the parameters", () => {
    const u = parseTargetUrl("postgres://u@h/db?sslmode=disable&password=s3%22cr+t&application_name=x");
    expect(u.password).toBe('s3"cr+t');
    expect(u.params).toEqual({ sslmode: "disable", application_name: "x" });
    expect(u.redacted).toBe("postgres://u@h/db?sslmode=disable&password=***&application_name=x");
    expect(redact('x "s3\\"cr+t" s3%22cr+t')).toBe('x "***" ***');
    expect(withoutPassword(u.raw)).toBe("postgres://u@h/db?sslmode=disable&application_name=x");
  });

  test("Redis takes no ?password=: refused, hidden", () => {
    const e = errorOf(() => parseTargetUrl("redis://h:6379/0?password=s3cr3t99"));
    expect(e.message).toContain("redis://h:6379/0?password=***");
    expect(e.message).not.toContain("s3cr3t99");
  });

  test("a user name with a bad percent-encoding is refused", () => {
    expect(errorOf(() => parseTargetUrl("postgres://u%zz:pw12345@h/db")).message).toMatch(
      /"%" in its user name that starts no percent-encoding/,
    );
  });

  test("an @ after the host (an unencoded / ? # cut the password short) is refused, never read as a host", () => {
    for (const url of ["postgres://u:12/34ab@h/db", "postgres://u:12?34ab@h/db", "postgres://u:p@a/ssab@h/db"]) {
      const e = errorOf(() => parseTargetUrl(url));
      expect(e.message).toMatch(/has an "@" after the host/);
      expect(e.message).not.toContain("ab");
    }
    // In a parameter after a user info, an "@" is only text.
    expect(parseTargetUrl("postgres://u:pw@h/db?application_name=me@box").redacted).toBe(
      "postgres://u:***@h/db?application_name=me@box",
    );
  });

  test("redactUrl leaves URLs without a password alone", () => {
    expect(redactUrl("postgres://u@h/db")).toBe("postgres://u@h/db");
    expect(redactUrl("postgres://u:@h/db")).toBe("postgres://u@h/db");
  });

  test("a password that is also the user, host, database or a dialect name is not hidden in free text (it would garble names); its URL still is", () => {
    expect(parseTargetUrl("postgres://postgres:postgres@localhost:5432/postgres").redacted).toBe(
      "postgres://postgres:***@localhost:5432/postgres",
    );
    expect(parseTargetUrl("postgres://appuser:appuser@localhost/x").redacted).toBe(
      "postgres://appuser:***@localhost/x",
    );
    expect(redact("role appuser on postgres")).toBe("role appuser on postgres");
  });

  test("a password too short to hide in free text still leaves its URL", () => {
    expect(parseTargetUrl("postgres://u:abc@h/db").redacted).toBe("postgres://u:***@h/db");
    expect(redact("abc")).toBe("abc");
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
