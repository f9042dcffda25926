// The shape of src/ that docs/ARCHITECTURE.md promises, checked on every run:
// stores are reached through the registry and their contracts only, layers
// import downwards, and nothing imports in a circle.

import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "../helpers.ts";
import { STORES } from "../../src/stores/dialects.ts";

const SRC = join(ROOT, "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? files(join(dir, e.name))
      : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")
        ? [join(dir, e.name)]
        : [],
  );
}

const sources = files(SRC).map((path) => ({ path, rel: relative(SRC, path), text: readFileSync(path, "utf8") }));

/** Every relative import of a file (static, dynamic, type-only), as paths under src/. */
function importsOf(f: { path: string; text: string }): string[] {
  const out: string[] = [];
  for (const m of f.text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)["'](\.{1,2}\/[^"']+)["']/gm))
    out.push(relative(SRC, resolve(dirname(f.path), m[1]!)));
  return out;
}

describe("stores", () => {
  test("no comparison on a store or dialect name outside src/stores/", () => {
    const names = [...new Set(STORES.flatMap((s) => [s.id, s.dialect, ...s.aliases]))].join("|");
    const comparison = new RegExp(
      `[!=]==?\\s*["'\`](${names})["'\`]|["'\`](${names})["'\`]\\s*[!=]==?|case\\s+["'\`](${names})["'\`]|\\.(includes|has|indexOf)\\(\\s*["'\`](${names})["'\`]\\s*\\)`,
    );
    const found = sources
      .filter((f) => !f.rel.startsWith("stores/"))
      .flatMap((f) => f.text.split("\n").map((line, i) => ({ at: `${f.rel}:${i + 1}`, line })))
      .filter(({ line }) => comparison.test(line) && !/^\s*(\/\/|\*)/.test(line))
      .map(({ at, line }) => `${at}: ${line.trim()}`);
    expect(found).toEqual([]);
  });

  test("stores/ imports nothing from checks/, commands/ or report/; schema/ and keyspace/ import nothing from stores/", () => {
    const bad: string[] = [];
    for (const f of sources) {
      for (const to of importsOf(f)) {
        if (f.rel.startsWith("stores/") && /^(checks|commands|report)\//.test(to)) bad.push(`${f.rel} → ${to}`);
        if (/^(schema|keyspace)\//.test(f.rel) && to.startsWith("stores/")) bad.push(`${f.rel} → ${to}`);
      }
    }
    expect(bad).toEqual([]);
  });

  test("a store is reached through the registry and its contracts: nothing outside stores/ imports a store's folder", () => {
    const folders = STORES.map((s) => `stores/${s.id}/`);
    const bad = sources
      .filter((f) => !f.rel.startsWith("stores/"))
      .flatMap((f) =>
        importsOf(f)
          .filter((to) => folders.some((d) => to.startsWith(d)))
          .map((to) => `${f.rel} → ${to}`),
      );
    expect(bad).toEqual([]);
  });
});

test("no import cycle in src/", () => {
  const graph = new Map(sources.map((f) => [f.rel, importsOf(f).filter((to) => to !== f.rel)]));
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, "open");
    stack.push(n);
    for (const to of graph.get(n) ?? []) {
      if (state.get(to) === "open") cycles.push([...stack.slice(stack.indexOf(to)), to].join(" → "));
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  expect(cycles).toEqual([]);
});
