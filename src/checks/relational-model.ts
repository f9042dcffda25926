// The data model of a SQL store for the checks (model.ts): a state is the
// canonical schema of the tables a step can touch, with their rows where a
// comparison needs them. Data comes from the FK-aware generator and the
// fixtures; rows are matched by key and compared value by value.

import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTables } from "../data/bulk.ts";
import { insertFixture } from "../data/fixtures.ts";
import { insertionOrder, insertTolerant, seedTables } from "../data/generator.ts";
import {
  compareRows,
  describeLoss,
  foldChanges,
  snapshotRows,
  type RowSnapshot,
  type TableRows,
} from "../data/rows.ts";
import { fileFor, versionKey, type Migration } from "../plan/migration.ts";
import { diffSchemas, formatDiffs } from "../schema/diff.ts";
import { inScope, type Schema, type Table, type TableGraph, type TableScope } from "../schema/model.ts";
import { schemaObjects } from "../schema/render.ts";
import { plural } from "../plural.ts";
import {
  SqlExecError,
  type FkViolation,
  type ScratchRef,
  type SqlDriver,
  type TableFingerprint,
} from "../stores/contract.ts";
import { unchangedColumns } from "./columns.ts";
import { blameData } from "./data-blame.ts";
import type { DataModel, Draft, ModelOptions } from "./model.ts";
import { graphAfter, identifiers, stepScope } from "./scope.ts";
import type { Scenario } from "../config.ts";

export interface RelationalState {
  schema: Schema;
  /** The rows of `schema`'s tables, where a comparison needs them. */
  rows?: RowSnapshot;
  scope?: TableScope;
  /** data-test: fingerprints of every table before an up. */
  prints?: Map<string, TableFingerprint>;
}

type Skipped = { table: string; reason: string }[];

