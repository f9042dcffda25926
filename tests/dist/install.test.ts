// install.sh against release directories built by `make dist` (this machine's
// platform) and served on 127.0.0.1: a good install, a corrupted archive, an
// unknown platform, a version that is not the one asked for, a missing release,
// and a re-install over an older version. Run by dash when installed (the
// strictest POSIX sh at hand), else sh.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, tempDir } from "../helpers.ts";
import { buildReleases, hostPlatform, OLDER_VERSION, serve, VERSION } from "./release.ts";

const SH = Bun.which("dash") ?? "sh";
const work = tempDir("stairway-install-");
const www = join(work, "www");
let server: ReturnType<typeof serve>;

beforeAll(() => {
  const { current } = buildReleases(www, { older: true });
  // The same release with one byte of its archive changed, SHA256SUMS as it was.
  cpSync(current, join(www, "corrupt"), { recursive: true });
  const archive = join(www, "corrupt", `stairway-${hostPlatform()}.tar.gz`);
  const bytes = readFileSync(archive);
  bytes[bytes.length >> 1]! ^= 0xff;
  writeFileSync(archive, bytes);
  server = serve(www);
}, 300_000);
afterAll(() => {
  server?.stop();
  cleanup(work);
});

/**
 * install.sh with a clean environment: HOME in the test's dir, no proxy, no
 * STAIRWAY_* from outside. Asynchronous: the server answers from this process.
 */
