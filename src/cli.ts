#!/usr/bin/env bun
// The command line: flags, help, and the one place that prints errors and
// picks the exit code. Each command's work is in src/commands/.

import { cac } from "cac";
import pc from "picocolors";
import { EXIT, StairwayError, type ExitCode } from "./errors.ts";
import { redact } from "./secrets.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { writtenFiles } from "./report/manifest.ts";
import { DEFAULT_REPORT_DIR, envelope, reportJson } from "./results.ts";
import type { GlobalFlags } from "./session.ts";
import { VERSION } from "./version.ts";
import { LAYOUT_IDS, type LayoutId } from "./plan/layouts/ids.ts";
import { FOREIGN_RUNNERS } from "./bookkeeping/ids.ts";

type Handler = (flags: GlobalFlags & Record<string, unknown>, args: string[]) => Promise<ExitCode>;

/** Loaded when the command runs, so `--version` and `--help` start fast. */
const lazy =
  (load: () => Promise<{ default: Handler }>): Handler =>
  async (flags, args) =>
    (await load()).default(flags, args);

/** Another runner's bookkeeping, read where stairway has recorded nothing yet (up, status, baseline). */
const FROM: [string, string] = [
  "--from <runner>",
  `Read what this runner recorded in its own table: ${FOREIGN_RUNNERS.join(", ")} (never written to)`,
];
const TABLE: [string, string] = ["--table <name>", "The --from runner's table, when the project renamed it"];
/** The testing commands' flags to check less than the whole tree (README "Big trees in CI"). */
const SINCE: [string, string][] = [
  ["--since <version>", "Check this migration and every later one; apply those before it without checks"],
  [
    "--since-git <ref>",
    "Check the migrations whose files are new or changed since this git ref (e.g. origin/main); a changed released one fails files.checksum-drift",
  ],
  [
    "--cache-dir <dir>",
    "Where the prefix cache lives (default: <report-dir>/cache; keep it with your CI's cache step)",
  ],
];
const SHARD: [string, string] = [
  "--shard <k/n>",
  "Check the k-th of n slices of about equal cost (the last report's timings, else counts); merge with report --from",
];

