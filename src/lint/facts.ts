// One pass over a file's statements in run order: which transaction each runs
// in, which timeouts are in force, and what the file created before it.

import type { Facts, LintStatement, UpCreated } from "./model.ts";

/** Timeouts stairway's runner sets around each migration, from the config. */
export interface PresetTimeouts {
  lock_timeout?: boolean;
  statement_timeout?: boolean;
}
import type { Draft } from "./pg-statements.ts";

/**
 * Numbers the statements and works out their transaction: the whole file is
 * one when stairway wraps it; otherwise only explicit BEGIN … COMMIT blocks are.
 */
export function settle(drafts: Draft[], transactional: boolean, preset: PresetTimeouts = {}): LintStatement[] {
  let tx: number | null = transactional ? 1 : null;
  let next = 1;
  // Timeouts the runner sets itself for every migration (the target's config) are in force from the start.
  const session = { lock_timeout: !!preset.lock_timeout, statement_timeout: !!preset.statement_timeout };
  const local = { lock_timeout: null as number | null, statement_timeout: null as number | null };
  const out: LintStatement[] = [];
  const byDraft = new Map<Draft, LintStatement>();
  for (const d of drafts) {
    const inherited = d.via ? byDraft.get(d.via.parent as unknown as Draft) : undefined;
    const begins = !transactional && d.effects.some((e) => e.type === "tx" && e.action === "begin");
    if (begins && tx === null) tx = ++next;
    const myTx = inherited ? inherited.tx : tx;
    const inForce = (name: "lock_timeout" | "statement_timeout") =>
      session[name] || (myTx !== null && local[name] === myTx);
    const s: LintStatement = {
      ...d,
      via: d.via && inherited ? { ...d.via, parent: inherited } : d.via,
      index: out.length,
      tx: myTx,
      lockTimeout: inForce("lock_timeout"),
      statementTimeout: inForce("statement_timeout"),
    };
    out.push(s);
    byDraft.set(d, s);
    for (const e of d.effects) {
      if (e.type === "set") {
        // SET LOCAL outside a transaction block lasts for that statement only.
        if (e.local) local[e.name] = e.on && myTx !== null ? myTx : null;
        else {
          session[e.name] = e.on;
          if (!e.on) local[e.name] = null;
        }
      }
      if (e.type === "tx" && (e.action === "commit" || e.action === "rollback") && !transactional) {
        tx = null;
        local.lock_timeout = local.statement_timeout = null;
      }
    }
  }
  return out;
}

type Status = "new" | "old" | "gone";

export function factsOf(statements: LintStatement[]): Facts {
  // Per name, the status it takes after each statement that changes it.
  const tables = new Map<string, { at: number; status: Status }[]>();
  const columns = new Map<string, { at: number; status: Status }[]>();
  const indexes = new Map<string, number>();
  const statusAt = (events: { at: number; status: Status }[] | undefined, at: number): Status | undefined => {
    let found: Status | undefined;
    for (const e of events ?? []) if (e.at < at) found = e.status;
    return found;
  };
  const push = (m: Map<string, { at: number; status: Status }[]>, key: string, at: number, status: Status) => {
    const list = m.get(key) ?? [];
    list.push({ at, status });
    m.set(key, list);
  };
  for (const s of statements) {
    for (const e of s.effects) {
      switch (e.type) {
        case "create-table":
          push(tables, e.table, s.index, "new");
          break;
        case "drop-table":
          push(tables, e.table, s.index, "gone");
          break;
        case "rename-table":
          push(tables, e.to, s.index, statusAt(tables.get(e.from), s.index) === "new" ? "new" : "old");
          push(tables, e.from, s.index, "gone");
          break;
        case "add-column":
          push(columns, `${e.table}.${e.column}`, s.index, "new");
          break;
        case "rename-column":
          push(
            columns,
            `${e.table}.${e.to}`,
            s.index,
            statusAt(columns.get(`${e.table}.${e.from}`), s.index) === "new" ? "new" : "old",
          );
          push(columns, `${e.table}.${e.from}`, s.index, "gone");
          break;
        case "create-index":
          if (e.index) indexes.set(e.index, s.index);
          break;
      }
    }
  }
  const isNewTable = (table: string, at: number) => statusAt(tables.get(table), at) === "new";
  return {
    isNewTable,
    isNewColumn: (table, column, at) =>
      isNewTable(table, at) || statusAt(columns.get(`${table}.${column}`), at) === "new",
    isNewIndex: (index, at) => (indexes.get(index) ?? Infinity) < at,
    rowsCopied(table, at) {
      const temp = new Set(
        statements.flatMap((s) => s.effects.flatMap((e) => (e.type === "create-table" && e.temp ? [e.table] : []))),
      );
      for (const s of statements) {
        if (s.index >= at) break;
        for (const e of s.effects) {
          if (e.type !== "copy-rows" || e.from !== table || !e.complete || temp.has(e.into)) continue;
          const droppedLater = statements.some(
            (d) => d.index > s.index && d.effects.some((x) => x.type === "drop-table" && x.table === e.into),
          );
          if (!droppedLater) return { into: e.into };
        }
      }
      return undefined;
    },
    nameRetaken(table, at) {
      return statements.find(
        (s) =>
          s.index > at &&
          s.effects.some(
            (e) => (e.type === "create-table" && e.table === table) || (e.type === "rename-table" && e.to === table),
          ),
      );
    },
  };
}

/** What an up file leaves created: a down may remove it without a finding. */
export function upCreated(statements: LintStatement[], facts: Facts): UpCreated {
  const end = statements.length;
  const created: UpCreated = {
    tables: new Set(),
    columns: new Set(),
    schemas: new Set(),
    indexes: new Set(),
    notNull: new Set(),
    renames: new Set(),
  };
  for (const s of statements) {
    for (const e of s.effects) {
      if (e.type === "create-table" && facts.isNewTable(e.table, end)) created.tables.add(e.table);
      if (e.type === "rename-table" && facts.isNewTable(e.to, end)) created.tables.add(e.to);
      if (e.type === "add-column") created.columns.add(`${e.table}.${e.column}`);
      if (e.type === "create-schema") created.schemas.add(e.schema);
      if (e.type === "create-index") created.indexes.add(e.index);
      if (e.type === "set-not-null") created.notNull.add(`${e.table}.${e.column}`);
      if (e.type === "rename-table") created.renames.add(`table:${e.from}>${e.to}`);
      if (e.type === "rename-column") created.renames.add(`column:${e.table}.${e.from}>${e.to}`);
      if (e.type === "rename-schema") created.renames.add(`schema:${e.from}>${e.to}`);
    }
  }
  return created;
}
