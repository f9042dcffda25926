// Generated rows: foreign-key aware (parents first, children point at real
// parent keys), deterministic from a seed, within types, lengths, NOT NULL,
// UNIQUE and the CHECKs we recognise, and with values that expose bugs:
// fractional numbers, non-ASCII text, time zones, NULLs where allowed.
// A table we cannot fill (a parent that does not exist yet, a NOT NULL
// column of a type we cannot generate, rows the database refuses) is skipped
// with the reason, and a column left NULL is noted: never failed.

import { SqlExecError, type SqlDriver, type Value } from "../stores/contract.ts";
import type { Column, Schema, Table } from "../schema/model.ts";
import { normalizeExpression } from "../schema/normalize.ts";
import { valueKind, type ColumnHints, type ValueKind } from "../schema/types.ts";

export interface SeedOptions {
  /** Every table ends with at least this many rows. */
  rowsPerTable: number;
  seed: number;
  /** Rows to add on top, whatever the table holds (tables an up changed). */
  extra?: Map<string, number>;
  /** Only these tables (and none else). */
  only?: Set<string>;
  /** Next row counter per table, kept by the caller across calls so unique values never repeat. */
  counters?: Map<string, number>;
  /** Whether a table `schema` leaves out exists (a schema cut to a step's scope); else only schema's tables do. */
  exists?: (table: string) => boolean;
}

export interface SeedResult {
  inserted: Record<string, number>;
  skipped: { table: string; reason: string }[];
  /** Columns of filled tables left NULL (or to their default), with why. */
  notes: { table: string; reason: string }[];
}

