import { defineRule, normalizeRule } from "../rule.ts";

export default defineRule({
  id: "allow-unknown-rule",
  severity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  summary: "`-- stairway:allow` naming a rule that does not exist",
  locks: "None; the allow silences nothing (often a typo, so the finding it meant to silence still shows).",
  hint: "Use a rule id from `stairway safety` output or the README's rule table (with or without the `safety.` prefix).",
  meta: true,
  cases: {
    flag: ["-- stairway:allow ban-drop-tables old table\nDROP TABLE tools;", "-- stairway:allow\nSELECT 1;"],
    pass: ["-- stairway:allow safety.ban-drop-table old table\nDROP TABLE tools;"],
  },
  check(file) {
    const known = file.allowState?.known ?? new Set<string>();
    return file.allows
      .filter((a) => !known.has(normalizeRule(a.rule)))
      .map((a) => ({
        line: a.line,
        col: a.col,
        message: a.rule ? `allow names an unknown rule "${a.rule}"` : "allow names no rule",
      }));
  },
});