/** reportAs: the name of its <report-dir>/<name>.json when it is not the command's first word. */
const COMMANDS: {
  name: string;
  describe: string;
  alias?: string;
  options?: [string, string, object?][];
  examples?: string[];
  reportAs?: (args: string[]) => string;
  run: Handler;
}[] = [
  {
    name: "up",
    describe: "Apply pending migrations (all, or through --to VERSION)",
    options: [
      ["--to <version>", "Stop after this version"],
      ["--dry-run", "Print the SQL that would run; touch nothing"],
      ["--allow-drift", "Apply pending migrations even though an applied file was edited since (up refuses otherwise)"],
      FROM,
      TABLE,
    ],
    examples: [
      "stairway up --db postgres://app@localhost/app",
      "stairway up --to 003 --dry-run",
      "stairway up --allow-drift",
      "stairway up --from goose   # first adopt what goose applied here",
    ],
    run: lazy(() => import("./commands/migrate.ts").then((m) => ({ default: m.upCommand }))),
  },
  {
    name: "down",
    describe: "Revert the last migration (or --steps N, or --to VERSION; --to 0 reverts all)",
    options: [
      ["--to <version>", "Revert everything after this version (0: everything)"],
      ["--steps <n>", "Revert this many migrations", { default: undefined }],
      ["--dry-run", "Print the SQL that would run; touch nothing"],
    ],
    examples: ["stairway down", "stairway down --steps 3", "stairway down --to 0"],
    run: lazy(() => import("./commands/migrate.ts").then((m) => ({ default: m.downCommand }))),
  },
  {
    name: "redo",
    describe: "Revert the last migration and apply it again",
    run: lazy(() => import("./commands/migrate.ts").then((m) => ({ default: m.redoCommand }))),
  },
  {
    name: "status",
    describe: "Show each migration's state: applied, pending, dirty, drifted, missing-file",
    options: [
      ["--exit-code", "Exit 1 while anything is pending, dirty, drifted or missing its file (a CI gate)"],
      FROM,
      TABLE,
    ],
    examples: [
      "stairway status --db sqlite:app.db",
      "stairway status --json",
      "stairway status --exit-code --db postgres://app@db/app",
      "stairway status --from flyway",
    ],
    run: lazy(() => import("./commands/migrate.ts").then((m) => ({ default: m.statusCommand }))),
  },
  {
    name: "force <version>",
    describe: "After fixing a dirty version by hand: mark it applied (or --pending)",
    options: [["--pending", "Mark the version not applied instead"]],
    run: lazy(() => import("./commands/migrate.ts").then((m) => ({ default: m.forceCommand }))),
  },
  {
    name: "baseline [version]",
    describe:
      "Adopt a database migrated by other means: mark every migration up to VERSION applied, or (--from) what another runner's table records; runs nothing",
    options: [FROM, TABLE],
    examples: [
      "stairway baseline 20240105120000 --db postgres://app@db/app",
      "stairway baseline --from golang-migrate --db postgres://app@db/app",
      "stairway baseline --from dbmate --table dbmate.schema_migrations",
    ],
    run: lazy(() => import("./commands/migrate.ts").then((m) => ({ default: m.baselineCommand }))),
  },
  {
    name: "new <name>",
    describe:
      "Create the next migration: sql/NNN_name/{up,down}.sql, or a Redis transform redis-migrations/NNN_name.ts",
    options: [
      ["--store <store>", "sql (default) or redis (also: --redis alone, or --redis DIR for a transform in DIR)"],
    ],
    examples: [
      "stairway new add_tool_owner",
      "stairway new rename_session_keys --redis",
      "stairway new --store redis rename_session_keys",
    ],
    run: lazy(() => import("./commands/new.ts")),
  },
  {
    name: "test",
    describe:
      "The stairway: each migration up, down, up again on a scratch copy of every target, checking schema and data",
    options: [...SINCE, SHARD],
    examples: [
      "stairway test",
      "stairway test --db postgres://postgres@localhost/postgres --json",
      "stairway test --since-git origin/main",
      "stairway test --shard 2/4 --report-dir reports/shard-2",
    ],
    run: lazy(() => import("./commands/test.ts")),
  },
  {
    name: "rollback",
    describe:
      "Fill a scratch target at head with fixtures and generated rows, then roll back the last K migrations checking no row is lost",
    options: [["--last <k>", "How many migrations to roll back (default: all)"], ...SINCE.slice(0, 2)],
    run: lazy(() => import("./commands/rollback.ts")),
  },
  {
    name: "perf",
    describe:
      "Time each migration's up and down per scenario (empty, fixtures, N rows), with locks and the stall a concurrent query sees",
    options: [
      ["--scenario <name>", "Only this scenario of the config; repeatable", { type: [String] }],
      ["--rows <n>", "Rows per table for the large-data scenarios"],
      ["--baseline <file>", "Fail steps slower than this saved baseline (beyond the noise margin)"],
      ["--save-baseline <file>", "Save this run's timings as a baseline"],
      ...SINCE,
      SHARD,
    ],
    examples: [
      "stairway perf --save-baseline perf-baseline.json",
      "stairway perf --baseline perf-baseline.json --scenario large_dataset",
    ],
    run: lazy(() => import("./commands/perf.ts")),
  },
  {
    name: "data-test",
    describe:
      "Fill every table with N generated rows, migrate to head, and check counts, checksums of untouched columns and foreign keys",
    options: [["--rows <n>", "Rows per table (default 10000)"]],
    examples: ["stairway data-test --rows 100000 --target postgres"],
    run: lazy(() => import("./commands/data-test.ts")),
  },
  {
    name: "backup-test",
    describe:
      "Before each migration, over generated rows: back up, migrate, restore; the restore must equal the state before, and take the migration again",
    options: [...SINCE, SHARD],
    run: lazy(() => import("./commands/backup-test.ts")),
  },
  {
    name: "cross-db",
    describe:
      "Migrate every SQL target, compare their schemas with a readable diff, and check they accept and reject the same rows",
    options: [
      ["--each-step", "Compare after every migration, not only at head"],
      ["--reference <target>", "The target the others are compared with (default: the first PostgreSQL target)"],
      ...SINCE.map(([flag, text]): [string, string] => [flag, `${text} (with --each-step)`]),
      [SHARD[0], `${SHARD[1]} (with --each-step)`],
    ],
    examples: ["stairway cross-db", "stairway cross-db --each-step --target sqlite --target postgres"],
    run: lazy(() => import("./commands/cross-db.ts")),
  },
  {
    name: "validate",
    describe:
      "Check the tree, that every SQL file parses, that applied files are unchanged (--db) and that committed schema dumps are current",
    options: [
      [
        "--dialect <dialect>",
        "Read the files as postgres or sqlite (default: the targets' dialects; with none named, the tree's own, else sqlite)",
      ],
    ],
    examples: [
      "stairway validate",
      "stairway validate --dialect postgres",
      "stairway validate --db postgres://app@db/app",
    ],
    run: lazy(() => import("./commands/validate.ts")),
  },
  {
    name: "safety [...files]",
    alias: "lint",
    describe:
      "Lint migration files for dangerous operations (locks, rewrites, data loss), per dialect, with rule ids, file:line:col and fix hints",
    options: [
      ["--format <format>", "text (default), json or sarif (SARIF 2.1.0, for GitHub code scanning)"],
      [
        "--dialect <dialect>",
        "Lint as postgres or sqlite (default: from the file name, else the configured targets, else postgres)",
      ],
    ],
    examples: [
      "stairway safety",
      "stairway safety sql/012_add_owner/up.sql --dialect postgres",
      "stairway lint --format sarif > safety.sarif",
    ],
    run: lazy(() => import("./commands/safety.ts")),
  },
  {
    name: "report [...dirs]",
    describe:
      "Turn the JSON reports in the report dir into migration-summary.md (PR comment), a self-contained report.html with charts, and junit.xml",
    options: [
      [
        "--max-age <minutes>",
        "Leave out, as an earlier run's, a report written more than this before the newest one (default 60)",
      ],
      [
        "--from <dir>",
        "Read the reports of these dirs instead (repeatable, or a quoted glob): the shards of one run, merged; writes into --report-dir",
        { type: [String] },
      ],
    ],
    examples: [
      "stairway report",
      "stairway report --report-dir tests/migrations/reports --json",
      "stairway report --from 'shards/*' --report-dir merged",
    ],
    run: lazy(() => import("./commands/report.ts")),
  },
  {
    name: "clean",
    describe:
      "Drop scratch databases, files and Redis keys that interrupted test runs left behind, the prefix cache, and empty the report dir; touches nothing else",
    options: [["--cache-dir <dir>", "The prefix cache to empty (default: <report-dir>/cache)"]],
    run: lazy(() => import("./commands/clean.ts")),
  },
  {
    name: "schema <action>",
    describe: "dump: canonical schema of a target (SQL-like text, or --json); diff: compare two targets",
    options: [["--at <version>", "dump: the schema of a scratch database migrated to this version ('head' for all)"]],
    examples: [
      "stairway schema dump --target sqlite --at head > sql/schema.sqlite.sql",
      "stairway schema diff --db sqlite:a.db --db sqlite:b.db",
    ],
    reportAs: ([action]) => `schema-${action}`,
    run: lazy(() => import("./commands/schema.ts")),
  },
];