export function relationalModel(
  driver: SqlDriver,
  opts: ModelOptions & { scratch?: ScratchRef; scenario?: Scenario },
): DataModel<RelationalState> {
  const counters = new Map<string, number>();
  let triggersExist = false;
  /** Tables that got no rows before the up of the step being checked, and those that did. */
  let skipped: Skipped = [];
  let filled: string[] = [];
  /** What the generator could not do in the step being checked (before and after its up): tables, columns. */
  let notes: string[] = [];
  /** Notes said so far: each is said once a run, by the first step that meets it. */
  const said = new Set<string>();
  const unsaid = (list: string[]) => [...new Set(list)].filter((n) => !said.has(n) && said.add(n));
  const noteOf = (seeded: Awaited<ReturnType<typeof seedTables>>) => [
    ...seeded.skipped.map((s) => `no generated rows for ${s.table}: ${s.reason}`),
    ...seeded.notes.map((n) => `${n.table}: ${n.reason}`),
  ];
  /** The tables the step being checked can touch (scope.ts). */
  let scope: TableScope;
  /** The table graph the scope was cut from; after a redo, the next step's (scope.ts graphAfter). */
  let graph: TableGraph | undefined;
  let nextGraph: TableGraph | undefined;
  /** Tables outside the scope exist as the graph says: the step cannot have touched them. */
  const exists = (table: string) => !!graph && !inScope(scope, table) && graph.tables.includes(table);
  /** data-test: generated rows loaded, and the time it took. */
  const load = { ms: 0, rows: 0 };
  /** perf: the schema before the step being timed. */
  let perfSchema: Schema | undefined;
  const seeding = { rowsPerTable: opts.rows, seed: opts.seed, counters, exists };
  const fixturesOf = (m: Migration) =>
    opts.fixtures.filter((f) => f.version !== undefined && versionKey(f.version) === m.key);
  /**
   * `schema` and the empty tables outside it that its foreign keys need rows
   * in (a parent the step does not name, emptied by an earlier step's redo):
   * they get rows too, else no child of theirs ever would.
   */
  const withEmptyParents = async (schema: Schema): Promise<Schema> => {
    let out = schema;
    for (let depth = 0; depth < 8; depth++) {
      const have = new Set(out.tables.map((t) => t.name));
      const want = new Set<string>();
      for (const t of out.tables)
        for (const fk of t.foreignKeys)
          if (!have.has(fk.refTable) && exists(fk.refTable) && (await driver.rowCount(fk.refTable)) < opts.rows)
            want.add(fk.refTable);
      if (!want.size) return out;
      const parents = (await driver.introspect(want)).tables.filter((t) => want.has(t.name));
      out = { ...out, tables: [...out.tables, ...parents] };
    }
    return out;
  };
  /**
   * The rows a table held before the generator first filled it: the tree's own (seed rows, a
   * language table's 'und'), which the retry on empty tables keeps. Read until the table is filled.
   */
  const own = new Map<string, TableRows>();
  const noteOwn = async (schema: Schema) => {
    const unfilled = schema.tables.filter((t) => !counters.has(t.name));
    if (!unfilled.length) return;
    for (const [name, rows] of await snapshotRows(driver, { ...schema, tables: unfilled })) own.set(name, rows);
  };
  const loadFixtures = async (m: Migration) => {
    const fixtures = fixturesOf(m);
    if (!fixtures.length) return;
    const schema = await driver.introspect();
    for (const f of fixtures) await insertFixture(driver, schema, f);
  };

  return {
    checks: {
      afterUp: ["step.integrity"],
      restored: ["step.down-restores-schema", "step.data-preserved"],
      redo: [],
    },
    unit: "rows",
    bookkeeping: "the bookkeeping table",

    async base() {
      const schema = await driver.introspect();
      triggersExist = schema.triggers.length > 0;
      return { schema };
    },

    async prepare(m, how) {
      // Only the tables this step can touch are read (scope.ts): linear, not quadratic, in the tree.
      const known = nextGraph;
      nextGraph = undefined;
      ({ scope, graph } = how?.whole
        ? { scope: undefined, graph: undefined }
        : await stepScope(driver, m, triggersExist, known));
      const schema = await driver.introspect(scope);
      const fill = await withEmptyParents(schema);
      await noteOwn(fill);
      const seeded = await seedTables(driver, fill, seeding);
      skipped = seeded.skipped;
      notes = noteOf(seeded);
      filled = Object.keys(seeded.inserted);
      return { state: { schema, scope, rows: await snapshotRows(driver, schema) }, skipped };
    },

    async observe() {
      return { schema: await driver.introspect(scope), scope };
    },

    async withoutData(m, error) {
      const schema = await driver.introspect(scope);
      const blame = await blameData(driver, schema, m, error);
      // The tree's own rows stay (a language table's 'und'), as they would in production: the rest are
      // deleted, children first (a parent's rows may be referenced), and the own rows put back, parents first.
      const current = await snapshotRows(driver, schema);
      const order = insertionOrder(schema);
      for (const t of [...order].reverse()) await driver.deleteRows(t.name);
      for (const t of order) {
        const was = own.get(t.name);
        const now = current.get(t.name)!;
        if (!was || JSON.stringify(was.key) !== JSON.stringify(now.key)) continue;
        const keep = [...now.rows].filter(([k]) => was.rows.has(k)).map(([, r]) => r);
        const cols = now.columns.filter((c) => !t.columns.find((x) => x.name === c)?.generated);
        const idx = cols.map((c) => now.columns.indexOf(c));
        if (keep.length)
          await insertTolerant(
            driver,
            t.name,
            cols,
            keep.map((r) => idx.map((i) => r[i]!)),
          );
      }
      return { state: { schema, scope, rows: await snapshotRows(driver, schema) }, skipped: [], blame };
    },

    schemaChanged() {
      nextGraph = undefined;
    },

    filled: () => [...filled],

    async afterUp(m, _before, after) {
      const fk = await foreignKeyProblems(driver, after.schema);
      return {
        message: "applied",
        results: [
          {
            check: "step.integrity",
            migration: m.id,
            status: fk.problems.length ? "fail" : "pass",
            message: fk.problems.length ? fk.problems.join("; ") : "foreign keys hold",
            ...(fk.violations.length ? { details: { violations: fk.violations } } : {}),
          },
        ],
      };
    },

    async enrich(m, before, after) {
      // The rows added now fire the tree's triggers, which may change rows the down owes back
      // (a counter of users): that is the application's doing, so what is owed takes it.
      const owed = before.state.rows!;
      const watched = (triggersExist || after.schema.triggers.length > 0) && {
        ...after.schema,
        tables: after.schema.tables.filter((t) => owed.has(t.name)),
      };
      const prior = watched && (await snapshotRows(driver, watched));
      for (const f of fixturesOf(m)) await insertFixture(driver, after.schema, f);
      const changed = changedTables(before.state.schema, after.schema);
      const fill = await withEmptyParents(after.schema);
      await noteOwn(fill);
      const more = await seedTables(driver, fill, {
        ...seeding,
        extra: new Map([...changed].map((t) => [t, Math.ceil(opts.rows / 2)])),
      });
      notes = [...notes, ...noteOf(more)];
      if (watched && prior) foldChanges(owed, prior, await snapshotRows(driver, watched));
    },

    async restored(m, before, after) {
      const diff = diffSchemas(before.state.schema, after.schema, ["before up", "after down"]);
      const lossy = fileFor(m, "down", driver.dialect)?.directives.lossy ?? [];
      const losses = await compareRows(driver, before.state.rows!, before.state.schema, after.schema, lossy);
      return [
        {
          check: "step.down-restores-schema",
          migration: m.id,
          status: diff.length ? "fail" : "pass",
          message: diff.length
            ? `after down the schema differs from before up: ${diff.flatMap((d) => d.summary).join("; ")}`
            : "schema after down equals schema before up",
          ...(diff.length ? { details: { diff: formatDiffs(diff) } } : {}),
        },
        dataResult(
          "step.data-preserved",
          m.id,
          losses,
          lossy.length > 0,
          skipped,
          countRows(before.state.rows!),
          unsaid(notes),
        ),
      ];
    },

    async redo(m, _before, first, up) {
      const outcome = await up();
      if (outcome.status !== "done") return { outcome, results: [] };
      const again = await driver.introspect(scope);
      triggersExist = again.triggers.length > 0;
      if (graph && scope) nextGraph = graphAfter(graph, scope, again);
      const diff = diffSchemas(first.schema, again, ["first up", "second up"]);
      return {
        outcome,
        results: [
          {
            check: "step.redo",
            migration: m.id,
            status: diff.length ? "fail" : "pass",
            message: diff.length
              ? `up after down gives another schema: ${diff.flatMap((d) => d.summary).join("; ")}`
              : "applied again, same schema",
            durationMs: outcome.durationMs,
            ...(diff.length ? { details: { diff: formatDiffs(diff) } } : {}),
          },
        ],
      };
    },

    async leftAtBase(base, recorded) {
      const end = await driver.introspect();
      const left = diffSchemas(base.schema, end, ["base", "after all downs"]);
      const rest = (await driver.applied()).filter((r) => !recorded.has(versionKey(r.version))).length;
      return [
        ...left.flatMap((d) => d.summary),
        ...(rest ? [`${plural(rest, "version")} still recorded in stairway_migrations`] : []),
      ];
    },

    async beforeUp() {
      return { schema: await driver.introspect() };
    },

    afterHeadUp: loadFixtures,

    async atHead() {
      const head = await driver.introspect();
      for (const f of opts.fixtures.filter((f) => f.version === undefined)) await insertFixture(driver, head, f);
      opts.progress?.("generating rows at head");
      return (await seedTables(driver, head, { rowsPerTable: opts.rows, seed: opts.seed })).skipped;
    },

    async beforeRollback() {
      const schema = await driver.introspect();
      return { schema, rows: await snapshotRows(driver, schema) };
    },

    async rolledBack(m, beforeUp, kept, _later, atHead) {
      const after = await driver.introspect();
      const diffs = diffSchemas(beforeUp.schema, after, ["before its up", "after rollback"]);
      const lossy = fileFor(m, "down", driver.dialect)?.directives.lossy ?? [];
      const losses = await compareRows(driver, kept.rows!, beforeUp.schema, after, lossy);
      let count = 0;
      for (const t of kept.rows!.values())
        if (beforeUp.schema.tables.some((x) => x.name === t.table)) count += t.rows.size;
      return [
        {
          check: "step.down-restores-schema",
          migration: m.id,
          status: diffs.length ? "fail" : "pass",
          message: diffs.length
            ? `schema after rollback differs from before its up: ${diffs.flatMap((d) => d.summary).join("; ")}`
            : "schema as recorded on the way up",
          ...(diffs.length ? { details: { diff: formatDiffs(diffs) } } : {}),
        },
        dataResult(
          "rollback.data-preserved",
          m.id,
          losses,
          lossy.length > 0,
          atHead,
          count,
          unsaid(atHead.map((s) => `no generated rows for ${s.table}: ${s.reason}`)),
        ),
      ];
    },

    async backup(_m, step) {
      const s = opts.scratch!;
      const file = join(tmpdir(), `${s.name}_${step}.backup`);
      const t0 = performance.now();
      const method = await s.module.backup!(s.url, file);
      const backupMs = Math.round(performance.now() - t0);
      const dispose = async () => rmSync(file, { force: true });
      return {
        method,
        backupMs,
        inPlace: false,
        dispose,
        async restore() {
          const r0 = performance.now();
          const url = await s.module.restore!(s.server, file, `${s.name}_r${step}`);
          let copy: SqlDriver | undefined;
          const drop = async () => {
            await copy?.close().catch(() => {});
            await s.module.dropScratch(s.server, url).catch(() => {});
          };
          try {
            copy = (await s.module.open(url, {
              ...s.openOptions,
              name: `${s.openOptions.name} restored`,
            })) as SqlDriver;
            return {
              state: { schema: await copy.introspect() },
              driver: copy,
              restoreMs: Math.round(performance.now() - r0),
              dispose: drop,
            };
          } catch (e) {
            await drop();
            throw e;
          }
        },
      };
    },

    async sameAsBefore(before, restored) {
      const copy = restored.driver as SqlDriver;
      const diffs = diffSchemas(before.state.schema, restored.state.schema, ["before the migration", "restored"]);
      const losses = await compareRows(copy, before.state.rows!, before.state.schema, restored.state.schema, []);
      return {
        problems: [...diffs.flatMap((d) => d.summary), ...losses.map(describeLoss)],
        summary: `${plural(countRows(before.state.rows!), "row")} and the schema restored exactly`,
        details: { ...(diffs.length ? { diff: formatDiffs(diffs) } : {}), ...(losses.length ? { losses } : {}) },
      };
    },

    async dataBefore(m) {
      const schema = await driver.introspect();
      opts.progress?.(`${m.id}  fingerprints`);
      return { schema, prints: await fingerprints(driver, schema.tables) };
    },

    async dataAfter(m, before) {
      const after = await driver.introspect();
      const upFile = fileFor(m, "up", driver.dialect);
      const lossy = upFile?.directives.lossy ?? [];
      const problems: string[] = [];
      const declared: string[] = [];
      const kept = unchangedColumns(before.schema, after, upFile?.text ?? "");
      const fp0 = before.prints!;
      const fp1 = await fingerprints(
        driver,
        after.tables.filter((t) => fp0.has(t.name)),
        kept,
      );
      for (const [table, was] of fp0) {
        const now = fp1.get(table);
        const isDeclared = (column?: string) =>
          lossy.some((l) => l.table === table && (l.column === undefined || l.column === column));
        if (!now) {
          (isDeclared() ? declared : problems).push(`${table}: table gone with ${plural(was.rows, "row")}`);
          continue;
        }
        if (now.rows < was.rows)
          (isDeclared() ? declared : problems).push(
            `${table}: ${plural(was.rows, "row")} before, ${now.rows.toLocaleString("en-US")} after`,
          );
        for (const column of kept.get(table) ?? []) {
          if (
            was.columns[column] !== undefined &&
            now.columns[column] !== undefined &&
            was.columns[column] !== now.columns[column]
          )
            (isDeclared(column) ? declared : problems).push(
              `${table}.${column}: values changed, though ${m.id} does not set out to change the column`,
            );
        }
      }
      problems.push(...(await foreignKeyProblems(driver, after)).problems);
      const rows = [...fp0.values()].reduce((a, f) => a + f.rows, 0);
      return {
        check: "data.integrity",
        migration: m.id,
        status: problems.length ? "fail" : declared.length ? "warn" : "pass",
        message: problems.length
          ? problems.join("; ")
          : `${plural(rows, "row")} kept, checksums of untouched columns equal, foreign keys hold${declared.length ? `; declared (stairway:lossy): ${declared.join("; ")}` : ""}`,
        details: { rows },
      };
    },

    async dataLoad(m, before) {
      // Tables this migration created get their rows now, for the next ones to run over.
      const after = await driver.introspect();
      const fresh = new Set(after.tables.map((t) => t.name).filter((t) => !before.prints!.has(t)));
      if (!fresh.size) return [];
      const l0 = performance.now();
      const loaded = await loadTables(driver, after, opts.rows, {
        seed: opts.seed,
        only: fresh,
        progress: (table, done, total) =>
          opts.progress?.(`loading ${table} ${done.toLocaleString("en")}/${total.toLocaleString("en")}`),
      });
      load.ms += performance.now() - l0;
      load.rows += loaded.reduce((a, l) => a + l.rows, 0);
      return loaded
        .filter((x) => x.skipped)
        .map(
          (l): Draft => ({
            check: "data.integrity",
            migration: m.id,
            status: "skip",
            message: `no rows for ${l.table}: ${l.skipped}`,
          }),
        );
    },

    dataSummary(ms) {
      return {
        check: "data.integrity",
        status: "pass",
        message: `head reached with ${plural(load.rows, "generated row")} in ${(ms / 1000).toFixed(2)} s (loading ${(load.ms / 1000).toFixed(2)} s, ${Math.round(load.rows / Math.max(load.ms / 1000, 0.001)).toLocaleString("en")} rows/s)`,
        durationMs: Math.round(ms),
        details: { loadedRows: load.rows, loadMs: Math.round(load.ms), totalMs: Math.round(ms) },
      };
    },

    async perfBefore(m) {
      perfSchema = await driver.introspect();
      const counts = new Map<string, number>();
      for (const t of perfSchema.tables) counts.set(t.name, await driver.rowCount(t.name));
      const withData = new Set([...counts].filter(([, n]) => n > 0).map(([name]) => name));
      const probe =
        driver.capabilities.concurrentConnections && opts.scratch
          ? probeTables(perfSchema, withData, m, driver.dialect)
          : [];
      return { size: [...counts.values()].reduce((a, b) => a + b, 0), withData, probe };
    },

    async perfAfter(m) {
      // The data that belongs to this version, for the migrations after it to run over.
      opts.progress?.("loading data");
      const schema = await driver.introspect();
      for (const f of opts.fixtures.filter((f) => f.version !== undefined && versionKey(f.version) === m.key))
        await insertFixture(driver, schema, f);
      const rows = opts.scenario?.rows;
      if (!rows) return;
      const existed = new Set(perfSchema!.tables.map((t) => t.name));
      const fresh = new Set(schema.tables.map((t) => t.name).filter((t) => !existed.has(t)));
      if (fresh.size)
        await loadTables(driver, schema, rows, {
          seed: opts.seed,
          only: fresh,
          progress: (table, done, total) =>
            opts.progress?.(
              `${opts.scenario!.name} · loading ${table} ${done.toLocaleString("en")}/${total.toLocaleString("en")}`,
            ),
        });
    },

    perfHooks(locks) {
      return { beforeCommit: async () => locks(await driver.heldLocks()) };
    },
  };
}

