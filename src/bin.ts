// The entry point of the builds (dist/stairway and the Node.js build behind
// bin/stairway.mjs): run the CLI, exit once stdout is drained.
//
// `safety` needs the PostgreSQL parser, whose WASM takes ~65 ms to compile on
// another core: it starts here, before the rest of the CLI is even loaded
// (the command starts it too, for a command line this guess misreads).
import { loadPgParser } from "./lint/pg-parser.ts";

const argv = process.argv.slice(2);
const command = argv.find((a) => !a.startsWith("-"));
const sqliteOnly = argv.some((a, i) => a === "--dialect=sqlite" || (a === "--dialect" && argv[i + 1] === "sqlite"));
if ((command === "safety" || command === "lint") && !sqliteOnly) loadPgParser().catch(() => {});

import("./cli.ts").then(({ run }) => run(argv));