export async function main(argv: string[]): Promise<ExitCode> {
  const cli = cac("stairway");
  cli
    .option("--config <file>", "Config file (default: tests/migrations/config.yaml when present)")
    .option("--sql <dir>", "SQL migration tree (default: sql)")
    .option("--redis <dir>", "Redis transforms (default: redis-migrations)")
    .option(
      "--layout <preset>",
      `How the SQL tree is named: ${LAYOUT_IDS.join(", ")} (default: detected from the files)`,
    )
    .option("--db <url>", "Database URL; repeatable; replaces configured targets (else DATABASE_URL)", {
      type: [String],
    })
    .option("--target <name>", "Only this configured target; repeatable", { type: [String] })
    .option("--json", "Print the result as one JSON object")
    .option("--report-dir <dir>", "Where <command>.json is written (default: tests/migrations/reports)")
    .option("--wait [seconds]", "Wait for a server that is still starting (default 60 s)")
    .option("--keep", "Keep scratch databases after a test command (for inspection)")
    .option("--flush", "Let a test command empty a Redis logical database that holds keys (it refuses otherwise)")
    .option("--debug", "Show stack traces");

  let ran: Promise<ExitCode> | undefined;
  /** The command running and its report dir, for the report of a failed run. */
  let current: { command: string; reportDir: string } | undefined;
  for (const c of COMMANDS) {
    const cmd = cli.command(c.name, c.describe);
    if (c.alias) cmd.alias(c.alias);
    for (const [flag, text, cfg] of c.options ?? []) cmd.option(flag, text, cfg);
    for (const ex of c.examples ?? []) cmd.example(ex);
    cmd.action((...args: unknown[]) => {
      const flags = args.pop() as GlobalFlags & Record<string, unknown>;
      const positional = args.flat().filter((a): a is string => typeof a === "string");
      current = {
        command: c.reportAs?.(positional) ?? c.name.split(" ")[0]!,
        reportDir: String(flags.reportDir ?? DEFAULT_REPORT_DIR),
      };
      ran = c.run(normalize(flags, argv), positional);
    });
  }
  cli.help((sections) => {
    sections.splice(1, 0, {
      body: "Runs database migrations and tests them: every step up, down and up again, with no row lost.",
    });
    sections.push({
      title: "Exit codes",
      body: "  0 all passed · 1 a check failed · 2 usage or configuration error · 3 a target could not be reached",
    });
    return sections;
  });
  cli.option("-v, --version", "Print the version");

  let debug = argv.includes("--debug");
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
    process.stdout.write(`stairway ${VERSION}\n`);
    return EXIT.ok;
  }
  try {
    const parsed = cli.parse(["node", "stairway", ...argv], { run: false });
    debug = !!parsed.options.debug;
    if (parsed.options.help) return EXIT.ok;
    if (parsed.options.version) {
      process.stdout.write(`stairway ${VERSION}\n`);
      return EXIT.ok;
    }
    if (!cli.matchedCommand) {
      if (parsed.args.length === 0) {
        cli.outputHelp();
        return EXIT.ok;
      }
      throw new StairwayError("E_USAGE", `unknown command "${parsed.args[0]}" (run "stairway --help" for the list)`);
    }
    // `new NAME --redis` asks for a Redis transform: there the tree's --redis <dir> may go without its directory.
    if (cli.matchedCommandName === "new" && cli.options.redis === true) {
      delete cli.options.redis;
      cli.options.store ??= "redis";
    }
    await cli.runMatchedCommand();
    return await ran!;
  } catch (e) {
    return printError(e, debug, argv.includes("--json"), current);
  }
}

