// PGlite's run-time files, embedded: made by scripts/pglite-assets.ts (a make
// rule, from the pinned @electric-sql/pglite) and imported as files, so the
// compiled binary carries them (/$bunfs/…) and the Node.js build gets them
// copied next to its chunks. Left to itself, PGlite would read them from
// node_modules by the path it was built at: a binary that works only on the
// machine that built it. Read, unzipped and compiled once per process.

import { readFile } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import dataGz from "./assets/pglite.data.gz" with { type: "file" };
import templateGz from "./assets/template.tar.gz" with { type: "file" };
import wasmGz from "./assets/pglite.wasm.gz" with { type: "file" };

export interface Engine {
  /** PostgreSQL, compiled. */
  pgliteWasmModule: WebAssembly.Module;
  /** The file system image it starts from. */
  fsBundle: Blob;
  /** An empty database (a data directory fresh from initdb, gzipped tar): a new database is this, loaded. */
  template: Blob;
}

// Absolute from source and in the binary (/$bunfs/…); in the Node.js build a
// path relative to the chunk that imports it.
const file = (path: string) => (isAbsolute(path) ? path : fileURLToPath(new URL(path, import.meta.url)));
const unzip = promisify(gunzip);

let loading: Promise<Engine> | undefined;

export function loadEngine(): Promise<Engine> {
  return (loading ??= (async () => {
    const [wasm, data, template] = await Promise.all([wasmGz, dataGz, templateGz].map((p) => readFile(file(p))));
    const [pgliteWasmModule, fsBundle] = await Promise.all([
      unzip(wasm!).then((bytes) => WebAssembly.compile(bytes)),
      unzip(data!).then((bytes) => new Blob([bytes])),
    ]);
    // PGlite unzips a data directory itself.
    return { pgliteWasmModule, fsBundle, template: new Blob([template!]) };
  })());
}
