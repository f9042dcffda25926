// Loads a Redis transform (redis-migrations/NNN_name.ts) at run time: from
// source under `bun`, and from the user's tree in the compiled binary, which
// transpiles TypeScript on import. Transforms import only types from
// "stairway", so nothing has to be resolved in the user's project.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { StairwayError } from "../../errors.ts";
import type { RedisMigration } from "../../types.ts";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/**
 * Node 20 cannot import TypeScript: the types are stripped into a .mjs in a
 * temp dir, which Node imports. The stripper is swc's WebAssembly build, the
 * one Node's own type stripping wraps (amaro), taken directly because amaro
 * requires Node 22; strip-only blanks the types in place, so the line and
 * column of an error in the copy are those of the user's file.
 */
async function strippedCopy(abs: string): Promise<string> {
  const name = ["@swc", "wasm-typescript"].join("/"); // Node only: kept out of the Bun binary's bundle
  const { transformSync } = (await import(name)) as {
    transformSync: (code: string, o: { mode: string }) => { code: string };
  };
  const source = readFileSync(abs, "utf8");
  const dir = join(tmpdir(), "stairway-transforms");
  mkdirSync(dir, { recursive: true });
  const out = join(
    dir,
    `${createHash("sha256")
      .update(abs + "\u0000" + source)
      .digest("hex")
      .slice(0, 16)}.mjs`,
  );
  writeFileSync(out, transformSync(source, { mode: "strip-only" }).code);
  return out;
}

// Bun caches a module by path (a ?query does not make a new instance), so one
// process sees one version of each file: the one it loaded first.
const loaded = new Map<string, Promise<RedisMigration>>();

/** The transform's default export, checked to be a RedisMigration; the error names the file. */
export function loadTransform(path: string): Promise<RedisMigration> {
  const abs = resolve(path);
  let p = loaded.get(abs);
  if (!p) {
    p = importTransform(path, abs);
    loaded.set(abs, p);
    p.catch(() => loaded.delete(abs));
  }
  return p;
}

async function importTransform(path: string, abs: string): Promise<RedisMigration> {
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(isBun ? abs : await strippedCopy(abs)).href);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.replace(/\.$/, "");
    throw new StairwayError("E_TREE", `${path} cannot be loaded: ${why}`, { cause: e });
  }
  const m = mod.default as Partial<Record<keyof RedisMigration, unknown>> | undefined;
  const problem =
    !m || typeof m !== "object"
      ? "has no default export"
      : typeof m.up !== "function" || typeof m.down !== "function"
        ? `exports no ${typeof m.up !== "function" ? "up" : "down"}() function`
        : m.seed !== undefined && typeof m.seed !== "function"
          ? "exports a seed that is not a function"
          : m.description !== undefined && typeof m.description !== "string"
            ? "exports a description that is not a string"
            : undefined;
  if (problem)
    throw new StairwayError(
      "E_TREE",
      `${path} ${problem}: a Redis transform is \`export default { async up(ctx) {…}, async down(ctx) {…} } satisfies RedisMigration\``,
    );
  return m as RedisMigration;
}
