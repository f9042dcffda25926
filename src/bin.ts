// The entry point of the builds (dist/stairway and the Node.js build behind
// bin/stairway.mjs): run the CLI, exit once stdout is drained.
import { exitAfterFlush, main } from "./cli.ts";

main(process.argv.slice(2)).then(exitAfterFlush);
