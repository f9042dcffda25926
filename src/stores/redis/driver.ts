// Redis driver (ioredis): a Redis or, for redis+cluster://, a Cluster. Like
// every driver it is dumb: it locks, runs one transform, records. The lock is
// `SET stairway:lock <token> NX PX 5000`, renewed every 1.5 s while held and
// released only by its holder; bookkeeping is the hash `stairway:migrations`
// (version → JSON row). https://redis.io/docs/latest/commands/set/#patterns

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Cluster, Redis, type RedisOptions } from "ioredis";
import { errorMessage, StairwayError } from "../../errors.ts";
import type { Direction, Migration } from "../../plan/migration.ts";
import type { RedisContext } from "../../types.ts";
import { afterWaiting, connectWaiting } from "../after-waiting.ts";
import type { AppliedRow, KeyDump, KeyspaceDriver, OpenOptions } from "../contract.ts";
import { checkpointKey, createContext, OWN_PREFIX } from "./context.ts";
import { scanKeys, snapshotKeyspace } from "./keyspace.ts";
import { loadTransform } from "./load.ts";
import { evalScript, isCluster, LOCK_RELEASE, LOCK_RENEW, masters, type Client } from "./scripts.ts";
import { lostWrites, startWriter } from "./writer.ts";
import type { TargetUrl } from "../url.ts";
import { tlsReason } from "../tls.ts";

export const BOOKKEEPING_HASH = "stairway:migrations";
export const LOCK_KEY = "stairway:lock";
/** Set while a test command works in a logical database (it was empty, or --flush emptied it): `clean` may empty it. */
export const SCRATCH_MARKER = "stairway:scratch";
/** A run that dies leaves the lock for at most this long. */
export const LOCK_TTL_MS = 5000;
const RENEW_EVERY_MS = 1500;

export interface RedisDriver extends KeyspaceDriver {
  readonly dialect: "redis";
  readonly client: Client;
  /** Stops the running transform between batches (Ctrl-C, end of a test). */
  abort(reason: Error): void;
  /** A context outside any migration step (seed). */
  context(version: string, phase: string): RedisContext;
}

interface Endpoint {
  nodes: { host: string; port: number }[];
  cluster: boolean;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
}

