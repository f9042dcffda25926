// Which table locks a PostgreSQL statement takes, and whether it holds them
// while it reads or rewrites the whole table. Modes are LockStmt's numbers
// (LOCK_MODES). https://www.postgresql.org/docs/current/explicit-locking.html
// Simplified where PostgreSQL locks an index rather than its table (REINDEX,
// DROP INDEX): the index's table is unknown to a linter, so the index is named.

import type { Node } from "@pgsql/types";
import type { LintFile, LintStatement } from "./model.ts";
import { addColumnRewrite } from "./pg-columns.ts";
import { as, constraints, each, LOCK_MODES, objectName, relName } from "./pg-ast.ts";

export const SHARE_UPDATE_EXCLUSIVE = 4;
export const SHARE = 5;
export const ACCESS_EXCLUSIVE = 8;

export interface Lock {
  /** A table, or an index when `index` is set. */
  name: string;
  index?: boolean;
  mode: number;
  /** Held while the statement scans, rewrites or copies the table (not a catalog-only change). */
  long: boolean;
}

export function lockName(mode: number): string {
  return LOCK_MODES[mode] ?? "a";
}

/** What a lock of this mode stops others from doing: "reads and writes", "writes", or "" (neither). */
export function blocks(mode: number): string {
  if (mode >= ACCESS_EXCLUSIVE) return "reads and writes";
  if (mode >= SHARE) return "writes";
  return "";
}

/** The locks a statement takes that block others, on objects that existed before this file. */
export function blockingLocks(file: LintFile, s: LintStatement): Lock[] {
  const locks = pgLocks(s);
  if (locks.length === 0) return locks;
  return locks.filter(
    (l) =>
      blocks(l.mode) && !(l.index ? file.facts.isNewIndex(l.name, s.index) : file.facts.isNewTable(l.name, s.index)),
  );
}

// Several rules ask about the same statement.
const cache = new WeakMap<LintStatement, Lock[]>();

export function pgLocks(s: LintStatement): Lock[] {
  let locks = cache.get(s);
  if (!locks) cache.set(s, (locks = computeLocks(s)));
  return locks;
}

// By the statement's kind first: one key looked up per statement, not one per kind of statement that locks.
function computeLocks(s: LintStatement): Lock[] {
  const node = s.pg;
  const out: Lock[] = [];
  if (!node) return out;
  const add = (name: string, mode: number, long: boolean, index = false) => {
    if (name) out.push({ name, mode, long, ...(index ? { index } : {}) });
  };

  switch (s.kind) {
    case "IndexStmt": {
      const idx = as(node, "IndexStmt")!;
      add(relName(idx.relation), idx.concurrent ? SHARE_UPDATE_EXCLUSIVE : SHARE, true);
      break;
    }
    case "DropStmt": {
      const drop = as(node, "DropStmt")!;
      if (drop.removeType === "OBJECT_TABLE")
        for (const o of drop.objects ?? []) add(objectName(o), ACCESS_EXCLUSIVE, false);
      if (drop.removeType === "OBJECT_INDEX")
        for (const o of drop.objects ?? [])
          add(objectName(o), drop.concurrent ? SHARE_UPDATE_EXCLUSIVE : ACCESS_EXCLUSIVE, false, true);
      break;
    }
    case "RenameStmt": {
      const rename = as(node, "RenameStmt")!;
      if (!rename.relation) break;
      if (rename.renameType === "OBJECT_INDEX") add(relName(rename.relation), SHARE_UPDATE_EXCLUSIVE, false, true);
      else if (
        rename.renameType === "OBJECT_TABLE" ||
        rename.renameType === "OBJECT_COLUMN" ||
        rename.renameType === "OBJECT_TABCONSTRAINT"
      )
        add(relName(rename.relation), ACCESS_EXCLUSIVE, false);
      break;
    }
    case "AlterTableStmt": {
      const alter = as(node, "AlterTableStmt")!;
      if (alter.objtype === "OBJECT_TABLE") alterLocks(relName(alter.relation), alter.cmds, add);
      break;
    }
    case "TruncateStmt":
      for (const r of each(as(node, "TruncateStmt")!.relations, "RangeVar")) add(relName(r), ACCESS_EXCLUSIVE, false);
      break;
    case "LockStmt": {
      const lock = as(node, "LockStmt")!;
      for (const r of each(lock.relations, "RangeVar")) add(relName(r), lock.mode ?? ACCESS_EXCLUSIVE, false);
      break;
    }
    case "VacuumStmt": {
      const vacuum = as(node, "VacuumStmt")!;
      if (each(vacuum.options, "DefElem").some((d) => d.defname === "full"))
        for (const r of each(vacuum.rels, "VacuumRelation")) add(relName(r.relation), ACCESS_EXCLUSIVE, true);
      break;
    }
    case "ClusterStmt": {
      const cluster = as(node, "ClusterStmt")!;
      if (cluster.relation) add(relName(cluster.relation), ACCESS_EXCLUSIVE, true);
      break;
    }
    case "ReindexStmt": {
      const reindex = as(node, "ReindexStmt")!;
      if (!reindex.relation || each(reindex.params, "DefElem").some((d) => d.defname === "concurrently")) break;
      if (reindex.kind === "REINDEX_OBJECT_INDEX") add(relName(reindex.relation), ACCESS_EXCLUSIVE, true, true);
      else add(relName(reindex.relation), SHARE, true);
      break;
    }
    case "CreateStmt": {
      // A foreign key to an existing table takes SHARE ROW EXCLUSIVE on it; a partition, ACCESS EXCLUSIVE on its parent.
      const create = as(node, "CreateStmt")!;
      for (const c of each(create.tableElts, "Constraint"))
        if (c.contype === "CONSTR_FOREIGN") add(relName(c.pktable), 6, false);
      for (const col of each(create.tableElts, "ColumnDef"))
        for (const c of constraints(col)) if (c.contype === "CONSTR_FOREIGN") add(relName(c.pktable), 6, false);
      if (create.partbound)
        for (const p of each(create.inhRelations, "RangeVar")) add(relName(p), ACCESS_EXCLUSIVE, false);
      break;
    }
    case "CreateTrigStmt": {
      const trig = as(node, "CreateTrigStmt")!;
      if (trig.relation) add(relName(trig.relation), 6, false);
      break;
    }
    case "RefreshMatViewStmt": {
      const refresh = as(node, "RefreshMatViewStmt")!;
      if (refresh.relation) add(relName(refresh.relation), refresh.concurrent ? 7 : ACCESS_EXCLUSIVE, true);
      break;
    }
  }
  return out;
}

