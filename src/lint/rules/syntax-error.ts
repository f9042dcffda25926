import { defineRule } from "../rule.ts";

export default defineRule({
  id: "syntax-error",
  severity: "error",
  dialects: ["postgres"],
  summary: "SQL the PostgreSQL parser refuses",
  locks: "None: the migration fails at that statement; the statements around it are still linted.",
  hint: "Fix the statement; if the file is meant for SQLite, name it up.sqlite.sql (or pass --dialect sqlite).",
  cases: {
    flag: ["CREATE TABLE t (id bigint PRIMARY KEY AUTOINCREMENT);", "ALTER TABLE tools ADD COLUMN;"],
    pass: ["CREATE TABLE t (id bigint PRIMARY KEY);"],
  },
  check(file) {
    return file.syntaxErrors.map((e) => ({
      line: e.line,
      col: e.col,
      message: `PostgreSQL cannot parse this: ${e.message}`,
    }));
  },
});
