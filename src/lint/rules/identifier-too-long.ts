import { defineRule, perStatement } from "../rule.ts";

// NAMEDATALEN - 1 bytes: https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
// The parser truncates names before we see the tree, so the statement's text is read instead.
const MAX = 63;

// PostgreSQL's lexemes that can hold something looking like a name, skipped
// whole (comments, 'strings', $tag$ bodies $tag$), then its names: "quoted"
// (group 2) and plain (group 3, letters beyond ASCII included).
const LEXEMES =
  /--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$|"((?:[^"]|"")*)"|([A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)/g;

export default defineRule({
  id: "identifier-too-long",
  severity: "warning",
  dialects: ["postgres"],
  summary: "Identifiers longer than 63 bytes",
  locks:
    "None; PostgreSQL silently truncates them to 63 bytes, so two long names can collide and the name in the catalog is not the one in the file.",
  hint: "Shorten the name to 63 bytes or fewer.",
  cases: {
    flag: [
      `CREATE INDEX ${"idx_".padEnd(70, "x")} ON t (a);`,
      `ALTER TABLE t ADD COLUMN "${"é".repeat(40)}" text;`,
      `ALTER TABLE t ADD COLUMN "${"a quoted name with spaces ".repeat(3)}" text;`,
      `ALTER TABLE t ADD COLUMN ${"é".repeat(40)} text;`,
    ],
    pass: [
      "CREATE INDEX idx_tools_active_name ON tools (is_active, name);",
      `COMMENT ON TABLE t IS '${"x".repeat(80)}';`,
      `UPDATE "tools" SET tags = ARRAY['alpha beta', 'gamma delta', 'epsilon zeta', 'eta theta', 'iota kappa'];`,
      `COMMENT ON TABLE "t" IS $$ "${"a quoted phrase inside a comment ".repeat(3)}" $$;`,
    ],
  },
  check: perStatement((s) => {
    if (!s.pg || s.kind === "DoStmt" || s.kind === "CreateFunctionStmt") return;
    if (!mayHaveLongName(s.text)) return;
    const long = new Set<string>();
    for (const m of s.text.matchAll(LEXEMES)) {
      const name = m[2] !== undefined ? m[2].replace(/""/g, '"') : m[3]?.toLowerCase();
      if (name !== undefined && Buffer.byteLength(name, "utf8") > MAX) long.add(name);
    }
    if (long.size === 0) return;
    const names = [...long];
    return `${names.map((n) => `"${n}"`).join(", ")} ${names.length > 1 ? "are" : "is"} longer than 63 bytes: PostgreSQL truncates ${names.length > 1 ? "them" : "it"}`;
  }),
});

/**
 * Whether reading the names is worth it: a plain name of more than 63 bytes
 * lies inside a run of 22 or more characters with no space or punctuation (at
 * most 3 bytes each) of more than 63 bytes; a quoted name needs a double quote.
 */
function mayHaveLongName(text: string): boolean {
  if (text.includes('"')) return true;
  for (const run of text.matchAll(/[^\s(),;.'"]{22,}/g)) if (Buffer.byteLength(run[0], "utf8") > MAX) return true;
  return false;
}
