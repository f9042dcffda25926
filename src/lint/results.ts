// Findings as the report's results (docs/ARCHITECTURE.md "Output"): check
// `safety.<rule>`, target = the dialect linted, fail for errors, warn for
// warnings, skip for findings an allow directive silenced (with its reason).

import type { CheckResult } from "../results.ts";
import type { Finding } from "./lint.ts";

export interface SafetyDetails {
  file: string;
  line: number;
  col: number;
  rule: string;
  severity: "error" | "warning";
  hint: string;
  statement: string;
  /** The file's line `line` as written, and the column just past the part at fault on it (SARIF's endColumn). */
  source: string;
  endCol: number;
  /** Set when `-- stairway:allow` silenced the finding. */
  allowed?: { reason: string; line: number };
}

export function toResults(findings: Finding[]): CheckResult[] {
  return findings.map((f) => {
    const details: SafetyDetails = {
      file: f.path,
      line: f.line,
      col: f.col,
      rule: f.rule.id,
      severity: f.rule.severity,
      hint: f.rule.hint,
      statement: f.statement,
      source: f.source,
      endCol: f.endCol,
      ...(f.allowed ? { allowed: f.allowed } : {}),
    };
    return {
      check: `safety.${f.rule.id}`,
      target: f.dialect,
      ...(f.migration ? { migration: f.migration } : {}),
      status: f.allowed ? "skip" : f.rule.severity === "error" ? "fail" : "warn",
      message: f.allowed ? `${f.message} (allowed: ${f.allowed.reason})` : f.message,
      details: details as unknown as Record<string, unknown>,
    } satisfies CheckResult;
  });
}

export function detailsOf(r: CheckResult): SafetyDetails {
  return r.details as unknown as SafetyDetails;
}
