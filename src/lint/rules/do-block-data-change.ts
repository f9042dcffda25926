import type { LintStatement } from "../model.ts";
import { as, relName } from "../pg-ast.ts";
import { defineRule, type Hit } from "../rule.ts";

const DML: Record<string, string> = {
  InsertStmt: "INSERT INTO",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE FROM",
  MergeStmt: "MERGE INTO",
};

function describe(s: LintStatement): string | undefined {
  if (s.kind === "DynamicSql") return `EXECUTE of dynamic SQL at line ${s.line} (no linter can see it)`;
  const verb = DML[s.kind];
  if (!verb) return undefined;
  const rel =
    (s.pg &&
      (as(s.pg, "InsertStmt") ?? as(s.pg, "UpdateStmt") ?? as(s.pg, "DeleteStmt") ?? as(s.pg, "MergeStmt"))
        ?.relation) ||
    undefined;
  return `${verb} ${relName(rel)} at line ${s.line}`;
}

export default defineRule({
  id: "do-block-data-change",
  severity: "warning",
  dialects: ["postgres"],
  summary: "Data changes (or dynamic SQL) hidden in a DO block or in a function the migration calls",
  locks:
    "Whatever the hidden statements take, held until the migration commits; reviewers and most linters (squawk included) do not look inside DO bodies.",
  hint: "Write the change as plain statements so it is reviewed and linted; backfills belong in batches, in their own no-transaction migration. The statements inside are linted as well, at their own lines.",
  cases: {
    flag: [
      "DO $$\nBEGIN\n  UPDATE tools SET is_active = false WHERE url LIKE 'http:%';\nEND $$;",
      "DO $$ BEGIN EXECUTE format('DELETE FROM %I', 'old_logs'); END $$;",
      "CREATE FUNCTION backfill() RETURNS void LANGUAGE plpgsql AS $f$ BEGIN UPDATE tools SET tags = '[]' WHERE tags IS NULL; END $f$;\nSELECT backfill();",
    ],
    pass: [
      "DO $$ BEGIN RAISE NOTICE 'hello'; END $$;",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $f$ BEGIN DELETE FROM t WHERE a = 1; END $f$;",
    ],
  },
  check(file) {
    const byParent = new Map<LintStatement, string[]>();
    for (const s of file.statements) {
      if (!s.via) continue;
      const what = describe(s);
      if (!what) continue;
      const list = byParent.get(s.via.parent) ?? [];
      list.push(s.via.kind === "function" ? `${what} in function ${s.via.name}` : what);
      byParent.set(s.via.parent, list);
    }
    const out: Hit[] = [];
    for (const [parent, list] of byParent) {
      const container = parent.kind === "DoStmt" ? "DO block" : "call";
      out.push({ statement: parent, message: `${container} hides ${list.join("; ")}` });
    }
    return out;
  },
});
