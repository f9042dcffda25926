// Build step of the pglite: store (make build / build-node run it when its
// inputs change): PGlite's run-time files, gzipped, and an empty database made
// once here, all embedded in both builds by src/stores/pglite/assets.ts, so
// nothing reads node_modules at run time.
//   pglite.wasm.gz    PostgreSQL compiled to WebAssembly (9.1 MB → 3.3 MB)
//   pglite.data.gz    the file system image it starts from (6.2 MB → 1.9 MB)
//   template.tar.gz   a data directory fresh from initdb (its one database,
//                     `postgres`), with this same PGlite version: a new
//                     database is this tarball loaded, not an initdb (2.5–3.5 s
//                     of CPU and ~900 MB at run time)
// initdb.wasm is left out: with the template, no database is ever initialised
// at run time.
//
//   node_modules/.bin/bun scripts/pglite-assets.ts OUTDIR

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { PGlite } from "@electric-sql/pglite";

const out = process.argv[2];
if (!out) {
  console.error("usage: bun scripts/pglite-assets.ts OUTDIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const dist = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));

/** Written under a temporary name first: make must never see half a file as up to date. */
function write(name: string, bytes: Uint8Array): void {
  writeFileSync(join(out!, `${name}.tmp`), bytes);
  renameSync(join(out!, `${name}.tmp`), join(out!, name));
}

for (const name of ["pglite.wasm", "pglite.data"])
  write(`${name}.gz`, gzipSync(readFileSync(join(dist, name)), { level: 9 }));

const pg = await PGlite.create();
// Without template0 and template1 the tarball is 25 MB instead of 41 (2.6 MB
// gzipped instead of 4.6), and a new database starts in half the time
// (~0.2 s of CPU instead of ~0.5, measured). Nothing is lost: a PGlite
// instance has one database, and cannot connect to one CREATE DATABASE makes.
for (const db of ["template0", "template1"]) {
  await pg.exec(`ALTER DATABASE ${db} IS_TEMPLATE false`);
  await pg.exec(`DROP DATABASE ${db}`);
}
// Everything is on disk in the dump, and nothing needs replaying at start.
await pg.exec("CHECKPOINT");
const template = await pg.dumpDataDir("gzip");
await pg.close();
write("template.tar.gz", new Uint8Array(await template.arrayBuffer()));
