// The entry point of the builds (dist/stairway and the Node.js build behind
// bin/stairway.mjs): run the CLI, exit once stdout is drained.
import { run } from "./cli.ts";

run(process.argv.slice(2));
