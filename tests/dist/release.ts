// Release directories as `make dist` writes them, for this machine's platform
// only (the five platforms take minutes), served over HTTP on 127.0.0.1: what
// install.sh and the GitHub Action download in the tests.

import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, normalize, resolve } from "node:path";
import { ROOT } from "../helpers.ts";

export const VERSION: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
/** The version of the "older" release: what a re-install replaces. */
export const OLDER_VERSION = "0.0.1";

/** This machine as the release names it (os-arch), e.g. linux-x64. */
export function hostPlatform(): string {
  const os = process.platform === "win32" ? "windows" : process.platform;
  return `${os}-${process.arch}`;
}

/**
 * `make dist` for the host platform into `release`, from `root`. `-o` keeps make
 * from running `npm ci` (a test must not reinstall node_modules under the others).
 */
function makeDist(root: string, release: string): void {
  const r = Bun.spawnSync(
    ["make", "-o", "node_modules/.installed", "dist", `PLATFORMS=${hostPlatform()}`, `RELEASE=${release}`],
    { cwd: root },
  );
  if (r.exitCode !== 0) throw new Error(`make dist failed in ${root}:\n${r.stderr.toString()}${r.stdout.toString()}`);
}

/**
 * The working tree's release (VERSION) in `<work>/current`, and with `older`
 * an older one (OLDER_VERSION) in `<work>/older`, made by the same Makefile
 * rule from a copy of the sources whose package.json says OLDER_VERSION, as the
 * release workflow sets the version before it builds. The caller removes `work`.
 */
export function buildReleases(work: string, { older = false } = {}): { current: string; older: string } {
  const dirs = { current: join(work, "current"), older: join(work, "older") };
  makeDist(ROOT, dirs.current);
  if (older) {
    const copy = join(work, "src-older");
    mkdirSync(copy);
    // The build step of the embedded PostgreSQL before src/, so the assets copied with src/ stay newer than it.
    for (const f of [
      "Makefile",
      "package-lock.json",
      "tsconfig.json",
      "README.md",
      "LICENSE",
      "scripts/pglite-assets.ts",
      "src",
    ])
      cpSync(join(ROOT, f), join(copy, f), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    writeFileSync(join(copy, "package.json"), JSON.stringify({ ...pkg, version: OLDER_VERSION }, null, 2));
    makeDist(copy, dirs.older);
    rmSync(copy, { recursive: true, force: true });
  }
  return dirs;
}

/** Serves `root` read-only on 127.0.0.1 (a free port); `requests` lists every path asked for. */
export function serve(root: string): { url: string; requests: string[]; stop: () => void } {
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = decodeURIComponent(new URL(req.url).pathname);
      requests.push(path);
      const file = resolve(root, `.${normalize(path)}`);
      if (!file.startsWith(`${resolve(root)}/`) || !(await Bun.file(file).exists()))
        return new Response("not found\n", { status: 404 });
      return new Response(Bun.file(file));
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}
