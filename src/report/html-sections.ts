// The data sections of report.html: timing charts, locks and stalls,
// cross-database comparison, lint findings. Each returns one <section>;
// every string from a report passes through esc().

import type { Status } from "../results.ts";
import { MARK, ms, WORD, type Digest, type SafetyFinding, type Timing } from "./digest.ts";
import { esc, slug } from "./html-escape.ts";
import { compareVersions } from "../plan/migration.ts";
import { timingChart, type ChartGroup } from "./svg-chart.ts";
import { plural } from "../plural.ts";

export function statusBadge(s: Status, word = WORD[s]): string {
  return `<span class="status s-${s}">${MARK[s]} ${esc(word)}</span>`;
}

export function diffHtml(diff: string): string {
  const lines = diff
    .replace(/\n+$/, "")
    .split("\n")
    .map((l) => {
      const cls =
        l.startsWith("+++") || l.startsWith("---")
          ? "d-file"
          : l.startsWith("+")
            ? "d-add"
            : l.startsWith("-")
              ? "d-del"
              : l.startsWith("@@")
                ? "d-hunk"
                : "";
      return `<span${cls ? ` class="${cls}"` : ""}>${esc(l) || " "}</span>`;
    });
  return `<pre class="diff">${lines.join("")}</pre>`;
}

export function section(id: string, title: string, lead: string, body: string): string {
  return `<section class="card" id="${id}"><h2>${esc(title)}</h2>${lead ? `<p class="lead">${lead}</p>` : ""}${body}</section>`;
}

/** Per scenario, a chart of every migration's up and down time on every target. */
export function timingSection(d: Digest): string {
  if (!d.timings.length)
    return section(
      "timings",
      "Timings",
      "",
      `<p class="muted">No timings: run <code>stairway perf</code> (or <code>stairway test</code>) to see each migration's up and down time here.</p>`,
    );
  const scenarios = [...new Set(d.timings.map((t) => t.scenario))];
  const fromPerf = d.timings[0]!.source === "perf";
  const charts = scenarios.map((scenario, i) => {
    const list = d.timings.filter((t) => t.scenario === scenario);
    const targets = [...new Set(list.map((t) => t.target))];
    // In version order, whichever target ran a migration first (SQL targets run 009 before Redis runs 007).
    const migrations = [...new Set(list.map((t) => t.migration))].sort(compareVersions);
    // Only the targets a migration ran on (or was due on: a step after a failure says why it did not run).
    const groups: ChartGroup[] = migrations.map((m) => ({
      migration: m,
      rows: targets.flatMap((target) => {
        const t = list.find((x) => x.migration === m && x.target === target);
        return t
          ? [{ target, upMs: t.upMs, downMs: t.downMs, status: t.status, ...(t.note ? { note: t.note } : {}) }]
          : [];
      }),
    }));
    const rows = Math.max(0, ...list.map((t) => t.rows ?? 0));
    const sub = fromPerf
      ? `${plural(targets.length, "target")}${rows ? `, up to ${plural(rows, "row")} in the tables` : ", empty tables"}`
      : "the stairway test: the first up and the down of each step, over generated rows";
    return `<h3>${esc(scenario)} <span class="muted small">· ${esc(sub)}</span></h3>${timingChart(groups, { title: `${scenario}: up and down time per migration`, id: `chart-${i}-${slug(scenario)}` })}`;
  });
  const lead = fromPerf
    ? "Up and down time of each migration, per scenario of <code>stairway perf</code>. Each step runs on its own scratch database; hover a bar for its exact value."
    : "No <code>perf.json</code> in this run, so these are the step timings of <code>stairway test</code>.";
  return section("timings", "Timings", lead, charts.join(""));
}

