// The npm package claims the Node.js versions in its `engines`: every package
// it installs must run on each of them, or `npm install` warns EBADENGINE (and
// the dependency may not work). Read from package-lock.json, which records each
// package's own `engines`.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT } from "../helpers.ts";

const lock = (await Bun.file(join(ROOT, "package-lock.json")).json()) as {
  packages: Record<string, { engines?: { node?: string }; dev?: boolean }>;
};
const claim = lock.packages[""]!.engines!.node!;

// The first release of each Node major line, and its x.19 (where Node 20 added
// require(esm), the floor of some packages): those our claim admits.
const admitted = [18, 19, 20, 21, 22, 23, 24, 25, 26]
  .flatMap((major) => [`${major}.0.0`, `${major}.19.0`])
  .filter((v) => Bun.semver.satisfies(v, claim));

test("the claimed Node.js versions include Node 20 and 22", () => {
  expect(admitted.some((v) => v.startsWith("20."))).toBe(true);
  expect(admitted.some((v) => v.startsWith("22."))).toBe(true);
});

test("every package npm installs for users supports every Node.js version the package claims", () => {
  const refused: string[] = [];
  for (const [path, meta] of Object.entries(lock.packages)) {
    const wants = meta.engines?.node;
    if (!path || meta.dev || !wants) continue;
    for (const v of admitted)
      if (!Bun.semver.satisfies(v, wants))
        refused.push(`${path.replace(/^node_modules\//, "")} wants node ${wants}, not ${v}`);
  }
  expect(refused).toEqual([]);
});