/**
 * The text given for a flag, as typed: the parser reads "1.10" as the number
 * 1.1 and "042" as 42, which are other versions.
 */
const VERSION_FLAGS = ["since", "to", "at"] as const;

function rawFlag(argv: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name && i + 1 < argv.length) value = argv[i + 1];
    else if (argv[i]!.startsWith(`${name}=`)) value = argv[i]!.slice(name.length + 1);
  }
  return value;
}

function normalize(
  flags: GlobalFlags & Record<string, unknown>,
  argv: string[],
): GlobalFlags & Record<string, unknown> {
  for (const name of VERSION_FLAGS)
    if (flags[name] !== undefined && flags[name] !== true)
      flags[name] = rawFlag(argv, `--${name}`) ?? String(flags[name]);
  const list = (v: unknown) => (v === undefined ? undefined : Array.isArray(v) ? v.map(String) : [String(v)]);
  const raw = flags.wait as unknown;
  const wait = raw === true ? 60 : raw === undefined ? undefined : Number(raw);
  if (wait !== undefined && !(wait >= 0))
    throw new StairwayError("E_USAGE", `--wait ${flags.wait}: expected a number of seconds`);
  const layout = flags.layout === undefined ? undefined : String(flags.layout);
  if (layout !== undefined && !(LAYOUT_IDS as readonly string[]).includes(layout))
    throw new StairwayError("E_USAGE", `--layout ${layout}: not a known preset (known: ${LAYOUT_IDS.join(", ")})`);
  return { ...flags, db: list(flags.db), target: list(flags.target), wait, layout: layout as LayoutId | undefined };
}

