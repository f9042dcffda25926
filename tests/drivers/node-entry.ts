// Bundled for Node by conformance.test.ts: the same suite through better-sqlite3.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { sqliteModule } from "../../src/stores/sqlite/index.ts";
import { parseTargetUrl } from "../../src/stores/index.ts";
import { runConformance, sqlCases } from "./conformance.ts";

const dir = process.argv[2]!;
mkdirSync(dir, { recursive: true });
let n = 0;
const failures = await runConformance(async () => {
  const driver = await sqliteModule.open(parseTargetUrl(`sqlite:${join(dir, `n${n++}.db`)}`), { name: "sqlite" });
  return { driver, close: () => driver.close() };
});
const { openSqliteEngine } = await import("../../src/stores/sqlite/engine.ts");
const engine = (await openSqliteEngine(":memory:")).name;
console.log(JSON.stringify({ engine, cases: sqlCases.length, failures }));