async function install(args: string[], opts: { home?: string; path?: string; env?: Record<string, string> } = {}) {
  const home = opts.home ?? join(work, "home");
  mkdirSync(home, { recursive: true });
  const env = {
    PATH: opts.path ?? process.env.PATH!,
    HOME: home,
    NO_PROXY: "127.0.0.1",
    no_proxy: "127.0.0.1",
    ...opts.env,
  };
  const p = Bun.spawn([SH, join(ROOT, "install.sh"), ...args], { cwd: work, env, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, stdout, stderr };
}

function versionOf(bin: string): string {
  return Bun.spawnSync([bin, "--version"]).stdout.toString().trim();
}

describe(`install.sh under ${SH}`, () => {
  test("a good install: downloads, verifies and installs into ~/.local/bin, and says which version", async () => {
    const home = join(work, "home-good");
    const r = await install(["--base-url", `${server.url}/current`], { home });
    expect(r.stderr).not.toContain("does not match");
    expect(r.code).toBe(0);
    const bin = join(home, ".local/bin/stairway");
    expect(r.stdout).toBe(`stairway ${VERSION} installed in ${bin}\n`);
    expect(versionOf(bin)).toBe(`stairway ${VERSION}`);
    // Nothing else left beside it, and ~/.local/bin is not on this PATH: the script says how to add it.
    expect(readdirSync(join(home, ".local/bin"))).toEqual(["stairway"]);
    expect(r.stderr).toContain(`${join(home, ".local/bin")} is not on your PATH`);
  }, 60_000);

  test("STAIRWAY_BASE_URL and --version: the release asked for, installed where --to says", async () => {
    const to = join(work, "to-env");
    const r = await install(["--to", to, "--version", `v${VERSION}`], {
      env: { STAIRWAY_BASE_URL: `${server.url}/current/` },
    });
    expect(r.stderr).toContain(`downloading ${server.url}/current/stairway-${hostPlatform()}.tar.gz`);
    expect(r.code).toBe(0);
    expect(versionOf(join(to, "stairway"))).toBe(`stairway ${VERSION}`);
  }, 60_000);

  test("with wget and shasum where curl and sha256sum are missing (a PATH of only the tools it needs)", async () => {
    const bin = join(work, "path-wget");
    mkdirSync(bin, { recursive: true });
    for (const tool of [
      "uname",
      "mktemp",
      "rm",
      "awk",
      "cut",
      "tar",
      "gzip",
      "mkdir",
      "chmod",
      "cp",
      "mv",
      "cat",
      "wget",
      "shasum",
    ]) {
      const found = Bun.which(tool);
      if (!found) throw new Error(`${tool} is needed for this test (apt-get install wget perl)`);
      symlinkSync(found, join(bin, tool));
    }
    const to = join(work, "to-wget");
    const r = await install(["--to", to, "--base-url", `${server.url}/current`], { path: bin });
    expect(r.stderr).not.toContain("not found");
    expect(r.code).toBe(0);
    expect(versionOf(join(to, "stairway"))).toBe(`stairway ${VERSION}`);
    // …and the corrupted archive is refused by shasum too.
    const refused = await install(["--to", join(work, "to-wget-corrupt"), "--base-url", `${server.url}/corrupt`], {
      path: bin,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("does not match SHA256SUMS");
  }, 60_000);

  test("a corrupted archive is refused: exit 1, one sentence, nothing installed and an installed binary untouched", async () => {
    const fresh = join(work, "to-corrupt-fresh");
    let r = await install(["--to", fresh, "--base-url", `${server.url}/corrupt`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^install\\.sh: downloading .*\\ninstall\\.sh: stairway-${hostPlatform()}\\.tar\\.gz does not match SHA256SUMS \\(sha256 [0-9a-f]{64}, expected [0-9a-f]{64}\\): the download is corrupt or was tampered with; nothing was installed\\.\\n$`,
      ),
    );
    expect(r.stdout).toBe("");
    expect(existsSync(fresh)).toBe(false);

    const over = join(work, "to-corrupt-over");
    expect((await install(["--to", over, "--base-url", `${server.url}/older`])).code).toBe(0);
    r = await install(["--to", over, "--base-url", `${server.url}/corrupt`]);
    expect(r.code).toBe(1);
    expect(versionOf(join(over, "stairway"))).toBe(`stairway ${OLDER_VERSION}`);
    expect(readdirSync(over)).toEqual(["stairway"]);
  }, 60_000);

  test("an unknown platform (uname shimmed on PATH): one clear sentence, exit 1, nothing downloaded", async () => {
    for (const [os, arch] of [
      ["FreeBSD", "amd64"],
      ["Linux", "riscv64"],
      ["Darwin", "ppc"],
    ] as const) {
      const shim = join(work, `shim-${os}-${arch}`);
      mkdirSync(shim, { recursive: true });
      writeFileSync(
        join(shim, "uname"),
        `#!/bin/sh\ncase "$1" in -s) echo ${os} ;; -m) echo ${arch} ;; *) echo ${os} ;; esac\n`,
      );
      chmodSync(join(shim, "uname"), 0o755);
      const before = server.requests.length;
      const to = join(work, `to-${os}`);
      const r = await install(["--to", to, "--base-url", `${server.url}/current`], {
        path: `${shim}:${process.env.PATH}`,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `install.sh: stairway has no release binary for ${os} ${arch} (there are linux-x64, linux-arm64, darwin-x64, darwin-arm64 and windows-x64); build it from source with make build.\n`,
      );
      expect(server.requests.length).toBe(before);
      expect(existsSync(to)).toBe(false);
    }
  });

  test("a release that is not the version asked for is refused, and a missing one is a failed download (exit 3)", async () => {
    const to = join(work, "to-mismatch");
    let r = await install(["--to", to, "--version", "9.9.9", "--base-url", `${server.url}/current`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `asked for v9.9.9 but the archive at ${server.url}/current holds stairway ${VERSION}: nothing was installed.`,
    );
    expect(existsSync(to)).toBe(false);
    r = await install(["--to", to, "--base-url", `${server.url}/no-such-release`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      `could not download ${server.url}/no-such-release/SHA256SUMS: check the version and the URL.`,
    );
    expect(existsSync(to)).toBe(false);
  }, 60_000);

  test("a re-install over an older version replaces it", async () => {
    const to = join(work, "to-upgrade");
    let r = await install(["--to", to, "--base-url", `${server.url}/older`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`stairway ${OLDER_VERSION} installed in ${to}/stairway\n`);
    // Installed read-only, as package managers leave binaries: the rename still replaces it.
    chmodSync(join(to, "stairway"), 0o555);
    r = await install(["--to", to, "--base-url", `${server.url}/current`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`stairway ${VERSION} installed in ${to}/stairway\n`);
    expect(versionOf(join(to, "stairway"))).toBe(`stairway ${VERSION}`);
    expect(readdirSync(to)).toEqual(["stairway"]);
  }, 60_000);

  test("a usage error names the option (exit 2)", async () => {
    const r = await install(["--frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "install.sh: unknown option --frobnicate (the options are --to DIR, --version vX.Y.Z and --base-url URL).\n",
    );
  });
});

test("make dist wrote the host archive with the binary, README.md and LICENSE, and SHA256SUMS that matches it", async () => {
  const current = join(www, "current");
  const name = `stairway-${hostPlatform()}.tar.gz`;
  expect(readdirSync(current).sort()).toEqual(["SHA256SUMS", name]);
  const list = Bun.spawnSync(["tar", "-tzf", join(current, name)])
    .stdout.toString()
    .trim()
    .split("\n")
    .sort();
  expect(list).toEqual([
    `stairway-${hostPlatform()}/`,
    `stairway-${hostPlatform()}/LICENSE`,
    `stairway-${hostPlatform()}/README.md`,
    `stairway-${hostPlatform()}/stairway`,
  ]);
  const sums = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: current });
  expect(sums.stdout.toString()).toBe(`${name}: OK\n`);
  expect(sums.exitCode).toBe(0);
  const licence = Bun.spawnSync([
    "tar",
    "-xzOf",
    join(current, name),
    `stairway-${hostPlatform()}/LICENSE`,
  ]).stdout.toString();
  expect(licence).toBe(readFileSync(join(ROOT, "LICENSE"), "utf8"));
  expect(licence).toContain("MIT License\n\nCopyright (c) 2026 the stairway authors");
});
