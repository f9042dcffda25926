// JUnit XML: one testsuite per target, one testcase per check result, so CI
// systems show each (migration, check) as a test.

import type { Report } from "../results.ts";

const esc = (s: string) =>
  s
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!)
    .replace(
      // XML 1.0 cannot carry most control characters.
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g,
      "",
    );

export function renderJunit(reports: Report[]): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const report of reports) {
    const byTarget = new Map<string, typeof report.results>();
    for (const r of report.results) byTarget.set(r.target, [...(byTarget.get(r.target) ?? []), r]);
    for (const [target, results] of byTarget) {
      const cases = results.map((r) => {
        const name = esc(`${r.migration ? r.migration + " " : ""}${r.check}`);
        const time = ((r.durationMs ?? 0) / 1000).toFixed(4);
        const open = `    <testcase classname="stairway.${esc(report.command)}.${esc(target)}" name="${name}" time="${time}"`;
        if (r.status === "fail")
          return `${open}>\n      <failure message="${esc(r.message.slice(0, 500))}">${esc(detailText(r))}</failure>\n    </testcase>`;
        if (r.status === "skip") return `${open}>\n      <skipped message="${esc(r.message)}"/>\n    </testcase>`;
        if (r.status === "warn") return `${open}>\n      <system-out>${esc(r.message)}</system-out>\n    </testcase>`;
        return `${open}/>`;
      });
      const f = results.filter((r) => r.status === "fail").length;
      const s = results.filter((r) => r.status === "skip").length;
      const time = (results.reduce((a, r) => a + (r.durationMs ?? 0), 0) / 1000).toFixed(3);
      tests += results.length;
      failures += f;
      skipped += s;
      suites.push(
        `  <testsuite name="${esc(`${report.command} ${target}`)}" tests="${results.length}" failures="${f}" skipped="${s}" errors="0" time="${time}">\n${cases.join("\n")}\n  </testsuite>`,
      );
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="stairway" tests="${tests}" failures="${failures}" skipped="${skipped}">\n${suites.join("\n")}\n</testsuites>\n`;
}

function detailText(r: Report["results"][number]): string {
  const diff = r.details?.diff;
  return typeof diff === "string" ? `${r.message}\n\n${diff}` : r.message;
}
