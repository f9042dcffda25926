// A SQL tree read with the preset given (`--layout`, `layout.preset`), else
// with the one its files look like; with one sentence when the preset given
// fits none of them, and what the preset left out said once per reason.

import type { PlanLayout, TreeProblem } from "../migration.ts";
import { detectLayout, layoutById, readingOf, type Reading } from "./index.ts";
import { listTree, type Layout, type LayoutEntry, type LayoutId, type LayoutScan } from "./layout.ts";

/** The tree read with the preset given, else with the one its files look like. */
export function readTree(
  root: string,
  preset: { id: LayoutId; given: "--layout" | "layout.preset" } | undefined,
  problems: TreeProblem[],
): { layout: Layout; info: PlanLayout; entries: LayoutEntry[]; notes: string[] } {
  const tree = listTree(root);
  for (const b of tree.broken)
    problems.push({ check: "files.naming", path: b.path, blocking: true, message: b.message });
  let reading: Reading;
  let info: PlanLayout;
  if (preset) {
    reading = readingOf(tree, layoutById(preset.id)!);
    info = { preset: preset.id, detected: false };
    if (reading.score === 0) {
      const { best } = detectLayout(tree);
      if (best.score > 0 && best.layout.id !== preset.id) {
        problems.push({
          check: "files.naming",
          path: root,
          blocking: true,
          message: disagreement(root, reading, best, preset.given),
        });
        return { layout: reading.layout, info, entries: [], notes: [] };
      }
    }
  } else {
    const detection = detectLayout(tree);
    reading = detection.best;
    info = { preset: reading.layout.id, detected: true, ...(detection.alike.length ? { alike: detection.alike } : {}) };
  }
  const said = reading.layout.dialect?.(tree);
  if (said) info.dialect = said;
  const how = preset ? preset.given : "detected";
  for (const m of reading.scan.misnamed)
    problems.push({
      check: "files.naming",
      path: m.path,
      blocking: true,
      message: `${m.message}; layout: ${reading.layout.id} (${how})`,
    });
  return { layout: reading.layout, info, entries: reading.scan.entries, notes: ignoredNotes(reading.scan.ignored) };
}

/**
 * One sentence for a preset none of whose files the tree has: files named as
 * it names them but without its marker line (a goose preset on dbmate files),
 * or no file named so at all.
 */
function disagreement(root: string, reading: Reading, best: Reading, given: "--layout" | "layout.preset"): string {
  const { layout } = reading;
  const expected =
    layout.marker && reading.scan.entries.length
      ? `none of its files has a "${layout.marker.text}" line`
      : `no file is named ${layout.shape}`;
  const fix =
    given === "--layout"
      ? `pass --layout ${best.layout.id}, or leave --layout out to detect it`
      : `set layout.preset: ${best.layout.id} in the config, or remove it to detect the layout`;
  return `${root} does not look like a ${layout.id} tree (${given} ${layout.id}): ${expected}; its files look like ${best.layout.id} (${best.layout.id} reads ${best.score} of them): ${fix}`;
}

/** Files left out, said once per reason: "1,650 files are left out: stairway does not run their dialects (mysql, cockroach)". */
function ignoredNotes(ignored: LayoutScan["ignored"]): string[] {
  const byReason = new Map<string, { n: number; details: Set<string> }>();
  for (const i of ignored) {
    const r = byReason.get(i.reason) ?? { n: 0, details: new Set<string>() };
    r.n++;
    if (i.detail) r.details.add(i.detail);
    byReason.set(i.reason, r);
  }
  return [...byReason].map(
    ([reason, r]) =>
      `${r.n.toLocaleString("en-US")} ${reason}${r.details.size ? ` (${[...r.details].join(", ")})` : ""}`,
  );
}
