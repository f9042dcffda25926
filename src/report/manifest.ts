// The files stairway wrote in a report dir, listed in the dir itself
// (`.stairway-reports`, one name a line), so that `clean` removes those and
// nothing else: a report dir is often a directory the user keeps other files
// in (a package.json, their own junit.xml), which no name pattern can tell apart.

import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

export const MANIFEST = ".stairway-reports";

/** Writes `name` into the report dir and lists it as stairway's. */
export function writeReportFile(dir: string, name: string, data: string | string[]): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  // Listed before it is written: a run killed in between leaves a name `clean` skips, never a file it does not know.
  if (!writtenFiles(dir).includes(name)) appendFileSync(join(dir, MANIFEST), `${name}\n`);
  // Piece by piece: a lint report can be megabytes, and joining would copy it.
  const fd = openSync(path, "w");
  try {
    for (const piece of Array.isArray(data) ? data : [data]) writeFileSync(fd, piece);
  } finally {
    closeSync(fd);
  }
  return path;
}

/** The names the manifest lists; only plain file names count (a hand-edited entry cannot point outside the dir). */
export function writtenFiles(dir: string): string[] {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return [];
  const names = readFileSync(path, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && l !== "." && l !== ".." && !/[/\\]/.test(l));
  return [...new Set(names)];
}

/** Removes every file stairway wrote in the dir, and the manifest; returns the names of those that were there. */
export function removeWrittenFiles(dir: string): string[] {
  const removed = writtenFiles(dir).filter((name) => existsSync(join(dir, name)));
  for (const name of removed) rmSync(join(dir, name), { force: true });
  rmSync(join(dir, MANIFEST), { force: true });
  return removed;
}
