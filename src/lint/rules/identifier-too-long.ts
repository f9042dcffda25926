import { tokenize } from "../tokens.ts";
import { defineRule, perStatement } from "../rule.ts";

// NAMEDATALEN - 1 bytes: https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
// The parser truncates names before we see the tree, so the statement's tokens are read instead.
const MAX = 63;

export default defineRule({
  id: "identifier-too-long",
  severity: "warning",
  dialects: ["postgres"],
  summary: "Identifiers longer than 63 bytes",
  locks: "None; PostgreSQL silently truncates them to 63 bytes, so two long names can collide and the name in the catalog is not the one in the file.",
  hint: "Shorten the name to 63 bytes or fewer.",
  cases: {
    flag: [`CREATE INDEX ${"idx_".padEnd(70, "x")} ON t (a);`, `ALTER TABLE t ADD COLUMN "${"é".repeat(40)}" text;`],
    pass: ["CREATE INDEX idx_tools_active_name ON tools (is_active, name);", `COMMENT ON TABLE t IS '${"x".repeat(80)}';`],
  },
  check: perStatement((s) => {
    if (!s.pg || s.kind === "DoStmt" || s.kind === "CreateFunctionStmt") return;
    if (!/[^\s(),;.'"]{22,}/.test(s.text)) return; // 63 bytes need 22 characters at least
    const long = [...new Set(tokenize(s.text).filter((t) => (t.type === "word" || t.type === "ident") && Buffer.byteLength(t.value, "utf8") > MAX).map((t) => t.value))];
    if (long.length === 0) return;
    return `${long.map((n) => `"${n}"`).join(", ")} ${long.length > 1 ? "are" : "is"} longer than 63 bytes: PostgreSQL truncates ${long.length > 1 ? "them" : "it"}`;
  }),
});
