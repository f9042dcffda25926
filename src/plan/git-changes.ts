// --since-git REF: which files of the migration trees are new or changed
// since REF, as a pull request's diff shows them — against the merge base of
// REF and HEAD, so commits that landed on REF after the branch was cut are
// not taken for this change's — working-tree edits and untracked files
// included. git runs as a subprocess; its failures become one sentence.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { usageError } from "../errors.ts";

export type FileChange = "added" | "modified";

export interface GitChanges {
  /** The ref as given, and the commit the trees are compared with (the merge base). */
  ref: string;
  base: string;
  /** Absolute path → how it differs from the base; files not listed are as they were there. */
  files: Map<string, FileChange>;
}

function git(cwd: string, args: string[]): { ok: boolean; out: string; err: string; missing?: boolean } {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) return { ok: false, out: "", err: r.error.message, missing: true };
  return { ok: r.status === 0, out: r.stdout, err: (r.stderr || "").trim().split("\n")[0] ?? "" };
}

/** The changes under `dirs` (migration trees; those that do not exist are left out) since `ref`. */
export function gitChanges(dirs: string[], ref: string): GitChanges {
  const trees = dirs.filter((d) => existsSync(d)).map((d) => resolve(d));
  const flag = `--since-git ${ref}`;
  if (!trees.length) return { ref, base: "", files: new Map() };
  const cwd = trees[0]!;
  const top = git(cwd, ["rev-parse", "--show-toplevel"]);
  if (top.missing) throw usageError(`${flag}: git is not installed (it is needed to tell what changed)`);
  if (!top.ok)
    throw usageError(`${flag}: ${dirs[0]} is not in a git checkout (${top.err}); use --since VERSION instead`);
  const root = top.out.trim();
  const commit = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (!commit.ok)
    throw usageError(
      `${flag}: no such commit in the git repository at ${root}; fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0)`,
    );
  const base = git(root, ["merge-base", commit.out.trim(), "HEAD"]);
  if (!base.ok)
    throw usageError(
      `${flag}: ${ref} and HEAD have no common ancestor in the repository at ${root} (a shallow clone?); fetch the history (actions/checkout with fetch-depth: 0)`,
    );
  const baseCommit = base.out.trim();
  const files = new Map<string, FileChange>();
  // Tracked files that differ from the base in the working tree (committed or not); renames as delete + add.
  const diff = git(root, ["diff", "--name-status", "--no-renames", "-z", baseCommit, "--", ...trees]);
  if (!diff.ok) throw usageError(`${flag}: git diff failed in ${root}: ${diff.err}`);
  const parts = diff.out.split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = parts[i]!;
    const path = resolve(root, parts[i + 1]!);
    if (status.startsWith("A")) files.set(path, "added");
    else if (!status.startsWith("D")) files.set(path, "modified");
  }
  // New files not yet committed (and not ignored) are new too.
  const untracked = git(root, ["ls-files", "--others", "--exclude-standard", "-z", "--", ...trees]);
  if (untracked.ok) for (const p of untracked.out.split("\0").filter(Boolean)) files.set(resolve(root, p), "added");
  return { ref, base: baseCommit, files };
}
