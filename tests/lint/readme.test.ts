// The README's rule table lists every rule with its severity and dialects.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../../src/lint/rules/index.ts";
import { ROOT } from "../helpers.ts";

test("every rule is in the README's table, with its severity and dialects", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const rows = new Map(
    [...readme.matchAll(/^\| `([a-z-]+)` \| (error|warning) \| ([a-z, ]+) \|/gm)].map((m) => [
      m[1]!,
      { severity: m[2]!, dialects: m[3]!.split(", ").sort() },
    ]),
  );
  for (const rule of RULES)
    expect({ id: rule.id, ...rows.get(rule.id) }).toEqual({
      id: rule.id,
      severity: rule.severity,
      dialects: [...rule.dialects].sort(),
    });
  expect([...rows.keys()].sort()).toEqual(RULES.map((r) => r.id).sort());
});
