// PostgreSQL over TLS, on a throwaway server that takes TLS with a certificate
// of a CA made here: sslmode=verify-full works when NODE_EXTRA_CA_CERTS names
// the CA, and each way of getting it wrong is exit 3 with one sentence that
// says what to do. (rediss:// is tested in tests/redis/tls.test.ts.)

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { passwordServer } from "../password-server.ts";
import { cleanup, runCli, tempDir } from "../helpers.ts";
import { makeCertificates, type Certificates } from "../tls-certs.ts";

// An empty tree on purpose: status needs one, these tests need no migration.
const dir = tempDir("stairway-pg-tls-");
mkdirSync(join(dir, "sql"));
let certs: Certificates;
let server: Awaited<ReturnType<typeof passwordServer>> | undefined;
let plain: Awaited<ReturnType<typeof passwordServer>> | undefined;

beforeAll(async () => {
  certs = makeCertificates(dir, ["IP:127.0.0.1"]); // not "localhost"
  server = await passwordServer({ tls: certs });
  plain = await passwordServer();
}, 60_000);
afterAll(() => {
  server?.stop();
  plain?.stop();
  cleanup(dir);
});

const url = (host: string, port: number, sslmode: string) =>
  `postgres://postgres:right-password@${host}:${port}/postgres?sslmode=${sslmode}`;
const shown = (u: string) => u.replace(":right-password@", ":***@");

async function status(u: string, env: Record<string, string | undefined> = {}) {
  const r = await runCli(["status", "--db", u], { cwd: dir, env: { NODE_EXTRA_CA_CERTS: undefined, ...env } });
  expect(r.stderr + r.stdout).not.toContain("right-password");
  return r;
}

describe("postgres:// with sslmode", () => {
  test("verify-full with NODE_EXTRA_CA_CERTS naming the CA connects", async () => {
    const u = url("127.0.0.1", server!.port, "verify-full");
    const r = await status(u, { NODE_EXTRA_CA_CERTS: certs.ca });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(shown(u));
  });

  test("verify-full without the CA: exit 3, and how to trust it", async () => {
    const u = url("127.0.0.1", server!.port, "verify-full");
    const r = await status(u);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      `stairway: cannot connect to target postgres (${shown(u)}): its TLS certificate is not signed by a CA this machine trusts: point NODE_EXTRA_CA_CERTS at the CA's PEM file (NODE_EXTRA_CA_CERTS=ca.pem stairway …)`,
    );
  });

  test("verify-full by a name the certificate does not list: exit 3, connect by one it lists", async () => {
    const u = url("localhost", server!.port, "verify-full");
    const r = await status(u, { NODE_EXTRA_CA_CERTS: certs.ca });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      `stairway: cannot connect to target postgres (${shown(u)}): its TLS certificate does not name this host: connect by a name the certificate lists`,
    );
  });

  test("require encrypts without checking the certificate", async () => {
    const r = await status(url("127.0.0.1", server!.port, "require"));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  test("require on a server with ssl = off: exit 3, what to change", async () => {
    const u = url("127.0.0.1", plain!.port, "require");
    const r = await status(u);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      `stairway: cannot connect to target postgres (${shown(u)}): the server did not take up TLS: turn ssl on in its postgresql.conf, or leave sslmode out of the URL if plain connections are fine there`,
    );
  });
});
