// rediss:// on a real Redis that takes TLS only, started here with a
// certificate of a CA made here (openssl), and stopped at the end: the showcase
// passes `stairway test` over TLS when NODE_EXTRA_CA_CERTS names the CA, and
// each way of getting TLS wrong gets one sentence that says what to do. A
// command ends as soon as its work is done (ioredis timers used to keep it
// alive 1 s after a run, 2 s after a failed connect).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { Redis } from "ioredis";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, runCli, tempDir } from "../helpers.ts";
import { makeCertificates } from "../tls-certs.ts";
import { portFree } from "./helpers.ts";

const dir = tempDir("stairway-tls-");
mkdirSync(join(dir, "redis-migrations")); // an empty tree on purpose: status needs one
let ca = "";
let server: Subprocess | undefined;
let port = 0;

beforeAll(async () => {
  // make test installs Redis (scripts/services.sh): a missing binary is a failure, not a skip.
  if (!Bun.which("redis-server"))
    throw new Error("redis-server is needed for the TLS test (run make test, which installs Redis)");
  // For the name "localhost" only, not 127.0.0.1.
  const certs = makeCertificates(dir, ["DNS:localhost"]);
  ca = certs.ca;
  for (let p = 7601; p < 7700 && !port; p++) if (await portFree(p)) port = p;
  if (!port) throw new Error("no free port for a TLS Redis among 7601–7699");
  server = Bun.spawn(
    [
      "redis-server",
      "--port",
      "0",
      "--tls-port",
      String(port),
      "--tls-cert-file",
      certs.cert,
      "--tls-key-file",
      certs.key,
      "--tls-ca-cert-file",
      ca,
      "--tls-auth-clients",
      "no",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--logfile",
      join(dir, "redis.log"),
    ],
    { cwd: dir, stdout: "ignore", stderr: "ignore" },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis({
      host: "localhost",
      port,
      tls: { ca: readFileSync(ca) },
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
      await probe.quit();
      break;
    } catch (e) {
      probe.disconnect();
      if (Date.now() > deadline)
        throw new Error(
          `the TLS Redis on port ${port} did not start: ${(e as Error).message}; ${readFileSync(join(dir, "redis.log"), "utf8").slice(-500)}`,
        );
      await Bun.sleep(50);
    }
  }
}, 30_000);

/** How long the CLI takes to start and exit here and now (--version), to compare a command with. */
async function startupMs(): Promise<number> {
  const t0 = performance.now();
  expect((await runCli(["--version"], { cwd: dir })).code).toBe(0);
  return performance.now() - t0;
}

afterAll(async () => {
  server?.kill("SIGTERM");
  await server?.exited;
  cleanup(dir);
});

describe("rediss://", () => {
  test("the showcase passes stairway test over TLS when NODE_EXTRA_CA_CERTS names the CA, and leaves the database empty", async () => {
    const r = await runCli(
      ["test", "--db", `rediss://localhost:${port}/0`, "--redis", "redis-migrations", "--report-dir", dir, "--json"],
      {
        cwd: ROOT,
        env: { NODE_EXTRA_CA_CERTS: ca },
      },
    );
    const report = r.json();
    expect(
      report.results.filter((x: any) => x.status !== "pass").map((x: any) => `${x.migration} ${x.check}: ${x.message}`),
    ).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.results.filter((x: any) => x.status === "pass").length).toBeGreaterThanOrEqual(13);
    const check = new Redis({ host: "localhost", port, tls: { ca: readFileSync(ca) } });
    expect(await check.dbsize()).toBe(0);
    await check.quit();
  }, 120_000);

  test("status over TLS answers and ends at once", async () => {
    const start = await startupMs();
    const t0 = performance.now();
    const r = await runCli(["status", "--db", `rediss://localhost:${port}/0`, "--json"], {
      cwd: dir,
      env: { NODE_EXTRA_CA_CERTS: ca },
    });
    const ms = performance.now() - t0;
    expect(r.code).toBe(0);
    expect(r.json().targets.map((t: any) => t.url)).toEqual([`rediss://localhost:${port}/0`]);
    expect(ms - start).toBeLessThan(700); // a forgotten timer added 1,000 ms
  });

  test("a certificate of an unknown CA: exit 3 at once, and how to trust it", async () => {
    const start = await startupMs();
    const t0 = performance.now();
    const r = await runCli(["status", "--db", `rediss://localhost:${port}/0`], {
      cwd: dir,
      env: { NODE_EXTRA_CA_CERTS: undefined },
    });
    expect(performance.now() - t0 - start).toBeLessThan(1500); // ioredis's disconnect timeout added 2,000 ms
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      `stairway: cannot connect to target redis (rediss://localhost:${port}/0): its TLS certificate is not signed by a CA this machine trusts: point NODE_EXTRA_CA_CERTS at the CA's PEM file (NODE_EXTRA_CA_CERTS=ca.pem stairway …)`,
    );
  });

  test("a host the certificate does not name: exit 3, connect by a name it lists", async () => {
    const r = await runCli(["status", "--db", `rediss://127.0.0.1:${port}/0`], {
      cwd: dir,
      env: { NODE_EXTRA_CA_CERTS: ca },
    });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      `stairway: cannot connect to target redis (rediss://127.0.0.1:${port}/0): its TLS certificate does not name this host: connect by a name the certificate lists`,
    );
  });

  test("redis:// on a port that takes TLS: exit 3, use rediss://", async () => {
    const r = await runCli(["status", "--db", `redis://localhost:${port}/0`], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      `stairway: cannot connect to target redis (redis://localhost:${port}/0): the server reset the connection: if it takes TLS on that port, use rediss://`,
    );
  });
});
