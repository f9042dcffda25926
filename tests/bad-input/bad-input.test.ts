// Every bad input of cases.ts, each in its own project directory, several at
// once: the exit code of the contract, one or two lines on stderr naming the
// fault (stdout for a check that failed), no stack trace, no "unexpected
// error", and nothing written — no file in the project (the SQLite file, the
// report dir), no scratch database or file of that run, no table in the
// PostgreSQL database given, no key in the Redis database given.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import postgres from "postgres";
import { passwordServer } from "../password-server.ts";
import { claimEmptyDb, type ClaimedDb } from "../redis/helpers.ts";
import { cleanup, PG_URL, pgDatabase, ROOT, tempDir, writeTree } from "../helpers.ts";
import { CASES, GOOD, type Case, type Ctx } from "./cases.ts";

/** Processes run at once (the machine may have 2 cores; each is mostly waiting on start-up). */
const PARALLEL = 6;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  /** What changed in the project directory: paths added, removed or rewritten. */
  changed: string[];
  /** Scratch databases and files of this run that are still there. */
  scratch: string[];
  pgTables: string[];
  redisKeys: number;
}

let pg: Awaited<ReturnType<typeof pgDatabase>>;
let redis: ClaimedDb;
let server: Awaited<ReturnType<typeof passwordServer>> | undefined;
let admin: postgres.Sql;
/** On the suite's PostgreSQL database. */
let given: postgres.Sql;
const outcomes = new Map<string, Promise<Outcome>>();
const dirs: string[] = [];
const contexts: { c: Case; ctx: Ctx }[] = [];

beforeAll(async () => {
  [pg, redis, server] = await Promise.all([
    pgDatabase(),
    claimEmptyDb(),
    CASES.some((c) => c.pw) ? passwordServer() : undefined,
  ]);
  admin = postgres(PG_URL, { max: 2, onnotice: () => {} });
  given = postgres(pg.url, { max: 2, onnotice: () => {} });
  const queue = [...CASES];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const job = runCase(c);
      outcomes.set(c.name, job);
      await job.catch(() => {});
    }
  };
  // Started here, awaited by each test: the cases run in parallel, each is reported on its own.
  for (let i = 0; i < PARALLEL; i++) void worker();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(outcomes.values());
  for (const { c, ctx } of contexts) await c.teardown?.(ctx)?.catch?.(() => {});
  await admin?.end();
  await given?.end();
  await pg?.drop();
  await redis?.release();
  server?.stop();
  dirs.forEach(cleanup);
});

/** Every path under dir with its size, mode, mtime and a hash of its bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (e.isSymbolicLink()) out.set(rel, "link");
      else if (e.isDirectory()) {
        out.set(rel, "dir");
        walk(p);
      } else {
        const s = statSync(p);
        out.set(rel, `${s.size} ${s.mode} ${s.mtimeMs} ${Bun.hash(readFileSync(p))}`);
      }
    }
  };
  walk(dir);
  return out;
}

async function runCase(c: Case): Promise<Outcome> {
  const dir = tempDir("stairway-bad-input-");
  dirs.push(dir);
  writeTree(dir, c.files ?? GOOD);
  const ctx: Ctx = {
    dir,
    sqlite: `sqlite:${join(dir, "app.db")}`,
    pg: pg.url,
    redis: redis.url,
    pwPort: server?.port ?? 0,
    extra: {},
  };
  contexts.push({ c, ctx });
  await c.setup?.(ctx);
  const before = snapshot(dir);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: "1", ...c.env?.(ctx) }))
    if (v !== undefined) env[k] = v;
  if (!c.env?.(ctx).DATABASE_URL) delete env.DATABASE_URL;
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), ...c.args(ctx)], {
    cwd: dir,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  await c.teardown?.(ctx);
  const after = snapshot(dir);
  const changed = [...new Set([...before.keys(), ...after.keys()])]
    .filter((k) => before.get(k) !== after.get(k))
    .sort();
  // A run's scratch databases and files carry its pid (src/session.ts runId): stairway_<6 chars><pid>_…
  const tag = proc.pid.toString(36).padStart(5, "0").slice(-5);
  const mine = new RegExp(`^stairway_[a-z0-9]{6}${tag}_`);
  const databases = (await admin`SELECT datname FROM pg_database`)
    .map((r) => r.datname as string)
    .filter((n) => mine.test(n));
  const scratchDir = join(tmpdir(), "stairway");
  const files = existsSync(scratchDir) ? readdirSync(scratchDir).filter((n) => mine.test(n)) : [];
  const pgTables = (await given`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`).map(
    (r) => r.tablename as string,
  );
  return {
    code,
    stdout,
    stderr,
    changed,
    scratch: [...databases, ...files],
    pgTables,
    redisKeys: await redis.redis.dbsize(),
  };
}

describe("bad input", () => {
  test("there are at least 60 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const c of CASES)
    test(c.name, async () => {
      // Waits for the worker that runs it (queued in beforeAll).
      while (!outcomes.has(c.name)) await Bun.sleep(20);
      const o = await outcomes.get(c.name)!;
      const said = c.on === "stdout" ? o.stdout : o.stderr;
      expect({ code: o.code, says: said }).toMatchObject({ code: c.code, says: expect.stringMatching(c.says) });
      expect(o.stderr + o.stdout).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
      expect(o.stderr + o.stdout).not.toContain("unexpected error");
      if (c.on === "stdout") expect(o.stderr).toBe("");
      else {
        const lines = o.stderr.trimEnd().split("\n");
        expect(lines.length).toBeLessThanOrEqual(c.lines ?? 1);
        for (const l of lines) expect(l).toStartWith("stairway: ");
      }
      expect({ changed: o.changed, scratch: o.scratch, pgTables: o.pgTables, redisKeys: o.redisKeys }).toEqual({
        changed: c.writes ?? [],
        scratch: [],
        pgTables: [],
        redisKeys: 0,
      });
    });
});
