// A real 3-master Redis Cluster, started here (redis-server, temp dirs) and
// stopped at the end: ctx.scan sees every key of every master, renameKeys
// moves keys across slots (DUMP/RESTORE with their PTTL) and within a slot
// (Lua), and the showcase passes `stairway test` on the cluster.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { Cluster, Redis } from "ioredis";
import { cleanup, ROOT, runCli, tempDir } from "../helpers.ts";
import { portFree } from "./helpers.ts";
import { createContext } from "../../src/stores/redis/context.ts";
import { keySlot } from "../../src/stores/redis/slot.ts";

const dir = tempDir("stairway-cluster-");
const servers: Subprocess[] = [];
let ports: number[] = [];
let cluster: Cluster;

async function startCluster(): Promise<void> {
  for (const base of [7101, 7201, 7301, 7401]) {
    const candidate = [base, base + 1, base + 2];
    if ((await Promise.all(candidate.map(portFree))).every(Boolean)) {
      ports = candidate;
      break;
    }
  }
  if (!ports.length) throw new Error("no three free ports for a test cluster among 7101–7403");
  for (const port of ports) {
    servers.push(
      Bun.spawn(
        [
          "redis-server",
          "--bind",
          "127.0.0.1",
          "--port",
          String(port),
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          `nodes-${port}.conf`,
          "--cluster-node-timeout",
          "5000",
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          dir,
          "--logfile",
          `${dir}/redis-${port}.log`,
        ],
        { stdout: "ignore", stderr: "ignore" },
      ),
    );
  }
  for (const port of ports) while (await portFree(port)) await Bun.sleep(20);
  const create = Bun.spawnSync([
    "redis-cli",
    "--cluster",
    "create",
    ...ports.map((p) => `127.0.0.1:${p}`),
    "--cluster-replicas",
    "0",
    "--cluster-yes",
  ]);
  if (create.exitCode !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout.toString()}`);
  for (const port of ports) {
    const node = new Redis({ port, lazyConnect: false });
    while (!/cluster_state:ok/.test(await node.cluster("INFO"))) await Bun.sleep(50);
    await node.quit();
  }
  cluster = new Cluster([{ host: "127.0.0.1", port: ports[0]! }], { enableAutoPipelining: true });
  await cluster.ping();
}

beforeAll(async () => {
  // make test installs Redis (scripts/services.sh): a missing binary is a failure, not a skip.
  if (!Bun.which("redis-server") || !Bun.which("redis-cli"))
    throw new Error("redis-server and redis-cli are needed for the cluster test (run make test, which installs them)");
  await startCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.quit().catch(() => {});
  for (const s of servers) s.kill("SIGTERM");
  await Promise.all(servers.map((s) => s.exited));
  cleanup(dir);
});

const ctx = () =>
  createContext({ client: cluster, version: "007", phase: "up", signal: new AbortController().signal, log: () => {} });
const flushAll = () => Promise.all(cluster.nodes("master").map((n) => n.flushdb()));

async function seed(n: number, name: (id: number) => string): Promise<void> {
  const writes: Promise<unknown>[] = [];
  for (let id = 1; id <= n; id++)
    writes.push(
      id % 10 === 0 ? cluster.set(name(id), `v${id}`) : cluster.set(name(id), `v${id}`, "PX", 3_600_000 + id),
    );
  await Promise.all(writes);
}

async function pttlOf(keys: string[]): Promise<number[]> {
  return Promise.all(keys.map((k) => cluster.pttl(k)));
}

describe("on a 3-master Redis Cluster", () => {
  test("hash slots agree with CLUSTER KEYSLOT", async () => {
    const keys = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 0 ? `session:{user:${i}}` : `k:${i}:${Math.random().toString(36)}`,
    );
    const server = await Promise.all(keys.map((k) => cluster.cluster("KEYSLOT", k)));
    expect(keys.map(keySlot)).toEqual(server.map(Number));
  });

  test("ctx.scan sees every key of every master; one node's SCAN sees about a third", async () => {
    await flushAll();
    await seed(30_000, (id) => `session:user:${id}`);
    const one = new Set<string>();
    let cursor = "0";
    do {
      const [next, keys] = await cluster.nodes("master")[0]!.scan(cursor, "MATCH", "session:user:*", "COUNT", 1000);
      cursor = next;
      keys.forEach((k) => one.add(k));
    } while (cursor !== "0");
    expect(one.size).toBeLessThan(15_000);
    const seen = new Set<string>();
    const n = await ctx().scan("session:user:*", async (keys) => void keys.forEach((k) => seen.add(k)));
    expect(n).toBe(30_000);
    expect(seen.size).toBe(30_000);
  }, 60_000);

  test("renameKeys across slots: DUMP/RESTORE keeps each TTL, never overwrites a newer key", async () => {
    await flushAll();
    await seed(20_000, (id) => `session:user:${id}`);
    for (let id = 1; id <= 10; id++) await cluster.set(`session:v2:user:${id}`, "newer", "PX", 100_000);
    const ids = Array.from({ length: 20_000 }, (_, i) => i + 1);
    const t0 = Date.now();
    const before = await pttlOf(ids.map((id) => `session:user:${id}`));
    const r = await ctx().renameKeys("session:user:*", (k) => `session:v2:user:${k.slice(13)}`);
    expect(r).toEqual({ moved: 19_990, dropped: 10 });
    const after = await pttlOf(ids.map((id) => `session:v2:user:${id}`));
    const elapsed = Date.now() - t0;
    const wrong = ids.filter((id, i) => {
      if (id <= 10) return false;
      if (before[i] === -1) return after[i] !== -1;
      return !(after[i]! > 0 && after[i]! <= before[i]! + 5 && before[i]! - after[i]! <= elapsed + 1000);
    });
    expect(wrong.map((id) => `${id}: ${before[id - 1]} → ${after[id - 1]}`)).toEqual([]);
    expect(await cluster.get("session:v2:user:3")).toBe("newer");
    expect(await cluster.get("session:v2:user:11")).toBe("v11");
    const left = await ctx().scan("session:user:*", async () => {});
    expect(left).toBe(0);
  }, 60_000);

  test("hash-tagged names stay in one slot: renamed by the Lua script, TTL kept", async () => {
    await flushAll();
    await seed(10_000, (id) => `session:{user:${id}}`);
    const r = await ctx().renameKeys("session:{user:*}", (k) => `session:v2:${k.slice("session:".length)}`);
    expect(r).toEqual({ moved: 10_000, dropped: 0 });
    expect(await cluster.pttl("session:v2:{user:10}")).toBe(-1);
    expect(await cluster.pttl("session:v2:{user:11}")).toBeGreaterThan(3_000_000);
  }, 60_000);

  test("the showcase passes stairway test on the cluster", async () => {
    await flushAll();
    const url = `redis+cluster://127.0.0.1:${ports[0]},127.0.0.1:${ports[1]}`;
    const r = await runCli(["test", "--db", url, "--redis", "redis-migrations", "--report-dir", dir, "--json"], {
      cwd: ROOT,
    });
    const report = r.json();
    expect(
      report.results.filter((x: any) => x.status !== "pass").map((x: any) => `${x.migration} ${x.check}: ${x.message}`),
    ).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.results.filter((x: any) => x.status === "pass").length).toBe(13);
    const sizes = await Promise.all(cluster.nodes("master").map((n) => n.dbsize()));
    expect(sizes).toEqual([0, 0, 0]);
  }, 120_000);
});
