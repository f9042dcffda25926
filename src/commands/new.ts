// stairway new NAME: the next version's files, ready to fill in.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pc from "picocolors";
import { EXIT, StairwayError, usageError, type ExitCode } from "../errors.ts";
import type { Store } from "../plan/migration.ts";
import type { GlobalFlags } from "../session.ts";
import { withSession } from "./common.ts";

const REDIS_TEMPLATE = (name: string) => `import type { RedisMigration } from "stairwaydb";

// ${name}: describe the key format before and after.
export default {
  description: "${name}",
  async up(ctx) {
    // await ctx.renameKeys("old:*", (key) => key.replace("old:", "new:"));
  },
  async down(ctx) {
    // the exact inverse of up
  },
  async seed(ctx, count) {
    // write \`count\` keys of the format up expects, with TTLs
  },
} satisfies RedisMigration;
`;

/** The trees `new` writes into, by --store: SQL files, or transforms over keys. */
const TREES = { sql: "sql", redis: "keys" } as const satisfies Record<string, Store>;

export default async function newCommand(
  flags: GlobalFlags & Record<string, unknown>,
  args: string[],
): Promise<ExitCode> {
  const name = args[0] ?? "";
  if (!/^[a-z0-9][a-z0-9_]*$/i.test(name))
    throw usageError(`"${name}" is not a migration name: use letters, digits and underscores, e.g. add_tool_owner`);
  const store = String(flags.store ?? (flags.redis ? "redis" : "sql"));
  // --store names the tree: the config's migrations.sql or migrations.redis.
  const kind = (TREES as Record<string, Store | undefined>)[store];
  if (!kind) throw usageError(`--store ${store}: expected ${Object.keys(TREES).join(" or ")}`);
  return withSession(
    flags,
    async (session) => {
      const plan = session.plan(undefined, { mayBeAbsent: true });
      const last = plan.migrations.at(-1);
      if (last && !/^\d+$/.test(last.version))
        throw new StairwayError(
          "E_TREE",
          `the last version ${last.version} is not a number: name the new migration by hand`,
        );
      const next = last ? (BigInt(last.key) + 1n).toString() : "1";
      const width = Math.max(3, last?.version.length ?? 3);
      const version = next.padStart(width, "0");
      const created: string[] = [];
      if (kind === "keys") {
        const dir = session.flags.redis ?? session.config.migrations.redis;
        mkdirSync(dir, { recursive: true });
        const path = join(dir, `${version}_${name}.ts`);
        if (existsSync(path)) throw usageError(`${path} already exists`);
        writeFileSync(path, REDIS_TEMPLATE(name));
        created.push(path);
      } else {
        const dir = join(session.flags.sql ?? session.config.migrations.sql, `${version}_${name}`);
        if (existsSync(dir)) throw usageError(`${dir} already exists`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "up.sql"), `-- ${version}_${name}: what this migration does, and why.\n\n`);
        writeFileSync(
          join(dir, "down.sql"),
          `-- Undo ${version}_${name} exactly. If it cannot keep some data, declare it\n-- with a "stairway:lossy table.column" directive comment.\n\n`,
        );
        created.push(join(dir, "up.sql"), join(dir, "down.sql"));
      }
      for (const p of created) process.stdout.write(`${pc.green("created")} ${p}\n`);
      return EXIT.ok;
    },
    { writesReport: false },
  );
}