/**
 * Rows pointing at no parent, as sentences; a foreign key the database cannot
 * check at all (SQLite: one to columns that are no key, "foreign key
 * mismatch", which refuses every write to the table) is one too.
 */
async function foreignKeyProblems(
  driver: SqlDriver,
  schema: Schema,
): Promise<{ problems: string[]; violations: FkViolation[] }> {
  try {
    const violations = await driver.foreignKeyViolations(schema);
    return {
      violations,
      problems: violations.map(
        (v) => `${plural(v.rows, "row")} of ${v.table} point${v.rows === 1 ? "s" : ""} at no row of ${v.parent}`,
      ),
    };
  } catch (e) {
    if (!(e instanceof SqlExecError)) throw e;
    return { violations: [], problems: [`foreign keys cannot be checked: ${e.message}`] };
  }
}

/** Tables an up created or changed (new columns get rows too). */
function changedTables(before: Schema, after: Schema): Set<string> {
  const tables = (s: Schema) =>
    new Map(
      schemaObjects(s, { canonical: true })
        .filter((o) => o.kind === "table")
        .map((o) => [o.name, o.text]),
    );
  const a = tables(before);
  return new Set([...tables(after)].filter(([name, text]) => a.get(name) !== text).map(([name]) => name));
}

function countRows(rows: RowSnapshot): number {
  let n = 0;
  for (const t of rows.values()) n += t.rows.size;
  return n;
}

