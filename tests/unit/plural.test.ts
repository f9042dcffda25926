import { expect, test } from "bun:test";
import { plural } from "../../src/plural.ts";

test("plural: the singular for exactly one, thousands separated", () => {
  expect(plural(1, "scratch database")).toBe("1 scratch database");
  expect(plural(0, "scratch database")).toBe("0 scratch databases");
  expect(plural(2, "type equivalence")).toBe("2 type equivalences");
  expect(plural(12_345, "row")).toBe("12,345 rows");
  expect(plural(3, "entry", "entries")).toBe("3 entries");
});
