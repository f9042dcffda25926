// The data an up fails on. When an up fails over the generated rows and
// passes on empty tables (stairway.ts), the warning should name what in the
// rows breaks it, as a reviewer would want to read it: "adding UNIQUE (email)
// to accounts fails when the table holds duplicates, e.g. email='x@y' (2
// rows)". The failing statement (found by the line the error names) says what
// was being done, the rows still in place (the up rolled back) give the
// example: duplicates for UNIQUE and PRIMARY KEY, NULLs for NOT NULL, values
// with no parent for a FOREIGN KEY, rows a CHECK refuses, child rows that
// point at rows a DELETE or DROP removes, and the same for rows copied into a
// rebuilt table (SQLite's way to change a constraint). Whatever it cannot
// explain gives undefined: the caller keeps the database's own words.

import { fileFor, statementsFor, type Migration } from "../plan/migration.ts";
import { rowKey } from "../data/rows.ts";
import type { Schema, Table } from "../schema/model.ts";
import type { SqlDriver } from "../stores/contract.ts";
import { plural } from "../plural.ts";

const ID = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|\[[^\]]+\]|[\w$]+)(?:\.(?:"[^"]+"|\x60[^\x60]+\x60|\[[^\]]+\]|[\w$]+))?`;

/**
 * The step.up warning for an up that failed over the data and passed on empty
 * tables: the data named when `blame` could tell, else the database's words.
 */
export function overDataMessage(error: string | undefined, blame: string | undefined): string {
  return blame
    ? `${error?.match(/^.*?:\d+:\d+: /)?.[0] ?? ""}${blame}; it passes on empty tables — a production risk`
    : `fails where the tables hold rows, passes on empty tables — a production risk: ${error}`;
}

/** One sentence naming the data the up of `m` fails on, or undefined when it cannot tell. */
export async function blameData(
  driver: SqlDriver,
  schema: Schema,
  m: Migration,
  error: string,
): Promise<string | undefined> {
  const file = fileFor(m, "up", driver.dialect);
  if (!file) return undefined;
  // The line of the file as run: in a file joined from pieces (popx), from the piece the error names.
  const piece = (file.pieces ?? [{ path: file.path, line: 1 }]).find((p) => error.startsWith(`${p.path}:`));
  const at = piece && /^(\d+):\d+: /.exec(error.slice(piece.path.length + 1));
  if (!at) return undefined;
  const line = piece.line + Number(at[1]) - 1;
  const statements = statementsFor(file, driver.dialect);
  const statement = statements.findLast((s) => s.line <= line);
  if (!statement) return undefined;
  const text = withoutComments(statement.text);
  const rows = new RowReader(driver, schema);
  try {
    for (const suspect of suspects(text, error, file.text)) {
      const blame = await suspect(rows);
      if (blame) return blame;
    }
  } catch {
    // An explanation is a courtesy: the warning then keeps the database's own words.
  }
  return undefined;
}

type Suspect = (rows: RowReader) => Promise<string | undefined>;

/** What the statement may have failed on, most specific first. */
function suspects(text: string, error: string, fileText: string): Suspect[] {
  const out: Suspect[] = [];
  const index = new RegExp(
    String.raw`^CREATE\s+UNIQUE\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:${ID}\s+)?ON\s+(?:ONLY\s+)?(${ID})\s*(?:USING\s+\w+\s*)?\(([^()]*)\)`,
    "i",
  ).exec(text);
  if (index) out.push((r) => duplicates(r, name(index[1]!), names(index[2]!), "UNIQUE"));

  const alter = new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${ID})\s+([\s\S]*)$`, "i").exec(
    text,
  );
  if (alter) {
    const table = name(alter[1]!);
    const rest = alter[2]!;
    const constraint = String.raw`ADD\s+(?:CONSTRAINT\s+${ID}\s+)?`;
    for (const k of rest.matchAll(
      new RegExp(
        String.raw`${constraint}(UNIQUE|PRIMARY\s+KEY)(?:\s+(?:KEY|INDEX))?(?:\s+${ID})?\s*\(([^()]*)\)`,
        "gi",
      ),
    )) {
      const kind = k[1]!.toUpperCase().replace(/\s+/, " ");
      out.push((r) => duplicates(r, table, names(k[2]!), kind));
      if (kind === "PRIMARY KEY") for (const c of names(k[2]!)) out.push((r) => nulls(r, table, c, "primary"));
    }
    for (const f of rest.matchAll(
      new RegExp(
        String.raw`${constraint}FOREIGN\s+KEY\s*(?:${ID}\s*)?\(([^()]*)\)\s*REFERENCES\s+(${ID})\s*(?:\(([^()]*)\))?`,
        "gi",
      ),
    ))
      out.push((r) => orphans(r, table, names(f[1]!), name(f[2]!), f[3] ? names(f[3]) : undefined));
    for (const c of rest.matchAll(new RegExp(String.raw`${constraint}CHECK\s*\(`, "gi"))) {
      const expr = balanced(rest, c.index + c[0].length - 1);
      if (expr) out.push((r) => violators(r, table, expr, `adding CHECK (${expr}) to ${table}`));
    }
    for (const n of rest.matchAll(new RegExp(String.raw`ALTER\s+(?:COLUMN\s+)?(${ID})\s+SET\s+NOT\s+NULL`, "gi")))
      out.push((r) => nulls(r, table, name(n[1]!), "set"));
    for (const n of rest.matchAll(
      new RegExp(String.raw`(?:MODIFY|CHANGE)\s+(?:COLUMN\s+)?(${ID})\s[^,]*?\bNOT\s+NULL`, "gi"),
    ))
      out.push((r) => nulls(r, table, name(n[1]!), "set"));
    for (const a of rest.matchAll(
      new RegExp(String.raw`ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(${ID})\s+([^,]*)`, "gi"),
    )) {
      const def = a[2]!;
      if (/^(CONSTRAINT|PRIMARY|UNIQUE|FOREIGN|CHECK|INDEX|KEY|FULLTEXT|SPATIAL|PARTITION)$/i.test(a[1]!)) continue;
      if (/\bNOT\s+NULL\b/i.test(def) && !/\b(DEFAULT|GENERATED|IDENTITY|AUTO_INCREMENT|AS)\b/i.test(def))
        out.push((r) => newNotNull(r, table, name(a[1]!)));
    }
  }

  const gone = new RegExp(
    String.raw`^(?:DELETE\s+FROM|DROP\s+TABLE(?:\s+IF\s+EXISTS)?|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?(${ID})`,
    "i",
  ).exec(text);
  if (gone) {
    const verb = /^DELETE/i.test(text) ? "deleting rows of" : /^DROP/i.test(text) ? "dropping" : "emptying";
    out.push((r) => referenced(r, name(gone[1]!), verb));
  }

  const copy = new RegExp(
    String.raw`^INSERT\s+INTO\s+(${ID})\s*(?:\(([^()]*)\))?\s*SELECT\s+([\s\S]*?)\s+FROM\s+(${ID})`,
    "i",
  ).exec(text);
  if (copy) out.push(...copySuspects(name(copy[1]!), copy[2], copy[3]!, name(copy[4]!), error, fileText));
  return out;
}

/** An INSERT … SELECT into a rebuilt table: the constraint the error names, checked on the source rows. */
function copySuspects(
  into: string,
  intoList: string | undefined,
  selectList: string,
  from: string,
  error: string,
  fileText: string,
): Suspect[] {
  // A target column is the source column at its place in the SELECT list, when that is a plain column.
  const selected = selectList.trim() === "*" ? undefined : selectList.split(",").map((s) => s.trim());
  const targets = intoList ? names(intoList) : undefined;
  const source = (c: string) => {
    const i = targets?.findIndex((t) => t.toLowerCase() === c.toLowerCase()) ?? -1;
    const s = i >= 0 && selected ? selected[i] : undefined;
    return s && new RegExp(`^${ID}$`).test(s) ? name(s) : c;
  };
  const what = `copying rows of ${from} into ${into}`;
  const columnsOf = (list: string) =>
    list.split(",").map((c) => source(name(c.trim().replace(new RegExp(String.raw`^${escape(into)}\.`, "i"), ""))));
  const notNull = /NOT NULL constraint failed: (.+)$/m.exec(error);
  if (notNull) return columnsOf(notNull[1]!).map((c) => (r: RowReader) => nulls(r, from, c, "copy", what));
  const unique = /UNIQUE constraint failed: (.+)$/m.exec(error);
  if (unique) return [(r) => duplicates(r, from, columnsOf(unique[1]!), "UNIQUE", what)];
  const check = /CHECK constraint failed: (.+)$/m.exec(error);
  if (check) {
    const named = new RegExp(String.raw`CONSTRAINT\s+"?${escape(check[1]!.trim())}"?\s+CHECK\s*\(`, "i").exec(fileText);
    const expr = named ? balanced(fileText, named.index + named[0].length - 1) : check[1]!.trim();
    return expr ? [(r) => violators(r, from, expr, what)] : [];
  }
  if (/FOREIGN KEY constraint failed/.test(error)) {
    const body = new RegExp(String.raw`CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?${escape(into)}"?\s*\(`, "i").exec(
      fileText,
    );
    const def = body ? (balanced(fileText, body.index + body[0].length - 1) ?? "") : "";
    const out: Suspect[] = [];
    for (const f of def.matchAll(
      new RegExp(String.raw`FOREIGN\s+KEY\s*\(([^()]*)\)\s*REFERENCES\s+(${ID})\s*(?:\(([^()]*)\))?`, "gi"),
    ))
      out.push((r) => orphans(r, from, names(f[1]!).map(source), name(f[2]!), f[3] ? names(f[3]) : undefined, what));
    for (const f of def.matchAll(
      new RegExp(String.raw`(?:^|[(,])\s*(${ID})\s[^,]*?REFERENCES\s+(${ID})\s*(?:\(([^()]*)\))?`, "gi"),
    ))
      out.push((r) => orphans(r, from, [source(name(f[1]!))], name(f[2]!), f[3] ? names(f[3]) : undefined, what));
    return out;
  }
  return [];
}

/** Reads rows of the tables the schema has (the state the up rolled back to), as canonical text. */
class RowReader {
  constructor(
    readonly driver: SqlDriver,
    readonly schema: Schema,
  ) {}

  table(name: string): Table | undefined {
    const bare = name.slice(name.lastIndexOf(".") + 1);
    return (
      this.schema.tables.find((t) => t.name === name) ??
      this.schema.tables.find((t) => t.name.toLowerCase() === name.toLowerCase()) ??
      this.schema.tables.find((t) => t.name.toLowerCase() === bare.toLowerCase())
    );
  }

  column(t: Table, name: string): string | undefined {
    return t.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())?.name;
  }

  async *read(t: Table, columns: string[]): AsyncIterable<(string | null)[]> {
    yield* this.driver.readRows(t.name, columns);
  }
}