function alterLocks(
  table: string,
  cmds: Node[] | undefined,
  add: (name: string, mode: number, long: boolean, index?: boolean) => void,
) {
  for (const cmd of each(cmds, "AlterTableCmd")) {
    switch (cmd.subtype) {
      case "AT_AddConstraint": {
        const c = as(cmd.def, "Constraint");
        if (!c) break;
        const validated = !c.skip_validation;
        if (c.contype === "CONSTR_FOREIGN") {
          add(table, 6, validated);
          add(relName(c.pktable), 6, false);
        } else if (c.contype === "CONSTR_PRIMARY" || c.contype === "CONSTR_UNIQUE")
          add(table, ACCESS_EXCLUSIVE, !c.indexname);
        else add(table, ACCESS_EXCLUSIVE, validated);
        break;
      }
      case "AT_ValidateConstraint":
        add(table, SHARE_UPDATE_EXCLUSIVE, true);
        break;
      case "AT_SetStatistics":
      case "AT_ClusterOn":
      case "AT_DropCluster":
      case "AT_SetRelOptions":
      case "AT_ResetRelOptions":
        add(table, SHARE_UPDATE_EXCLUSIVE, false);
        break;
      case "AT_DetachPartition": {
        const p = as(cmd.def, "PartitionCmd");
        if (p?.concurrent) add(table, SHARE_UPDATE_EXCLUSIVE, false);
        else {
          add(table, ACCESS_EXCLUSIVE, false);
          add(relName(p?.name), ACCESS_EXCLUSIVE, false);
        }
        break;
      }
      case "AT_AttachPartition":
        add(table, SHARE_UPDATE_EXCLUSIVE, false);
        add(relName(as(cmd.def, "PartitionCmd")?.name), ACCESS_EXCLUSIVE, true);
        break;
      case "AT_AddColumn": {
        const col = as(cmd.def, "ColumnDef");
        const inline = col
          ? constraints(col).some((c) =>
              ["CONSTR_CHECK", "CONSTR_FOREIGN", "CONSTR_UNIQUE", "CONSTR_PRIMARY"].includes(c.contype ?? ""),
            )
          : false;
        add(table, ACCESS_EXCLUSIVE, !!col && (!!addColumnRewrite(col) || inline));
        break;
      }
      case "AT_SetNotNull":
      case "AT_AlterColumnType":
      case "AT_SetLogged":
      case "AT_SetUnLogged":
      case "AT_SetTableSpace":
      case "AT_SetAccessMethod":
        add(table, ACCESS_EXCLUSIVE, true);
        break;
      case "AT_EnableTrig":
      case "AT_DisableTrig":
      case "AT_EnableTrigAll":
      case "AT_DisableTrigAll":
      case "AT_EnableTrigUser":
      case "AT_DisableTrigUser":
        add(table, 6, false);
        break;
      default:
        add(table, ACCESS_EXCLUSIVE, false);
    }
  }
}
