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
    flag: [
      `CREATE INDEX ${"idx_".padEnd(70, "x")} ON t (a);`,
      `ALTER TABLE t ADD COLUMN "${"é".repeat(40)}" text;`,
      `ALTER TABLE t ADD COLUMN "${"a quoted name with spaces ".repeat(3)}" text;`,
    ],
    pass: ["CREATE INDEX idx_tools_active_name ON tools (is_active, name);", `COMMENT ON TABLE t IS '${"x".repeat(80)}';`],
  },
  check: perStatement((s) => {
    if (!s.pg || s.kind === "DoStmt" || s.kind === "CreateFunctionStmt") return;
    if (!mayHaveLongName(s.text)) return;
    const long = [...new Set(tokenize(s.text).filter((t) => (t.type === "word" || t.type === "ident") && Buffer.byteLength(t.value, "utf8") > MAX).map((t) => t.value))];
    if (long.length === 0) return;
    return `${long.map((n) => `"${n}"`).join(", ")} ${long.length > 1 ? "are" : "is"} longer than 63 bytes: PostgreSQL truncates ${long.length > 1 ? "them" : "it"}`;
  }),
});

/**
 * Whether tokenizing is worth it: an unquoted name of more than 63 bytes lies
 * inside a run of 22 or more characters with no space or punctuation (at most
 * 3 bytes each) of more than 63 bytes; a quoted name needs a double quote.
 */
function mayHaveLongName(text: string): boolean {
  if (text.includes('"')) return true;
  for (const run of text.matchAll(/[^\s(),;.']{22,}/g)) if (Buffer.byteLength(run[0], "utf8") > MAX) return true;
  return false;
}
