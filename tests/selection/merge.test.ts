// report --from's merge, on report objects: shards into one report, the same
// unsharded report from every job once, and what is wrong with a set of shards.

import { expect, test } from "bun:test";
import { mergeShards } from "../../src/report/merge.ts";
import type { CheckResult, Report } from "../../src/results.ts";

const result = (
  check: string,
  migration: string | undefined,
  status: CheckResult["status"] = "pass",
  message = "ok",
): CheckResult => ({
  check,
  target: "pg",
  ...(migration ? { migration } : {}),
  status,
  message,
});

function shard(
  index: number,
  count: number,
  from: number,
  to: number,
  ids: string[],
  extra: CheckResult[] = [],
): Report {
  return {
    tool: "stairway",
    version: "0",
    command: "test",
    ok: true,
    targets: [{ name: "pg", dialect: "postgres", url: "postgres://x" }],
    results: [
      result("files.missing-down", "001_a", "fail", "sql/001_a/up.sql has no down"),
      ...ids.flatMap((id) => [result("step.up", id), result("step.redo", id)]),
      result("step.down-to-base", undefined, "pass", `${ids.length} migrations reverted`),
      ...extra,
    ],
    coverage: { pg: { checked: ids.length, total: 6, untested: [], appliedOnly: from, otherShards: 6 - to } },
    selection: {
      shard: { index, count, basis: "counts" },
      targets: {
        pg: {
          total: 6,
          from,
          to,
          first: ids[0],
          last: ids.at(-1),
          checked: ids.length,
          prefix: { migrations: from, from: "cache", ms: 1 },
        },
      },
    },
  };
}

test("shards merge into one report: every migration once, the tree's findings once, one way down to base", () => {
  const m = mergeShards([
    shard(2, 2, 3, 6, ["004_d", "005_e", "006_f"]),
    shard(1, 2, 0, 3, ["001_a", "002_b", "003_c"]),
  ]);
  expect(m.problems).toEqual([]);
  expect(m.shards).toEqual({ test: 2 });
  const [r] = m.reports;
  expect(r!.results.filter((x) => x.check === "step.up").map((x) => x.migration)).toEqual([
    "001_a",
    "002_b",
    "003_c",
    "004_d",
    "005_e",
    "006_f",
  ]);
  expect(r!.results.filter((x) => x.check === "files.missing-down")).toHaveLength(1);
  const down = r!.results.filter((x) => x.check === "step.down-to-base");
  expect(down).toHaveLength(1);
  expect(down[0]!.message).toBe("3 migrations reverted");
  expect(r!.coverage).toEqual({ pg: { checked: 6, total: 6, untested: [] } });
  expect(r!.shards).toEqual({ count: 2, merged: [1, 2] });
});

test("a failed way down in one shard fails the merged one", () => {
  const bad = shard(2, 2, 3, 6, ["004_d", "005_e", "006_f"]);
  bad.results = bad.results.map((x) =>
    x.check === "step.down-to-base" ? { ...x, status: "fail", message: "left behind: table f" } : x,
  );
  const [r] = mergeShards([shard(1, 2, 0, 3, ["001_a", "002_b", "003_c"]), bad]).reports;
  expect(r!.results.find((x) => x.check === "step.down-to-base")).toMatchObject({
    status: "fail",
    message: "shard 1/2: 3 migrations reverted; shard 2/2: left behind: table f",
  });
});

test("a missing shard is named with where its slice lies; slices that do not meet are said", () => {
  const m = mergeShards([shard(1, 3, 0, 2, ["001_a", "002_b"]), shard(3, 3, 4, 6, ["005_e", "006_f"])]);
  expect(m.problems.map((p) => p.message)).toEqual([
    "test: shard 2/3 is missing (after 002_b and before 005_e on pg): its migrations were not checked",
  ]);
  expect(m.reports[0]!.coverage!.pg).toEqual({ checked: 4, total: 6, untested: [], otherShards: 2 });
  const cut = mergeShards([
    shard(1, 2, 0, 3, ["001_a", "002_b", "003_c"]),
    shard(2, 2, 2, 6, ["003_c", "004_d", "005_e", "006_f"]),
  ]);
  expect(cut.problems[0]!.message).toContain("test · pg: shards 1 and 2 of 2 do not meet");
});

test("the same unsharded report from every job is one report", () => {
  const validate = (): Report => ({
    tool: "stairway",
    version: "0",
    command: "validate",
    ok: true,
    targets: [{ name: "pg", dialect: "postgres", url: "postgres://x" }],
    results: [result("files.parse", "001_a")],
  });
  const m = mergeShards([validate(), validate()]);
  expect(m.reports).toHaveLength(1);
  expect(m.reports[0]!.results).toHaveLength(1);
});