/** perf's lock and stall measurements (PostgreSQL), one row per step; the quiet steps folded away. */
export function lockSection(d: Digest): string {
  const perf = d.timings.filter((t) => t.source === "perf");
  if (!perf.length) return "";
  const measured = perf.filter(
    (t) =>
      t.locks !== undefined && (t.lockStatus !== undefined || t.stallMs !== undefined || (t.blocking?.length ?? 0) > 0),
  );
  if (!measured.length)
    return section(
      "locks",
      "Locks and stalls",
      "",
      `<p class="muted">No lock measurements: locks and stalls are measured on PostgreSQL targets only.</p>`,
    );
  const order = (t: Timing) => (t.lockStatus === "fail" ? 0 : t.blocking?.length ? 1 : 2);
  const sorted = [...measured].sort((a, b) => order(a) - order(b) || (b.stallMs ?? 0) - (a.stallMs ?? 0));
  const row = (t: Timing) =>
    `<tr><td>${statusBadge(t.lockStatus ?? "pass", t.lockStatus === "fail" ? "over limit" : t.blocking?.length ? "blocks writes" : "no blocking lock")}</td>` +
    `<td class="mono small">${esc(t.migration)}</td><td class="small">${esc(t.scenario)}<br><span class="muted">${esc(t.target)}</span></td>` +
    `<td class="num">${t.rows === undefined ? "–" : esc(t.rows.toLocaleString("en"))}</td><td class="num">${esc(ms(t.upMs))}</td>` +
    `<td class="locks">${t.blocking?.length ? t.blocking.map((b) => `<span class="lock">${esc(b.replace(/Lock on /, " · "))}</span>`).join("") : '<span class="muted">none</span>'}</td>` +
    `<td class="num">${t.stallMs === undefined ? '<span class="muted">–</span>' : esc(ms(t.stallMs))}${t.stallTable ? `<br><span class="muted small">${esc(t.stallTable)}</span>` : ""}</td></tr>`;
  const head = `<thead><tr><th>verdict</th><th>migration</th><th>scenario</th><th class="num">rows</th><th class="num">held for</th><th>blocking locks (mode · table)</th><th class="num">longest stall</th></tr></thead>`;
  const loud = sorted.filter((t) => t.lockStatus === "fail" || t.blocking?.length || t.stallMs !== undefined);
  const quiet = sorted.filter((t) => !loud.includes(t));
  const table = (list: Timing[]) =>
    `<div class="table-wrap"><table class="lock-table">${head}<tbody>${list.map(row).join("")}</tbody></table></div>`;
  const lead =
    "Locks each up held at commit (from <code>pg_locks</code>) that block writes on tables holding rows — held for the whole migration — and the longest a concurrent query on the tables it touches had to wait.";
  return section(
    "locks",
    "Locks and stalls",
    lead,
    (loud.length
      ? table(loud)
      : `<p>${statusBadge("pass", "no step took a blocking lock or stalled a concurrent query")}</p>`) +
      (quiet.length
        ? `<details><summary>${plural(quiet.length, "more step")} with no blocking lock and no stall measured</summary>${table(quiet)}</details>`
        : ""),
  );
}