function printError(
  e: unknown,
  debug: boolean,
  json: boolean,
  current?: { command: string; reportDir: string },
): ExitCode {
  let code: ExitCode = EXIT.failed;
  let lines: string[];
  if (e instanceof StairwayError) {
    code = e.exitCode;
    lines = [e.message, ...e.more];
  } else if ((e as { name?: string }).name === "CACError") {
    code = EXIT.usage;
    lines = [`${(e as Error).message.replace(/\.$/, "")} (run "stairway --help")`];
  } else {
    lines = [`unexpected error: ${(e as Error)?.message ?? String(e)} (run with --debug for the stack trace)`];
  }
  lines = lines.map(redact);
  const [first, ...rest] = lines;
  const report = envelope(current?.command ?? null, {
    ok: false,
    targets: [],
    results: [],
    error: { code: e instanceof StairwayError ? e.code : "E_INTERNAL", message: first!, more: rest },
  });
  if (json) process.stdout.write(reportJson(report, process.stdout.isTTY) + "\n");
  // A report left by an earlier run of this command must not pass for this one's (a file of that name stairway did not write is not touched).
  const previous = current && join(current.reportDir, `${current.command}.json`);
  try {
    if (previous && writtenFiles(current.reportDir).includes(`${current.command}.json`))
      writeFileSync(previous, reportJson(report) + "\n");
  } catch {
    // Unwritable report dir: the message on stderr is what matters now.
  }
  for (const l of lines) process.stderr.write(`${pc.red("stairway:")} ${l}\n`);
  if (debug && e instanceof Error) process.stderr.write(pc.dim(`${redact(e.stack ?? "")}\n`));
  if (debug && e instanceof StairwayError && e.cause instanceof Error)
    process.stderr.write(pc.dim(`cause: ${redact(e.cause.stack ?? "")}\n`));
  return code;
}

/**
 * Ends the process once stdout has taken everything: process.exit() right away
 * drops what a slow reader (`| jq`, a CI step) has not read yet (measured: a
 * 3 MB report cut at 64 KB). The process ends by itself when nothing is left
 * to do; the timer only ends one that a forgotten handle keeps alive.
 */
export function exitAfterFlush(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 3000).unref();
}

/** The command line's entry: runs main(), exits with its code once stdout is drained. */
export function run(argv: string[]): void {
  // The reader went away (`| head`): the rest of the output is nobody's loss,
  // and the command still finishes and exits with its own code.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
  main(argv).then(exitAfterFlush);
}

if (import.meta.main) run(process.argv.slice(2));
