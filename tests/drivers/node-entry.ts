// Bundled for Node by conformance.test.ts: the same suite through better-sqlite3.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { sqliteModule } from "../../src/stores/sqlite/index.ts";
import { parseTargetUrl } from "../../src/stores/url.ts";
import { runConformance, sqlCases } from "./conformance.ts";

const dir = process.argv[2]!;
mkdirSync(dir, { recursive: true });
let n = 0;
const failures = await runConformance(async () => {
  const url = parseTargetUrl(`sqlite:${join(dir, `n${n++}.db`)}`);
  const open = () => sqliteModule.open(url, { name: "sqlite" });
  const driver = await open();
  const others: Awaited<ReturnType<typeof open>>[] = [];
  return {
    driver,
    again: async () => {
      const d = await open();
      others.push(d);
      return d;
    },
    close: async () => {
      for (const d of [driver, ...others]) await d.close();
    },
  };
});
const { openSqliteEngine } = await import("../../src/stores/sqlite/engine.ts");
const engine = (await openSqliteEngine(":memory:")).name;
console.log(JSON.stringify({ engine, cases: sqlCases.length, failures }));