function endpointOf(url: TargetUrl, name: string): Endpoint {
  const bad = (why: string) => new StairwayError("E_URL", `target ${name}: ${url.redacted} ${why}`);
  if (/^redis\+cluster:/i.test(url.raw)) {
    const rest = url.raw.replace(/^redis\+cluster:\/\//i, "");
    const at = rest.lastIndexOf("@");
    const auth = at >= 0 ? rest.slice(0, at) : "";
    const [hostList = "", path = ""] = rest.slice(at + 1).split(/\/(.*)/s);
    if (path.replace(/\?.*$/, "") && path.replace(/\?.*$/, "") !== "0")
      throw bad("names a logical database, but a Redis Cluster has only database 0");
    const nodes = hostList
      .split(",")
      .filter(Boolean)
      .map((hp) => {
        const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(hp);
        if (!m) throw bad(`names "${hp}", which is not host:port`);
        return { host: m[1]!, port: Number(m[2] ?? 6379) };
      });
    const user = auth.split(":")[0];
    return {
      nodes,
      cluster: true,
      db: 0,
      username: user ? decodeURIComponent(user) : undefined,
      password: url.password,
      tls: false,
    };
  }
  const u = new URL(url.raw);
  const dbText = decodeURIComponent(u.pathname.replace(/^\//, "")) || "0";
  if (!/^\d+$/.test(dbText))
    throw bad(`names logical database "${dbText}": expected a number, as in redis://host:6379/15`);
  return {
    nodes: [{ host: u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", port: Number(u.port || 6379) }],
    cluster: false,
    db: Number(dbText),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: url.password,
    tls: u.protocol === "rediss:",
  };
}

function clientFor(ep: Endpoint): Client {
  // No reconnection behind our back: a transform that loses its connection
  // fails, stays dirty, and resumes from its checkpoint when run again.
  // Auto-pipelining: commands sent together without awaiting each (Promise.all,
  // as a seed or a transform naturally writes them) leave in one write, on a
  // single server as per cluster node.
  const common: RedisOptions = {
    enableAutoPipelining: true,
    username: ep.username,
    password: ep.password,
    connectTimeout: 10_000,
    maxRetriesPerRequest: 0,
    ...(ep.tls ? { tls: {} } : {}),
  };
  const client: Client = ep.cluster
    ? new Cluster(ep.nodes, {
        lazyConnect: true,
        enableAutoPipelining: true,
        clusterRetryStrategy: () => null,
        redisOptions: common,
      })
    : // The database is SELECTed by connect(): ioredis would ignore a failed SELECT and stay on 0.
      // disconnectTimeout: under Bun a socket that failed to connect never reports
      // "close", and ioredis's default kept a failed command alive 2 s.
      new Redis({ ...common, ...ep.nodes[0]!, lazyConnect: true, retryStrategy: () => null, disconnectTimeout: 100 });
  return client;
}

const RETRYABLE = /ECONNREFUSED|ECONNRESET|EAI_AGAIN|ETIMEDOUT|LOADING|startup nodes|CLUSTERDOWN/;

/** A failed connect: its cause, and its words with those of the 'error' events that came with it. */
interface Failed {
  cause: unknown;
  text: string;
}

function connect(ep: Endpoint, url: TargetUrl, opts: OpenOptions): Promise<Client> {
  return connectWaiting(
    opts,
    async () => {
      const client = clientFor(ep);
      // The cause of a failed connect (ECONNREFUSED, a cluster node's refusal)
      // comes as an 'error' event; the promise only says the connection closed.
      const events: unknown[] = [];
      client.on("error", (e) => events.push(e));
      client.on("node error", (e) => events.push(e));
      try {
        await client.connect();
        if (!isCluster(client) && ep.db !== 0) await client.select(ep.db);
        await client.ping();
        if (isCluster(client) && masters(client).length === 0) throw new Error("CLUSTERDOWN no master node known");
        return client;
      } catch (e) {
        client.disconnect();
        throw { cause: e, text: [e, ...events].map(errorText).join(" ") } satisfies Failed;
      }
    },
    (f) => RETRYABLE.test((f as Failed).text),
    (f, waitedMs) => connectError((f as Failed).text, ep, url, opts.name, (f as Failed).cause, waitedMs),
  );
}

function errorText(e: unknown): string {
  const err = e as { message?: string; code?: string; lastNodeError?: { message?: string; code?: string } };
  return [err.code, err.message, err.lastNodeError?.code, err.lastNodeError?.message].filter(Boolean).join(" ");
}

function connectError(
  text: string,
  ep: Endpoint,
  url: TargetUrl,
  name: string,
  cause: unknown,
  waitedMs: number,
): StairwayError {
  const reasons: [RegExp, string][] = [
    [/ECONNREFUSED/, "connection refused: is Redis running there? (--wait waits for a server that is starting)"],
    [/ENOTFOUND|EAI_AGAIN/, "host not found: check the host name in the URL"],
    [/ETIMEDOUT|connect ETIMEDOUT|timed? ?out/i, "no answer within 10 s: check the host, port and firewall"],
    [
      /WRONGPASS|NOAUTH|invalid password|invalid username/i,
      "authentication failed: check the user and password in the URL",
    ],
    [
      /DB index is out of range/,
      `logical database ${ep.db} does not exist there (the server's "databases" setting is lower): name another in the URL`,
    ],
    [
      /SELECT is not allowed in cluster mode/,
      "it is a Redis Cluster node: use redis+cluster://host:port,… (a cluster has only database 0)",
    ],
    [/cluster support disabled/, "it is not a Redis Cluster: use redis://host:port/db"],
    [/LOADING/, "Redis is loading its data set: try again, or pass --wait"],
    [
      /startup nodes|CLUSTERDOWN/,
      "no node of the cluster answered with a usable slot map: check the hosts and that the cluster is up",
    ],
    // A server that takes TLS on that port drops a plain connection.
    [
      /ECONNRESET/,
      ep.tls
        ? "the server reset the connection"
        : "the server reset the connection: if it takes TLS on that port, use rediss://",
    ],
  ];
  const reason = tlsReason(text) ?? reasons.find(([re]) => re.test(text))?.[1] ?? text.replace(/\s+/g, " ");
  return new StairwayError(
    "E_UNREACHABLE",
    `cannot connect to target ${name} (${url.redacted}): ${afterWaiting(reason, waitedMs)}`,
    { cause },
  );
}

export async function openRedis(url: TargetUrl, opts: OpenOptions): Promise<RedisDriver> {
  const ep = endpointOf(url, opts.name);
  const client = await connect(ep, url, opts);
  const name = opts.name;
  let token: string | undefined;
  let renewal: ReturnType<typeof setInterval> | undefined;
  let running: AbortController | undefined;
  let lost: Error | undefined;

  const stopRenewal = () => {
    if (renewal) clearInterval(renewal);
    renewal = undefined;
  };
  const loseLock = (why: string) => {
    lost = new Error(
      `target ${name}: lost the migration lock ${LOCK_KEY} (${why}); stopped between batches: run again to resume`,
    );
    stopRenewal();
    running?.abort(lost);
  };

  const contextFor = (version: string, phase: string, signal: AbortSignal, label: string) =>
    createContext({ client, version, phase, signal, log: (l) => driver.log(label + l) });

  const driver: RedisDriver = {
    dialect: "redis",
    capabilities: {
      transactionalDdl: false,
      concurrentConnections: true,
      resumable: true,
      data: "keys",
      lockInsight: false,
    },
    client,
    where: ep.cluster ? `the cluster at ${url.redacted}` : `logical database ${ep.db} at ${url.redacted}`,
    log: () => {},

    abort(reason) {
      running?.abort(reason);
    },

    async close() {
      stopRenewal();
      running?.abort(new Error(`target ${name}: the run was interrupted`));
      // Like a PostgreSQL session lock at disconnect: released after every
      // command this connection already sent, so Ctrl-C does not make the next run wait.
      if (token) await driver.unlock().catch(() => {});
      // QUIT waits for the server's answer, at most a second; the timer must not keep the process alive after it.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([client.quit().catch(() => {}), new Promise((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
      client.disconnect();
    },

    async lock(timeoutMs) {
      const mine = `${hostname()}:${process.pid}:${randomUUID()}`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if ((await client.set(LOCK_KEY, mine, "PX", LOCK_TTL_MS, "NX")) === "OK") break;
        if (Date.now() >= deadline) {
          const [host, pid] = (await client.get(LOCK_KEY))?.split(":") ?? [];
          throw new StairwayError(
            "E_LOCKED",
            `target ${name} is locked by another stairway run${pid ? ` (pid ${pid} on ${host})` : ""}: wait for it to finish, or stop it ` +
              `(the lock of a run that died expires within ${LOCK_TTL_MS / 1000} s)`,
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      token = mine;
      lost = undefined;
      let lastRenewed = Date.now();
      renewal = setInterval(() => {
        evalScript(client, LOCK_RENEW, [LOCK_KEY], [mine, LOCK_TTL_MS]).then(
          (ok) => (Number(ok) === 1 ? (lastRenewed = Date.now()) : loseLock("another run holds it now")),
          (e) => Date.now() - lastRenewed > LOCK_TTL_MS && loseLock(`cannot renew it: ${errorText(e)}`),
        );
      }, RENEW_EVERY_MS);
      renewal.unref?.();
    },

    async unlock() {
      stopRenewal();
      if (!token) return;
      const mine = token;
      token = undefined;
      await evalScript(client, LOCK_RELEASE, [LOCK_KEY], [mine]).catch(() => {});
    },

    // A hash exists once it has a field: nothing to create.
    async ensureBookkeeping() {},
    async applied() {
      const all = await client.hgetall(BOOKKEEPING_HASH);
      return Object.entries(all).map(([version, json]): AppliedRow => {
        const r = JSON.parse(json) as Omit<AppliedRow, "version">;
        return {
          version,
          name: r.name,
          checksum: r.checksum,
          appliedAt: r.appliedAt,
          durationMs: r.durationMs,
          dirty: !!r.dirty,
        };
      });
    },
    async record(row) {
      const { version, ...rest } = row;
      await client.hset(BOOKKEEPING_HASH, version, JSON.stringify(rest));
    },
    async forget(version) {
      await client.hdel(BOOKKEEPING_HASH, version);
    },

    async runTransform(m: Migration, direction: Direction) {
      const transform = await loadTransform(m.module!.path);
      if (lost) throw lost;
      // A checkpoint of the other direction is stale: resuming from it would skip keys.
      await client.del(checkpointKey(m.version, direction === "up" ? "down" : "up"));
      running = new AbortController();
      try {
        await transform[direction](contextFor(m.version, direction, running.signal, `${m.id} ${direction}: `));
      } finally {
        running = undefined;
      }
      await client.del(checkpointKey(m.version, direction));
    },

    context(version, phase) {
      return contextFor(version, phase, new AbortController().signal, "");
    },

    async keyCount() {
      const counts = await Promise.all(masters(client).map((n) => n.dbsize()));
      return counts.reduce((a, b) => a + b, 0);
    },
    async flush() {
      await Promise.all(masters(client).map((n) => n.flushdb()));
    },
    async snapshot() {
      return snapshotKeyspace(client);
    },
    async seed(m, count) {
      let t: Awaited<ReturnType<typeof loadTransform>>;
      try {
        t = await loadTransform(m.module!.path);
      } catch (e) {
        return errorMessage(e); // names the file already
      }
      try {
        await t.seed?.(driver.context(m.version, "seed"), count);
        return undefined;
      } catch (e) {
        return `${m.module!.path}: seed failed: ${errorMessage(e)}`;
      }
    },
    async startWriter(targets, opts) {
      const conn = await connect(ep, url, { name });
      const writer = startWriter(conn, targets, opts);
      return {
        ready: writer.ready,
        stop: () => writer.stop(),
        lost: (log) => lostWrites(conn, log),
        close: async () => void (await conn.quit().catch(() => conn.disconnect())),
      };
    },
    async leftovers() {
      return scanKeys(client, `${OWN_PREFIX}checkpoint:*`);
    },
    dump: () => dumpAll(client),
    restore: (d) => restoreAll(client, d),
  };
  return driver;
}

/** Every key (the bookkeeping hash included; locks, checkpoints and markers not), with its PTTL. */
async function dumpAll(client: Client): Promise<KeyDump> {
  const keys: KeyDump["keys"] = [];
  for (const node of masters(client)) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "COUNT", 1000);
      cursor = next;
      const mine = [...new Set(batch)].filter(kept);
      const p = node.pipeline();
      for (const k of mine) p.dumpBuffer(k).pttl(k);
      const res = (await p.exec()) ?? [];
      mine.forEach((key, i) => {
        const payload = res[2 * i]?.[1] as Buffer | null;
        const pttl = Number(res[2 * i + 1]?.[1] ?? -2);
        if (payload && pttl !== -2) keys.push({ key, pttl, payload });
      });
    } while (cursor !== "0");
  }
  return { keys };
}

/** Empties the database but stairway's own run keys, then RESTOREs every key with its remaining TTL. */
async function restoreAll(client: Client, dump: KeyDump): Promise<void> {
  for (const node of masters(client)) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "COUNT", 1000);
      cursor = next;
      const gone = [...new Set(batch)].filter(kept);
      if (gone.length) await Promise.all(gone.map((k) => client.unlink(k)));
    } while (cursor !== "0");
  }
  const keys = dump.keys;
  for (let i = 0; i < keys.length; i += 1000) {
    await Promise.all(
      keys.slice(i, i + 1000).map((k) => client.restore(k.key, Math.max(0, k.pttl), Buffer.from(k.payload), "REPLACE")),
    );
  }
}

/** The migrated keys and stairway's bookkeeping; not the run's own lock, checkpoints or scratch marker. */
function kept(key: string): boolean {
  return !key.startsWith(OWN_PREFIX) || key === BOOKKEEPING_HASH;
}
