// Benchmark: `stairway safety` against squawk (the PostgreSQL migration
// linter, npm squawk-cli) on the same files, in the same run.
//   1. time: both lint every file of a generated tree (up + down, at least
//      --statements statements, default 2,000 as the issue says), the same file
//      list on the command line; median of --runs (15: a run takes ~0.2 s,
//      and a shared machine's noise moves a median of 5 by 10%), order
//      alternated; ratio stairway / squawk against the goal (≤ 3×).
//   2. coverage: both lint a shared corpus of dangerous PostgreSQL migrations
//      (one file each, below); which cases each one flags, and with what.
//
//   node_modules/.bin/bun scripts/bench/lint.ts [--runs 15] [--statements 2000] [--verbose]
//
// squawk runs as a stairway file runs: in a transaction (--assume-in-transaction),
// PostgreSQL 17. Its binary is installed from npm into scripts/bench/.peers and
// called directly (its Node launcher would add Node's start-up to its figure).

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import {
  fmtMs,
  fmtRatio,
  generateTree,
  machine,
  main,
  median,
  meets,
  PEERS,
  pinStairway,
  rotate,
  round2,
  run,
  table,
  tempDir,
  verdict,
  writeStairwayTree,
  type GenTree,
} from "./lib.ts";

const SQUAWK_VERSION = "2.66.0";
/** The issue: "2,000 statements linted in ≤ 3× squawk's time, same run". */
const GOAL = 3;
const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "15" },
    statements: { type: "string", default: "2000" },
    verbose: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const STATEMENTS = Number(args.statements);

/** Statements of a generated tree, ups and downs: each ends a line with `;`, and none holds one inside. */
function statementCount(tree: GenTree): number {
  const count = (sql: string) => sql.match(/;[ \t]*$/gm)?.length ?? 0;
  return tree.migrations.reduce((n, m) => n + count(m.up) + count(m.down), 0);
}

/** The smallest generated tree with at least `statements` statements. */
function treeOf(statements: number): { tree: GenTree; statements: number } {
  for (let migrations = 4; ; migrations += 4) {
    const tree = generateTree(migrations);
    const n = statementCount(tree);
    if (n >= statements) return { tree, statements: n };
  }
}

/** squawk's platform binary from npm (@squawk-cli/<os>-<arch>), installed into .peers on first use. */
function squawkBinary(): string {
  const platform = process.platform === "win32" ? "win32" : process.platform;
  const bin = join(PEERS, "node_modules", "@squawk-cli", `${platform}-${process.arch}`, "bin", "squawk");
  if (!existsSync(bin)) {
    process.stderr.write(`bench: installing squawk-cli@${SQUAWK_VERSION} into scripts/bench/.peers (npm)…\n`);
    run(["npm", "install", "--prefix", PEERS, "--no-audit", "--no-fund", `squawk-cli@${SQUAWK_VERSION}`], {
      stdio: "ignore",
    });
  }
  if (!existsSync(bin)) throw new Error(`squawk binary not found at ${bin} after npm install`);
  return bin;
}

interface Lint {
  ms: number;
  /** file → rule ids found there (duplicates kept). */
  byFile: Map<string, string[]>;
  total: number;
}

/** Runs a linter that exits 1 on findings; anything else but 0/1 is a failure of the benchmark. */
function lintRun(cmd: string[], cwd: string): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd[0]!, cmd.slice(1), {
    cwd,
    encoding: "utf8",
    maxBuffer: 512 << 20,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const ms = performance.now() - t0;
  if (r.error) throw new Error(`${cmd[0]}: ${r.error.message}`);
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`${cmd.join(" ").slice(0, 200)} exited ${r.status}:\n${(r.stderr || r.stdout).slice(0, 2000)}`);
  return { ms, stdout: r.stdout };
}

function stairwayLint(bin: string, cwd: string, files: string[], reports: string): Lint {
  const { ms, stdout } = lintRun(
    [bin, "safety", "--dialect", "postgres", "--format", "json", "--report-dir", reports, ...files],
    cwd,
  );
  const byFile = new Map<string, string[]>();
  const results = parseJson(stdout, "stairway").results as {
    check: string;
    status: string;
    details: { file: string };
  }[];
  for (const r of results) {
    if (r.status === "skip") continue;
    const list = byFile.get(r.details.file) ?? [];
    list.push(r.check.replace(/^safety\./, ""));
    byFile.set(r.details.file, list);
  }
  return { ms, byFile, total: results.length };
}

