import { defineRule } from "../rule.ts";

export default defineRule({
  id: "allow-without-reason",
  severity: "error",
  dialects: ["postgres", "sqlite", "mysql"],
  summary: "`-- stairway:allow RULE` with no reason",
  locks: "None; an allow without a reason silences nothing: the reason is what a reviewer reads.",
  hint: "Write why the finding is fine here: `-- stairway:allow ban-drop-column the column was never read`.",
  meta: true,
  cases: {
    flag: ["-- stairway:allow ban-drop-table\nDROP TABLE tools;"],
    pass: ["-- stairway:allow ban-drop-table replaced by tools_v2 in 041\nDROP TABLE tools;"],
  },
  check(file) {
    return file.allows
      .filter((a) => a.rule && !a.reason)
      .map((a) => ({
        line: a.line,
        col: a.col,
        message: `allow ${a.rule} has no reason: it silences nothing until it says why`,
      }));
  },
});