async function fingerprints(
  driver: SqlDriver,
  tables: Table[],
  only?: Map<string, string[]>,
): Promise<Map<string, TableFingerprint>> {
  const out = new Map<string, TableFingerprint>();
  for (const t of tables)
    out.set(t.name, await driver.fingerprint(t.name, only ? (only.get(t.name) ?? []) : t.columns.map((c) => c.name)));
  return out;
}

/**
 * Tables the up names (every identifier of its file, as scope.ts reads them)
 * that exist and hold rows, with a column a probe can write.
 */
function probeTables(
  schema: Schema,
  withData: Set<string>,
  m: Migration,
  dialect: SqlDriver["dialect"],
): { name: string; column: string }[] {
  const words = identifiers(fileFor(m, "up", dialect)?.text ?? "");
  const out: { name: string; column: string }[] = [];
  for (const t of schema.tables) {
    if (
      !withData.has(t.name) ||
      !(words.has(t.name) || words.has(t.name.slice(t.name.lastIndexOf(".") + 1).toLowerCase()))
    )
      continue;
    const col = t.columns.find((c) => !c.generated && c.identity !== "always");
    if (col) out.push({ name: t.name, column: col.name });
  }
  return out;
}

export function dataResult(
  check: string,
  migration: string,
  losses: Awaited<ReturnType<typeof compareRows>>,
  hasLossy: boolean,
  skipped: { table: string; reason: string }[],
  rows: number,
  /** What the generator could not do, said the first time a step meets it. */
  notes: string[],
): Draft {
  const undeclared = losses.filter((l) => !l.declared);
  const declared = losses.filter((l) => l.declared);
  const skipNote = notes.length ? ` (${notes.join("; ")})` : "";
  const details: Record<string, unknown> = {};
  if (losses.length) details.losses = losses;
  if (declared.length) details.declaredLoss = declared.map(describeLoss);
  if (skipped.length) details.skippedTables = skipped;
  const withDetails = Object.keys(details).length ? { details } : {};
  if (undeclared.length)
    return {
      check,
      migration,
      status: "fail",
      message: undeclared.map(describeLoss).join("; ") + skipNote,
      ...withDetails,
    };
  if (declared.length)
    return {
      check,
      migration,
      status: "warn",
      message: `declared loss (stairway:lossy): ${declared.map(describeLoss).join("; ")}${skipNote}`,
      ...withDetails,
    };
  if (rows === 0 && skipped.length)
    return {
      check,
      migration,
      status: "skip",
      message: `no rows to check${skipNote || `: no generated rows for ${skipped.map((s) => s.table).join(", ")}`}`,
      ...withDetails,
    };
  return {
    check,
    migration,
    status: "pass",
    message: `${plural(rows, "row")} kept${hasLossy ? " (nothing lost that the lossy directive allows)" : ""}${skipNote}`,
    ...withDetails,
  };
}
