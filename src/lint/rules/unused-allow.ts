import { defineRule, normalizeRule } from "../rule.ts";

export default defineRule({
  id: "unused-allow",
  severity: "warning",
  dialects: ["postgres", "sqlite", "mysql"],
  summary: "`-- stairway:allow RULE reason` that silences nothing in its file",
  locks: "None; a stale allow would silence a new, unrelated finding of that rule later.",
  hint: "Remove the allow line (the statement it excused is gone or now safe).",
  meta: true,
  cases: {
    flag: ["-- stairway:allow ban-drop-table legacy\nALTER TABLE tools ADD COLUMN note text;"],
    pass: ["-- stairway:allow ban-drop-table legacy table, emptied in 040\nDROP TABLE legacy;"],
  },
  check(file) {
    const state = file.allowState;
    if (!state) return [];
    return file.allows
      .filter((a) => a.reason && state.known.has(normalizeRule(a.rule)) && !state.used.has(a.line))
      .map((a) => ({ line: a.line, col: a.col, message: `allow ${a.rule} silences nothing in this file` }));
  },
});