/** Parents before children; cycles are broken where a foreign key is nullable. */
export function insertionOrder(schema: Schema): Table[] {
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: Table[] = [];
  const visit = (t: Table) => {
    if (done.has(t.name) || visiting.has(t.name)) return;
    visiting.add(t.name);
    for (const fk of t.foreignKeys) {
      const parent = byName.get(fk.refTable);
      if (parent && parent !== t) visit(parent);
    }
    visiting.delete(t.name);
    done.add(t.name);
    out.push(t);
  };
  for (const t of [...schema.tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t);
  return out;
}

export async function seedTables(driver: SqlDriver, schema: Schema, opts: SeedOptions): Promise<SeedResult> {
  const result: SeedResult = { inserted: {}, skipped: [], notes: [] };
  for (const table of insertionOrder(schema)) {
    if (opts.only && !opts.only.has(table.name)) continue;
    const have = await driver.rowCount(table.name);
    let want = Math.max(0, opts.rowsPerTable - have) + (opts.extra?.get(table.name) ?? 0);
    if (want === 0) continue;
    const plan = await planTable(driver, schema, table, opts.seed, opts.exists);
    if ("reason" in plan) {
      result.skipped.push({ table: table.name, reason: plan.reason });
      continue;
    }
    if (plan.note) result.notes.push({ table: table.name, reason: plan.note });
    want = Math.min(want, Math.max(0, plan.maxRows - have));
    if (want === 0) continue;
    // Counters start past what is there, so unique values do not collide with earlier rows.
    const start = Math.max(have + (await counterBase(driver, schema, table)), opts.counters?.get(table.name) ?? 0);
    opts.counters?.set(table.name, start + want);
    const rows = Array.from({ length: want }, (_, i) => plan.row(start + i));
    const res = await insertTolerant(driver, table.name, plan.columns, rows);
    result.inserted[table.name] = res.inserted;
    if (res.inserted === 0)
      result.skipped.push({ table: table.name, reason: res.error ?? "every generated row was rejected" });
  }
  return result;
}

/**
 * Inserts in one go; when the database refuses the batch (a CHECK the
 * generator cannot read), row by row, keeping what it accepts. Only a refusal
 * of the SQL is tolerated: a lost connection or a full disk still fails.
 */
export async function insertTolerant(
  driver: SqlDriver,
  table: string,
  columns: string[],
  rows: Value[][],
): Promise<{ inserted: number; error?: string }> {
  try {
    return { inserted: await driver.insertRows(table, columns, rows) };
  } catch (e) {
    if (!(e instanceof SqlExecError)) throw e;
    let inserted = 0;
    let error = e.message;
    for (const r of rows) {
      try {
        inserted += await driver.insertRows(table, columns, [r]);
      } catch (e2) {
        if (!(e2 instanceof SqlExecError)) throw e2;
        error = e2.message;
      }
    }
    return { inserted, error: inserted === 0 ? `cannot generate rows: ${error}` : undefined };
  }
}

export async function counterBase(driver: SqlDriver, schema: Schema, table: Table): Promise<number> {
  // Numeric keys without a generator: continue after the largest value.
  let base = 0;
  const keyCols = new Set([...(table.primaryKey?.columns ?? []), ...table.uniques.flatMap((u) => u.columns)]);
  for (const name of keyCols) {
    const col = table.columns.find((c) => c.name === name);
    if (!col || col.identity || isSerial(col) || isFkColumn(table, name)) continue;
    const kind = valueKind(schema, table, col).kind.kind;
    if (kind !== "int" && kind !== "float" && kind !== "numeric") continue;
    const max = await driver.maxValue(table.name, name);
    if (max !== null && max + 1 > base) base = Math.ceil(max) + 1;
  }
  return base;
}

function isSerial(col: Column): boolean {
  return col.default !== null && /^nextval\(/i.test(col.default);
}

function isFkColumn(table: Table, column: string): boolean {
  return table.foreignKeys.some((f) => f.columns.includes(column));
}

export interface TablePlan {
  columns: string[];
  /** The n-th generated row (deterministic). */
  row: (n: number) => Value[];
  /** How many distinct rows there can be, when a unique key is made of foreign keys only. */
  maxRows: number;
  /** Columns left out (NULL or their default), with why, in one line. */
  note?: string;
}

/** `name` in `schema`, as the database would find it (SQLite and MySQL names ignore case). */
function tableNamed(schema: Schema, name: string): Table | undefined {
  return (
    schema.tables.find((t) => t.name === name) ?? schema.tables.find((t) => t.name.toLowerCase() === name.toLowerCase())
  );
}

/** How rows of one table are generated, or why they cannot be. */
export async function planTable(
  driver: SqlDriver,
  schema: Schema,
  table: Table,
  seed: number,
  exists?: (table: string) => boolean,
): Promise<TablePlan | { reason: string }> {
  const columns: string[] = [];
  const leftOut: string[] = [];
  const makers: ((n: number) => Value)[] = [];
  const unique = new Set([...(table.primaryKey?.columns ?? []), ...table.uniques.flatMap((u) => u.columns)]);
  for (const ix of table.indexes) if (ix.unique) for (const c of ix.columns) unique.add(c);

  // Foreign keys: each row points at existing parent rows; several keys of one
  // table walk their parents like digits of a counter, so (a, b) pairs stay distinct.
  let stride = 1;
  const parentCount = new Map<string, number>();
  for (const fk of table.foreignKeys) {
    const self = fk.refTable === table.name;
    const nullable = fk.columns.every((c) => table.columns.find((x) => x.name === c)?.nullable);
    // SQLite takes a foreign key to a table a later migration creates, or to columns the parent lacks.
    const missing = self ? undefined : missingParent(schema, fk.refTable, fk.refColumns, exists);
    const parents = self || missing ? [] : await driver.sampleRows(fk.refTable, fk.refColumns, 500);
    if (parents.length === 0 && !nullable)
      return {
        reason: self
          ? `its foreign key to itself (${fk.columns.join(", ")}) is NOT NULL`
          : `its foreign key (${fk.columns.join(", ")}) ${missing ?? `needs rows in ${fk.refTable}, which has none`}`,
      };
    if (missing) leftOut.push(`${fk.columns.join(", ")} (its foreign key ${missing})`);
    const s = stride;
    stride *= Math.max(1, parents.length);
    for (const c of fk.columns) parentCount.set(c, Math.max(1, parents.length));
    fk.columns.forEach((col, i) => {
      if (columns.includes(col)) return;
      columns.push(col);
      makers.push((n) => {
        if (parents.length === 0 || (nullable && n % 7 === 5)) return null;
        return parents[Math.floor(n / s) % parents.length]![i]!;
      });
    });
  }

  for (const col of table.columns) {
    // Identity, AUTO_INCREMENT, rowid and serial (nextval) columns are the database's to number:
    // an id written into a serial column leaves its sequence behind, and the tree's next INSERT collides.
    if (columns.includes(col.name) || col.generated || col.identity || isSerial(col)) continue;
    const { kind, hints } = valueKind(schema, table, col);
    const make = valueMaker(kind, hints, col, unique.has(col.name), hash(`${seed}:${table.name}:${col.name}`));
    if (!make) {
      if (!col.nullable && col.default === null)
        return { reason: `no generator for column ${col.name} of type ${col.type}, which is NOT NULL` };
      leftOut.push(`${col.name} (no generator for type ${col.type})`);
      continue;
    }
    columns.push(col.name);
    makers.push(make);
  }
  let maxRows = Infinity;
  for (const key of [table.primaryKey?.columns ?? [], ...table.uniques.map((u) => u.columns)]) {
    if (key.length && key.every((c) => parentCount.has(c)))
      maxRows = Math.min(
        maxRows,
        key.reduce((p, c) => p * parentCount.get(c)!, 1),
      );
  }
  const repair = orderRepairs(table, columns);
  return {
    columns,
    row: (n) => {
      const r = makers.map((m) => m(n));
      for (const fix of repair) fix(r);
      return r;
    },
    maxRows,
    ...(leftOut.length ? { note: `columns left NULL or to their default: ${leftOut.join(", ")}` } : {}),
  };
}

/** Why the parent of a foreign key cannot be read (no such table, no such column), or undefined when it can. */
function missingParent(
  schema: Schema,
  name: string,
  refColumns: string[],
  exists?: (table: string) => boolean,
): string | undefined {
  const parent = tableNamed(schema, name);
  if (!parent) {
    if (schema.views.some((v) => v.name === name)) return `references ${name}, which is a view`;
    return exists?.(name) ? undefined : `references ${name}, which does not exist (yet)`;
  }
  const lacking = refColumns.filter((c) => !c || !parent.columns.some((x) => x.name.toLowerCase() === c.toLowerCase()));
  if (lacking.length || !refColumns.length)
    return `references ${name} (${refColumns.join(", ")}), which has no such ${lacking.length === 1 ? "column" : "columns"}`;
  return undefined;
}

/**
 * CHECKs that order two columns of the row (errors <= invocations): the
 * generated values are put in that order, so rows are not thrown away.
 */
function orderRepairs(table: Table, columns: string[]): ((row: Value[]) => void)[] {
  const fixes: ((row: Value[]) => void)[] = [];
  for (const check of table.checks) {
    for (const part of normalizeExpression(check.expression).split(" AND ")) {
      const m = /^"?(\w+)"? (<=|<|>=|>) "?(\w+)"?$/.exec(part.trim());
      if (!m) continue;
      const [a, b] = m[2]!.startsWith("<") ? [m[1]!, m[3]!] : [m[3]!, m[1]!];
      const strict = !m[2]!.includes("=");
      const i = columns.indexOf(a);
      const j = columns.indexOf(b);
      if (i < 0 || j < 0) continue;
      fixes.push((row) => {
        const x = row[i];
        const y = row[j];
        if (typeof x !== "number" || typeof y !== "number") return;
        if (x > y || (strict && x === y)) {
          row[i] = Math.min(x, y);
          row[j] = Math.max(x, y) + (strict && x === y ? 1 : 0);
        }
      });
    }
  }
  return fixes;
}

/** `id`, `run_id`, `event_uuid`, `GUID`, or camelCase `runId`. */
const uuidNamed = (name: string) => /(^id|_id|uuid|guid)$/i.test(name) || /[a-z0-9]Id$/.test(name);

// Text that exposes encoding bugs: accents, CJK, an emoji (two UTF-16 units), quotes.
const FLOURISH = ["ünïcødé", "日本語", "🚀 ok", "l'été", 'say "hi"', "tab\tand space", "ß→SS", "Ωmega"];
// The same, escaped for a JSON string (built by hand: JSON.stringify per row is slow at a million rows).
const JSON_LABELS = FLOURISH.map((f) => JSON.stringify(f).slice(1, -1));

function valueMaker(
  kind: ValueKind,
  hints: ColumnHints,
  col: Column,
  unique: boolean,
  salt: number,
): ((n: number) => Value) | null {
  const nullable = col.nullable && !unique;
  const maybeNull = (f: (n: number) => Value) => (nullable ? (n: number) => (n % 5 === 3 ? null : f(n)) : f);
  const rand = (n: number) => mulberry(salt ^ Math.imul(n + 1, 2654435761));
  if (hints.oneOf?.length) {
    const values = hints.oneOf;
    return maybeNull((n) => values[n % values.length]!);
  }
  switch (kind.kind) {
    case "int": {
      // Small, as counts, sizes and limits are in real rows: a migration may loop or
      // generate_series over them (a unique column counts on past 1,000 instead).
      const lo = Math.max(kind.min, hints.min ?? 0);
      const hi = Math.min(kind.max, lo + 1000);
      if (unique) return (n) => lo + n + 1;
      return maybeNull((n) => lo + Math.floor(rand(n) * (hi - lo)));
    }
    case "float":
      return maybeNull((n) => (unique ? n + 0.25 : Math.round((hints.min ?? 0) * 1000 + rand(n) * 1e7) / 1000 + 0.125));
    case "numeric": {
      const digits = Math.max(1, Math.min(9, kind.precision - kind.scale));
      const max = 10 ** digits - 1;
      return maybeNull((n) => {
        const whole = unique ? n % max : Math.floor(rand(n) * max);
        const frac =
          kind.scale > 0 ? "." + String(Math.floor(rand(n + 7) * 10 ** kind.scale)).padStart(kind.scale, "0") : "";
        return `${Math.max(hints.min ?? 0, whole)}${frac}`;
      });
    }
    case "text": {
      // A text column named like an id or uuid (id, run_id, runId, event_uuid) gets uuids, as such
      // columns mostly hold: a later migration may cast it `::uuid`.
      if (uuidNamed(col.name) && (kind.maxLength ?? 36) >= 36 && (hints.minLength ?? 0) <= 36)
        return maybeNull((n) => uuid(salt, n));
      // A text column named like a time (created_at, …) gets ISO timestamps, as applications store them.
      if (/(_at|_on|_time|timestamp)$/i.test(col.name) && !unique && (kind.maxLength ?? 99) >= 24)
        return maybeNull((n) =>
          timestamp(PAST + Math.floor(rand(n) * FOUR_YEARS_MS), n, {
            tz: true,
            format: ISO_FORMAT,
          }),
        );
      const max = Math.min(kind.maxLength ?? 80, hints.maxLength ?? Infinity);
      const min = hints.minLength ?? 0;
      const long = `${col.name} ${FLOURISH[3]} `.repeat(4);
      return maybeNull((n) => {
        let s = `${n}·${col.name} ${FLOURISH[n % FLOURISH.length]}`;
        if (!unique && n % 9 === 0) s = long;
        // Lengths count characters (code points), as char_length() and SQLite's length() do;
        // UTF-16 length is an upper bound, so most strings need no counting.
        if (s.length < min * 2) while ([...s].length < min) s += "x";
        return s.length > max ? [...s].slice(0, Math.max(1, max)).join("") : s;
      });
    }
    case "enum":
      return maybeNull((n) => kind.labels[n % kind.labels.length]!);
    case "bool":
      return maybeNull((n) => (kind.asInteger ? n % 2 : n % 2 === 0 ? "true" : "false"));
    case "date":
      return maybeNull((n) => isoDate(PAST + (unique ? n : Math.floor(rand(n) * 1400)) * 86_400_000));
    case "timestamp":
      return maybeNull((n) => timestamp(PAST + Math.floor((unique ? n / 1e6 : rand(n)) * FOUR_YEARS_MS), n, kind));
    case "time":
      return maybeNull(
        (n) =>
          `${String(n % 24).padStart(2, "0")}:${String((n * 7) % 60).padStart(2, "0")}:${String((n * 13) % 60).padStart(2, "0")}.25`,
      );
    case "json":
      return maybeNull((n) =>
        n % 4 === 0
          ? `[${n}, "${JSON_LABELS[n % JSON_LABELS.length]}"]`
          : `{"n":${n},"label":"${JSON_LABELS[n % JSON_LABELS.length]}","ratio":${n / 8}}`,
      );
    case "uuid":
      return maybeNull((n) => uuid(salt, n));
    case "bytes":
      return maybeNull((n) => new Uint8Array([n & 255, (n >> 8) & 255, 0, 255, salt & 255]));
    case "interval":
      return maybeNull((n) => `${n % 48} hours ${n % 60} minutes`);
    case "inet":
      return maybeNull((n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`);
    case "array": {
      const inner = valueMaker(kind.of, {}, { ...col, nullable: false }, false, salt);
      if (!inner || kind.of.kind === "array" || kind.of.kind === "bytes") return null;
      return maybeNull((n) => `{${[inner(n), inner(n + 1)].map((v) => JSON.stringify(String(v))).join(",")}}`);
    }
    case "unknown":
      return null;
  }
}

/**
 * Dates and times fall in 2021–2024: in the past, as real rows' are (a trigger or
 * function may reject a post published in the future), and fixed, so runs repeat.
 */
const PAST = Date.UTC(2021, 0, 1);
const FOUR_YEARS_MS = 4 * 365 * 86_400_000;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** strftime('%Y-%m-%dT%H:%M:%fZ') is exactly what Date.toISOString() prints. */
const ISO_FORMAT = "%Y-%m-%dT%H:%M:%fZ";

// Time zones other than UTC, so a lost offset shows: [text, minutes east of UTC].
const OFFSETS: [string, number][] = [
  ["+00:00", 0],
  ["+05:30", 330],
  ["-08:00", -480],
  ["+09:00", 540],
];

function timestamp(ms: number, n: number, kind: { tz: boolean; format?: string }): string {
  const at = ms + (n % 1000);
  if (kind.format === ISO_FORMAT) return new Date(at).toISOString();
  if (kind.format) return strftime(kind.format, new Date(at));
  // One Date per value: a million rows' worth of timestamps is most of the generator's time.
  const [text, minutes] = kind.tz ? OFFSETS[n % OFFSETS.length]! : ["", 0];
  const iso = new Date(at + minutes * 60_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${text}`;
}

/** The strftime subset SQLite supports: %Y %m %d %H %M %S %f %j %s and literals. */
function strftime(format: string, d: Date): string {
  const p = (v: number, w = 2) => String(v).padStart(w, "0");
  return format.replace(/%([YmdHMSfs%])/g, (_m, c: string) => {
    switch (c) {
      case "Y":
        return String(d.getUTCFullYear());
      case "m":
        return p(d.getUTCMonth() + 1);
      case "d":
        return p(d.getUTCDate());
      case "H":
        return p(d.getUTCHours());
      case "M":
        return p(d.getUTCMinutes());
      case "S":
        return p(d.getUTCSeconds());
      case "f":
        return `${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
      case "s":
        return String(Math.floor(d.getTime() / 1000));
      default:
        return "%";
    }
  });
}

function uuid(salt: number, n: number): string {
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, "0");
  const a = hex(salt ^ n);
  const b = hex(Math.imul(n + 1, 2246822519));
  const c = hex(Math.imul(salt + n, 3266489917));
  const d = hex(n);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-8${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

function mulberry(a: number): number {
  let t = (a + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
