// A transform killed halfway (SIGKILL: no cleanup at all) and run again: the
// second run waits for the dead runner's lock to expire, resumes from the
// checkpoint, and in the end every session exists exactly once in the new
// format, with its value and its TTL, and the bookkeeping is clean.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, runCli, tempDir } from "../helpers.ts";
import { claimEmptyDb, keysOf, pttls, seedSessions, type ClaimedDb } from "./helpers.ts";

let db: ClaimedDb;
const dir = tempDir();
beforeAll(async () => {
  db = await claimEmptyDb();
});
afterAll(async () => {
  cleanup(dir);
  await db.release();
});

const N = 100_000;
const V1 = "session:user:";
const V2 = "session:v2:user:";

test("killed halfway with SIGKILL, run again: every key moved exactly once, every TTL kept", async () => {
  const r = db.redis;
  mkdirSync(join(dir, "redis-migrations"));
  copyFileSync(
    join(ROOT, "redis-migrations/007_update_session_key_format.ts"),
    join(dir, "redis-migrations/007_update_session_key_format.ts"),
  );
  const args = ["up", "--db", db.url, "--redis", "redis-migrations"];

  await seedSessions(r, N);
  const ids = Array.from({ length: N }, (_, i) => i + 1);
  const seededAt = Date.now();
  const before = await pttls(
    r,
    ids.map((id) => V1 + id),
  );
  expect([...before.values()].filter((t) => t === -1).length).toBe(N / 10);

  const child = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), ...args], {
    cwd: dir,
    stdout: "ignore",
    stderr: "ignore",
    env: { ...process.env, NO_COLOR: "1" },
  });
  // Killed once about a third of the sessions moved: SCAN visits keys in
  // hash order, so a sample of 200 ids tells how far it got.
  const sample = ids.filter((id) => id % 500 === 0).map((id) => V2 + id);
  while ((await r.exists(...sample)) < sample.length / 3) {
    if (child.exitCode !== null)
      throw new Error(`the first run ended (exit ${child.exitCode}) before it could be killed`);
    await Bun.sleep(1);
  }
  child.kill("SIGKILL");
  expect(await child.exited).not.toBe(0);

  // Partial and dirty, with the dead run's lock still there.
  const movedBefore = (await keysOf(r, `${V2}*`)).length;
  expect(movedBefore).toBeGreaterThan(0);
  expect(movedBefore).toBeLessThan(N);
  expect(JSON.parse((await r.hget("stairway:migrations", "007"))!).dirty).toBe(true);
  const lockLeft = await r.pttl("stairway:lock");
  expect(lockLeft).toBeGreaterThan(0);
  const status = await runCli(["status", "--json", "--db", db.url, "--redis", "redis-migrations"], { cwd: dir });
  expect(status.json().migrations.map((m: any) => m.state)).toEqual(["dirty"]);

  const t0 = Date.now();
  const again = await runCli([...args, "--debug"], { cwd: dir });
  expect(again.stderr).toContain("resuming from the checkpoint of an interrupted run");
  expect(again.code).toBe(0);
  // It waited for the dead run's lock to expire, then finished the job.
  expect(Date.now() - t0).toBeGreaterThanOrEqual(lockLeft - 200);

  expect(await keysOf(r, `${V1}*`)).toEqual([]);
  const moved = await keysOf(r, `${V2}*`);
  expect(moved.length).toBe(N);
  expect(new Set(moved)).toEqual(new Set(ids.map((id) => V2 + id)));
  // Nothing else is left: no lock, no checkpoint; only the bookkeeping hash.
  expect(await r.dbsize()).toBe(N + 1);
  const row = JSON.parse((await r.hget("stairway:migrations", "007"))!);
  expect(row.dirty).toBe(false);

  const elapsed = Date.now() - seededAt;
  const after = await pttls(
    r,
    ids.map((id) => V2 + id),
  );
  const wrong: string[] = [];
  for (const id of ids) {
    const t0_ = before.get(V1 + id)!;
    const t1 = after.get(V2 + id)!;
    const ok = t0_ === -1 ? t1 === -1 : t1 > 0 && t1 <= t0_ && t0_ - t1 <= elapsed + 2000;
    if (!ok) wrong.push(`${id}: ${t0_} → ${t1}`);
  }
  expect(wrong).toEqual([]);
  // Every value arrived intact.
  for (let i = 0; i < N; i += 10_000) {
    const chunk = ids.slice(i, i + 10_000);
    const values = await r.mget(chunk.map((id) => V2 + id));
    chunk.forEach((id, j) => {
      if (values[j] !== JSON.stringify({ userId: id, token: `t${id}` }))
        throw new Error(`${V2}${id} holds ${values[j]}`);
    });
  }
}, 120_000);
