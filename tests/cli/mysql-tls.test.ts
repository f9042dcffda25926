// MariaDB over TLS, on a throwaway server that takes TLS with a certificate of
// a CA made here, and a user that must use it: ssl-mode=VERIFY_IDENTITY works
// when NODE_EXTRA_CA_CERTS names the CA, REQUIRED encrypts without checking,
// and each way of getting it wrong is exit 3 with one sentence that says what
// to do, the password hidden.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { mariadbServer } from "../mariadb-server.ts";
import { cleanup, runCli, tempDir } from "../helpers.ts";
import { makeCertificates, type Certificates } from "../tls-certs.ts";

const dir = tempDir("stairway-mysql-tls-");
mkdirSync(join(dir, "sql"));
let certs: Certificates;
let server: Awaited<ReturnType<typeof mariadbServer>> | undefined;

beforeAll(async () => {
  certs = makeCertificates(dir, ["IP:127.0.0.1"]); // not "localhost"
  server = await mariadbServer({ tls: certs });
  server.sql(
    "CREATE DATABASE app; CREATE USER 'app'@'%' IDENTIFIED BY 'right-password' REQUIRE SSL; GRANT ALL ON app.* TO 'app'@'%';" +
      "DROP USER IF EXISTS ''@'localhost'; DROP USER IF EXISTS ''@'127.0.0.1'",
  );
}, 60_000);
afterAll(async () => {
  await server?.stop();
  cleanup(dir);
});

const url = (host: string, query: string, password = "right-password") =>
  `mysql://app:${password}@${host}:${server!.port}/app${query}`;
const shown = (u: string) => u.replace(/:[^:@]+@/, ":***@");

async function status(u: string, env: Record<string, string | undefined> = {}) {
  const r = await runCli(["status", "--db", u], { cwd: dir, env: { NODE_EXTRA_CA_CERTS: undefined, ...env } });
  expect(r.stderr + r.stdout).not.toContain("right-password");
  expect(r.stderr + r.stdout).not.toContain("wrong-password");
  return r;
}

describe("mysql:// with ssl-mode", () => {
  test("VERIFY_IDENTITY with NODE_EXTRA_CA_CERTS naming the CA connects", async () => {
    const r = await status(url("127.0.0.1", "?ssl-mode=VERIFY_IDENTITY"), { NODE_EXTRA_CA_CERTS: certs.ca });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  test("VERIFY_IDENTITY without the CA: exit 3, and how to trust it", async () => {
    const u = url("127.0.0.1", "?ssl-mode=VERIFY_IDENTITY");
    const r = await status(u);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      `stairway: cannot connect to target mysql (${shown(u)}): its TLS certificate is not signed by a CA this machine trusts: point NODE_EXTRA_CA_CERTS at the CA's PEM file (NODE_EXTRA_CA_CERTS=ca.pem stairway …)`,
    );
  });

  test("VERIFY_IDENTITY by a name the certificate does not list: exit 3; VERIFY_CA does not check the name", async () => {
    const u = url("localhost", "?ssl-mode=VERIFY_IDENTITY");
    const r = await status(u, { NODE_EXTRA_CA_CERTS: certs.ca });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      `stairway: cannot connect to target mysql (${shown(u)}): its TLS certificate does not name this host: connect by a name the certificate lists`,
    );
    expect((await status(url("localhost", "?ssl-mode=VERIFY_CA"), { NODE_EXTRA_CA_CERTS: certs.ca })).code).toBe(0);
  });

  test("REQUIRED (and dbmate's tls=skip-verify) encrypt without checking the certificate", async () => {
    expect((await status(url("127.0.0.1", "?ssl-mode=REQUIRED"))).code).toBe(0);
    expect((await status(url("127.0.0.1", "?tls=skip-verify"))).code).toBe(0);
  });

  test("without TLS the user that requires it is refused; a wrong password too: exit 3, one sentence, hidden", async () => {
    for (const u of [url("127.0.0.1", ""), url("127.0.0.1", "?ssl-mode=REQUIRED", "wrong-password")]) {
      const r = await status(u);
      expect(r.code).toBe(3);
      expect(r.stderr.trim()).toBe(
        `stairway: cannot connect to target mysql (${shown(u)}): access denied: check the user and password in the URL`,
      );
    }
  });
});
