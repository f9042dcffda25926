// Reads migration trees into a Plan: every problem of a tree is collected and
// reported together, never one at a time.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from "node:fs";
import { join, relative, sep } from "node:path";
import { mergeDirectives, parseDirectives } from "./directives.ts";
import { isEmptySql } from "./statements.ts";
import {
  compareVersions,
  type Direction,
  type Migration,
  type MigrationFile,
  type Plan,
  type SqlDialect,
  type TreeProblem,
  versionKey,
} from "./migration.ts";

export interface TreeOptions {
  /** Directory of SQL migrations; absent or missing means none. */
  sqlDir?: string;
  /** Directory of Redis transforms (`NNN_name.ts`). */
  redisDir?: string;
  /** The config's `layout.pattern`: a regex over paths relative to sqlDir. */
  pattern?: RegExp;
}

interface Entry {
  version: string;
  name: string;
  direction: Direction;
  dialect?: SqlDialect;
  path: string;
}

const DIR_NAME = /^(?<version>\d+)_(?<name>[^.\s]+)$/;
const DIR_FILE = /^(?<direction>up|down)(?:\.(?<dialect>sqlite|postgres|postgresql))?\.sql$/;
const FLAT_FILE = /^(?<version>\d+)_(?<name>.+?)(?:\.(?<dialect>sqlite|postgres|postgresql))?\.(?<direction>up|down)\.sql$/;
const REDIS_FILE = /^(?<version>\d+)_(?<name>[^.\s]+)\.ts$/;
const EXAMPLE = "e.g. sql/001_create_tools/up.sql or sql/001_create_tools.up.sql";

export function loadPlan(opts: TreeOptions): Plan {
  const problems: TreeProblem[] = [];
  const entries: Entry[] = [];
  if (opts.sqlDir && isDirectoryPath(opts.sqlDir)) {
    if (opts.pattern) scanWithPattern(opts.sqlDir, opts.pattern, entries, problems);
    else scanBuiltIn(opts.sqlDir, entries, problems);
  }
  const redis: { version: string; name: string; path: string }[] = [];
  if (opts.redisDir && isDirectoryPath(opts.redisDir)) {
    for (const entry of readdirSync(opts.redisDir, { withFileTypes: true }).sort(byName)) {
      const f = entry.name;
      if (f.startsWith(".") || f.endsWith(".d.ts") || !f.endsWith(".ts")) continue;
      const m = REDIS_FILE.exec(f);
      const path = join(opts.redisDir, f);
      if (isDirectory(entry, path, problems)) problems.push({ check: "files.naming", path, blocking: true, message: `${path} is a directory, not a file` });
      else if (m) redis.push({ version: m.groups!.version!, name: m.groups!.name!, path });
      else
        problems.push({
          check: "files.naming",
          path,
          blocking: true,
          message: `${path} is not named <version>_<name>.ts (e.g. 007_update_session_key_format.ts)`,
        });
    }
  }
  const migrations = assemble(entries, redis, problems);
  return { migrations, problems };
}

function scanBuiltIn(root: string, entries: Entry[], problems: TreeProblem[]): void {
  for (const entry of readdirSync(root, { withFileTypes: true }).sort(byName)) {
    const name = entry.name;
    if (name.startsWith(".")) continue;
    const path = join(root, name);
    if (isDirectory(entry, path, problems)) {
      const dm = DIR_NAME.exec(name);
      if (!dm) {
        problems.push({
          check: "files.naming",
          path,
          blocking: true,
          message: `${path} is not named <version>_<name> (${EXAMPLE})`,
        });
        continue;
      }
      for (const f of readdirSync(path, { withFileTypes: true }).sort(byName)) {
        const file = f.name;
        if (file.startsWith(".") || !file.endsWith(".sql")) continue;
        const fm = DIR_FILE.exec(file);
        const fpath = join(path, file);
        if (isDirectory(f, fpath, problems)) {
          problems.push({ check: "files.naming", path: fpath, blocking: true, message: `${fpath} is a directory, not a file` });
          continue;
        }
        if (!fm) {
          problems.push({
            check: "files.naming",
            path: fpath,
            blocking: true,
            message: `${fpath} is not up.sql, down.sql or a dialect override like up.postgres.sql`,
          });
          continue;
        }
        entries.push({
          version: dm.groups!.version!,
          name: dm.groups!.name!,
          direction: fm.groups!.direction as Direction,
          dialect: dialectOf(fm.groups!.dialect),
          path: fpath,
        });
      }
      continue;
    }
    if (!name.endsWith(".sql") || /^schema\.[\w-]+\.sql$/.test(name)) continue;
    const fm = FLAT_FILE.exec(name);
    if (!fm) {
      problems.push({
        check: "files.naming",
        path,
        blocking: true,
        message: `${path} is not named <version>_<name>.up.sql or .down.sql (${EXAMPLE})`,
      });
      continue;
    }
    entries.push({
      version: fm.groups!.version!,
      name: fm.groups!.name!,
      direction: fm.groups!.direction as Direction,
      dialect: dialectOf(fm.groups!.dialect),
      path,
    });
  }
}

