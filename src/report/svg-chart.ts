// Inline SVG bar charts for report.html: per migration, one pair of bars (up,
// down) per target, on one time axis. No library and no script: the chart is
// markup the browser draws, readable with JS off and printable. Colours come
// from the page's CSS (classes), so dark mode and print follow; direction is
// also written out (↑ up / ↓ down next to each value), never colour alone.

import type { Status } from "../results.ts";
import { esc } from "./html-escape.ts";
import { MARK, ms } from "./digest.ts";

export interface ChartRow {
  target: string;
  upMs?: number;
  downMs?: number;
  status: Status;
  /** Shown instead of bars when the step did not run on this target. */
  note?: string;
}

export interface ChartGroup {
  migration: string;
  rows: ChartRow[];
}

const W = 1000;
const FONT = 12;
const MONO_CHAR = 7.3; // px per character of a 12px monospace font
const SANS_CHAR = 6.8;
const BAR = 10;
const ROW = 2 * BAR + 2 + 9;
const GROUP_PAD = 8;
const AXIS = 40;
const VALUE_SPACE = 78;

/** A horizontal bar chart of up/down times per migration and target. */
export function timingChart(groups: ChartGroup[], opts: { title: string; id: string }): string {
  const labelW = Math.min(330, Math.max(120, Math.max(...groups.map((g) => g.migration.length)) * MONO_CHAR + 16));
  const targetW = Math.max(
    60,
    Math.max(...groups.flatMap((g) => g.rows.map((r) => r.target.length + 2))) * SANS_CHAR + 14,
  );
  const x0 = labelW + targetW;
  const barW = W - x0 - VALUE_SPACE;
  const max = Math.max(1, ...groups.flatMap((g) => g.rows.flatMap((r) => [r.upMs ?? 0, r.downMs ?? 0])));
  const step = niceStep(max / 5);
  const top = niceCeil(max, step);
  const x = (v: number) => x0 + (v / top) * barW;

  const parts: string[] = [];
  let y = AXIS;
  for (const [gi, g] of groups.entries()) {
    const h = g.rows.length * ROW + GROUP_PAD;
    if (gi % 2 === 1) parts.push(`<rect class="band" x="0" y="${y}" width="${W}" height="${h}"/>`);
    const failed = g.rows.some((r) => r.status === "fail");
    parts.push(
      `<text class="mig${failed ? " fail-text" : ""}" x="4" y="${y + h / 2 + FONT / 3}">${esc(fit(g.migration, Math.floor((labelW - 12) / MONO_CHAR)))}<title>${esc(g.migration)}</title></text>`,
    );
    let ry = y + GROUP_PAD / 2;
    for (const r of g.rows) {
      const mark = r.status === "fail" || r.status === "warn" ? `${MARK[r.status]} ` : "";
      parts.push(
        `<text class="tgt${r.status === "fail" ? " fail-text" : r.status === "warn" ? " warn-text" : ""}" x="${labelW}" y="${ry + BAR + 5}">${esc(mark + r.target)}</text>`,
      );
      if (r.note !== undefined || (r.upMs === undefined && r.downMs === undefined)) {
        parts.push(`<text class="note" x="${x0 + 4}" y="${ry + BAR + 4}">${esc(r.note ?? "no timing")}</text>`);
      } else {
        parts.push(bar("up", r.upMs, x0, x, ry, `${g.migration} · ${r.target} · up`));
        parts.push(bar("down", r.downMs, x0, x, ry + BAR + 2, `${g.migration} · ${r.target} · down`));
      }
      ry += ROW;
    }
    y += h;
  }
  const height = y + 6;
  const grid: string[] = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    const gx = x(v);
    grid.push(`<line class="grid" x1="${gx}" x2="${gx}" y1="${AXIS - 6}" y2="${y}"/>`);
    grid.push(`<text class="tick" x="${gx}" y="${AXIS - 10}" text-anchor="middle">${esc(tick(v, step))}</text>`);
  }
  const legend =
    `<g class="legend"><rect class="bar-up" x="4" y="6" width="12" height="10" rx="2"/><text x="21" y="15">↑ up</text>` +
    `<rect class="bar-down" x="66" y="6" width="12" height="10" rx="2"/><text x="83" y="15">↓ down</text></g>`;
  return (
    `<svg class="chart" id="${esc(opts.id)}" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-labelledby="${esc(opts.id)}-t" font-size="${FONT}">` +
    `<title id="${esc(opts.id)}-t">${esc(opts.title)}</title>${legend}${grid.join("")}${parts.join("")}</svg>`
  );
}

function bar(
  kind: "up" | "down",
  v: number | undefined,
  x0: number,
  x: (v: number) => number,
  y: number,
  what: string,
): string {
  const arrow = kind === "up" ? "↑" : "↓";
  if (v === undefined) return `<text class="value" x="${x0 + 4}" y="${y + BAR - 1}">${arrow} –</text>`;
  const w = Math.max(1.5, x(v) - x0);
  return (
    `<rect class="bar-${kind}" x="${x0}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" rx="1.5"><title>${esc(`${what} ${ms(v)}`)}</title></rect>` +
    `<text class="value" x="${(x0 + w + 5).toFixed(1)}" y="${y + BAR - 1}">${arrow} ${esc(ms(v))}</text>`
  );
}

/** 1, 2 or 5 × a power of ten. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function niceCeil(v: number, step: number): number {
  return Math.max(step, Math.ceil(v / step) * step);
}

function tick(v: number, step: number): string {
  if (v === 0) return "0";
  if (step >= 1000) return `${+(v / 1000).toFixed(2)} s`;
  return `${+v.toFixed(step < 1 ? 2 : 0)} ms`;
}

function fit(s: string, n: number): string {
  return s.length > n ? s.slice(0, Math.max(1, n - 1)) + "…" : s;
}
