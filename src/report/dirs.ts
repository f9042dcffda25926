// `report --from` names directories, or a glob of them (`reports/shard-*`,
// quoted so that the shell leaves it to stairway): each must exist.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { usageError } from "../errors.ts";

const GLOB = /[*?[]/;

/** The directories the patterns name, each once, in order; a pattern that names none is a usage error. */
export function expandDirs(patterns: string[]): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    const found = GLOB.test(p) ? matchDirs(p) : isDir(p) ? [p] : [];
    if (!found.length)
      throw usageError(
        `--from ${p}: ${GLOB.test(p) ? "matches no directory" : "no such directory"} (each shard's report dir, e.g. --from reports/shard-1 or --from 'reports/shard-*')`,
      );
    for (const d of found) if (!out.includes(d)) out.push(d);
  }
  return out;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Segment by segment: `*` and `?` within one name, `[…]` a set, as a shell reads them. */
function matchDirs(pattern: string): string[] {
  const absolute = pattern.startsWith("/");
  let paths = [absolute ? "/" : ""];
  for (const seg of pattern.split("/").filter(Boolean)) {
    if (!GLOB.test(seg)) {
      paths = paths.map((p) => (p ? join(p, seg) : seg)).filter(isDir);
      continue;
    }
    const re = new RegExp(
      `^${seg
        .replace(/[.+^${}()|\\]/g, "\\$&")
        .replace(/\*/g, "[^/]*")
        .replace(/\?/g, "[^/]")}$`,
    );
    paths = paths.flatMap((p) =>
      readdirSync(p || ".")
        .filter((n) => re.test(n) && !(n.startsWith(".") && !seg.startsWith(".")))
        .sort()
        .map((n) => (p ? join(p, n) : n))
        .filter(isDir),
    );
  }
  return paths;
}