function scanWithPattern(root: string, pattern: RegExp, entries: Entry[], problems: TreeProblem[]): void {
  for (const path of walk(root, problems, new Set([realpathSync(root)]))) {
    const rel = relative(root, path).split(sep).join("/");
    const m = pattern.exec(rel);
    if (!m?.groups?.version) {
      if (path.endsWith(".sql") && !/(^|\/)schema\.[\w-]+\.sql$/.test(rel))
        problems.push({
          check: "files.naming",
          path,
          blocking: true,
          message: `${path} does not match layout.pattern ${pattern.source}`,
        });
      continue;
    }
    const direction = (m.groups.direction ?? "").toLowerCase();
    if (direction !== "up" && direction !== "down") {
      problems.push({
        check: "files.naming",
        path,
        blocking: true,
        message: `${path}: layout.pattern gave direction "${m.groups.direction ?? ""}", expected up or down`,
      });
      continue;
    }
    const dialect = m.groups.dialect ? dialectOf(m.groups.dialect.toLowerCase()) : undefined;
    if (m.groups.dialect && !dialect) {
      problems.push({
        check: "files.naming",
        path,
        blocking: true,
        message: `${path}: layout.pattern gave dialect "${m.groups.dialect}", expected sqlite or postgres`,
      });
      continue;
    }
    entries.push({ version: m.groups.version, name: m.groups.name ?? "", direction, dialect, path });
  }
}

/** The files under dir; a symlink back to a directory already walked (`sql/x -> ..`) is a problem, not an endless path. */
function* walk(dir: string, problems: TreeProblem[], seen: Set<string>): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort(byName)) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (!isDirectory(entry, path, problems)) {
      yield path;
      continue;
    }
    const real = realpathSync(path);
    if (seen.has(real)) {
      problems.push({ check: "files.naming", path, blocking: true, message: `${path} is a symbolic link to a directory the tree already holds (a loop): remove it` });
      continue;
    }
    seen.add(real);
    yield* walk(path, problems, seen);
  }
}

/**
 * The entry's type comes with the listing (no stat per entry). A symlink is
 * followed (a dangling one is no directory), and so is an entry whose type the
 * file system does not report (some network file systems): it is stat'ed.
 * A symlink loop, or an entry that cannot be read, is a problem of the tree.
 */
function isDirectory(entry: Dirent, path: string, problems: TreeProblem[]): boolean {
  if (entry.isDirectory()) return true;
  if (entry.isFile()) return false;
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ELOOP" ? "is a symbolic link loop: remove it" : `cannot be read (${code ?? (e as Error).message})`;
    problems.push({ check: "files.naming", path, blocking: true, message: `${path} ${why}` });
    return false;
  }
}