/** Schema comparisons (with declared differences and diffs) and behaviour probes. */
export function crossDbSection(d: Digest): string {
  if (!d.reports.some((r) => r.command === "cross-db")) return "";
  const ref = d.reports.find((r) => r.command === "cross-db")?.targets[0]?.name;
  const schema = d.crossDbSchema.map(({ result: r }) => {
    const declared = d.declared.filter((x) => x.target === r.target && x.migration === r.migration);
    const diff = r.details?.diff;
    const eq = Array.isArray(r.details?.equivalences) ? (r.details.equivalences as unknown[]).map(String) : [];
    return (
      `<div class="${r.status === "fail" ? "failure" : ""}"><p>${statusBadge(r.status)} <strong>${esc(r.target)}</strong>${r.migration ? ` <code>${esc(r.migration)}</code>` : ""} — ${esc(r.message)}</p>` +
      declared
        .map(
          (x) =>
            `<div class="declared"><strong>${esc(x.object)}</strong> — declared: ${esc(x.reason)}<ul class="tight small">${x.differences.map((s) => `<li>${esc(s)}</li>`).join("")}</ul></div>`,
        )
        .join("") +
      (typeof diff === "string" ? diffHtml(diff) : "") +
      (eq.length
        ? `<details><summary>${plural(eq.length, "type equivalence")} applied</summary><ul class="tight small mono">${eq.map((e) => `<li>${esc(e)}</li>`).join("")}</ul></details>`
        : "") +
      `</div>`
    );
  });
  const probes = d.probes.map((p) => {
    const targets = [...new Set(p.probes.flatMap((x) => Object.keys(x.outcomes)))];
    const rows = p.probes.map((x) => {
      const accepted = targets.map((t) => (x.outcomes[t] ?? "").startsWith("accepted"));
      const same = accepted.every((a) => a === accepted[0]);
      return `<tr><td>${statusBadge(same ? "pass" : "fail", same ? "alike" : "differ")}</td><td>${esc(x.probe)}</td>${targets.map((t) => `<td class="small">${esc(x.outcomes[t] ?? "–")}</td>`).join("")}</tr>`;
    });
    const table = rows.length
      ? `<div class="table-wrap"><table><thead><tr><th></th><th>probe</th>${targets.map((t) => `<th>${esc(t)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`
      : "";
    return `<details${p.status === "fail" ? " open" : ""}><summary>${statusBadge(p.status)} <strong>${esc(p.table || p.target)}</strong> — ${esc(p.message)}</summary>${table}</details>`;
  });
  const lead = `Every SQL target migrated to head and its schema compared with ${ref ? `<strong>${esc(ref)}</strong>'s` : "the reference's"} after the type equivalences of the dialects; then the same probe rows (NULL into NOT NULL, duplicates, orphans, over-long text, wrong types) must be accepted or rejected alike.`;
  return section(
    "cross-db",
    "Cross-database",
    lead,
    `<h3>Schemas</h3>${schema.join("") || '<p class="muted">No schema comparison.</p>'}<h3>Behaviour probes</h3>${probes.join("") || '<p class="muted">No probes ran (they need two SQL targets).</p>'}`,
  );
}

/** The linter's findings, grouped by rule (errors first), each rule's fix once. */
export function safetySection(d: Digest): string {
  if (!d.reports.some((r) => r.command === "safety")) return "";
  if (!d.safety.length)
    return section("safety", "Lint findings", "", `<p>${statusBadge("pass", "no dangerous operation found")}</p>`);
  const rank = (f: SafetyFinding) => (f.allowed ? 2 : f.result.status === "fail" ? 0 : 1);
  const rules = [...new Set([...d.safety].sort((a, b) => rank(a) - rank(b)).map((f) => f.rule))];
  const groups = rules.map((rule) => {
    const list = d.safety.filter((f) => f.rule === rule).sort((a, b) => rank(a) - rank(b));
    const active = list.filter((f) => !f.allowed);
    const s: Status = active.some((f) => f.result.status === "fail") ? "fail" : active.length ? "warn" : "skip";
    const hint = list.find((f) => f.hint)?.hint;
    const rows = list.map((f) => {
      const where = f.file
        ? `${f.file}${f.line !== undefined ? `:${f.line}` : ""}${f.col !== undefined ? `:${f.col}` : ""}`
        : "";
      const sev = f.allowed ? statusBadge("skip", "allowed") : statusBadge(f.result.status, f.severity);
      return (
        `<tr><td>${sev}</td><td><div class="mono small where">${esc(where)}</div><div class="muted small">${esc(f.result.target)}${f.result.migration ? ` · ${esc(f.result.migration)}` : ""}</div></td>` +
        `<td class="small"><div>${esc(f.result.message)}</div>${f.statement ? `<pre class="stmt">${esc(f.statement)}</pre>` : ""}` +
        `${f.allowed ? `<div class="muted">allowed: ${esc(f.allowed.reason)}</div>` : ""}</td></tr>`
      );
    });
    const counts = `${plural(active.length, "finding")}${list.length > active.length ? `, ${list.length - active.length} allowed` : ""}`;
    return (
      `<h3>${statusBadge(s, s === "fail" ? "error" : s === "warn" ? "warning" : "allowed")} <code>${esc(rule)}</code> <span class="muted small">· ${esc(counts)}</span></h3>` +
      (hint ? `<p class="small"><strong>Fix:</strong> ${esc(hint)}</p>` : "") +
      `<div class="table-wrap"><table class="lint"><thead><tr><th>severity</th><th>where</th><th>finding</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`
    );
  });
  const errors = d.safety.filter((f) => f.result.status === "fail").length;
  const warns = d.safety.filter((f) => f.result.status === "warn").length;
  const allowed = d.safety.filter((f) => f.allowed).length;
  const lead = `${plural(errors, "error")}, ${plural(warns, "warning")}${allowed ? `, ${allowed} allowed by <code>-- stairway:allow</code>` : ""} from <code>stairway safety</code>: dangerous operations per dialect, and how to make each safe.`;
  return section("safety", "Lint findings", lead, groups.join(""));
}
