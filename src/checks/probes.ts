// Behaviour probes for `stairway cross-db`: the same rows, on every target,
// each in its own rolled-back transaction — NULL into NOT NULL, a duplicate
// into a unique key, an orphan foreign key, text over the declared length,
// text into a number column, a CHECK violation. Every target must accept or
// reject each alike; SQLite, for one, takes over-long VARCHAR and text in an
// INTEGER column unless the table is STRICT.

import { SqlExecError, type SqlDriver, type Value } from "../stores/contract.ts";
import { planTable, seedTables } from "../data/generator.ts";
import type { Schema, Table } from "../schema/model.ts";
import { columnHints, valueKind } from "../schema/types.ts";
import type { CheckResult } from "../results.ts";
import { listed, plural } from "../plural.ts";

export interface ProbeTarget {
  name: string;
  driver: SqlDriver;
  schema: Schema;
}

interface Probe {
  /** What it tries, e.g. "NULL into NOT NULL column name". */
  what: string;
  /** How many distinct valid rows it builds on. */
  rowsNeeded: number;
  /** Rows to insert in order; the last one is the probe, earlier ones set it up. */
  rows: (base: (n: number) => Record<string, Value>) => Record<string, Value>[];
}

type Outcome = { accepted: true } | { accepted: false; error: string };

const ORPHAN = 2_147_480_000;
const SEEDED = 3;

export async function runProbes(targets: ProbeTarget[], seed: number): Promise<CheckResult[]> {
  const [ref] = targets;
  if (!ref || targets.length < 2) return [];
  // Parents for foreign keys: a few generated rows everywhere.
  for (const t of targets) await seedTables(t.driver, t.schema, { rowsPerTable: SEEDED, seed });
  const results: CheckResult[] = [];
  for (const table of ref.schema.tables) {
    const everywhere = targets.map((t) => t.schema.tables.find((x) => x.name === table.name));
    if (everywhere.some((x) => !x)) continue;
    results.push(await probeTable(targets, everywhere as Table[], seed));
  }
  return results;
}

async function probeTable(targets: ProbeTarget[], tables: Table[], seed: number): Promise<CheckResult> {
  const name = tables[0]!.name;
  const result = (status: CheckResult["status"], message: string, details?: Record<string, unknown>): CheckResult => ({
    check: "cross-db.behaviour",
    target: targets
      .slice(1)
      .map((t) => t.name)
      .join(","),
    migration: undefined,
    status,
    message: `${name}: ${message}`,
    ...(details ? { details } : {}),
  });
  // A valid row per target, from the same generator and counter. A column one
  // target fills by itself (SQLite's INTEGER PRIMARY KEY) takes the reference's
  // value everywhere, so a duplicate is a duplicate on every target.
  const makers: ((n: number) => Record<string, Value>)[] = [];
  for (const [i, t] of targets.entries()) {
    const plan = await planTable(t.driver, t.schema, tables[i]!, seed);
    if ("reason" in plan) return result("skip", `cannot build a valid row on ${t.name}: ${plan.reason}`);
    const own = (n: number): Record<string, Value> =>
      Object.fromEntries(plan.columns.map((c, j) => [c, plan.row(n)[j]!]));
    const ref = makers[0];
    const columns = new Set(tables[i]!.columns.map((c) => c.name));
    makers.push(
      ref
        ? (n) => ({
            ...Object.fromEntries(Object.entries(ref(n)).filter(([c]) => columns.has(c) && !plan.columns.includes(c))),
            ...own(n),
          })
        : own,
    );
  }
  // Rows every target accepts, to start each probe from: generated rows may
  // still break a CHECK the generator cannot read (errors <= invocations), or
  // clash with a seeded row; rows 0–2 were seeded, and each attempt is rolled back.
  const good: number[] = [];
  let firstDisagreement: string | undefined;
  for (let n = SEEDED; n < SEEDED + 40 && good.length < 5; n++) {
    const outcomes: Outcome[] = [];
    for (const [i, t] of targets.entries()) outcomes.push(await attempt(t.driver, name, [makers[i]!(n)]));
    if (outcomes.every((o) => o.accepted)) good.push(n);
    else if (!firstDisagreement && outcomes.some((o) => o.accepted))
      firstDisagreement = `a generated row: ${insertText(name, makers[0]!(n))} — ${targets.map((t, i) => `${show(outcomes[i]!)} on ${t.name}`).join(", ")}`;
  }
  if (good.length === 0) {
    if (firstDisagreement) return result("fail", firstDisagreement);
    return result(
      "skip",
      "no generated row is accepted by every target (a CHECK the generator cannot satisfy?); nothing to compare",
    );
  }
  const disagreements: string[] = firstDisagreement ? [firstDisagreement] : [];
  const report: { probe: string; outcomes: Record<string, string> }[] = [];
  const probes = probesFor(targets, tables).filter((p) => p.rowsNeeded <= good.length);
  for (const probe of probes) {
    const outcomes: Outcome[] = [];
    let statement = "";
    for (const [i, t] of targets.entries()) {
      const rows = probe.rows((k) => makers[i]!(good[k]!));
      if (i === 0) statement = insertText(name, rows.at(-1)!);
      outcomes.push(await attempt(t.driver, name, rows));
    }
    report.push({
      probe: probe.what,
      outcomes: Object.fromEntries(targets.map((t, i) => [t.name, show(outcomes[i]!)])),
    });
    const accepted = outcomes.map((o) => o.accepted);
    if (accepted.every((a) => a === accepted[0])) continue;
    disagreements.push(
      `${probe.what}: ${statement} — ${targets.map((t, i) => `${show(outcomes[i]!)} on ${t.name}`).join(", ")}`,
    );
  }
  if (disagreements.length) return result("fail", disagreements.join("; "), { probes: report });
  return result(
    "pass",
    `${plural(probes.length, "probe")} accepted or rejected alike on ${listed(targets.map((t) => t.name))}`,
    { probes: report },
  );
}