/** A directory to read; anything else (absent, a file, a loop) is no tree: the session says why when it matters. */
function isDirectoryPath(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function dialectOf(s: string | undefined): SqlDialect | undefined {
  if (!s) return undefined;
  if (s === "postgresql" || s === "postgres") return "postgres";
  if (s === "sqlite") return "sqlite";
  return undefined;
}

function readMigrationFile(path: string, direction: Direction, dialect: SqlDialect | undefined, problems: TreeProblem[]): MigrationFile {
  const bytes = readFileSync(path);
  const text = bytes.toString("utf8");
  const { directives, problems: dp } = parseDirectives(text);
  for (const p of dp)
    problems.push({ check: "files.parse", path, line: p.line, blocking: true, message: `${path}:${p.line}: ${p.message}` });
  let checksum: string | undefined;
  return {
    path,
    direction,
    dialect,
    text,
    // Hashed when asked for: the runner and validate need it, the linter (hundreds of files) does not.
    get checksum() {
      return (checksum ??= createHash("sha256").update(bytes).digest("hex"));
    },
    directives,
  };
}

function assemble(entries: Entry[], redis: { version: string; name: string; path: string }[], problems: TreeProblem[]): Migration[] {
  const byKey = new Map<string, Migration[]>();
  const get = (version: string, name: string, store: "sql" | "redis"): Migration => {
    const key = versionKey(version);
    const list = byKey.get(key) ?? [];
    byKey.set(key, list);
    let m = list.find((x) => x.version === version && x.name === name && x.store === store);
    if (!m) {
      m = { version, key, name, id: name ? `${version}_${name}` : version, store, files: { up: {}, down: {} } };
      list.push(m);
    }
    return m;
  };
  for (const e of entries) {
    const m = get(e.version, e.name, "sql");
    const slot = e.dialect ?? "default";
    const existing = m.files[e.direction][slot];
    if (existing) {
      problems.push({
        check: "files.duplicate-version",
        path: e.path,
        blocking: true,
        message: `${e.path} and ${existing.path} are both the ${slot === "default" ? "" : slot + " "}${e.direction} of version ${e.version}`,
      });
      continue;
    }
    m.files[e.direction][slot] = readMigrationFile(e.path, e.direction, e.dialect, problems);
  }
  for (const r of redis) {
    const m = get(r.version, r.name, "redis");
    m.module = readMigrationFile(r.path, "up", undefined, problems);
  }

  const migrations: Migration[] = [];
  for (const list of byKey.values()) {
    if (list.length > 1) {
      const names = list.map((m) => firstPath(m)).join(", ");
      for (const m of list)
        problems.push({
          check: "files.duplicate-version",
          path: firstPath(m),
          blocking: true,
          message: `version ${m.version} is used more than once: ${names}`,
        });
    }
    for (const m of list) {
      checkPairs(m, problems);
      migrations.push(m);
    }
  }
  migrations.sort((a, b) => compareVersions(a.version, b.version) || a.id.localeCompare(b.id));
  return migrations;
}

function firstPath(m: Migration): string {
  if (m.module) return m.module.path;
  const f = m.files.up.default ?? m.files.down.default ?? Object.values(m.files.up)[0] ?? Object.values(m.files.down)[0];
  return f?.path ?? m.id;
}

function checkPairs(m: Migration, problems: TreeProblem[]): void {
  if (m.store !== "sql") return;
  const slots = new Set([...Object.keys(m.files.up), ...Object.keys(m.files.down)]) as Set<SqlDialect | "default">;
  for (const slot of slots) {
    const up = m.files.up[slot];
    const down = m.files.down[slot];
    if (up && !down && !(slot !== "default" && m.files.down.default)) {
      problems.push({
        check: "files.missing-down",
        path: up.path,
        blocking: true,
        message: `${up.path} has no down: add ${downName(up.path)} that undoes it`,
      });
    }
    if (down && !up && !(slot !== "default" && m.files.up.default)) {
      problems.push({
        check: "files.naming",
        path: down.path,
        blocking: true,
        message: `${down.path} has no matching up file`,
      });
    }
  }
  for (const slot of slots) {
    const down = m.files.down[slot];
    const up = m.files.up[slot] ?? m.files.up.default;
    if (down && up && isEmptySql(down.text) && !isEmptySql(up.text) && down.directives.lossy.length === 0) {
      problems.push({
        check: "files.empty-down",
        path: down.path,
        blocking: false,
        message: `${down.path} is empty: it does not undo ${up.path}`,
      });
    }
  }
  // A skip written in either file applies to the whole migration.
  const all = [...Object.values(m.files.up), ...Object.values(m.files.down)].filter((f): f is MigrationFile => !!f);
  const skip = mergeDirectives(all.map((f) => f.directives)).skip;
  for (const f of all) f.directives.skip = skip;
  // An up with nothing to run would record the version and change nothing; a file that only says where it is skipped is fine.
  for (const up of Object.values(m.files.up))
    if (up && !skip.length && isEmptySql(up.text))
      problems.push({
        check: "files.empty-up",
        path: up.path,
        blocking: false,
        warn: true,
        message: `${up.path} is empty: applying it records version ${m.version} and changes nothing`,
      });
}

function downName(upPath: string): string {
  return upPath.replace(/up(\.(sqlite|postgres|postgresql))?\.sql$/, "down$1.sql");
}