function squawkLint(bin: string, cwd: string, files: string[]): Lint {
  const { ms, stdout } = lintRun(
    [bin, "--reporter", "json", "--pg-version", "17", "--assume-in-transaction", ...files],
    cwd,
  );
  const byFile = new Map<string, string[]>();
  const results = parseJson(stdout || "[]", "squawk") as { file: string; rule_name: string }[];
  for (const r of results) {
    const file = relative(cwd, join(cwd, r.file));
    const list = byFile.get(file) ?? [];
    list.push(r.rule_name);
    byFile.set(file, list);
  }
  return { ms, byFile, total: results.length };
}

function parseJson(text: string, tool: string) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${tool} printed something that is not JSON (${(e as Error).message}): ${text.slice(0, 300)}`);
  }
}

function sqlFiles(dir: string, root: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sqlFiles(p, root));
    else if (e.name.endsWith(".sql")) out.push(relative(root, p));
  }
  return out;
}

// ------------------------------------------------------------------ corpus

/**
 * Dangerous PostgreSQL migrations, one per file, each run in a transaction
 * (as stairway runs a file without `-- stairway:no-transaction`). Tables not
 * created in the file already exist and hold rows.
 */
const CORPUS: Record<string, string> = {
  "create-index": "CREATE INDEX idx_tools_name ON tools (name);",
  "drop-index": "DROP INDEX idx_tools_name;",
  reindex: "REINDEX TABLE tools;",
  "detach-partition": "ALTER TABLE logs DETACH PARTITION logs_2024;",
  "concurrently-in-transaction":
    "CREATE INDEX CONCURRENTLY idx_tools_name ON tools (name);\nCREATE INDEX CONCURRENTLY idx_tools_url ON tools (url);",
  "volatile-default": "ALTER TABLE tools ADD COLUMN uid uuid DEFAULT gen_random_uuid();",
  "serial-column": "ALTER TABLE tools ADD COLUMN seq bigserial;",
  "stored-generated-column":
    "ALTER TABLE tools ADD COLUMN twice bigint GENERATED ALWAYS AS (execution_count * 2) STORED;",
  "not-null-without-default": "ALTER TABLE tools ADD COLUMN owner_id bigint NOT NULL;",
  "set-not-null": "ALTER TABLE tools ALTER COLUMN url SET NOT NULL;",
  "column-type-change": "ALTER TABLE tools ALTER COLUMN execution_count TYPE numeric;",
  "foreign-key-validated":
    "ALTER TABLE tools ADD CONSTRAINT tools_gateway_fkey FOREIGN KEY (gateway_id) REFERENCES gateways (id);",
  "check-validated": "ALTER TABLE tools ADD CONSTRAINT tools_count_check CHECK (execution_count >= 0);",
  "validate-same-transaction":
    "ALTER TABLE tools ADD CONSTRAINT tools_count_check CHECK (execution_count >= 0) NOT VALID;\nALTER TABLE tools VALIDATE CONSTRAINT tools_count_check;",
  "unique-constraint": "ALTER TABLE tools ADD CONSTRAINT tools_url_key UNIQUE (url);",
  "primary-key": "ALTER TABLE events ADD PRIMARY KEY (id);",
  "drop-column": "ALTER TABLE tools DROP COLUMN description;",
  "drop-table": "DROP TABLE tools;",
  "drop-schema": "DROP SCHEMA reporting CASCADE;",
  "drop-database": "DROP DATABASE analytics;",
  truncate: "TRUNCATE tools;",
  "truncate-cascade": "TRUNCATE servers CASCADE;",
  "delete-without-where": "DELETE FROM tools;",
  "update-without-where": "UPDATE tools SET is_active = true;",
  "rename-column": "ALTER TABLE tools RENAME COLUMN url TO endpoint;",
  "rename-table": "ALTER TABLE tools RENAME TO mcp_tools;",
  "rename-schema": "ALTER SCHEMA reporting RENAME TO analytics;",
  "enum-rename-value": "ALTER TYPE tool_state RENAME VALUE 'active' TO 'enabled';",
  "enum-add-value-unordered": "ALTER TYPE tool_state ADD VALUE 'paused';",
  "enum-value-used-in-transaction":
    "ALTER TYPE tool_state ADD VALUE 'paused' AFTER 'active';\nUPDATE tools SET state = 'paused' WHERE id = 1;",
  "vacuum-full": "VACUUM FULL tools;",
  cluster: "CLUSTER tools USING idx_tools_active_name;",
  "set-logged": "ALTER TABLE tools SET LOGGED;",
  "set-tablespace": "ALTER TABLE tools SET TABLESPACE fast_ssd;",
  "explicit-lock": "LOCK TABLE tools IN ACCESS EXCLUSIVE MODE;",
  "drop-not-null": "ALTER TABLE tools ALTER COLUMN url DROP NOT NULL;",
  "domain-check": "CREATE DOMAIN positive AS bigint CHECK (VALUE > 0);",
  "alter-domain-constraint": "ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0);",
  "type-hygiene":
    "CREATE TABLE accounts (id integer PRIMARY KEY, code char(3), email varchar(255), created_at timestamp, payload json);",
  // A COMMIT halfway (a whole-file BEGIN … COMMIT wrapper is fine in stairway, flagged by squawk).
  "transaction-control": "ALTER TABLE tools ADD COLUMN note text;\nCOMMIT;\nALTER TABLE tools ADD COLUMN note2 text;",
  "identifier-too-long": `CREATE INDEX ${"idx_tools_".padEnd(70, "x")} ON tools (name);`,
  "ddl-in-do-block": "DO $$\nBEGIN\n  ALTER TABLE tools ADD COLUMN owner_id bigint NOT NULL;\nEND $$;",
  "dml-in-do-block": "DO $$\nBEGIN\n  DELETE FROM sessions;\nEND $$;",
  "dml-in-called-function":
    "CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $f$\nBEGIN\n  DELETE FROM sessions;\nEND $f$;\nSELECT purge();",
  "rename-then-drop-without-copy":
    "ALTER TABLE logs RENAME TO logs_old;\nCREATE TABLE logs (id bigint PRIMARY KEY);\nDROP TABLE logs_old;",
  "duplicate-column-definition": "CREATE TABLE accounts (id bigint PRIMARY KEY, name text, name varchar(10));",
  "duplicate-update-assignment": "UPDATE tools SET name = 'a', name = 'b' WHERE id = 1;",
  "duplicate-insert-column": "INSERT INTO tools (id, name, name) VALUES (1, 'a', 'b');",
  "uncommitted-transaction": "BEGIN;\nALTER TABLE tools ADD COLUMN note text;",
  "inline-foreign-key": "ALTER TABLE tools ADD COLUMN gateway_id bigint REFERENCES gateways (id);",
  "inline-unique": "ALTER TABLE tools ADD COLUMN slug text UNIQUE;",
  "inline-serial-primary-key": "ALTER TABLE events ADD COLUMN id bigserial PRIMARY KEY;",
  "unique-index": "CREATE UNIQUE INDEX idx_tools_url ON tools (url);",
  "reindex-index": "REINDEX INDEX idx_tools_name;",
  "drop-index-if-exists": "DROP INDEX IF EXISTS idx_tools_name, idx_tools_url;",
  "drop-two-tables": "DROP TABLE IF EXISTS sessions, tokens;",
  "type-change-to-varchar": "ALTER TABLE tools ALTER COLUMN name TYPE varchar(500);",
  "set-data-type-using":
    "ALTER TABLE tools ALTER COLUMN execution_count SET DATA TYPE bigint USING execution_count::bigint;",
  "set-unlogged": "ALTER TABLE tools SET UNLOGGED;",
  "identity-column-added": "ALTER TABLE tools ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;",
  "exclusion-constraint":
    "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (period WITH &&);",
  "serial-primary-key-table": "CREATE TABLE audit (id serial PRIMARY KEY, at timestamptz NOT NULL);",
  "timestamp-column": "ALTER TABLE tools ADD COLUMN created timestamp(3) DEFAULT now();",
  "json-column": "ALTER TABLE tools ADD COLUMN payload json;",
  "int-column": "ALTER TABLE tools ADD COLUMN quantity integer;",
  "smallint-column": "ALTER TABLE tools ADD COLUMN priority smallint;",
  "syntax-error": "ALTER TABLE tools ADD COLUMN;",
  "missing-lock-timeout-only": "ALTER TABLE tools ADD COLUMN note text;",
};

/** Findings that name no danger of the statement itself (squawk's robustness and timeouts, ours likewise). */
const NOISE = new Set([
  "require-lock-timeout",
  "require-statement-timeout",
  "require-timeout-settings",
  "prefer-robust-stmts",
  "transaction-nesting-assumed",
]);

function caught(rules: string[] | undefined, acceptNoise: boolean): boolean {
  return (rules ?? []).some((r) => acceptNoise || !NOISE.has(r));
}

// ------------------------------------------------------------------ main

await main(async () => {
  if (!(RUNS >= 1 && STATEMENTS >= 1)) throw new Error("--runs and --statements must be ≥ 1");
  const work = tempDir("lint");
  const stairway = pinStairway(work);
  const squawk = squawkBinary();
  const squawkVersion = run([squawk, "--version"]).stdout.trim();
  const reports = join(work, "reports");

  // 1. time, on a generated tree
  const project = join(work, "project");
  const { tree, statements } = treeOf(STATEMENTS);
  writeStairwayTree(join(project, "sql"), tree);
  const files = sqlFiles(join(project, "sql"), project);
  stairwayLint(stairway.path, project, files, reports); // warm the page cache for both
  squawkLint(squawk, project, files);
  const times: Record<"stairway" | "squawk", number[]> = { stairway: [], squawk: [] };
  let last: Record<"stairway" | "squawk", Lint | undefined> = { stairway: undefined, squawk: undefined };
  for (let i = 0; i < RUNS; i++) {
    for (const tool of rotate(["stairway", "squawk"] as const, i)) {
      const l =
        tool === "stairway" ? stairwayLint(stairway.path, project, files, reports) : squawkLint(squawk, project, files);
      times[tool].push(l.ms);
      last = { ...last, [tool]: l };
    }
  }
  const ours = median(times.stairway);
  const theirs = median(times.squawk);

  // 2. coverage, on the corpus
  const corpusDir = join(work, "corpus");
  mkdirSync(corpusDir, { recursive: true });
  const names = Object.keys(CORPUS);
  for (const n of names) writeFileSync(join(corpusDir, `${n}.sql`), CORPUS[n]! + "\n");
  const corpusFiles = names.map((n) => `${n}.sql`);
  const s = stairwayLint(stairway.path, corpusDir, corpusFiles, reports);
  const q = squawkLint(squawk, corpusDir, corpusFiles);
  const rows = names.map((n) => {
    const f = `${n}.sql`;
    const a = s.byFile.get(f) ?? [];
    const b = q.byFile.get(f) ?? [];
    const acceptNoise = n === "missing-lock-timeout-only";
    const mark = (x: string[]) => (caught(x, acceptNoise) ? "✓" : "✗");
    const show = (x: string[]) => [...new Set(x.filter((r) => acceptNoise || !NOISE.has(r)))].join(", ") || "—";
    return {
      n,
      ours: caught(a, acceptNoise),
      theirs: caught(b, acceptNoise),
      cells: [n, mark(a), show(a), mark(b), show(b)],
    };
  });
  const oursCount = rows.filter((r) => r.ours).length;
  const theirsCount = rows.filter((r) => r.theirs).length;
  const onlyOurs = rows.filter((r) => r.ours && !r.theirs).map((r) => r.n);
  const onlyTheirs = rows.filter((r) => !r.ours && r.theirs).map((r) => r.n);

  console.log(`stairway safety vs squawk — same files, same run`);
  console.log(`  stairway: ${stairway.about}`);
  console.log(
    `  squawk:   ${squawkVersion} (npm squawk-cli, ${relative(process.cwd(), squawk)}), --pg-version 17 --assume-in-transaction\n`,
  );
  console.log(
    `1. lint time, ${tree.migrations.length} generated migrations: ${files.length} files, ${statements} statements; median of ${RUNS} runs`,
  );
  console.log(
    table(
      ["tool", "median ms", "min ms", "findings"],
      [
        ["stairway safety", fmtMs(ours), fmtMs(Math.min(...times.stairway)), String(last.stairway?.total ?? 0)],
        ["squawk", fmtMs(theirs), fmtMs(Math.min(...times.squawk)), String(last.squawk?.total ?? 0)],
      ],
    ),
  );
  const ratio = ours / theirs;
  console.log(`ratio stairway / squawk: ${fmtRatio(ratio)} — ${verdict(ratio, GOAL)}\n`);
  console.log(
    `2. findings on a corpus of ${names.length} dangerous migrations (timeout and robustness findings left out, except in the last case)`,
  );
  console.log(
    table(
      ["case", "stairway", "stairway rules", "squawk", "squawk rules"],
      rows.map((r) => r.cells),
    ),
  );
  console.log(`\ncaught: stairway ${oursCount}/${names.length}, squawk ${theirsCount}/${names.length}`);
  console.log(`only stairway: ${onlyOurs.join(", ") || "none"}`);
  console.log(`only squawk:   ${onlyTheirs.join(", ") || "none"}`);
  console.log(`all findings on the corpus: stairway ${s.total}, squawk ${q.total}`);
  if (args.verbose) for (const [f, r] of q.byFile) console.log(`squawk ${f}: ${r.join(", ")}`);
  console.log(`\nmachine: ${machine()}`);
  const summary = {
    bench: "lint",
    migrations: tree.migrations.length,
    files: files.length,
    statements,
    runs: RUNS,
    lintMs: { stairway: round2(ours), squawk: round2(theirs) },
    ratio: round2(ratio),
    goal: { max: GOAL, met: meets(ratio, GOAL) },
    caught: { stairway: oursCount, squawk: theirsCount, of: names.length },
    versions: { squawk: squawkVersion },
  };
  console.log(JSON.stringify(summary));
});
