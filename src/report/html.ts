// report.html: one self-contained page — inline CSS, inline SVG, one small
// inline script — that opens from a CI artifact with no network. A Content
// Security Policy forbids every fetch and allows only our own script (by its
// hash), so even a message that escaped our escaping could not run or load
// anything.

import { createHash } from "node:crypto";
import type { CheckResult, Status } from "../results.ts";
import {
  age,
  cellStatus,
  commandStatus,
  countsText,
  leftOutText,
  MARK,
  ms,
  verdictText,
  WORD,
  type Counts,
  type Digest,
} from "./digest.ts";
import { esc } from "./html-escape.ts";
import {
  crossDbSection,
  diffHtml,
  lockSection,
  safetySection,
  section,
  statusBadge,
  timingSection,
} from "./html-sections.ts";
import { CSS, SCRIPT } from "./html-style.ts";
import { coverageOfReports } from "./coverage.ts";

export interface HtmlOptions {
  /** When the page was made, shown in the header (ISO time). */
  generatedAt?: string;
  /** Where the reports were read, shown in the header. */
  reportDir?: string;
}

export function renderHtml(d: Digest, opts: HtmlOptions = {}): string {
  const hash = createHash("sha256").update(SCRIPT).digest("base64");
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; img-src data:; form-action 'none'; base-uri 'none'`;
  const sections = [
    matrixSection(d),
    failureSection(d),
    timingSection(d),
    lockSection(d),
    crossDbSection(d),
    safetySection(d),
    resultsSection(d),
  ].filter(Boolean);
  const toc = sections
    .map((s) => s.match(/^<section class="card" id="([^"]+)"><h2>([^<]*)<\/h2>/))
    .filter((m): m is RegExpMatchArray => !!m)
    .map((m) => `<a href="#${m[1]}">${m[2]}</a>`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${esc(`${d.verdict === "fail" ? "✗" : "✓"} Migration report — ${verdictText(d)}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${header(d, opts)}
<nav class="toc" aria-label="Sections">${toc}</nav>
${sections.join("\n")}
<footer>stairway ${esc(d.reports[0]?.version ?? "")} · reports: ${d.reports.map((r) => `${esc(r.command)}.json`).join(", ") || "none"}${d.missing.length ? ` · not run: ${esc(d.missing.join(", "))}` : ""}</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function header(d: Digest, opts: HtmlOptions): string {
  const mark = d.verdict === "fail" ? "✗" : "✓";
  const chips = (["fail", "pass", "warn", "skip"] as Status[])
    .filter((s) => d.counts[s] || s === "pass")
    .map(
      (s) =>
        `<span class="chip s-${s}">${MARK[s]} ${d.counts[s]} ${esc(s === "warn" ? (d.counts.warn === 1 ? "warning" : "warnings") : WORD[s])}</span>`,
    )
    .join("");
  const targets = d.targets.length
    ? `<table class="small"><tbody>${d.targets.map((t) => `<tr><td><strong>${esc(t.name)}</strong></td><td class="muted">${esc(t.dialect)}</td><td class="mono">${esc(t.url)}</td></tr>`).join("")}</tbody></table>`
    : `<p class="muted">No targets named.</p>`;
  const commands = d.reports
    .map((r, i) => {
      const c: Counts = { pass: 0, fail: 0, warn: 0, skip: 0 };
      for (const x of r.results) c[x.status]++;
      const s = commandStatus(r);
      const file = d.files[i];
      const title = `${r.results.length ? countsText(c) : "nothing to report"}${file ? ` · ${file.file}, written ${age(file.ageMs)}` : ""}`;
      return `<span class="chip s-${s}" title="${esc(title)}">${MARK[s]} ${esc(r.command)}${file ? ` <span class="age">· ${esc(age(file.ageMs))}</span>` : ""}</span>`;
    })
    .join("");
  const missing = d.missing.length
    ? `<p class="small muted">Not run: ${d.missing.map((m) => `<code>${esc(m)}</code>`).join(" ")}</p>`
    : "";
  const left = d.leftOut.length ? `<p class="small stale">${esc(capital(leftOutText(d)))}.</p>` : "";
  const coverage = coverageOfReports(d.reports);
  const covered = coverage.length
    ? `<div class="card"><h3 class="first">Coverage</h3><ul class="small">${coverage.map((l) => `<li>${statusBadge(l.complete ? "pass" : "warn", l.complete ? "all" : "partial")} ${esc(l.command)} · ${esc(l.summary)}${l.untested.length ? `<ul>${l.untested.map((u) => `<li class="muted">${esc(u)}</li>`).join("")}</ul>` : ""}</li>`).join("")}</ul></div>`
    : "";
  return `<header class="top"><div><div class="brand">stairway · migration report</div><h1>Migration report</h1></div>
<div class="small muted">${opts.generatedAt ? `generated ${esc(opts.generatedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC"))}` : ""}${opts.reportDir ? `<br>from <code>${esc(opts.reportDir)}</code>` : ""}</div></header>
<div class="verdict ${d.verdict}" role="status"><div class="big" aria-hidden="true">${mark}</div><div><div class="line">${esc(capital(verdictText(d)))}</div><div class="chips">${chips}</div></div></div>
<div class="meta"><div class="card"><h3 class="first">Targets</h3>${targets}</div><div class="card"><h3 class="first">Commands</h3><div class="chips">${commands}</div>${missing}${left}</div>${covered}</div>`;
}

function matrixSection(d: Digest): string {
  if (!d.matrix.length)
    return section("checks", "Checks", "", `<p class="muted">These reports hold no check results.</p>`);
  const cols = d.columns;
  const rows = d.matrix.map((row, i) => {
    const first = i === 0 || d.matrix[i - 1]!.command !== row.command;
    const cells = cols.map((c) => {
      const n = row.cells.get(c);
      if (!n) return `<td class="cell muted">·</td>`;
      const total = n.pass + n.fail + n.warn + n.skip;
      const s = cellStatus(n);
      const text =
        s === "pass"
          ? `${n.pass}${n.skip ? ` <span class="muted">+ ${n.skip} skipped</span>` : ""}`
          : s === "skip"
            ? `${total} skipped`
            : `${n[s]} of ${total}`;
      return `<td class="cell"><span class="s-${s}">${MARK[s]}</span> ${text}</td>`;
    });
    return `<tr${first && i > 0 ? ' class="group-start"' : ""}><td>${first ? esc(row.command) : ""}</td><td class="mono small">${esc(row.check)}</td>${cells.join("")}</tr>`;
  });
  return section(
    "checks",
    "Checks",
    "Each check per target: how many of its results passed. ✗ failed · ⚠ warning · – skipped · · did not run there.",
    `<div class="table-wrap"><table class="matrix"><thead><tr><th>command</th><th>check</th>${cols.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`,
  );
}

function failureSection(d: Digest): string {
  if (!d.failures.length && !d.errors.length) return "";
  const items = [
    ...d.errors.map(
      (e) =>
        `<div class="failure"><div class="title">${MARK.fail} ${esc(e.command)} stopped <span class="muted">(${esc(e.code)})</span></div><div class="msg">${esc(e.message)}</div></div>`,
    ),
    ...d.failures.map(({ command, result: r }) => {
      const diff = r.details?.diff;
      return (
        `<div class="failure"><div class="title">${MARK.fail} <code>${esc(r.check)}</code> · ${esc(command)} · ${esc(r.target)}${r.migration ? ` · <code>${esc(r.migration)}</code>` : ""}${r.durationMs !== undefined ? ` <span class="muted small">${esc(ms(r.durationMs))}</span>` : ""}</div>` +
        `<div class="msg">${esc(r.message)}</div>${typeof diff === "string" && diff.trim() ? diffHtml(diff) : ""}</div>`
      );
    }),
  ];
  return section("failures", `Failures (${d.failures.length + d.errors.length})`, "", items.join(""));
}

function resultsSection(d: Digest): string {
  const all = d.reports.flatMap((r) => r.results.map((result) => ({ command: r.command, result })));
  if (!all.length) return "";
  const rows = all.map(({ command, result: r }) => {
    const extra = r.status !== "pass" && r.details && Object.keys(r.details).length ? detailsHtml(r) : "";
    return (
      `<tr data-status="${r.status}" data-command="${esc(command)}"><td>${statusBadge(r.status)}</td><td><div class="mono small">${esc(r.check)}</div><div class="muted small">${esc(command)}</div></td>` +
      `<td>${esc(r.target)}</td><td class="mono small mig">${esc(r.migration ?? "")}</td><td class="msg">${esc(r.message)}${extra}</td><td class="num">${r.durationMs === undefined ? "" : esc(ms(r.durationMs))}</td></tr>`
    );
  });
  const commands = [...new Set(all.map((x) => x.command))];
  const filters =
    `<form class="filters" id="filters" hidden><input type="search" placeholder="Filter: check, target, migration, message…" aria-label="Filter results">` +
    `<select aria-label="Command"><option value="">every command</option>${commands.map((c) => `<option value="${esc(c)}">${esc(c)}</option>`).join("")}</select>` +
    (["fail", "warn", "skip", "pass"] as Status[])
      .map(
        (s) =>
          `<label><input type="checkbox" value="${s}" checked> <span class="s-${s}">${MARK[s]}</span> ${esc(WORD[s])}</label>`,
      )
      .join("") +
    `<span class="muted" id="shown"></span></form>`;
  return section(
    "results",
    "All results",
    `Every check result of every command (${esc(countsText(d.counts))}).`,
    `${filters}<div class="table-wrap"><table id="results"><thead><tr><th>status</th><th>check · command</th><th>target</th><th>migration</th><th>message</th><th class="num">time</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`,
  );
}

function detailsHtml(r: CheckResult): string {
  const { diff, ...rest } = r.details ?? {};
  const parts: string[] = [];
  if (typeof diff === "string" && diff.trim()) parts.push(diffHtml(diff));
  if (Object.keys(rest).length) parts.push(`<pre>${esc(JSON.stringify(rest, null, 2))}</pre>`);
  return parts.length ? `<details><summary>details</summary>${parts.join("")}</details>` : "";
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