function probesFor(targets: ProbeTarget[], tables: Table[]): Probe[] {
  const ref = tables[0]!;
  const refSchema = targets[0]!.schema;
  const probes: Probe[] = [];
  const set =
    (column: string, value: Value): Probe["rows"] =>
    (base) => [{ ...base(0), [column]: value }];
  for (const col of ref.columns) {
    if (col.identity || col.generated) continue;
    if (!col.nullable && col.default === null)
      probes.push({ what: `NULL into NOT NULL ${col.name}`, rowsNeeded: 1, rows: set(col.name, null) });
    const kind = valueKind(refSchema, ref, col).kind;
    if (kind.kind === "int" || kind.kind === "float" || kind.kind === "numeric")
      probes.push({ what: `text into number column ${col.name}`, rowsNeeded: 1, rows: set(col.name, "not a number") });
    if (kind.kind === "bool")
      probes.push({ what: `text into boolean column ${col.name}`, rowsNeeded: 1, rows: set(col.name, "maybe") });
    if (kind.kind === "date" || kind.kind === "timestamp")
      probes.push({
        what: `text into ${kind.kind} column ${col.name}`,
        rowsNeeded: 1,
        rows: set(col.name, "not a time"),
      });
    if (kind.kind === "json")
      probes.push({ what: `invalid JSON into ${col.name}`, rowsNeeded: 1, rows: set(col.name, "{not json") });
    // The tightest length any target declares (a type or a CHECK).
    const limits = tables.flatMap((t, i) => {
      const c = t.columns.find((x) => x.name === col.name);
      if (!c) return [];
      const k = valueKind(targets[i]!.schema, t, c).kind;
      return [k.kind === "text" ? k.maxLength : undefined, columnHints(t, col.name).maxLength].filter(
        (x): x is number => x !== undefined,
      );
    });
    if (limits.length && kind.kind === "text") {
      const n = Math.min(...limits);
      probes.push({
        what: `text over the declared length (${n}) into ${col.name}`,
        rowsNeeded: 1,
        rows: set(col.name, "x".repeat(n + 1)),
      });
    }
    const hints = columnHints(ref, col.name);
    if (hints.oneOf?.length)
      probes.push({
        what: `a value outside CHECK (${col.name} IN …)`,
        rowsNeeded: 1,
        rows: set(col.name, typeof hints.oneOf[0] === "number" ? -987654 : "NOT-IN-THE-LIST"),
      });
    if (hints.min !== undefined)
      probes.push({
        what: `a value under CHECK (${col.name} >= ${hints.min})`,
        rowsNeeded: 1,
        rows: set(col.name, hints.min - 1),
      });
  }
  const keys = [...(ref.primaryKey ? [ref.primaryKey.columns] : []), ...ref.uniques.map((u) => u.columns)];
  for (const cols of keys) {
    if (cols.some((c) => ref.columns.find((x) => x.name === c)?.identity)) continue;
    probes.push({
      what: `a duplicate of UNIQUE (${cols.join(", ")})`,
      rowsNeeded: 2,
      rows: (base) => {
        const first = base(0);
        return [first, { ...base(1), ...Object.fromEntries(cols.map((c) => [c, first[c]!])) }];
      },
    });
  }
  for (const fk of ref.foreignKeys) {
    probes.push({
      what: `an orphan foreign key (${fk.columns.join(", ")}) → ${fk.refTable}`,
      rowsNeeded: 1,
      rows: (base) => [{ ...base(0), ...Object.fromEntries(fk.columns.map((c) => [c, ORPHAN])) }],
    });
  }
  return probes;
}

async function attempt(driver: SqlDriver, table: string, rows: Record<string, Value>[]): Promise<Outcome> {
  await driver.begin();
  try {
    for (const r of rows) await driver.insertRow(table, Object.keys(r), Object.values(r));
    return { accepted: true };
  } catch (e) {
    return { accepted: false, error: e instanceof SqlExecError ? e.message : String(e) };
  } finally {
    await driver.rollback();
  }
}

function show(o: Outcome): string {
  return o.accepted ? "accepted" : `rejected (${o.error.split("\n")[0]!.slice(0, 120)})`;
}

function insertText(table: string, row: Record<string, Value>): string {
  const lit = (v: Value) =>
    v === null
      ? "NULL"
      : typeof v === "number" || typeof v === "bigint"
        ? String(v)
        : v instanceof Uint8Array
          ? "X'…'"
          : `'${String(v).length > 24 ? String(v).slice(0, 24) + "…" : String(v)}'`;
  return `INSERT INTO ${table} (${Object.keys(row).join(", ")}) VALUES (${Object.values(row).map(lit).join(", ")})`;
}
