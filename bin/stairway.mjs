#!/usr/bin/env node
// `npx stairway` / the npm package's bin: the same CLI as dist/stairway, built
// for Node.js 20+ (make build-node; `npm pack` runs it through prepack).
import { existsSync } from "node:fs";

const entry = new URL("../dist/node/bin.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "stairway: dist/node/bin.js is missing: build it with `make build-node` (or use dist/stairway from `make build`)\n",
  );
  process.exit(2);
}
await import(entry.href);