async function duplicates(
  r: RowReader,
  tableName: string,
  cols: string[],
  kind: string,
  what = `adding ${kind} (${cols.join(", ")}) to ${tableName}`,
): Promise<string | undefined> {
  const t = r.table(tableName);
  const columns = t && cols.map((c) => r.column(t, c));
  if (!t || !columns || columns.some((c) => !c)) return undefined;
  const counts = new Map<string, number>();
  for await (const row of r.read(t, columns as string[])) {
    if (row.some((v) => v === null)) continue;
    const k = JSON.stringify(row);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const dup = [...counts].find(([, n]) => n > 1);
  if (!dup) return undefined;
  const values = JSON.parse(dup[0]) as string[];
  return `${what} fails when ${t.name} holds duplicates, e.g. ${pairs(columns as string[], values)} (${plural(dup[1], "row")})`;
}

async function nulls(
  r: RowReader,
  tableName: string,
  col: string,
  how: "set" | "primary" | "copy",
  what?: string,
): Promise<string | undefined> {
  const t = r.table(tableName);
  const column = t && r.column(t, col);
  if (!t || !column) return undefined;
  const key = (rowKey(t) ?? []).filter((k) => k !== column);
  let total = 0;
  let count = 0;
  let sample: string | undefined;
  for await (const row of r.read(t, [...key, column])) {
    total++;
    if (row.at(-1) !== null) continue;
    count++;
    sample ??= key.length ? pairs(key, row.slice(0, -1)) : undefined;
  }
  if (!count) return undefined;
  const where = `${count} of ${plural(total, "row")}${sample ? `, e.g. ${sample}` : ""}`;
  if (how === "set") return `setting ${t.name}.${column} NOT NULL fails when the column holds NULLs (${where})`;
  if (how === "primary")
    return `adding PRIMARY KEY on ${t.name}.${column} fails when the column holds NULLs (${where})`;
  return `${what} fails when ${t.name}.${column} holds NULLs, which the new NOT NULL column refuses (${where})`;
}

async function newNotNull(r: RowReader, tableName: string, col: string): Promise<string | undefined> {
  const t = r.table(tableName);
  if (!t || r.column(t, col)) return undefined;
  const n = await r.driver.rowCount(t.name);
  if (!n) return undefined;
  return `adding ${t.name}.${col} NOT NULL without a default fails when ${t.name} holds rows (it held ${n}): a NOT NULL column needs a default`;
}

async function orphans(
  r: RowReader,
  tableName: string,
  cols: string[],
  parentName: string,
  refCols: string[] | undefined,
  what?: string,
): Promise<string | undefined> {
  const t = r.table(tableName);
  const parent = r.table(parentName);
  const columns = t && cols.map((c) => r.column(t, c));
  const refs = parent && (refCols ?? parent.primaryKey?.columns)?.map((c) => r.column(parent, c));
  if (!t || !parent || !columns || !refs || columns.some((c) => !c) || refs.some((c) => !c)) return undefined;
  const keys = new Set<string>();
  for await (const row of r.read(parent, refs as string[])) keys.add(JSON.stringify(row));
  let count = 0;
  let sample: string | undefined;
  for await (const row of r.read(t, columns as string[])) {
    if (row.some((v) => v === null) || keys.has(JSON.stringify(row))) continue;
    count++;
    sample ??= pairs(columns as string[], row);
  }
  if (!count) return undefined;
  const doing =
    what ?? `adding FOREIGN KEY (${columns.join(", ")}) REFERENCES ${parent.name} (${refs.join(", ")}) to ${t.name}`;
  return `${doing} fails when ${t.name} holds values with no row in ${parent.name}, e.g. ${sample} (${plural(count, "row")})`;
}

async function referenced(r: RowReader, parentName: string, verb: string): Promise<string | undefined> {
  const parent = r.table(parentName);
  if (!parent) return undefined;
  for (const child of r.schema.tables) {
    for (const fk of child.foreignKeys) {
      if (r.table(fk.refTable) !== parent || child === parent) continue;
      let count = 0;
      let sample: (string | null)[] | undefined;
      for await (const row of r.read(child, fk.columns)) {
        if (row.some((v) => v === null)) continue;
        count++;
        sample ??= row;
      }
      if (count)
        return `${verb} ${parent.name} fails when ${child.name} holds rows that point at it, e.g. ${pairs(
          fk.columns.map((c) => `${child.name}.${c}`),
          sample!,
        )} (${plural(count, "row")})`;
    }
  }
  return undefined;
}

/** Rows a CHECK refuses, found by the database itself: the expression is the migration's own SQL. */
async function violators(r: RowReader, tableName: string, expr: string, what: string): Promise<string | undefined> {
  const t = r.table(tableName);
  // Names a temporary table can take unquoted, in every dialect.
  if (!t || !/^\w+$/.test(t.name)) return undefined;
  const temp = "stairway_blame_rows";
  await r.driver.execute(`CREATE TEMPORARY TABLE ${temp} AS SELECT * FROM ${t.name} WHERE NOT (${expr})`);
  try {
    const words = new Set(expr.toLowerCase().match(/[a-z_][\w$]*/g) ?? []);
    const key = rowKey(t) ?? [];
    const shown = [
      ...key,
      ...t.columns.map((c) => c.name).filter((c) => words.has(c.toLowerCase()) && !key.includes(c)),
    ];
    let count = 0;
    let sample: string | undefined;
    for await (const row of r.driver.readRows(temp, shown)) {
      count++;
      sample ??= pairs(shown, row);
    }
    if (!count) return undefined;
    return `${what} fails when ${t.name} holds rows it refuses, e.g. ${sample} (${plural(count, "row")})`;
  } finally {
    await r.driver.execute(`DROP TABLE ${temp}`);
  }
}

function pairs(columns: string[], values: (string | null)[]): string {
  return columns.map((c, i) => `${c}=${literal(values[i] ?? null)}`).join(", ");
}

function literal(v: string | null): string {
  if (v === null) return "NULL";
  if (/^-?\d+(\.\d+)?$/.test(v)) return v;
  const s = [...v].length > 40 ? `${[...v].slice(0, 40).join("")}…` : v;
  return `'${s.replace(/'/g, "''")}'`;
}

/** The text inside the parenthesis that opens at `open`, or undefined when it does not close. */
function balanced(text: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return text.slice(open + 1, i).trim();
    else if (text[i] === "'") i = text.indexOf("'", i + 1);
    if (i < 0) return undefined;
  }
  return undefined;
}

function name(id: string): string {
  return id
    .split(".")
    .map((p) => p.replace(/^["`[]|["`\]]$/g, ""))
    .join(".");
}

function names(list: string): string[] {
  return list.split(",").map((c) => name(c.trim().split(/\s+/)[0]!));
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function withoutComments(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .trim();
}
