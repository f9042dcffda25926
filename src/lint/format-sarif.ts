// SARIF 2.1.0 for GitHub code scanning: one run, every rule with its help,
// one result per finding (allowed findings carry an in-source suppression
// with the reason). https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
// https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning

import { isAbsolute, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { Report } from "../results.ts";
import type { Rule } from "./rule.ts";
import { detailsOf } from "./results.ts";

export function renderSarif(report: Report, rules: Rule[], cwd = process.cwd()): string {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "stairway",
            version: report.version,
            semanticVersion: report.version,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.summary },
              fullDescription: { text: r.locks },
              help: { text: r.hint, markdown: `**${r.summary}**\n\n${r.locks}\n\n**Fix:** ${r.hint}` },
              defaultConfiguration: { level: r.severity },
              properties: { dialects: r.dialects, tags: ["migration-safety", ...r.dialects] },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(cwd + sep).href } },
        results: report.results.map((r) => {
          const d = detailsOf(r);
          return {
            ruleId: d.rule,
            ruleIndex: index.get(d.rule) ?? -1,
            level: d.severity,
            message: { text: `${r.message} (${r.target})` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: artifact(d.file, cwd),
                  region: {
                    startLine: d.line,
                    startColumn: d.col,
                    endColumn: d.endCol,
                    snippet: { text: d.statement },
                  },
                },
              },
            ],
            partialFingerprints: {
              stairwayRule: `${d.rule}:${r.target}:${d.statement.replace(/\s+/g, " ").slice(0, 200)}`,
            },
            ...(d.allowed ? { suppressions: [{ kind: "inSource", justification: d.allowed.reason }] } : {}),
            properties: { dialect: r.target, ...(r.migration ? { migration: r.migration } : {}) },
          };
        }),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

/** Paths under the working directory relative to %SRCROOT% (what code scanning maps to the repository), others as file: URIs. */
function artifact(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const abs = isAbsolute(file) ? file : `${cwd}${sep}${file}`;
  const rel = relative(cwd, abs);
  if (!rel.startsWith("..") && !isAbsolute(rel))
    return { uri: rel.split(sep).map(encodeURIComponent).join("/"), uriBaseId: "SRCROOT" };
  return { uri: pathToFileURL(abs).href };
}
